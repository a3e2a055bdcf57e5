-- Financing requests on accepted invoices: the supplier (or its standing auto-financing
-- instruction) asks, the program's financier offers, the supplier accepts, the financier
-- disburses (two users above the program's threshold), the brand repays.

-- Who gave a supplier's standing auto-financing instruction: auto-requests are made, and
-- signed, in that user's name.
ALTER TABLE program_suppliers ADD COLUMN opted_in_by TEXT REFERENCES users (id);

-- The live financing of a registered receivable, platform-wide: a receivable is financed once,
-- under any brand and by any financier.
ALTER TABLE receivables_registry ADD COLUMN financing_id TEXT;

CREATE TABLE financings (
    tenant_id           TEXT NOT NULL,
    id                  TEXT NOT NULL,
    invoice_id          TEXT NOT NULL,
    program_id          TEXT NOT NULL,
    financier_org_id    TEXT NOT NULL REFERENCES orgs (id),
    supplier_org_id     TEXT NOT NULL REFERENCES orgs (id),
    state               TEXT NOT NULL CHECK (state IN ('requested', 'offered', 'offer_accepted',
                            'awaiting_second_approval', 'disbursed', 'repaid', 'declined',
                            'withdrawn')),
    auto                BIGINT NOT NULL DEFAULT 0,
    currency            TEXT NOT NULL,
    face_minor          BIGINT NOT NULL,
    due_date            TEXT NOT NULL,
    -- The offer, as computed by `domain::finance::pricing::quote` and shown to both parties.
    value_date          TEXT,
    days                BIGINT,
    advance_minor       BIGINT,
    fee_minor           BIGINT,
    net_minor           BIGINT,
    pricing             TEXT,
    rate_bps            BIGINT,
    day_count           TEXT,
    advance_bps         BIGINT,
    -- Where the brand pays at the due date once the receivable is assigned (the financier's).
    collection_account  TEXT,
    decline_reason      TEXT,
    requested_by        TEXT NOT NULL REFERENCES users (id),
    requested_at        BIGINT NOT NULL,
    offered_by          TEXT REFERENCES users (id),
    offered_at          BIGINT,
    accepted_by         TEXT REFERENCES users (id),
    accepted_at         BIGINT,
    first_approved_by   TEXT REFERENCES users (id),
    disbursed_by        TEXT REFERENCES users (id),
    disbursed_at        BIGINT,
    repaid_by           TEXT REFERENCES users (id),
    repaid_at           BIGINT,
    overdue_alerted_at  BIGINT,
    updated_at          BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, program_id) REFERENCES finance_programs (tenant_id, id)
);
-- One live financing per invoice, whatever the program or financier.
CREATE UNIQUE INDEX financings_one_live ON financings (tenant_id, invoice_id)
    WHERE state IN ('requested', 'offered', 'offer_accepted', 'awaiting_second_approval',
                    'disbursed');
CREATE INDEX financings_by_financier ON financings (tenant_id, financier_org_id, requested_at, id);
CREATE INDEX financings_by_supplier ON financings (tenant_id, supplier_org_id, requested_at, id);
CREATE INDEX financings_list ON financings (tenant_id, requested_at, id);
CREATE INDEX financings_by_program ON financings (tenant_id, program_id, supplier_org_id, state);
-- The overdue job looks only at disbursed financings past their due date.
CREATE INDEX financings_disbursed_due ON financings (due_date) WHERE state = 'disbursed';

-- Where a notification leads when it is not the order page (a financier never sees the order).
ALTER TABLE notifications ADD COLUMN link TEXT;

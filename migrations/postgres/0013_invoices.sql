-- Invoices against orders, the platform-wide receivables registry, and the brand's threshold
-- above which accepting an invoice takes a second finance user (maker-checker), in whole units
-- of the invoice's currency (NULL: one user always suffices).

ALTER TABLE brand_settings ADD COLUMN invoice_second_acceptance_above BIGINT;

CREATE TABLE invoices (
    tenant_id          TEXT NOT NULL,
    id                 TEXT NOT NULL,
    order_id           TEXT NOT NULL,
    supplier_org_id    TEXT NOT NULL REFERENCES orgs (id),
    number             TEXT NOT NULL,
    invoice_date       TEXT NOT NULL,
    due_date           TEXT NOT NULL,
    currency           TEXT NOT NULL,
    amount_minor       BIGINT NOT NULL,
    state              TEXT NOT NULL CHECK (state IN ('submitted', 'awaiting_second_acceptance',
                           'accepted', 'disputed', 'financed', 'paid', 'cancelled')),
    fingerprint        TEXT NOT NULL,
    -- An earlier invoice this one looks like (same amount and date, a similar number).
    look_alike_of      TEXT,
    first_accepted_by  TEXT REFERENCES users (id),
    decided_by         TEXT REFERENCES users (id),
    decided_at         BIGINT,
    dispute_reason     TEXT,
    created_by         TEXT NOT NULL REFERENCES users (id),
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id)
);
CREATE INDEX invoices_by_order ON invoices (tenant_id, order_id);
CREATE INDEX invoices_list ON invoices (tenant_id, created_at, id);
CREATE INDEX invoices_by_supplier ON invoices (tenant_id, supplier_org_id, created_at, id);

CREATE TABLE invoice_lines (
    tenant_id     TEXT NOT NULL,
    invoice_id    TEXT NOT NULL,
    line_no       BIGINT NOT NULL,
    quantity      TEXT NOT NULL,
    amount_minor  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, invoice_id, line_no)
);

-- One row per receivable on the whole platform: no tenant in the key, so the same receivable
-- cannot be claimed twice under any brand or financier. An invoice claims its fingerprint when
-- it is submitted and releases it only when the supplier cancels it.
CREATE TABLE receivables_registry (
    fingerprint      TEXT PRIMARY KEY,
    tenant_id        TEXT NOT NULL,
    invoice_id       TEXT NOT NULL,
    supplier_org_id  TEXT NOT NULL,
    buyer_org_id     TEXT NOT NULL,
    amount_minor     BIGINT NOT NULL,
    invoice_date     TEXT NOT NULL,
    currency         TEXT NOT NULL,
    number           TEXT NOT NULL,
    registered_at    BIGINT NOT NULL
);
CREATE INDEX receivables_look_alikes
    ON receivables_registry (supplier_org_id, buyer_org_id, amount_minor, invoice_date);

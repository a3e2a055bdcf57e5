-- Financing programs: a brand and a financier agree terms for the brand's suppliers; the
-- brand names the eligible suppliers, each supplier opts in (optionally to auto-financing).

CREATE TABLE finance_programs (
    tenant_id                         TEXT NOT NULL REFERENCES orgs (id),
    id                                TEXT NOT NULL,
    name                              TEXT NOT NULL,
    financier_org_id                  TEXT NOT NULL REFERENCES orgs (id),
    currency                          TEXT NOT NULL,
    advance_bps                       BIGINT NOT NULL,
    pricing                           TEXT NOT NULL CHECK (pricing IN ('discount', 'flat')),
    rate_bps                          BIGINT NOT NULL,
    day_count                         TEXT NOT NULL CHECK (day_count IN ('act360', 'act365')),
    max_tenor_days                    BIGINT NOT NULL,
    supplier_limit_minor              BIGINT NOT NULL,
    total_limit_minor                 BIGINT NOT NULL,
    -- Evidence codes required before financing, comma-separated.
    evidence                          TEXT NOT NULL,
    invoice_confirmed                 BIGINT NOT NULL DEFAULT 0,
    disbursement_second_above_minor   BIGINT,
    status                            TEXT NOT NULL CHECK (status IN ('active', 'closed')),
    updated_by                        TEXT REFERENCES users (id),
    created_at                        BIGINT NOT NULL,
    updated_at                        BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);
CREATE INDEX finance_programs_by_financier ON finance_programs (financier_org_id, status);

CREATE TABLE program_suppliers (
    tenant_id        TEXT NOT NULL,
    program_id       TEXT NOT NULL,
    supplier_org_id  TEXT NOT NULL REFERENCES orgs (id),
    eligible_since   BIGINT NOT NULL,
    opted_in_at      BIGINT,
    auto_finance     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, program_id, supplier_org_id),
    FOREIGN KEY (tenant_id, program_id) REFERENCES finance_programs (tenant_id, id)
);
CREATE INDEX program_suppliers_by_supplier ON program_suppliers (supplier_org_id, tenant_id);

-- Same meaning as the sqlite twin. First-sample records and the brand settings that govern production and shipping.

CREATE TABLE brand_settings (
    tenant_id                    TEXT PRIMARY KEY REFERENCES orgs (id),
    production_requires_sample   BIGINT NOT NULL DEFAULT 1,
    updated_at                   BIGINT NOT NULL
);

CREATE TABLE samples (
    tenant_id         TEXT NOT NULL,
    id                TEXT NOT NULL,
    order_id          TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('submitted','approved','rejected')),
    measurements      TEXT NOT NULL,
    note              TEXT NOT NULL,
    submitted_by      TEXT NOT NULL REFERENCES users (id),
    submitted_at      BIGINT NOT NULL,
    decided_by        TEXT REFERENCES users (id),
    decided_at        BIGINT,
    decision_comment  TEXT,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id)
);
CREATE INDEX samples_by_order ON samples (tenant_id, order_id, submitted_at);

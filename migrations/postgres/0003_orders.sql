-- Purchase orders, their lines, timeline, signed statements, and submission keys that make a
-- repeated submit take effect once. Every table leads its key with tenant_id. Same meaning as the sqlite twin.

CREATE TABLE orders (
    tenant_id           TEXT NOT NULL REFERENCES orgs (id),
    id                  TEXT NOT NULL,
    po_number           TEXT NOT NULL,
    partner_org_id      TEXT NOT NULL REFERENCES orgs (id),
    ship_to_org_id      TEXT REFERENCES orgs (id),
    currency            TEXT NOT NULL,
    incoterms           TEXT NOT NULL,
    payment_terms       TEXT NOT NULL,
    requested_delivery  TEXT NOT NULL,
    state               TEXT NOT NULL,
    version             BIGINT NOT NULL,
    due_date            TEXT NOT NULL,
    total_minor         BIGINT NOT NULL,
    line_count          BIGINT NOT NULL,
    cancel_reason       TEXT,
    created_by          TEXT NOT NULL REFERENCES users (id),
    created_at          BIGINT NOT NULL,
    issued_at           BIGINT,
    updated_at          BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, po_number)
);
-- The partner's inbox and the brand's list: filter by state, sort by due date, page by key.
CREATE INDEX orders_partner_queue ON orders (tenant_id, partner_org_id, state, due_date, id);
CREATE INDEX orders_partner_all ON orders (tenant_id, partner_org_id, due_date, id);
CREATE INDEX orders_brand_queue ON orders (tenant_id, state, due_date, id);
CREATE INDEX orders_brand_all ON orders (tenant_id, due_date, id);
CREATE INDEX orders_ship_to ON orders (tenant_id, ship_to_org_id, due_date, id);

CREATE TABLE order_lines (
    tenant_id             TEXT NOT NULL,
    order_id              TEXT NOT NULL,
    line_no               BIGINT NOT NULL,
    id                    TEXT NOT NULL,
    sku                   TEXT NOT NULL,
    description           TEXT NOT NULL,
    hs_code               TEXT NOT NULL,
    quantity              TEXT NOT NULL,
    unit                  TEXT NOT NULL,
    unit_price_minor      BIGINT NOT NULL,
    delivery_date         TEXT NOT NULL,
    state                 TEXT NOT NULL,
    note                  TEXT,
    proposed_quantity     TEXT,
    proposed_date         TEXT,
    proposed_price_minor  BIGINT,
    PRIMARY KEY (tenant_id, order_id, line_no),
    FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id)
);
CREATE INDEX order_lines_by_sku ON order_lines (tenant_id, sku, order_id);

CREATE TABLE order_events (
    tenant_id      TEXT NOT NULL,
    order_id       TEXT NOT NULL,
    seq            BIGINT NOT NULL,
    kind           TEXT NOT NULL,
    line_no        BIGINT,
    actor_user_id  TEXT,
    actor_org_id   TEXT,
    at             BIGINT NOT NULL,
    detail         TEXT NOT NULL,
    PRIMARY KEY (tenant_id, order_id, seq),
    FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id)
);

CREATE TABLE statements (
    tenant_id     TEXT NOT NULL,
    order_id      TEXT NOT NULL,
    seq           BIGINT NOT NULL,
    id            TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL,
    org_id        TEXT NOT NULL REFERENCES orgs (id),
    payload       TEXT NOT NULL,
    payload_hash  TEXT NOT NULL,
    signature     TEXT NOT NULL,
    kid           TEXT NOT NULL REFERENCES org_keys (kid),
    at            BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, order_id, seq),
    FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id)
);

CREATE TABLE submissions (
    tenant_id   TEXT NOT NULL,
    token       TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, token)
);

-- In-app notifications, one row per recipient.
CREATE TABLE notifications (
    tenant_id       TEXT NOT NULL,
    id              TEXT NOT NULL,
    user_id         TEXT NOT NULL REFERENCES users (id),
    kind            TEXT NOT NULL,
    order_id        TEXT,
    po_number       TEXT,
    actor_org_name  TEXT,
    created_at      BIGINT NOT NULL,
    read_at         BIGINT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX notifications_by_user ON notifications (user_id, read_at, created_at);

-- Whether a user also wants notifications by e-mail.
ALTER TABLE users ADD COLUMN email_notifications BIGINT NOT NULL DEFAULT 1;

-- Work done after a transaction commits (e-mail now; webhooks later), at least once.
CREATE TABLE outbox (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    due_at      BIGINT NOT NULL,
    attempts    BIGINT NOT NULL DEFAULT 0,
    sent_at     BIGINT,
    last_error  TEXT
);
CREATE INDEX outbox_due ON outbox (sent_at, due_at);

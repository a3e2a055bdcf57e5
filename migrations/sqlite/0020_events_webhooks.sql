-- Domain events (the outbox every use case writes in its own transaction) and the webhook
-- endpoints they are delivered to, with one delivery row per (event, endpoint).

CREATE TABLE events (
    tenant_id     TEXT NOT NULL,
    -- UUIDv7: time-ordered, so keyset reads by id are oldest first.
    id            TEXT NOT NULL,
    type          TEXT NOT NULL,
    -- The order the event is about.
    subject       TEXT NOT NULL,
    actor_org_id  TEXT NOT NULL,
    occurred_at   BIGINT NOT NULL,
    -- JSON; never prices or bank data.
    data          TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

-- Who may see an event: the brand, the order's partner and any third party involved
-- (warehouse, financier). One row per organisation.
CREATE TABLE event_visibility (
    tenant_id  TEXT NOT NULL,
    org_id     TEXT NOT NULL,
    event_id   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, org_id, event_id),
    FOREIGN KEY (tenant_id, event_id) REFERENCES events (tenant_id, id)
);

-- An organisation's endpoint within one brand's context.
CREATE TABLE webhook_endpoints (
    tenant_id        TEXT NOT NULL,
    id               TEXT NOT NULL,
    org_id           TEXT NOT NULL REFERENCES orgs (id),
    url              TEXT NOT NULL,
    description      TEXT NOT NULL,
    -- JSON array of event types; empty array = all types.
    event_types      TEXT NOT NULL,
    -- base64 of the master key's seal of the `whsec_…` secret.
    sealed_secret    TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
    disabled_reason  TEXT,
    created_by       TEXT NOT NULL REFERENCES users (id),
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX webhook_endpoints_by_org ON webhook_endpoints (tenant_id, org_id, status);

-- One event to one endpoint: retried until delivered or given up.
CREATE TABLE webhook_deliveries (
    tenant_id         TEXT NOT NULL,
    id                TEXT NOT NULL,
    endpoint_id       TEXT NOT NULL,
    event_id          TEXT NOT NULL,
    event_type        TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts          BIGINT NOT NULL DEFAULT 0,
    -- When the worker should (re)try; also the lease end while a worker holds it.
    due_at            BIGINT NOT NULL,
    last_attempt_at   BIGINT,
    last_status_code  BIGINT,
    last_duration_ms  BIGINT,
    last_response     TEXT,
    last_error        TEXT,
    created_at        BIGINT NOT NULL,
    delivered_at      BIGINT,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, endpoint_id) REFERENCES webhook_endpoints (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, event_id) REFERENCES events (tenant_id, id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, due_at);
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (tenant_id, endpoint_id, id);

CREATE INDEX events_by_subject ON events (tenant_id, subject, id);

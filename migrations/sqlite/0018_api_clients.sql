-- The partner API: clients an organisation creates to connect its ERP, Portico's own keys for
-- the access tokens it issues, and the answers kept for Idempotency-Key replays.

-- A client acts for one organisation inside one brand, as a technical user of that
-- organisation (no password: it can never sign in to the pages) whose role bounds what the
-- client may do; its scopes narrow that further.
CREATE TABLE api_clients (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES orgs (id),
    tenant_id     TEXT NOT NULL,
    user_id       TEXT NOT NULL REFERENCES users (id),
    name          TEXT NOT NULL,
    -- SHA-256 of the 256-bit secret; the secret itself is shown once.
    secret_hash   TEXT NOT NULL,
    scopes        TEXT NOT NULL,
    created_by    TEXT NOT NULL REFERENCES users (id),
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT,
    revoked_at    BIGINT,
    revoked_by    TEXT REFERENCES users (id)
);
CREATE INDEX api_clients_by_org ON api_clients (org_id, tenant_id, created_at);

-- Portico's Ed25519 keys for API access tokens, published at /.well-known/jwks.json.
CREATE TABLE api_token_keys (
    kid             TEXT PRIMARY KEY,
    public_x        TEXT NOT NULL,
    sealed_private  BLOB NOT NULL,
    created_at      BIGINT NOT NULL,
    retired_at      BIGINT
);

-- The first answer to a POST with an Idempotency-Key, per client. `status` 0 while the first
-- request is still running.
CREATE TABLE api_idempotency (
    client_id     TEXT NOT NULL REFERENCES api_clients (id),
    idem_key      TEXT NOT NULL,
    method_path   TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    status        BIGINT NOT NULL,
    response      TEXT,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (client_id, idem_key)
);
CREATE INDEX api_idempotency_age ON api_idempotency (created_at);

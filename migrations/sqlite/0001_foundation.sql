-- Foundation: organisations, partnerships, users, invitations, credentials, audit.
-- Ids are UUIDv7 text, times UTC milliseconds. Same meaning as postgres/0001_foundation.sql.

CREATE TABLE orgs (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('platform','brand','supplier','factory','warehouse','financier')),
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX orgs_by_kind_name ON orgs (kind, name);

CREATE TABLE partnerships (
    tenant_id       TEXT NOT NULL REFERENCES orgs (id),
    partner_org_id  TEXT NOT NULL REFERENCES orgs (id),
    status          TEXT NOT NULL CHECK (status IN ('active','suspended')),
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, partner_org_id)
);
CREATE INDEX partnerships_by_partner ON partnerships (partner_org_id, status);

CREATE TABLE users (
    id                      TEXT PRIMARY KEY,
    org_id                  TEXT NOT NULL REFERENCES orgs (id),
    email                   TEXT NOT NULL UNIQUE,
    display_name            TEXT NOT NULL,
    role                    TEXT NOT NULL,
    password_hash           TEXT,
    locale                  TEXT,
    status                  TEXT NOT NULL CHECK (status IN ('active','disabled')),
    created_at              BIGINT NOT NULL,
    credentials_changed_at  BIGINT NOT NULL
);
CREATE INDEX users_by_org ON users (org_id, email);

CREATE TABLE invitations (
    id               TEXT PRIMARY KEY,
    token_hash       TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL CHECK (kind IN ('partner','member')),
    inviting_org_id  TEXT NOT NULL REFERENCES orgs (id),
    target_org_id    TEXT REFERENCES orgs (id),
    org_name         TEXT,
    org_kind         TEXT,
    email            TEXT NOT NULL,
    role             TEXT NOT NULL,
    invited_by       TEXT NOT NULL REFERENCES users (id),
    created_at       BIGINT NOT NULL,
    expires_at       BIGINT NOT NULL,
    accepted_at      BIGINT,
    accepted_by      TEXT REFERENCES users (id),
    revoked_at       BIGINT
);
CREATE INDEX invitations_by_inviter ON invitations (inviting_org_id, created_at);
CREATE INDEX invitations_by_target ON invitations (target_org_id, created_at);

CREATE TABLE password_resets (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id),
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX password_resets_by_user ON password_resets (user_id);

CREATE TABLE login_throttle (
    throttle_key  TEXT PRIMARY KEY,
    failures      BIGINT NOT NULL,
    locked_until  BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

-- Append-only: the triggers below refuse any change to history.
CREATE TABLE audit_log (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT NOT NULL UNIQUE,
    tenant_id       TEXT,
    actor_user_id   TEXT,
    actor_org_id    TEXT,
    action          TEXT NOT NULL,
    subject_type    TEXT NOT NULL,
    subject_id      TEXT,
    detail          TEXT NOT NULL,
    client_addr     TEXT,
    at              BIGINT NOT NULL
);
CREATE INDEX audit_by_tenant ON audit_log (tenant_id, seq);
CREATE INDEX audit_by_actor_org ON audit_log (actor_org_id, seq);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

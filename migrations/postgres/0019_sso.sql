-- Single sign-on (OIDC): one identity provider per organisation, the client secret sealed under
-- the server's master key, and the e-mail domains that route sign-in to it.

CREATE TABLE sso_configs (
    org_id           TEXT PRIMARY KEY REFERENCES orgs (id),
    issuer           TEXT NOT NULL,
    client_id        TEXT NOT NULL,
    sealed_secret    BYTEA NOT NULL,
    link_mode        TEXT NOT NULL CHECK (link_mode IN ('existing','verified_domain')),
    default_role     TEXT NOT NULL,
    enabled          BIGINT NOT NULL DEFAULT 1,
    required         BIGINT NOT NULL DEFAULT 0,
    updated_by       TEXT NOT NULL REFERENCES users (id),
    updated_at       BIGINT NOT NULL
);

-- A domain routes to one organisation only, so an e-mail never has two providers.
CREATE TABLE sso_domains (
    domain   TEXT PRIMARY KEY,
    org_id   TEXT NOT NULL REFERENCES orgs (id)
);
CREATE INDEX sso_domains_by_org ON sso_domains (org_id, domain);

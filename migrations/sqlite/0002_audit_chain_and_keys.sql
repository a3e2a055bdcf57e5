-- The audit log becomes a hash chain per tenant (or 'platform'), and organisations get
-- Ed25519 signing keys sealed under the master key. Same meaning as the postgres twin.

ALTER TABLE audit_log ADD COLUMN chain TEXT;
ALTER TABLE audit_log ADD COLUMN chain_seq BIGINT;
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN entry_hash TEXT;
CREATE UNIQUE INDEX audit_chain_position ON audit_log (chain, chain_seq);

-- The newest entry of each chain; updating it first serialises appends to one chain.
CREATE TABLE audit_heads (
    chain  TEXT PRIMARY KEY,
    seq    BIGINT NOT NULL,
    hash   TEXT NOT NULL
);

CREATE TABLE org_keys (
    kid             TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES orgs (id),
    public_x        TEXT NOT NULL,
    sealed_private  BLOB NOT NULL,
    valid_from      BIGINT NOT NULL,
    valid_until     BIGINT
);
CREATE INDEX org_keys_by_org ON org_keys (org_id, valid_from);

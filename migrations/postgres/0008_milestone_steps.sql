-- Same meaning as the sqlite twin. A brand's own milestone template; a brand without rows uses the built-in defaults.

CREATE TABLE milestone_steps (
    tenant_id   TEXT NOT NULL,
    code        TEXT NOT NULL,
    label       TEXT NOT NULL,
    position    BIGINT NOT NULL,
    production  BIGINT NOT NULL,
    active      BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, code)
);

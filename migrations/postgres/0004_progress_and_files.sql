-- Production progress posts and uploaded files. Same meaning as the sqlite twin. Blobs are content-addressed (SHA-256) on disk
-- under the data directory; these tables hold what refers to them.

CREATE TABLE stored_files (
    sha256        TEXT PRIMARY KEY,
    size          BIGINT NOT NULL,
    content_type  TEXT NOT NULL,
    has_thumb     BIGINT NOT NULL,
    created_at    BIGINT NOT NULL
);

CREATE TABLE progress_posts (
    tenant_id            TEXT NOT NULL,
    order_id             TEXT NOT NULL,
    id                   TEXT NOT NULL,
    line_no              BIGINT,
    milestone            TEXT NOT NULL,
    quantity_produced    TEXT,
    planned_completion   TEXT,
    expected_completion  TEXT,
    note                 TEXT NOT NULL,
    actor_user_id        TEXT NOT NULL REFERENCES users (id),
    actor_org_id         TEXT NOT NULL REFERENCES orgs (id),
    created_at           BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id)
);
CREATE INDEX progress_by_order ON progress_posts (tenant_id, order_id, created_at);

CREATE TABLE attachments (
    tenant_id     TEXT NOT NULL,
    id            TEXT NOT NULL,
    order_id      TEXT NOT NULL,
    post_id       TEXT NOT NULL,
    sha256        TEXT NOT NULL REFERENCES stored_files (sha256),
    file_name     TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id)
);
CREATE INDEX attachments_by_post ON attachments (tenant_id, post_id);

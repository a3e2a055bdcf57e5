-- How each user wants notification e-mail: one per event, one daily digest, or none. Items
-- waiting for a digest are kept per user; `digest_due_at` is set only while some wait, so the
-- digest job reads just the users who have something to send.

ALTER TABLE users ADD COLUMN email_delivery TEXT NOT NULL DEFAULT 'immediate'
    CHECK (email_delivery IN ('immediate', 'daily', 'off'));
UPDATE users SET email_delivery = 'off' WHERE email_notifications = 0;
ALTER TABLE users DROP COLUMN email_notifications;
ALTER TABLE users ADD COLUMN digest_time_zone TEXT NOT NULL DEFAULT 'UTC';
ALTER TABLE users ADD COLUMN digest_due_at BIGINT;
CREATE INDEX users_digest_due ON users (digest_due_at) WHERE digest_due_at IS NOT NULL;

CREATE TABLE digest_items (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id),
    subject     TEXT NOT NULL,
    link        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX digest_items_by_user ON digest_items (user_id, created_at);

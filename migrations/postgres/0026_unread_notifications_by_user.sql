-- Every signed-in page counts the user's unread notifications in the brand it shows (the badge,
-- read with who is asking). The index by user led to each notification row to check its brand
-- (48 row visits for a brand ops user at a million orders); this one answers the count from the
-- index alone, and holds only unread notifications.
CREATE INDEX notifications_unread_by_user ON notifications (user_id, tenant_id) WHERE read_at IS NULL;

-- Same meaning as the sqlite twin.
-- A complaint is closed with what was found and done. Closing releases its holds
-- (trace_holds.released_at), so the goods can ship again, and signs the release on the orders
-- the hold was signed on: held_orders, the JSON array of order ids the hold wrote (a complaint
-- held before this column has none, and its release is signed on the complaint's own order).
ALTER TABLE complaints ADD COLUMN held_orders TEXT;
ALTER TABLE complaints ADD COLUMN closed_by TEXT REFERENCES users (id);
ALTER TABLE complaints ADD COLUMN closed_at BIGINT;
ALTER TABLE complaints ADD COLUMN resolution TEXT;

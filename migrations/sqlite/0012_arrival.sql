-- Arrival at the warehouse dock: when the goods of a shipment are at the gate, before they are
-- counted. It starts the warehouse's goods-receipt clock.
ALTER TABLE asns ADD COLUMN arrived_at BIGINT;
ALTER TABLE asns ADD COLUMN arrived_by TEXT REFERENCES users (id);

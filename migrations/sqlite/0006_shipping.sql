-- Advance ship notices, goods receipts at the 3PL, and the brand's over-shipment tolerance.

ALTER TABLE brand_settings ADD COLUMN ship_tolerance_pct BIGINT NOT NULL DEFAULT 0;

CREATE TABLE asns (
    tenant_id          TEXT NOT NULL,
    id                 TEXT NOT NULL,
    order_id           TEXT NOT NULL,
    warehouse_org_id   TEXT NOT NULL REFERENCES orgs (id),
    carrier            TEXT NOT NULL,
    tracking           TEXT NOT NULL,
    ship_date          TEXT NOT NULL,
    eta                TEXT NOT NULL,
    cartons            BIGINT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('in_transit','received')),
    created_by         TEXT NOT NULL REFERENCES users (id),
    created_at         BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id)
);
-- The warehouse's inbound list: its ASNs by ETA.
CREATE INDEX asns_inbound ON asns (tenant_id, warehouse_org_id, status, eta, id);
CREATE INDEX asns_by_order ON asns (tenant_id, order_id);

CREATE TABLE asn_lines (
    tenant_id   TEXT NOT NULL,
    asn_id      TEXT NOT NULL,
    line_no     BIGINT NOT NULL,
    quantity    TEXT NOT NULL,
    lot_codes   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, asn_id, line_no)
);

CREATE TABLE receipt_lines (
    tenant_id    TEXT NOT NULL,
    asn_id       TEXT NOT NULL,
    line_no      BIGINT NOT NULL,
    received     TEXT NOT NULL,
    damaged      TEXT NOT NULL,
    reason       TEXT NOT NULL,
    received_by  TEXT NOT NULL REFERENCES users (id),
    received_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, asn_id, line_no)
);

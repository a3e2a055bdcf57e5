-- Same meaning as the sqlite twin. Material kitting: each order line's bill of materials with what the factory has on hand or
-- allocated, and the line's planned production start (for reminders when it is short).

CREATE TABLE bom_components (
    tenant_id          TEXT NOT NULL,
    id                 TEXT NOT NULL,
    order_id           TEXT NOT NULL,
    line_no            BIGINT NOT NULL,
    component          TEXT NOT NULL,
    qty_per_unit       TEXT NOT NULL,
    unit               TEXT NOT NULL,
    material_supplier  TEXT NOT NULL,
    on_hand            TEXT NOT NULL,
    allocated          TEXT NOT NULL,
    lot_codes          TEXT NOT NULL,
    updated_by         TEXT NOT NULL REFERENCES users (id),
    updated_at         BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id)
);
CREATE INDEX bom_components_by_order ON bom_components (tenant_id, order_id, line_no);

CREATE TABLE line_plans (
    tenant_id      TEXT NOT NULL,
    order_id       TEXT NOT NULL,
    line_no        BIGINT NOT NULL,
    planned_start  TEXT NOT NULL,
    -- The planned start a shortage reminder last went out for (one reminder per date).
    reminded_for   TEXT,
    PRIMARY KEY (tenant_id, order_id, line_no),
    FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id)
);
CREATE INDEX line_plans_by_start ON line_plans (planned_start);

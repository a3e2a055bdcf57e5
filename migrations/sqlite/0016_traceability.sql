-- Batch traceability. The chain belongs to the factory that records it (a material lot can
-- feed two brands' orders), so lots and batches are keyed by their owner organisation, not a
-- brand. Every link of the chain is also one row of `trace_edges`, so a reverse or forward
-- trace is one recursive query over one indexed table whatever the kinds it crosses.

CREATE TABLE material_lots (
    id                 TEXT PRIMARY KEY,
    owner_org_id       TEXT NOT NULL REFERENCES orgs (id),
    material           TEXT NOT NULL,
    supplier_name      TEXT NOT NULL,
    supplier_lot_code  TEXT NOT NULL,
    received_qty       TEXT NOT NULL,
    unit               TEXT NOT NULL,
    created_by         TEXT NOT NULL REFERENCES users (id),
    created_at         BIGINT NOT NULL,
    UNIQUE (owner_org_id, supplier_name, supplier_lot_code)
);
CREATE INDEX material_lots_by_code ON material_lots (owner_org_id, supplier_lot_code);

CREATE TABLE production_batches (
    id            TEXT PRIMARY KEY,
    owner_org_id  TEXT NOT NULL REFERENCES orgs (id),
    code          TEXT NOT NULL,
    line          TEXT NOT NULL,
    shift         TEXT NOT NULL,
    operator      TEXT NOT NULL,
    started_at    BIGINT NOT NULL,
    ended_at      BIGINT,
    created_by    TEXT NOT NULL REFERENCES users (id),
    created_at    BIGINT NOT NULL,
    UNIQUE (owner_org_id, code)
);

CREATE TABLE finished_lots (
    id            TEXT PRIMARY KEY,
    owner_org_id  TEXT NOT NULL REFERENCES orgs (id),
    code          TEXT NOT NULL,
    batch_id      TEXT NOT NULL REFERENCES production_batches (id),
    quantity      TEXT NOT NULL,
    unit          TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    UNIQUE (owner_org_id, code)
);

-- One link: `from` went into `to` (a material lot into a batch, a batch into a finished lot, a
-- finished lot into a shipment, a shipment into an order), with the quantity that moved.
-- `tenant_id` is the brand whose data the link is (shipments and orders); NULL for the
-- factory's own links (lots, batches), which no brand sees unless its own orders are reached.
CREATE TABLE trace_edges (
    owner_org_id  TEXT NOT NULL REFERENCES orgs (id),
    from_kind     TEXT NOT NULL CHECK (from_kind IN ('material_lot', 'batch', 'finished_lot',
                      'shipment', 'order')),
    from_id       TEXT NOT NULL,
    to_kind       TEXT NOT NULL CHECK (to_kind IN ('material_lot', 'batch', 'finished_lot',
                      'shipment', 'order')),
    to_id         TEXT NOT NULL,
    quantity      TEXT NOT NULL,
    unit          TEXT NOT NULL,
    tenant_id     TEXT,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (from_kind, from_id, to_kind, to_id)
);
-- Forward traces walk from → to; reverse traces walk to → from.
CREATE INDEX trace_edges_reverse ON trace_edges (to_kind, to_id);

-- Same meaning as the sqlite twin. Complaints and holds. A brand's quality team opens a complaint against one of its orders,
-- shipments or lots; the reverse trace at that moment is kept with it (what was known when the
-- decision was made), and a hold puts the affected finished lots and open shipments on hold.

CREATE TABLE complaints (
    tenant_id      TEXT NOT NULL,
    id             TEXT NOT NULL,
    number         TEXT NOT NULL,
    subject_kind   TEXT NOT NULL CHECK (subject_kind IN ('material_lot', 'batch',
                       'finished_lot', 'shipment', 'order')),
    subject_id     TEXT NOT NULL,
    -- The brand's order the complaint concerns (its photos are attachments of that order).
    order_id       TEXT NOT NULL,
    description    TEXT NOT NULL,
    -- The reverse trace when opened, as JSON links.
    reverse_trace  TEXT NOT NULL,
    root_kind      TEXT CHECK (root_kind IN ('material_lot', 'batch')),
    root_id        TEXT,
    status         TEXT NOT NULL CHECK (status IN ('open', 'held', 'closed')),
    created_by     TEXT NOT NULL REFERENCES users (id),
    created_at     BIGINT NOT NULL,
    held_by        TEXT REFERENCES users (id),
    held_at        BIGINT,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, number),
    FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id)
);
CREATE INDEX complaints_newest ON complaints (tenant_id, created_at, id);

-- One finished lot or shipment put on hold by a complaint. A node may be held by several
-- complaints; it is on hold while any hold on it is not released.
CREATE TABLE trace_holds (
    tenant_id     TEXT NOT NULL,
    complaint_id  TEXT NOT NULL,
    node_kind     TEXT NOT NULL CHECK (node_kind IN ('finished_lot', 'shipment')),
    node_id       TEXT NOT NULL,
    -- The partner whose goods are held (told of the hold).
    owner_org_id  TEXT NOT NULL REFERENCES orgs (id),
    placed_by     TEXT NOT NULL REFERENCES users (id),
    placed_at     BIGINT NOT NULL,
    released_at   BIGINT,
    PRIMARY KEY (tenant_id, complaint_id, node_kind, node_id),
    FOREIGN KEY (tenant_id, complaint_id) REFERENCES complaints (tenant_id, id)
);
CREATE INDEX trace_holds_by_node ON trace_holds (node_kind, node_id);

-- The trace search box resolves any identifier: codes whoever owns them, tracking numbers.
CREATE INDEX material_lots_by_lot_code ON material_lots (supplier_lot_code);
CREATE INDEX production_batches_by_code ON production_batches (code);
CREATE INDEX finished_lots_by_code ON finished_lots (code);
CREATE INDEX asns_by_tracking ON asns (tenant_id, tracking);

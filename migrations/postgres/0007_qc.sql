-- Same meaning as the sqlite twin. Quality inspections before shipment, and the brand's signed waivers of a failed one.

CREATE TABLE qc_inspections (
    tenant_id      TEXT NOT NULL,
    id             TEXT NOT NULL,
    order_id       TEXT NOT NULL,
    inspector      TEXT NOT NULL,
    sample_size    BIGINT NOT NULL,
    aql            TEXT NOT NULL,
    critical       BIGINT NOT NULL,
    major          BIGINT NOT NULL,
    minor          BIGINT NOT NULL,
    defects_note   TEXT NOT NULL,
    result         TEXT NOT NULL CHECK (result IN ('pass','fail')),
    recorded_by    TEXT NOT NULL REFERENCES users (id),
    recorded_at    BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id)
);
CREATE INDEX qc_inspections_by_order ON qc_inspections (tenant_id, order_id, recorded_at);

CREATE TABLE qc_waivers (
    tenant_id      TEXT NOT NULL,
    id             TEXT NOT NULL,
    order_id       TEXT NOT NULL,
    inspection_id  TEXT NOT NULL,
    reason         TEXT NOT NULL,
    waived_by      TEXT NOT NULL REFERENCES users (id),
    waived_at      BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    -- One waiver per failed inspection.
    UNIQUE (tenant_id, inspection_id),
    FOREIGN KEY (tenant_id, inspection_id) REFERENCES qc_inspections (tenant_id, id)
);
CREATE INDEX qc_waivers_by_order ON qc_waivers (tenant_id, order_id, waived_at);

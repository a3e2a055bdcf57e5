-- The few questions about goods that several brands share, as views: every trace link (a
-- factory's lot reaches several brands' orders; the trace filters what its viewer may see and
-- counts the rest as "other customers affected"; a lot's shipments count against it whichever
-- brand each went to) and which finished lots any brand holds (held goods ship to nobody).
-- SQLite has no row-level security; the views keep the SQL the same on both engines.
CREATE VIEW trace_edges_all_brands AS
    SELECT owner_org_id, from_kind, from_id, to_kind, to_id, quantity, unit, tenant_id
    FROM trace_edges;

CREATE VIEW finished_lots_held_by_any_brand AS
    SELECT node_id AS lot_id FROM trace_holds
    WHERE node_kind = 'finished_lot' AND released_at IS NULL;

-- The few questions about goods that several brands share, as views: every trace link (a
-- factory's lot reaches several brands' orders; the trace filters what its viewer may see and
-- counts the rest as "other customers affected"; a lot's shipments count against it whichever
-- brand each went to) and which finished lots any brand holds (held goods ship to nobody).
--
-- A view reads its tables with its owner's rights (security_invoker is off), and the owner is
-- not subject to row-level security, so these answer across brands in the one statement that
-- asks. Before, such a question switched the connection's scope to '*' and back around it, two
-- extra round trips each. The application may only read them: a simple view can be written
-- through, which would bypass the policies.
CREATE VIEW trace_edges_all_brands AS
    SELECT owner_org_id, from_kind, from_id, to_kind, to_id, quantity, unit, tenant_id
    FROM trace_edges;

-- Only the lot's id: which brand holds it, and why, stays the brand's.
CREATE VIEW finished_lots_held_by_any_brand AS
    SELECT node_id AS lot_id FROM trace_holds
    WHERE node_kind = 'finished_lot' AND released_at IS NULL;

REVOKE ALL ON trace_edges_all_brands, finished_lots_held_by_any_brand FROM portico_app;
GRANT SELECT ON trace_edges_all_brands, finished_lots_held_by_any_brand TO portico_app;

//! What a trace shows of each node it reaches, fetched one query per kind for the whole answer
//! (never one query per node), and the lookups the trace search resolves identifiers with.

use sqlx::FromRow;

use super::{Conn, DynamicSql};
use crate::domain::ids::{OrgId, TenantId};

#[derive(Clone, Debug, FromRow)]
pub struct LotNode {
    pub id: String,
    pub owner_org_id: String,
    pub material: String,
    pub supplier_name: String,
    pub supplier_lot_code: String,
    pub received_qty: String,
    pub unit: String,
    pub created_at: i64,
}

#[derive(Clone, Debug, FromRow)]
pub struct BatchNode {
    pub id: String,
    pub owner_org_id: String,
    pub code: String,
    pub line: String,
    pub shift: String,
    pub operator: String,
    pub started_at: i64,
    pub ended_at: Option<i64>,
}

#[derive(Clone, Debug, FromRow)]
pub struct FinishedNode {
    pub id: String,
    pub owner_org_id: String,
    pub code: String,
    pub quantity: String,
    pub unit: String,
    /// 1 while any hold on the lot is not released.
    pub held: i64,
}

#[derive(Clone, Debug, FromRow)]
pub struct ShipmentNode {
    pub id: String,
    pub tenant_id: String,
    pub order_id: String,
    pub partner_org_id: String,
    pub carrier: String,
    pub tracking: String,
    pub ship_date: String,
    pub status: String,
    pub held: i64,
}

#[derive(Clone, Debug, FromRow)]
pub struct OrderNode {
    pub id: String,
    pub tenant_id: String,
    pub po_number: String,
    pub partner_org_id: String,
    pub partner_name: String,
    pub state: String,
}

/// `SELECT {columns} FROM {from} WHERE x.id IN (ids…)`; nothing asked, nothing fetched.
async fn by_ids<T>(conn: &mut Conn, select: &str, ids: &[&str]) -> Result<Vec<T>, sqlx::Error>
where
    T: Send + Unpin + for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
{
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = DynamicSql::default();
    let marks: Vec<String> = ids.iter().map(|id| q.text((*id).to_owned())).collect();
    q.sql = format!("{select} WHERE x.id IN ({})", marks.join(", "));
    q.fetch_all(conn).await
}

pub async fn lots(conn: &mut Conn, ids: &[&str]) -> Result<Vec<LotNode>, sqlx::Error> {
    by_ids(
        conn,
        "SELECT x.id, x.owner_org_id, x.material, x.supplier_name, x.supplier_lot_code, \
           x.received_qty, x.unit, x.created_at FROM material_lots x",
        ids,
    )
    .await
}

pub async fn batches(conn: &mut Conn, ids: &[&str]) -> Result<Vec<BatchNode>, sqlx::Error> {
    by_ids(
        conn,
        "SELECT x.id, x.owner_org_id, x.code, x.line, x.shift, x.operator, x.started_at, \
           x.ended_at FROM production_batches x",
        ids,
    )
    .await
}

/// Finished lots are the factory's; `held` counts a hold of any brand (held goods ship to
/// nobody), which the view answers in every scope.
pub async fn finished(conn: &mut Conn, ids: &[&str]) -> Result<Vec<FinishedNode>, sqlx::Error> {
    by_ids(
        conn,
        "SELECT x.id, x.owner_org_id, x.code, x.quantity, x.unit, CASE WHEN EXISTS \
           (SELECT 1 FROM finished_lots_held_by_any_brand h WHERE h.lot_id = x.id) \
           THEN 1 ELSE 0 END AS held FROM finished_lots x",
        ids,
    )
    .await
}

pub async fn shipments(conn: &mut Conn, ids: &[&str]) -> Result<Vec<ShipmentNode>, sqlx::Error> {
    // A shipment is one brand's: only that brand's holds count.
    by_ids(
        conn,
        "SELECT x.id, x.tenant_id, x.order_id, o.partner_org_id, x.carrier, x.tracking, \
           x.ship_date, x.status, CASE WHEN EXISTS (SELECT 1 FROM trace_holds h \
             WHERE h.node_kind = 'shipment' AND h.node_id = x.id AND h.released_at IS NULL) \
           THEN 1 ELSE 0 END AS held \
         FROM asns x JOIN orders o ON o.tenant_id = x.tenant_id AND o.id = x.order_id",
        ids,
    )
    .await
}

pub async fn orders(conn: &mut Conn, ids: &[&str]) -> Result<Vec<OrderNode>, sqlx::Error> {
    by_ids(
        conn,
        "SELECT x.id, x.tenant_id, x.po_number, x.partner_org_id, p.name AS partner_name, \
           x.state FROM orders x JOIN orgs p ON p.id = x.partner_org_id",
        ids,
    )
    .await
}

/// Nodes whose code is `code`: (kind, id, owner) for lots, batches and finished lots of any
/// owner (the caller decides what the searcher may see).
pub async fn by_code(
    conn: &mut Conn,
    code: &str,
) -> Result<Vec<(String, String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT 'material_lot' AS kind, id, owner_org_id FROM material_lots \
           WHERE supplier_lot_code = $1 \
         UNION ALL SELECT 'batch', id, owner_org_id FROM production_batches WHERE code = $1 \
         UNION ALL SELECT 'finished_lot', id, owner_org_id FROM finished_lots WHERE code = $1 \
         LIMIT 50",
    )
    .bind(code)
    .fetch_all(conn)
    .await
}

/// The brand's orders and shipments known by this PO or tracking number, narrowed to one
/// partner's issued orders when a partner searches: (kind, id).
pub async fn by_number(
    conn: &mut Conn,
    tenant: TenantId,
    partner: Option<OrgId>,
    number: &str,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT 'order' AS kind, o.id FROM orders o \
           WHERE o.tenant_id = $1 AND o.po_number = $2 \
             AND ($3 = '' OR (o.partner_org_id = $3 AND o.state <> 'draft')) \
         UNION ALL SELECT 'shipment', a.id FROM asns a \
           JOIN orders o ON o.tenant_id = a.tenant_id AND o.id = a.order_id \
           WHERE a.tenant_id = $1 AND a.tracking = $2 AND ($3 = '' OR o.partner_org_id = $3) \
         LIMIT 50",
    )
    .bind(tenant)
    .bind(number)
    .bind(partner.map(|p| p.to_string()).unwrap_or_default())
    .fetch_all(conn)
    .await
}

/// What batches took of each of these material lots: (lot id, quantity), one row per batch.
pub async fn lots_taken(
    conn: &mut Conn,
    ids: &[&str],
) -> Result<Vec<(String, String)>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = DynamicSql::default();
    let marks: Vec<String> = ids.iter().map(|id| q.text((*id).to_owned())).collect();
    q.sql = format!(
        "SELECT from_id, quantity FROM trace_edges WHERE from_kind = 'material_lot' \
         AND from_id IN ({})",
        marks.join(", ")
    );
    q.fetch_all(conn).await
}

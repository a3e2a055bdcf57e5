//! Advance ship notices and goods receipts.

use sqlx::FromRow;

use super::Conn;
use crate::domain::ids::{OrderId, OrgId, TenantId, UserId};

#[derive(Clone, Debug, FromRow)]
pub struct Asn {
    pub id: String,
    pub order_id: OrderId,
    pub po_number: String,
    pub partner_name: String,
    pub warehouse_org_id: OrgId,
    pub warehouse_name: String,
    pub carrier: String,
    pub tracking: String,
    pub ship_date: String,
    pub eta: String,
    pub cartons: i64,
    pub status: String,
    pub created_at: i64,
    /// When the goods were reported at the warehouse dock (before the count).
    pub arrived_at: Option<i64>,
    /// 1 while a complaint's hold is on the shipment (quarantine on arrival).
    pub held: i64,
}

const ASN: &str = "SELECT a.id, a.order_id, o.po_number, p.name AS partner_name, a.warehouse_org_id, \
     w.name AS warehouse_name, a.carrier, a.tracking, a.ship_date, a.eta, a.cartons, a.status, a.created_at, \
     a.arrived_at, CASE WHEN EXISTS (SELECT 1 FROM trace_holds h WHERE h.node_kind = 'shipment' \
     AND h.node_id = a.id AND h.released_at IS NULL) THEN 1 ELSE 0 END AS held \
     FROM asns a JOIN orders o ON o.tenant_id = a.tenant_id AND o.id = a.order_id \
     JOIN orgs p ON p.id = o.partner_org_id JOIN orgs w ON w.id = a.warehouse_org_id";

#[derive(Clone, Debug, FromRow)]
pub struct AsnLine {
    pub line_no: i64,
    pub quantity: String,
    pub lot_codes: String,
    pub sku: String,
    pub description: String,
    pub unit: String,
    pub received: Option<String>,
    pub damaged: Option<String>,
    pub reason: Option<String>,
}

pub struct NewAsn<'a> {
    pub tenant: TenantId,
    pub id: &'a str,
    pub order: OrderId,
    pub warehouse: OrgId,
    pub carrier: &'a str,
    pub tracking: &'a str,
    pub ship_date: &'a str,
    pub eta: &'a str,
    pub cartons: i64,
    pub by: UserId,
    pub now: i64,
}

pub async fn insert(conn: &mut Conn, a: &NewAsn<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO asns (tenant_id, id, order_id, warehouse_org_id, carrier, tracking, ship_date, eta, \
             cartons, status, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'in_transit', $10, $11)",
    )
    .bind(a.tenant)
    .bind(a.id)
    .bind(a.order)
    .bind(a.warehouse)
    .bind(a.carrier)
    .bind(a.tracking)
    .bind(a.ship_date)
    .bind(a.eta)
    .bind(a.cartons)
    .bind(a.by)
    .bind(a.now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn insert_line(
    conn: &mut Conn,
    tenant: TenantId,
    asn: &str,
    line_no: i64,
    quantity: &str,
    lot_codes: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO asn_lines (tenant_id, asn_id, line_no, quantity, lot_codes) VALUES ($1, $2, $3, $4, $5)")
        .bind(tenant)
        .bind(asn)
        .bind(line_no)
        .bind(quantity)
        .bind(lot_codes)
        .execute(conn)
        .await?;
    Ok(())
}

/// Quantities already announced per order line, as (line_no, quantity) rows to sum exactly.
pub async fn shipped_rows(
    conn: &mut Conn,
    tenant: TenantId,
    order: OrderId,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT l.line_no, l.quantity FROM asn_lines l JOIN asns a ON a.tenant_id = l.tenant_id AND a.id = l.asn_id \
         WHERE a.tenant_id = $1 AND a.order_id = $2",
    )
    .bind(tenant)
    .bind(order)
    .fetch_all(conn)
    .await
}

pub async fn of_order(
    conn: &mut Conn,
    tenant: TenantId,
    order: OrderId,
) -> Result<Vec<Asn>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{ASN} WHERE a.tenant_id = $1 AND a.order_id = $2 ORDER BY a.created_at, a.id"
    ))
    .bind(tenant)
    .bind(order)
    .fetch_all(conn)
    .await
}

/// Whether any ASN of the order is addressed to `warehouse` (which makes it a party to it).
pub async fn addressed_to(
    conn: &mut Conn,
    tenant: TenantId,
    order: OrderId,
    warehouse: OrgId,
) -> Result<bool, sqlx::Error> {
    let hit: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM asns WHERE tenant_id = $1 AND order_id = $2 AND warehouse_org_id = $3 LIMIT 1",
    )
    .bind(tenant)
    .bind(order)
    .bind(warehouse)
    .fetch_optional(conn)
    .await?;
    Ok(hit.is_some())
}

pub async fn get(conn: &mut Conn, tenant: TenantId, id: &str) -> Result<Option<Asn>, sqlx::Error> {
    sqlx::query_as(&format!("{ASN} WHERE a.tenant_id = $1 AND a.id = $2"))
        .bind(tenant)
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn lines(
    conn: &mut Conn,
    tenant: TenantId,
    asn: &str,
) -> Result<Vec<AsnLine>, sqlx::Error> {
    sqlx::query_as(
        "SELECT l.line_no, l.quantity, l.lot_codes, ol.sku, ol.description, ol.unit, \
                r.received, r.damaged, r.reason \
         FROM asn_lines l JOIN asns a ON a.tenant_id = l.tenant_id AND a.id = l.asn_id \
         JOIN order_lines ol ON ol.tenant_id = a.tenant_id AND ol.order_id = a.order_id AND ol.line_no = l.line_no \
         LEFT JOIN receipt_lines r ON r.tenant_id = l.tenant_id AND r.asn_id = l.asn_id AND r.line_no = l.line_no \
         WHERE l.tenant_id = $1 AND l.asn_id = $2 ORDER BY l.line_no",
    )
    .bind(tenant)
    .bind(asn)
    .fetch_all(conn)
    .await
}

/// A line of one of an order's ASNs.
#[derive(Clone, Debug, FromRow)]
pub struct OrderAsnLine {
    pub asn_id: String,
    #[sqlx(flatten)]
    pub line: AsnLine,
}

/// The lines of all of an order's ASNs in one query (the order page shows them all).
pub async fn lines_of_order(
    conn: &mut Conn,
    tenant: TenantId,
    order: OrderId,
) -> Result<Vec<OrderAsnLine>, sqlx::Error> {
    sqlx::query_as(
        "SELECT l.asn_id, l.line_no, l.quantity, l.lot_codes, ol.sku, ol.description, ol.unit, \
                r.received, r.damaged, r.reason \
         FROM asns a JOIN asn_lines l ON l.tenant_id = a.tenant_id AND l.asn_id = a.id \
         JOIN order_lines ol ON ol.tenant_id = a.tenant_id AND ol.order_id = a.order_id AND ol.line_no = l.line_no \
         LEFT JOIN receipt_lines r ON r.tenant_id = l.tenant_id AND r.asn_id = l.asn_id AND r.line_no = l.line_no \
         WHERE a.tenant_id = $1 AND a.order_id = $2 ORDER BY l.asn_id, l.line_no",
    )
    .bind(tenant)
    .bind(order)
    .fetch_all(conn)
    .await
}

/// A warehouse's inbound ASNs in one brand, by ETA; `after` is the (eta, id) last shown.
pub async fn inbound(
    conn: &mut Conn,
    tenant: TenantId,
    warehouse: OrgId,
    after: Option<(&str, &str)>,
    only_in_transit: bool,
    limit: i64,
) -> Result<Vec<Asn>, sqlx::Error> {
    let (eta, id) = after.unwrap_or(("", ""));
    sqlx::query_as(&format!(
        "{ASN} WHERE a.tenant_id = $1 AND a.warehouse_org_id = $2 AND (a.eta > $3 OR (a.eta = $3 AND a.id > $4)) \
           AND ($6 = 0 OR a.status = 'in_transit') \
         ORDER BY a.eta, a.id LIMIT $5"
    ))
    .bind(tenant)
    .bind(warehouse)
    .bind(eta)
    .bind(id)
    .bind(limit)
    .bind(i64::from(only_in_transit))
    .fetch_all(conn)
    .await
}

/// Records the goods at the dock, once, while in transit (false: arrived or received already).
pub async fn mark_arrived(
    conn: &mut Conn,
    tenant: TenantId,
    id: &str,
    by: UserId,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE asns SET arrived_at = $3, arrived_by = $4 WHERE tenant_id = $1 AND id = $2 \
         AND status = 'in_transit' AND arrived_at IS NULL",
    )
    .bind(tenant)
    .bind(id)
    .bind(now)
    .bind(by)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks the ASN received if it was still in transit (false: it was received already).
pub async fn mark_received(
    conn: &mut Conn,
    tenant: TenantId,
    id: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE asns SET status = 'received' WHERE tenant_id = $1 AND id = $2 AND status = 'in_transit'")
        .bind(tenant)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_receipt_line(
    conn: &mut Conn,
    tenant: TenantId,
    asn: &str,
    line_no: i64,
    received: &str,
    damaged: &str,
    reason: &str,
    by: UserId,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO receipt_lines (tenant_id, asn_id, line_no, received, damaged, reason, received_by, received_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(tenant)
    .bind(asn)
    .bind(line_no)
    .bind(received)
    .bind(damaged)
    .bind(reason)
    .bind(by)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Counts a brand's orders with a receipt discrepancy (for the brand's home; the same orders
/// as the order list's "Receipt discrepancies" view).
pub async fn count_discrepancies(conn: &mut Conn, tenant: TenantId) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(DISTINCT a.order_id) FROM asns a JOIN receipt_lines r \
           ON r.tenant_id = a.tenant_id AND r.asn_id = a.id \
         WHERE a.tenant_id = $1 AND r.reason <> ''",
    )
    .bind(tenant)
    .fetch_one(conn)
    .await
}

pub async fn count_in_transit(
    conn: &mut Conn,
    tenant: TenantId,
    warehouse: OrgId,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM asns WHERE tenant_id = $1 AND warehouse_org_id = $2 AND status = 'in_transit'",
    )
    .bind(tenant)
    .bind(warehouse)
    .fetch_one(conn)
    .await
}

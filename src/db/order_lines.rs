//! The lines of purchase orders: what is ordered, and each line's answer.

use sqlx::FromRow;

use super::{Conn, DynamicSql};
use crate::domain::ids::{LineId, OrderId, TenantId};
use crate::domain::order::line::LineState;

#[derive(Clone, Debug, PartialEq, Eq, FromRow)]
pub struct Line {
    pub line_no: i64,
    pub id: LineId,
    pub sku: String,
    pub description: String,
    pub hs_code: String,
    pub quantity: String,
    pub unit: String,
    pub unit_price_minor: i64,
    pub delivery_date: String,
    pub state: LineState,
    pub note: Option<String>,
    pub proposed_quantity: Option<String>,
    pub proposed_date: Option<String>,
    pub proposed_price_minor: Option<i64>,
}

const LINE_COLUMNS: &str = "line_no, id, sku, description, hs_code, quantity, unit, unit_price_minor, \
     delivery_date, state, note, proposed_quantity, proposed_date, proposed_price_minor";

pub async fn insert(
    conn: &mut Conn,
    tenant: TenantId,
    order: OrderId,
    line: &Line,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO order_lines (tenant_id, order_id, line_no, id, sku, description, hs_code, \
             quantity, unit, unit_price_minor, delivery_date, state) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(tenant)
    .bind(order)
    .bind(line.line_no)
    .bind(line.id)
    .bind(&line.sku)
    .bind(&line.description)
    .bind(&line.hs_code)
    .bind(&line.quantity)
    .bind(&line.unit)
    .bind(line.unit_price_minor)
    .bind(&line.delivery_date)
    .bind(line.state)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn of_order(
    conn: &mut Conn,
    tenant: TenantId,
    order: OrderId,
) -> Result<Vec<Line>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {LINE_COLUMNS} FROM order_lines WHERE tenant_id = $1 AND order_id = $2 ORDER BY line_no"
    ))
    .bind(tenant)
    .bind(order)
    .fetch_all(conn)
    .await
}

/// A line with the order it belongs to.
#[derive(Clone, Debug, FromRow)]
pub struct OrderLine {
    pub order_id: OrderId,
    #[sqlx(flatten)]
    pub line: Line,
}

/// The lines of several orders in one query (for a list page).
pub async fn of_orders(
    conn: &mut Conn,
    tenant: TenantId,
    orders: &[OrderId],
) -> Result<Vec<OrderLine>, sqlx::Error> {
    if orders.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = DynamicSql::default();
    let t = q.text(tenant.to_string());
    let ids: Vec<String> = orders.iter().map(|o| q.text(o.to_string())).collect();
    q.sql = format!(
        "SELECT order_id, {LINE_COLUMNS} FROM order_lines \
         WHERE tenant_id = {t} AND order_id IN ({}) ORDER BY order_id, line_no",
        ids.join(", ")
    );
    q.fetch_all(conn).await
}

pub async fn update(
    conn: &mut Conn,
    tenant: TenantId,
    order: OrderId,
    line: &Line,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE order_lines SET quantity = $4, unit_price_minor = $5, delivery_date = $6, state = $7, \
             note = $8, proposed_quantity = $9, proposed_date = $10, proposed_price_minor = $11 \
         WHERE tenant_id = $1 AND order_id = $2 AND line_no = $3",
    )
    .bind(tenant)
    .bind(order)
    .bind(line.line_no)
    .bind(&line.quantity)
    .bind(line.unit_price_minor)
    .bind(&line.delivery_date)
    .bind(line.state)
    .bind(&line.note)
    .bind(&line.proposed_quantity)
    .bind(&line.proposed_date)
    .bind(line.proposed_price_minor)
    .execute(conn)
    .await?;
    Ok(())
}

//! Bills of materials of order lines, stock against them, and lines' planned starts.

use sqlx::FromRow;

use super::Conn;
use crate::domain::ids::{OrderId, TenantId, UserId};

#[derive(Clone, Debug, FromRow)]
pub struct Component {
    pub id: String,
    pub order_id: OrderId,
    pub line_no: i64,
    pub component: String,
    pub qty_per_unit: String,
    pub unit: String,
    pub material_supplier: String,
    pub on_hand: String,
    pub allocated: String,
    pub lot_codes: String,
    pub updated_by_name: String,
    pub updated_at: i64,
}

const COMPONENT: &str = "SELECT c.id, c.order_id, c.line_no, c.component, c.qty_per_unit, c.unit, \
     c.material_supplier, c.on_hand, c.allocated, c.lot_codes, u.display_name AS updated_by_name, \
     c.updated_at FROM bom_components c JOIN users u ON u.id = c.updated_by";

pub async fn of_order(
    conn: &mut Conn,
    tenant: TenantId,
    order: OrderId,
) -> Result<Vec<Component>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{COMPONENT} WHERE c.tenant_id = $1 AND c.order_id = $2 ORDER BY c.line_no, c.id"
    ))
    .bind(tenant)
    .bind(order)
    .fetch_all(conn)
    .await
}

/// Components of several orders at once (for a list page).
pub async fn of_orders(
    conn: &mut Conn,
    tenant: TenantId,
    orders: &[OrderId],
) -> Result<Vec<Component>, sqlx::Error> {
    if orders.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = super::DynamicSql::default();
    let t = q.text(tenant.to_string());
    let ids: Vec<String> = orders.iter().map(|o| q.text(o.to_string())).collect();
    q.sql = format!(
        "{COMPONENT} WHERE c.tenant_id = {t} AND c.order_id IN ({}) ORDER BY c.line_no, c.id",
        ids.join(", ")
    );
    q.fetch_all(conn).await
}

pub struct NewComponent<'a> {
    pub tenant: TenantId,
    pub id: &'a str,
    pub order: OrderId,
    pub line_no: i64,
    pub component: &'a str,
    pub qty_per_unit: &'a str,
    pub unit: &'a str,
    pub material_supplier: &'a str,
    pub by: UserId,
    pub now: i64,
}

pub async fn insert(conn: &mut Conn, c: &NewComponent<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO bom_components (tenant_id, id, order_id, line_no, component, qty_per_unit, \
           unit, material_supplier, on_hand, allocated, lot_codes, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '0', '0', '', $9, $10)",
    )
    .bind(c.tenant)
    .bind(c.id)
    .bind(c.order)
    .bind(c.line_no)
    .bind(c.component)
    .bind(c.qty_per_unit)
    .bind(c.unit)
    .bind(c.material_supplier)
    .bind(c.by)
    .bind(c.now)
    .execute(conn)
    .await?;
    Ok(())
}

pub struct StockUpdate<'a> {
    pub tenant: TenantId,
    pub order: OrderId,
    pub id: &'a str,
    pub on_hand: &'a str,
    pub allocated: &'a str,
    pub lot_codes: &'a str,
    pub by: UserId,
    pub now: i64,
}

/// Records stock of a component of the order; false when there is no such component.
pub async fn set_stock(conn: &mut Conn, s: &StockUpdate<'_>) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE bom_components SET on_hand = $4, allocated = $5, lot_codes = $6, updated_by = $7, \
           updated_at = $8 WHERE tenant_id = $1 AND order_id = $2 AND id = $3",
    )
    .bind(s.tenant)
    .bind(s.order)
    .bind(s.id)
    .bind(s.on_hand)
    .bind(s.allocated)
    .bind(s.lot_codes)
    .bind(s.by)
    .bind(s.now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes a component of the order; false when there is no such component.
pub async fn delete(
    conn: &mut Conn,
    tenant: TenantId,
    order: OrderId,
    id: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "DELETE FROM bom_components WHERE tenant_id = $1 AND order_id = $2 AND id = $3",
    )
    .bind(tenant)
    .bind(order)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Clone, Debug, FromRow)]
pub struct Plan {
    pub tenant_id: TenantId,
    pub order_id: OrderId,
    pub line_no: i64,
    pub planned_start: String,
    pub reminded_for: Option<String>,
}

pub async fn plans_of_order(
    conn: &mut Conn,
    tenant: TenantId,
    order: OrderId,
) -> Result<Vec<Plan>, sqlx::Error> {
    sqlx::query_as(
        "SELECT tenant_id, order_id, line_no, planned_start, reminded_for FROM line_plans \
         WHERE tenant_id = $1 AND order_id = $2 ORDER BY line_no",
    )
    .bind(tenant)
    .bind(order)
    .fetch_all(conn)
    .await
}

/// Sets a line's planned start; a new date may be reminded again.
pub async fn set_plan(
    conn: &mut Conn,
    tenant: TenantId,
    order: OrderId,
    line_no: i64,
    planned_start: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO line_plans (tenant_id, order_id, line_no, planned_start, reminded_for) \
         VALUES ($1, $2, $3, $4, NULL) ON CONFLICT (tenant_id, order_id, line_no) \
         DO UPDATE SET planned_start = $4",
    )
    .bind(tenant)
    .bind(order)
    .bind(line_no)
    .bind(planned_start)
    .execute(conn)
    .await?;
    Ok(())
}

/// Every plan, across brands, starting on or before `until` and not yet reminded for its date.
pub async fn plans_due(conn: &mut Conn, until: &str) -> Result<Vec<Plan>, sqlx::Error> {
    sqlx::query_as(
        "SELECT tenant_id, order_id, line_no, planned_start, reminded_for FROM line_plans \
         WHERE planned_start <= $1 AND (reminded_for IS NULL OR reminded_for <> planned_start) \
         ORDER BY planned_start, tenant_id, order_id, line_no",
    )
    .bind(until)
    .fetch_all(conn)
    .await
}

/// Marks a plan reminded for its date, unless someone else did first (false then).
pub async fn mark_reminded(conn: &mut Conn, plan: &Plan) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE line_plans SET reminded_for = planned_start \
         WHERE tenant_id = $1 AND order_id = $2 AND line_no = $3 AND planned_start = $4 \
           AND (reminded_for IS NULL OR reminded_for <> planned_start)",
    )
    .bind(plan.tenant_id)
    .bind(plan.order_id)
    .bind(plan.line_no)
    .bind(&plan.planned_start)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

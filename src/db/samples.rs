//! First samples of orders.

use sqlx::FromRow;

use super::Conn;
use crate::domain::ids::{OrderId, TenantId, UserId};

#[derive(Clone, Debug, FromRow)]
pub struct Sample {
    pub id: String,
    pub status: String,
    pub measurements: String,
    pub note: String,
    pub submitted_by_name: String,
    pub submitted_at: i64,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<i64>,
    pub decision_comment: Option<String>,
}

const SAMPLE: &str = "SELECT s.id, s.status, s.measurements, s.note, su.display_name AS submitted_by_name, \
     s.submitted_at, du.display_name AS decided_by_name, s.decided_at, s.decision_comment \
     FROM samples s JOIN users su ON su.id = s.submitted_by LEFT JOIN users du ON du.id = s.decided_by";

/// The order's samples, newest first.
pub async fn of_order(
    conn: &mut Conn,
    tenant: TenantId,
    order: OrderId,
) -> Result<Vec<Sample>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{SAMPLE} WHERE s.tenant_id = $1 AND s.order_id = $2 ORDER BY s.submitted_at DESC, s.id DESC"
    ))
    .bind(tenant)
    .bind(order)
    .fetch_all(conn)
    .await
}

pub async fn get(
    conn: &mut Conn,
    tenant: TenantId,
    order: OrderId,
    id: &str,
) -> Result<Option<Sample>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{SAMPLE} WHERE s.tenant_id = $1 AND s.order_id = $2 AND s.id = $3"
    ))
    .bind(tenant)
    .bind(order)
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub struct NewSample<'a> {
    pub tenant: TenantId,
    pub order: OrderId,
    pub id: &'a str,
    pub measurements: &'a str,
    pub note: &'a str,
    pub by: UserId,
    pub now: i64,
}

pub async fn insert(conn: &mut Conn, s: &NewSample<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO samples (tenant_id, id, order_id, status, measurements, note, submitted_by, submitted_at) \
         VALUES ($1, $2, $3, 'submitted', $4, $5, $6, $7)",
    )
    .bind(s.tenant)
    .bind(s.id)
    .bind(s.order)
    .bind(s.measurements)
    .bind(s.note)
    .bind(s.by)
    .bind(s.now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records the decision only if the sample is still waiting (false: someone decided first).
pub async fn decide(
    conn: &mut Conn,
    tenant: TenantId,
    id: &str,
    status: &str,
    by: UserId,
    comment: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE samples SET status = $3, decided_by = $4, decision_comment = $5, decided_at = $6 \
         WHERE tenant_id = $1 AND id = $2 AND status = 'submitted'",
    )
    .bind(tenant)
    .bind(id)
    .bind(status)
    .bind(by)
    .bind(comment)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

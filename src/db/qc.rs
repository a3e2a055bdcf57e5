//! QC inspections of orders and the waivers of failed ones.

use sqlx::FromRow;

use super::Conn;
use crate::domain::ids::{OrderId, TenantId, UserId};

#[derive(Clone, Debug, FromRow)]
pub struct Inspection {
    pub id: String,
    pub inspector: String,
    pub sample_size: i64,
    pub aql: String,
    pub critical: i64,
    pub major: i64,
    pub minor: i64,
    pub defects_note: String,
    pub result: String,
    pub recorded_by_name: String,
    pub recorder_org_name: String,
    pub recorded_at: i64,
    pub waiver_reason: Option<String>,
    pub waived_by_name: Option<String>,
    pub waived_at: Option<i64>,
}

const INSPECTION: &str = "SELECT q.id, q.inspector, q.sample_size, q.aql, q.critical, q.major, \
     q.minor, q.defects_note, q.result, ru.display_name AS recorded_by_name, \
     ro.name AS recorder_org_name, q.recorded_at, w.reason AS waiver_reason, \
     wu.display_name AS waived_by_name, w.waived_at \
     FROM qc_inspections q JOIN users ru ON ru.id = q.recorded_by JOIN orgs ro ON ro.id = ru.org_id \
     LEFT JOIN qc_waivers w ON w.tenant_id = q.tenant_id AND w.inspection_id = q.id \
     LEFT JOIN users wu ON wu.id = w.waived_by";

/// The order's inspections, newest first, each with its waiver if any.
pub async fn of_order(
    conn: &mut Conn,
    tenant: TenantId,
    order: OrderId,
) -> Result<Vec<Inspection>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{INSPECTION} WHERE q.tenant_id = $1 AND q.order_id = $2 \
         ORDER BY q.recorded_at DESC, q.id DESC"
    ))
    .bind(tenant)
    .bind(order)
    .fetch_all(conn)
    .await
}

pub struct NewInspection<'a> {
    pub tenant: TenantId,
    pub id: &'a str,
    pub order: OrderId,
    pub inspector: &'a str,
    pub sample_size: i64,
    pub aql: &'a str,
    pub critical: i64,
    pub major: i64,
    pub minor: i64,
    pub defects_note: &'a str,
    pub result: &'a str,
    pub by: UserId,
    pub now: i64,
}

pub async fn insert(conn: &mut Conn, q: &NewInspection<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO qc_inspections (tenant_id, id, order_id, inspector, sample_size, aql, \
           critical, major, minor, defects_note, result, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(q.tenant)
    .bind(q.id)
    .bind(q.order)
    .bind(q.inspector)
    .bind(q.sample_size)
    .bind(q.aql)
    .bind(q.critical)
    .bind(q.major)
    .bind(q.minor)
    .bind(q.defects_note)
    .bind(q.result)
    .bind(q.by)
    .bind(q.now)
    .execute(conn)
    .await?;
    Ok(())
}

pub struct NewWaiver<'a> {
    pub tenant: TenantId,
    pub id: &'a str,
    pub order: OrderId,
    pub inspection: &'a str,
    pub reason: &'a str,
    pub by: UserId,
    pub now: i64,
}

/// Records the waiver unless the inspection already has one (false then).
pub async fn insert_waiver(conn: &mut Conn, w: &NewWaiver<'_>) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO qc_waivers (tenant_id, id, order_id, inspection_id, reason, waived_by, waived_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tenant_id, inspection_id) DO NOTHING",
    )
    .bind(w.tenant)
    .bind(w.id)
    .bind(w.order)
    .bind(w.inspection)
    .bind(w.reason)
    .bind(w.by)
    .bind(w.now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

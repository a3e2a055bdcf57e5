//! A brand's SLA setup: working calendars with their holidays, and policies with every version.

use sqlx::FromRow;

use super::Conn;
use crate::domain::ids::{OrgId, TenantId, UserId};

#[derive(Clone, Debug, FromRow)]
pub struct CalendarRow {
    pub id: String,
    pub name: String,
    pub time_zone: String,
    pub hours: String,
}

pub async fn calendar(
    conn: &mut Conn,
    tenant: TenantId,
    id: &str,
) -> Result<Option<CalendarRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, name, time_zone, hours FROM calendars WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant)
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn calendars(conn: &mut Conn, tenant: TenantId) -> Result<Vec<CalendarRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, name, time_zone, hours FROM calendars WHERE tenant_id = $1 ORDER BY name, id",
    )
    .bind(tenant)
    .fetch_all(conn)
    .await
}

pub async fn holidays(
    conn: &mut Conn,
    tenant: TenantId,
    calendar: &str,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT day, name FROM calendar_holidays WHERE tenant_id = $1 AND calendar_id = $2 \
         ORDER BY day",
    )
    .bind(tenant)
    .bind(calendar)
    .fetch_all(conn)
    .await
}

/// Adds a calendar unless the brand already has one of that name (false then).
pub async fn insert_calendar(
    conn: &mut Conn,
    tenant: TenantId,
    cal: &CalendarRow,
    by: Option<UserId>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO calendars (tenant_id, id, name, time_zone, hours, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
    )
    .bind(tenant)
    .bind(&cal.id)
    .bind(&cal.name)
    .bind(&cal.time_zone)
    .bind(&cal.hours)
    .bind(by)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn add_holiday(
    conn: &mut Conn,
    tenant: TenantId,
    calendar: &str,
    day: &str,
    name: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO calendar_holidays (tenant_id, calendar_id, day, name) VALUES ($1, $2, $3, $4) \
         ON CONFLICT DO NOTHING",
    )
    .bind(tenant)
    .bind(calendar)
    .bind(day)
    .bind(name)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Clone, Debug, FromRow)]
pub struct PolicyRow {
    pub id: String,
    pub kind: String,
    pub partner_kind: Option<String>,
    pub partner_org_id: Option<String>,
    pub version: i64,
    pub active: i64,
    pub target_unit: String,
    pub target_amount: i64,
    pub calendar_id: Option<String>,
    pub warn_percent: i64,
    pub pause_on_brand: i64,
    pub escalation: String,
}

const POLICY: &str = "SELECT id, kind, partner_kind, partner_org_id, version, active, target_unit, \
     target_amount, calendar_id, warn_percent, pause_on_brand, escalation FROM sla_policies";

pub async fn policies(conn: &mut Conn, tenant: TenantId) -> Result<Vec<PolicyRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{POLICY} WHERE tenant_id = $1 ORDER BY kind, partner_org_id, partner_kind, id"
    ))
    .bind(tenant)
    .fetch_all(conn)
    .await
}

/// The policies that could apply to a partner for one kind: its own, its kind's, the default.
pub async fn policies_for(
    conn: &mut Conn,
    tenant: TenantId,
    kind: &str,
    partner: OrgId,
    partner_kind: &str,
) -> Result<Vec<PolicyRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{POLICY} WHERE tenant_id = $1 AND kind = $2 AND active = 1 \
           AND (partner_org_id = $3 OR (partner_org_id IS NULL AND \
                (partner_kind = $4 OR partner_kind IS NULL)))"
    ))
    .bind(tenant)
    .bind(kind)
    .bind(partner)
    .bind(partner_kind)
    .fetch_all(conn)
    .await
}

/// Adds a policy at version 1 with its first history entry, unless one with the same scope
/// exists (false then).
pub async fn insert_policy(
    conn: &mut Conn,
    tenant: TenantId,
    p: &PolicyRow,
    snapshot: &str,
    by: Option<UserId>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO sla_policies (tenant_id, id, kind, partner_kind, partner_org_id, version, \
           active, target_unit, target_amount, calendar_id, warn_percent, pause_on_brand, \
           escalation, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
         ON CONFLICT DO NOTHING",
    )
    .bind(tenant)
    .bind(&p.id)
    .bind(&p.kind)
    .bind(&p.partner_kind)
    .bind(&p.partner_org_id)
    .bind(p.active)
    .bind(&p.target_unit)
    .bind(p.target_amount)
    .bind(&p.calendar_id)
    .bind(p.warn_percent)
    .bind(p.pause_on_brand)
    .bind(&p.escalation)
    .bind(by)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO sla_policy_versions (tenant_id, policy_id, version, snapshot, changed_by, \
           changed_at) VALUES ($1, $2, 1, $3, $4, $5)",
    )
    .bind(tenant)
    .bind(&p.id)
    .bind(snapshot)
    .bind(by)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(true)
}

/// A policy version's snapshot (JSON) as it was when a clock started under it.
pub async fn policy_snapshot(
    conn: &mut Conn,
    tenant: TenantId,
    policy: &str,
    version: i64,
) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT snapshot FROM sla_policy_versions WHERE tenant_id = $1 AND policy_id = $2 \
         AND version = $3",
    )
    .bind(tenant)
    .bind(policy)
    .bind(version)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| r.0))
}

/// Changes a calendar's name, zone and hours (false if another of the brand's has the name).
pub async fn update_calendar(
    conn: &mut Conn,
    tenant: TenantId,
    cal: &CalendarRow,
    by: UserId,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let clash: Option<(String,)> =
        sqlx::query_as("SELECT id FROM calendars WHERE tenant_id = $1 AND name = $2 AND id <> $3")
            .bind(tenant)
            .bind(&cal.name)
            .bind(&cal.id)
            .fetch_optional(&mut *conn)
            .await?;
    if clash.is_some() {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE calendars SET name = $3, time_zone = $4, hours = $5, updated_by = $6, \
           updated_at = $7 WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant)
    .bind(&cal.id)
    .bind(&cal.name)
    .bind(&cal.time_zone)
    .bind(&cal.hours)
    .bind(by)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(true)
}

pub async fn remove_holiday(
    conn: &mut Conn,
    tenant: TenantId,
    calendar: &str,
    day: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "DELETE FROM calendar_holidays WHERE tenant_id = $1 AND calendar_id = $2 AND day = $3",
    )
    .bind(tenant)
    .bind(calendar)
    .bind(day)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn policy(
    conn: &mut Conn,
    tenant: TenantId,
    id: &str,
) -> Result<Option<PolicyRow>, sqlx::Error> {
    sqlx::query_as(&format!("{POLICY} WHERE tenant_id = $1 AND id = $2"))
        .bind(tenant)
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Saves a policy's new rules as the next version (running clocks keep theirs) and records
/// the version in the history. False if someone saved a newer version first.
pub async fn save_policy_version(
    conn: &mut Conn,
    tenant: TenantId,
    p: &PolicyRow,
    snapshot: &str,
    by: UserId,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE sla_policies SET version = version + 1, active = $4, target_unit = $5, \
           target_amount = $6, calendar_id = $7, warn_percent = $8, pause_on_brand = $9, \
           escalation = $10, updated_by = $11, updated_at = $12 \
         WHERE tenant_id = $1 AND id = $2 AND version = $3",
    )
    .bind(tenant)
    .bind(&p.id)
    .bind(p.version)
    .bind(p.active)
    .bind(&p.target_unit)
    .bind(p.target_amount)
    .bind(&p.calendar_id)
    .bind(p.warn_percent)
    .bind(p.pause_on_brand)
    .bind(&p.escalation)
    .bind(by)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO sla_policy_versions (tenant_id, policy_id, version, snapshot, changed_by, \
           changed_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(tenant)
    .bind(&p.id)
    .bind(p.version + 1)
    .bind(snapshot)
    .bind(by)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(true)
}

#[derive(Clone, Debug, FromRow)]
pub struct PolicyVersion {
    pub version: i64,
    pub snapshot: String,
    pub changed_by_name: Option<String>,
    pub changed_at: i64,
}

pub async fn policy_versions(
    conn: &mut Conn,
    tenant: TenantId,
    policy: &str,
) -> Result<Vec<PolicyVersion>, sqlx::Error> {
    sqlx::query_as(
        "SELECT v.version, v.snapshot, u.display_name AS changed_by_name, v.changed_at \
         FROM sla_policy_versions v LEFT JOIN users u ON u.id = v.changed_by \
         WHERE v.tenant_id = $1 AND v.policy_id = $2 ORDER BY v.version DESC",
    )
    .bind(tenant)
    .bind(policy)
    .fetch_all(conn)
    .await
}

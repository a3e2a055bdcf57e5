//! The ops dashboard's reads and the handling of alerts (acknowledge, assign, comment, snooze).

use sqlx::FromRow;

use super::Conn;
use crate::domain::ids::{OrderId, OrgId, TenantId, UserId};

/// A clock at risk or breached, with the alert people handle for it (the breach once there is
/// one, else the warning).
#[derive(Clone, Debug, FromRow)]
pub struct BoardRow {
    pub timer_id: String,
    pub kind: String,
    pub state: String,
    pub order_id: OrderId,
    pub po_number: String,
    pub partner_org_id: OrgId,
    pub partner_name: String,
    pub policy_id: String,
    pub calendar_id: Option<String>,
    pub business: i64,
    pub deadline_at: i64,
    pub warned_at: Option<i64>,
    pub breached_at: Option<i64>,
    pub left_to_deadline_ms: Option<i64>,
    pub alert_id: String,
    pub level: String,
    pub acknowledged_at: Option<i64>,
    pub acknowledged_by_name: Option<String>,
    pub assigned_to: Option<UserId>,
    pub assigned_to_name: Option<String>,
    pub snoozed_until: Option<i64>,
    pub snooze_reason: Option<String>,
    pub comments: i64,
}

pub struct BoardFilter<'a> {
    pub tenant: TenantId,
    pub partner: Option<&'a str>,
    pub kind: Option<&'a str>,
    pub policy: Option<&'a str>,
    pub limit: i64,
}

/// Running or paused clocks past their warning, soonest deadline first. The alert's level is
/// matched as two plain alternatives, not a `CASE`: PostgreSQL cannot estimate a `CASE` and,
/// expecting the join to drop nearly every clock, sorted all of a brand's late clocks instead of
/// reading the first fifty from the board's index (25 ms against 2 ms at a million orders).
pub async fn board(conn: &mut Conn, f: &BoardFilter<'_>) -> Result<Vec<BoardRow>, sqlx::Error> {
    let mut q = super::DynamicSql::default();
    let tenant = q.text(f.tenant.to_string());
    let mut filters = String::new();
    if let Some(p) = f.partner {
        filters.push_str(&format!(" AND t.partner_org_id = {}", q.text(p.to_owned())));
    }
    if let Some(k) = f.kind {
        filters.push_str(&format!(" AND t.kind = {}", q.text(k.to_owned())));
    }
    if let Some(p) = f.policy {
        filters.push_str(&format!(" AND t.policy_id = {}", q.text(p.to_owned())));
    }
    let limit = q.int(f.limit);
    q.sql = format!(
        "SELECT t.id AS timer_id, t.kind, t.state, t.order_id, o.po_number, t.partner_org_id, \
           p.name AS partner_name, t.policy_id, t.calendar_id, t.business, t.deadline_at, \
           t.warned_at, t.breached_at, t.left_to_deadline_ms, a.id AS alert_id, a.level, \
           a.acknowledged_at, ack.display_name AS acknowledged_by_name, a.assigned_to, \
           asg.display_name AS assigned_to_name, a.snoozed_until, a.snooze_reason, \
           (SELECT COUNT(*) FROM sla_alert_comments c \
             WHERE c.tenant_id = a.tenant_id AND c.alert_id = a.id) AS comments \
         FROM sla_timers t \
         JOIN orders o ON o.tenant_id = t.tenant_id AND o.id = t.order_id \
         JOIN orgs p ON p.id = t.partner_org_id \
         JOIN sla_alerts a ON a.tenant_id = t.tenant_id AND a.timer_id = t.id \
           AND ((t.breached_at IS NULL AND a.level = 'warning') \
             OR (t.breached_at IS NOT NULL AND a.level = 'breach')) \
         LEFT JOIN users ack ON ack.id = a.acknowledged_by \
         LEFT JOIN users asg ON asg.id = a.assigned_to \
         WHERE t.tenant_id = {tenant} AND t.state <> 'stopped' AND t.warned_at IS NOT NULL{filters} \
         ORDER BY t.deadline_at, t.id LIMIT {limit}"
    );
    q.fetch_all(conn).await
}

/// The partners with a clock on the board, by name then id: the dashboard's partner filter. Read
/// through the board's own index, so a brand with thousands of partners lists only the few
/// hundred that have something late.
pub async fn partners_on_board(
    conn: &mut Conn,
    tenant: TenantId,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT o.id, o.name FROM orgs o WHERE o.id IN ( \
           SELECT t.partner_org_id FROM sla_timers t \
           WHERE t.tenant_id = $1 AND t.state <> 'stopped' AND t.warned_at IS NOT NULL) \
         ORDER BY o.name, o.id",
    )
    .bind(tenant)
    .fetch_all(conn)
    .await
}

/// `org` with its name if it is (or was) a partner of the brand: the one a filter names.
pub async fn partner_of_brand(
    conn: &mut Conn,
    tenant: TenantId,
    org: &str,
) -> Result<Option<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT o.id, o.name FROM partnerships p JOIN orgs o ON o.id = p.partner_org_id \
         WHERE p.tenant_id = $1 AND p.partner_org_id = $2",
    )
    .bind(tenant)
    .bind(org)
    .fetch_optional(conn)
    .await
}

/// The alert with its clock's order, for checks before handling it.
#[derive(Clone, Debug, FromRow)]
pub struct AlertRef {
    pub id: String,
    pub timer_id: String,
    pub order_id: OrderId,
    pub level: String,
}

pub async fn alert(
    conn: &mut Conn,
    tenant: TenantId,
    id: &str,
) -> Result<Option<AlertRef>, sqlx::Error> {
    sqlx::query_as(
        "SELECT a.id, a.timer_id, t.order_id, a.level FROM sla_alerts a \
         JOIN sla_timers t ON t.tenant_id = a.tenant_id AND t.id = a.timer_id \
         WHERE a.tenant_id = $1 AND a.id = $2",
    )
    .bind(tenant)
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// An alert as its handling forms show it: which order, partner and clock, and who has it.
#[derive(Clone, Debug, FromRow)]
pub struct AlertCard {
    pub id: String,
    pub order_id: OrderId,
    pub po_number: String,
    pub partner_name: String,
    pub kind: String,
    pub level: String,
    pub assigned_to: Option<UserId>,
}

pub async fn alert_card(
    conn: &mut Conn,
    tenant: TenantId,
    id: &str,
) -> Result<Option<AlertCard>, sqlx::Error> {
    sqlx::query_as(
        "SELECT a.id, t.order_id, o.po_number, p.name AS partner_name, t.kind, a.level, \
           a.assigned_to FROM sla_alerts a \
         JOIN sla_timers t ON t.tenant_id = a.tenant_id AND t.id = a.timer_id \
         JOIN orders o ON o.tenant_id = t.tenant_id AND o.id = t.order_id \
         JOIN orgs p ON p.id = t.partner_org_id \
         WHERE a.tenant_id = $1 AND a.id = $2",
    )
    .bind(tenant)
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn acknowledge(
    conn: &mut Conn,
    tenant: TenantId,
    id: &str,
    by: UserId,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE sla_alerts SET acknowledged_by = $3, acknowledged_at = $4 \
         WHERE tenant_id = $1 AND id = $2 AND acknowledged_at IS NULL",
    )
    .bind(tenant)
    .bind(id)
    .bind(by)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn assign(
    conn: &mut Conn,
    tenant: TenantId,
    id: &str,
    to: Option<UserId>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sla_alerts SET assigned_to = $3 WHERE tenant_id = $1 AND id = $2")
        .bind(tenant)
        .bind(id)
        .bind(to)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn snooze(
    conn: &mut Conn,
    tenant: TenantId,
    id: &str,
    until: i64,
    reason: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE sla_alerts SET snoozed_until = $3, snooze_reason = $4 \
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant)
    .bind(id)
    .bind(until)
    .bind(reason)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn add_comment(
    conn: &mut Conn,
    tenant: TenantId,
    id: &str,
    by: UserId,
    body: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sla_alert_comments (tenant_id, alert_id, at, user_id, body) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(tenant)
    .bind(id)
    .bind(now)
    .bind(by)
    .bind(body)
    .execute(conn)
    .await?;
    Ok(())
}

/// The latest comments on alerts, newest first (for the board's rows).
pub async fn latest_comments(
    conn: &mut Conn,
    tenant: TenantId,
    alerts: &[String],
) -> Result<Vec<(String, String, String, i64)>, sqlx::Error> {
    if alerts.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = super::DynamicSql::default();
    let t = q.text(tenant.to_string());
    let ids: Vec<String> = alerts.iter().map(|a| q.text(a.clone())).collect();
    q.sql = format!(
        "SELECT c.alert_id, u.display_name, c.body, c.at FROM sla_alert_comments c \
         JOIN users u ON u.id = c.user_id \
         WHERE c.tenant_id = {t} AND c.alert_id IN ({}) ORDER BY c.at DESC",
        ids.join(", ")
    );
    q.fetch_all(conn).await
}

/// Colleagues an alert can be assigned to: active brand users who act on orders.
pub async fn assignees(
    conn: &mut Conn,
    brand: OrgId,
) -> Result<Vec<(UserId, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, display_name FROM users WHERE org_id = $1 AND status = 'active' \
           AND role IN ('admin', 'ops') ORDER BY display_name, id",
    )
    .bind(brand)
    .fetch_all(conn)
    .await
}

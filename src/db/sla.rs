//! SLA clocks, the alerts they raise, and the per-brand revision open dashboards watch.

use sqlx::FromRow;

use super::{Conn, Engine};
use crate::domain::ids::{OrderId, OrgId, TenantId};

#[derive(Clone, Debug, FromRow, PartialEq, Eq)]
pub struct TimerRow {
    pub tenant_id: TenantId,
    pub id: String,
    pub kind: String,
    pub policy_id: String,
    pub policy_version: i64,
    pub order_id: OrderId,
    pub line_no: i64,
    pub partner_org_id: OrgId,
    pub calendar_id: Option<String>,
    pub business: i64,
    pub pause_on_brand: i64,
    pub state: String,
    pub started_at: i64,
    pub warn_at: i64,
    pub deadline_at: i64,
    pub warned_at: Option<i64>,
    pub breached_at: Option<i64>,
    pub paused_since: Option<i64>,
    pub left_to_warning_ms: Option<i64>,
    pub left_to_deadline_ms: Option<i64>,
    pub stopped_at: Option<i64>,
    pub outcome: Option<String>,
    pub late_ms: Option<i64>,
    pub next_due_at: Option<i64>,
    pub escalate_at: Option<i64>,
}

const TIMER: &str = "SELECT tenant_id, id, kind, policy_id, policy_version, order_id, line_no, \
     partner_org_id, calendar_id, business, pause_on_brand, state, started_at, warn_at, deadline_at, warned_at, \
     breached_at, paused_since, left_to_warning_ms, left_to_deadline_ms, stopped_at, outcome, \
     late_ms, next_due_at, escalate_at FROM sla_timers";

/// The clocks of an order that have not stopped.
pub async fn open_timers(
    conn: &mut Conn,
    tenant: TenantId,
    order: OrderId,
) -> Result<Vec<TimerRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{TIMER} WHERE tenant_id = $1 AND order_id = $2 AND state <> 'stopped' ORDER BY kind, line_no"
    ))
    .bind(tenant)
    .bind(order)
    .fetch_all(conn)
    .await
}

/// Every clock of an order, newest first.
pub async fn order_timers(
    conn: &mut Conn,
    tenant: TenantId,
    order: OrderId,
) -> Result<Vec<TimerRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{TIMER} WHERE tenant_id = $1 AND order_id = $2 ORDER BY started_at DESC, id"
    ))
    .bind(tenant)
    .bind(order)
    .fetch_all(conn)
    .await
}

/// Clocks whose next instant has come, oldest first, locked for this transaction where the
/// engine can (other schedulers skip them instead of waiting).
pub async fn due_timers(
    conn: &mut Conn,
    engine: Engine,
    now: i64,
    limit: i64,
) -> Result<Vec<TimerRow>, sqlx::Error> {
    let lock = match engine {
        Engine::Postgres => " FOR UPDATE SKIP LOCKED",
        Engine::Sqlite => "",
    };
    sqlx::query_as(&format!(
        "{TIMER} WHERE next_due_at IS NOT NULL AND next_due_at <= $1 \
         ORDER BY next_due_at LIMIT $2{lock}"
    ))
    .bind(now)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// The soonest instant any clock needs the scheduler.
pub async fn next_due_at(conn: &mut Conn) -> Result<Option<i64>, sqlx::Error> {
    let row: (Option<i64>,) =
        sqlx::query_as("SELECT MIN(next_due_at) FROM sla_timers WHERE next_due_at IS NOT NULL")
            .fetch_one(conn)
            .await?;
    Ok(row.0)
}

/// Starts a clock unless one of that kind is already open on the order line (false then).
pub async fn insert_timer(conn: &mut Conn, t: &TimerRow) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO sla_timers (tenant_id, id, kind, policy_id, policy_version, order_id, \
           line_no, partner_org_id, calendar_id, business, pause_on_brand, state, started_at, warn_at, \
           deadline_at, warned_at, breached_at, paused_since, left_to_warning_ms, \
           left_to_deadline_ms, stopped_at, outcome, late_ms, next_due_at, escalate_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
           $18, $19, $20, $21, $22, $23, $24, $25) ON CONFLICT DO NOTHING",
    )
    .bind(t.tenant_id)
    .bind(&t.id)
    .bind(&t.kind)
    .bind(&t.policy_id)
    .bind(t.policy_version)
    .bind(t.order_id)
    .bind(t.line_no)
    .bind(t.partner_org_id)
    .bind(&t.calendar_id)
    .bind(t.business)
    .bind(t.pause_on_brand)
    .bind(&t.state)
    .bind(t.started_at)
    .bind(t.warn_at)
    .bind(t.deadline_at)
    .bind(t.warned_at)
    .bind(t.breached_at)
    .bind(t.paused_since)
    .bind(t.left_to_warning_ms)
    .bind(t.left_to_deadline_ms)
    .bind(t.stopped_at)
    .bind(&t.outcome)
    .bind(t.late_ms)
    .bind(t.next_due_at)
    .bind(t.escalate_at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Writes a clock's moving parts back.
pub async fn update_timer(conn: &mut Conn, t: &TimerRow) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE sla_timers SET state = $3, warn_at = $4, deadline_at = $5, warned_at = $6, \
           breached_at = $7, paused_since = $8, left_to_warning_ms = $9, \
           left_to_deadline_ms = $10, stopped_at = $11, outcome = $12, late_ms = $13, \
           next_due_at = $14, escalate_at = $15 \
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(t.tenant_id)
    .bind(&t.id)
    .bind(&t.state)
    .bind(t.warn_at)
    .bind(t.deadline_at)
    .bind(t.warned_at)
    .bind(t.breached_at)
    .bind(t.paused_since)
    .bind(t.left_to_warning_ms)
    .bind(t.left_to_deadline_ms)
    .bind(t.stopped_at)
    .bind(&t.outcome)
    .bind(t.late_ms)
    .bind(t.next_due_at)
    .bind(t.escalate_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records an alert unless that level was already raised for the clock (false then).
pub async fn insert_alert(
    conn: &mut Conn,
    timer: &TimerRow,
    level: &str,
    happened_at: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO sla_alerts (tenant_id, id, timer_id, level, happened_at, raised_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
    )
    .bind(timer.tenant_id)
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(&timer.id)
    .bind(level)
    .bind(happened_at)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks the brand's SLA picture as changed (open dashboards reload).
pub async fn bump_revision(conn: &mut Conn, tenant: TenantId) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sla_revisions (tenant_id, rev) VALUES ($1, 1) \
         ON CONFLICT (tenant_id) DO UPDATE SET rev = sla_revisions.rev + 1",
    )
    .bind(tenant)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn revision(conn: &mut Conn, tenant: TenantId) -> Result<i64, sqlx::Error> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT rev FROM sla_revisions WHERE tenant_id = $1")
        .bind(tenant)
        .fetch_optional(conn)
        .await?;
    Ok(row.map_or(0, |r| r.0))
}

/// The open clocks on some of a partner's orders (for its inbox's "time left" badges).
pub async fn open_for_partner(
    conn: &mut Conn,
    tenant: TenantId,
    partner: OrgId,
    orders: &[OrderId],
) -> Result<Vec<TimerRow>, sqlx::Error> {
    if orders.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = super::DynamicSql::default();
    let t = q.text(tenant.to_string());
    let p = q.text(partner.to_string());
    let ids: Vec<String> = orders.iter().map(|o| q.text(o.to_string())).collect();
    q.sql = format!(
        "{TIMER} WHERE tenant_id = {t} AND partner_org_id = {p} AND state <> 'stopped' \
         AND order_id IN ({}) ORDER BY deadline_at",
        ids.join(", ")
    );
    q.fetch_all(conn).await
}

/// A clock that finished (met or late), for scorecards.
#[derive(Clone, Debug, FromRow)]
pub struct FinishedRow {
    pub partner_org_id: OrgId,
    pub partner_name: String,
    pub kind: String,
    pub calendar_id: Option<String>,
    pub business: i64,
    pub started_at: i64,
    pub stopped_at: i64,
    pub outcome: String,
}

/// Clocks of the brand that stopped met or late between two instants (voided ones do not
/// count for or against anyone), optionally of one partner and one kind.
pub async fn finished(
    conn: &mut Conn,
    tenant: TenantId,
    range: (i64, i64),
    partner: Option<&str>,
    kind: Option<&str>,
) -> Result<Vec<FinishedRow>, sqlx::Error> {
    let mut q = super::DynamicSql::default();
    let t = q.text(tenant.to_string());
    let from = q.int(range.0);
    let to = q.int(range.1);
    let mut filters = String::new();
    if let Some(p) = partner {
        filters.push_str(&format!(" AND t.partner_org_id = {}", q.text(p.to_owned())));
    }
    if let Some(k) = kind {
        filters.push_str(&format!(" AND t.kind = {}", q.text(k.to_owned())));
    }
    q.sql = format!(
        "SELECT t.partner_org_id, p.name AS partner_name, t.kind, t.calendar_id, t.business, \
           t.started_at, t.stopped_at, t.outcome \
         FROM sla_timers t JOIN orgs p ON p.id = t.partner_org_id \
         WHERE t.tenant_id = {t} AND t.state = 'stopped' AND t.outcome IN ('met', 'late') \
           AND t.stopped_at >= {from} AND t.stopped_at < {to}{filters} \
         ORDER BY p.name, t.kind, t.stopped_at"
    );
    q.fetch_all(conn).await
}

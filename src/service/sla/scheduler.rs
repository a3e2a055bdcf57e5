//! The scheduler's pass: every clock whose next instant has come gets its warning, breach or
//! escalation raised once, stamped with when it really happened, and the people the policy names
//! are told. It reads only the due index, so its cost follows what is due, not what runs.

use jiff::SignedDuration;
use serde_json::Value;

use super::clocks::{clock_of, ts, write_back};
use crate::app::AppState;
use crate::db::sla::TimerRow;
use crate::db::{self, Conn};
use crate::domain::sla::policy::{Kind, Owes};
use crate::domain::sla::timer::Alarm;
use crate::service::{ServiceResult, events, notifications};

/// Clocks handled per transaction (keeps SQLite's write lock short).
pub const BATCH: i64 = 500;

/// Raises everything due by the clock's now. Returns how many alerts were raised.
pub async fn run_due(state: &AppState) -> ServiceResult<usize> {
    // A pass crosses brands: every brand's due clocks.
    crate::db::scope::system(run_due_in_system_scope(state)).await
}

async fn run_due_in_system_scope(state: &AppState) -> ServiceResult<usize> {
    let now = state.now().0;
    let mut raised = 0;
    loop {
        let mut tx = state.db.begin().await?;
        let mut due = db::sla::due_timers(&mut tx, state.db.engine(), now, BATCH).await?;
        // Raising an alert takes its brand's turn at writing events until commit. Replicas'
        // schedulers take brands in the same order, so none waits on another in a cycle.
        due.sort_by_key(|row| row.tenant_id);
        let batch = due.len();
        for row in due {
            raised += handle(&mut tx, state, row, now).await?;
        }
        tx.commit().await?;
        if batch < BATCH as usize {
            break;
        }
    }
    if raised > 0 {
        state.outbox_wake.notify_one();
    }
    Ok(raised)
}

/// The soonest instant any clock needs the scheduler (to sleep until then).
pub async fn next_due_at(state: &AppState) -> ServiceResult<Option<i64>> {
    // The next clock of any brand.
    crate::db::scope::system(next_due_at_in_system_scope(state)).await
}

async fn next_due_at_in_system_scope(state: &AppState) -> ServiceResult<Option<i64>> {
    let mut conn = state.db.read().await?;
    Ok(db::sla::next_due_at(&mut conn).await?)
}

async fn handle(
    conn: &mut Conn,
    state: &AppState,
    mut row: TimerRow,
    now: i64,
) -> ServiceResult<usize> {
    let escalation = escalation_of(conn, &row).await?;
    let mut clock = clock_of(&row);
    let mut levels = Vec::new();
    for alarm in clock.due_alarms(ts(now)) {
        match alarm {
            Alarm::Warning(at) => levels.push(("warning", at.as_millisecond())),
            Alarm::Breach(at) => {
                levels.push(("breach", at.as_millisecond()));
                let again = escalation["again_after_hours"].as_i64().unwrap_or(0);
                if again > 0 {
                    let again = at
                        .checked_add(SignedDuration::from_hours(again))
                        .unwrap_or(at);
                    row.escalate_at = Some(again.as_millisecond());
                }
            }
        }
    }
    if let Some(at) = row.escalate_at.filter(|at| *at <= now) {
        levels.push(("escalation", at));
        row.escalate_at = None;
    }
    write_back(&mut row, &clock);
    row.next_due_at = match (row.next_due_at, row.escalate_at) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    db::sla::update_timer(conn, &row).await?;
    let mut raised = 0;
    for (level, happened_at) in levels {
        if db::sla::insert_alert(conn, &row, level, happened_at, now).await? {
            tell(conn, state, &row, (level, happened_at), &escalation).await?;
            raised += 1;
        }
    }
    if raised > 0 {
        db::sla::bump_revision(conn, row.tenant_id).await?;
    }
    Ok(raised)
}

/// The escalation rules of the policy version the clock started under.
async fn escalation_of(conn: &mut Conn, row: &TimerRow) -> ServiceResult<Value> {
    let snapshot =
        db::sla_setup::policy_snapshot(conn, row.tenant_id, &row.policy_id, row.policy_version)
            .await?;
    let value: Value = snapshot
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default();
    Ok(value
        .get("escalation")
        .cloned()
        .unwrap_or_else(super::setup::default_escalation))
}

/// Records the alert's event and tells the brand roles the policy names for this level, and at
/// the warning also the partner who owes the step (it can still make it).
async fn tell(
    conn: &mut Conn,
    state: &AppState,
    row: &TimerRow,
    (level, happened_at): (&str, i64),
    escalation: &Value,
) -> ServiceResult<()> {
    let Some(order) = db::orders::get(conn, row.tenant_id, row.order_id).await? else {
        return Ok(());
    };
    let party = Some(row.partner_org_id);
    events::record_sla_alert(conn, &order, level, &row.kind, happened_at, party).await?;
    let key = match level {
        "warning" => "warning",
        "breach" => "breach",
        _ => "again",
    };
    let roles: Vec<&str> = escalation[key]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    // The party that owes the step (the partner, or a shipment's warehouse) hears of its warning.
    let owed_by_party = Kind::parse(&row.kind).is_some_and(|k| k.owes() != Owes::Brand);
    let tell = (level == "warning" && owed_by_party).then_some(row.partner_org_id);
    notifications::sla_alert(conn, state, &order, level, &roles, tell).await
}

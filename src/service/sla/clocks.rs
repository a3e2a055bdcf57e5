//! Keeping an order's SLA clocks in step with the order, inside the transaction that changed it:
//! the domain says what each clock should be doing, this starts, pauses, resumes or stops the
//! stored clocks to match.

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};

use super::setup;
use crate::app::AppState;
use crate::db::order_lines::Line;
use crate::db::orders::Order;
use crate::db::shipping::Asn;
use crate::db::sla::TimerRow;
use crate::db::{self, Conn};
use crate::domain::ids::OrgId;
use crate::domain::sla::calendar::Calendar;
use crate::domain::sla::policy::{self, Kind, OrderFacts, Want};
use crate::domain::sla::timer::{Outcome, SlaClock, Status};
use crate::service::ServiceResult;

pub(crate) fn ts(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn ms(d: SignedDuration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// The engine's view of a stored clock.
pub(crate) fn clock_of(row: &TimerRow) -> SlaClock {
    let status = match row.state.as_str() {
        "paused" => Status::Paused {
            since: ts(row.paused_since.unwrap_or(row.started_at)),
            to_warning: SignedDuration::from_millis(row.left_to_warning_ms.unwrap_or(0)),
            to_deadline: SignedDuration::from_millis(row.left_to_deadline_ms.unwrap_or(0)),
        },
        "stopped" => Status::Stopped {
            at: ts(row.stopped_at.unwrap_or(row.started_at)),
            outcome: match row.late_ms {
                Some(late) if late > 0 => Outcome::Late(SignedDuration::from_millis(late)),
                _ => Outcome::Met,
            },
        },
        _ => Status::Running,
    };
    SlaClock {
        business: row.business == 1,
        started_at: ts(row.started_at),
        warn_at: ts(row.warn_at),
        deadline: ts(row.deadline_at),
        warned_at: row.warned_at.map(ts),
        breached_at: row.breached_at.map(ts),
        status,
    }
}

/// Writes the engine's clock back into the stored row.
pub(crate) fn write_back(row: &mut TimerRow, clock: &SlaClock) {
    row.warn_at = clock.warn_at.as_millisecond();
    row.deadline_at = clock.deadline.as_millisecond();
    row.warned_at = clock.warned_at.map(|t| t.as_millisecond());
    row.breached_at = clock.breached_at.map(|t| t.as_millisecond());
    row.next_due_at = clock.next_due().map(|t| t.as_millisecond());
    (
        row.paused_since,
        row.left_to_warning_ms,
        row.left_to_deadline_ms,
    ) = (None, None, None);
    match clock.status {
        Status::Running => row.state = "running".into(),
        Status::Paused {
            since,
            to_warning,
            to_deadline,
        } => {
            row.state = "paused".into();
            row.paused_since = Some(since.as_millisecond());
            row.left_to_warning_ms = Some(ms(to_warning));
            row.left_to_deadline_ms = Some(ms(to_deadline));
        }
        Status::Stopped { at, outcome } => {
            row.state = "stopped".into();
            row.stopped_at = Some(at.as_millisecond());
            row.escalate_at = None;
            (row.outcome, row.late_ms) = match outcome {
                Outcome::Met => (Some("met".into()), None),
                Outcome::Late(by) => (Some("late".into()), Some(ms(by))),
            };
        }
    }
}

/// Brings the order's clocks in step with the order as the transaction now sees it. Call from
/// every use case that changes an order's state, lines or sample, before it commits.
pub async fn sync(
    conn: &mut Conn,
    state: &AppState,
    tenant: crate::domain::ids::TenantId,
    order: crate::domain::ids::OrderId,
) -> ServiceResult<()> {
    let Some(current) = db::orders::get(conn, tenant, order).await? else {
        return Ok(());
    };
    let lines = db::order_lines::of_order(conn, tenant, order).await?;
    let sample_submitted = !db::samples::of_order(conn, tenant, order).await?.is_empty();
    let asns = db::shipping::of_order(conn, tenant, order).await?;
    sync_order(conn, state, &current, &lines, sample_submitted, &asns).await
}

/// Brings the order's clocks in step with `order`, its `lines` and shipments as they stand
/// after the change.
pub async fn sync_order(
    conn: &mut Conn,
    state: &AppState,
    order: &Order,
    lines: &[Line],
    sample_submitted: bool,
    asns: &[Asn],
) -> ServiceResult<()> {
    let now = state.now().0;
    let open = db::sla::open_timers(conn, order.tenant_id, order.id).await?;
    let states: Vec<_> = lines.iter().map(|l| l.state).collect();
    let facts = OrderFacts {
        shipped: !asns.is_empty(),
        ..OrderFacts::of(order.state, &states, sample_submitted)
    };
    let mut wishes = Vec::new();
    for kind in [Kind::PoConfirmation, Kind::FirstSample] {
        let existing = open
            .iter()
            .find(|t| t.kind == kind.code() && t.line_no == 0);
        // A clock keeps the pause rule of the policy version it started with.
        let pause_on_brand = existing.map(|t| t.pause_on_brand == 1);
        let want = |pause| policy::want_for_order(kind, &facts, pause);
        let wish = match pause_on_brand {
            Some(pause) => want(pause),
            // Not started: whether it would pause only matters once it runs.
            None => want(kind.pauses_on_brand_by_default()),
        };
        if let Some(wish) = wish {
            wishes.push((kind, 0, wish, existing.cloned()));
        }
    }
    for line in lines {
        let existing = open
            .iter()
            .find(|t| t.kind == Kind::ChangeDecision.code() && t.line_no == line.line_no);
        let wish = policy::want_for_line(order.state, line.state);
        wishes.push((Kind::ChangeDecision, line.line_no, wish, existing.cloned()));
    }
    for (kind, line_no, wish, existing) in wishes {
        apply(conn, order, kind, line_no, wish, existing, now).await?;
    }
    super::logistics::sync(conn, order, lines, asns, &open, &facts, now).await
}

pub(super) async fn apply(
    conn: &mut Conn,
    order: &Order,
    kind: Kind,
    line_no: i64,
    wish: Want,
    existing: Option<TimerRow>,
    now: i64,
) -> ServiceResult<()> {
    let at = ts(now);
    let Some(mut row) = existing else {
        if wish == Want::Run {
            let owed_by = order.partner_org_id;
            start(conn, order, kind, line_no, owed_by, None, now).await?;
        }
        return Ok(());
    };
    let cal = setup::load_calendar(conn, order.tenant_id, row.calendar_id.as_deref()).await?;
    let mut clock = clock_of(&row);
    let changed = match (wish, clock.status) {
        (Want::Run, Status::Paused { .. }) => clock.resume(&cal, at).is_ok(),
        (Want::Pause, Status::Running) => clock.pause(&cal, at).is_ok(),
        (Want::Stop, Status::Running | Status::Paused { .. }) => {
            // Alarms due before the stop are recorded first, so the outcome and the alerts agree.
            clock.due_alarms(at);
            clock.stop(&cal, at).is_ok()
        }
        (Want::Void, Status::Running | Status::Paused { .. }) => {
            row.state = "stopped".into();
            row.stopped_at = Some(now);
            row.outcome = Some("void".into());
            (row.next_due_at, row.escalate_at) = (None, None);
            db::sla::update_timer(conn, &row).await?;
            db::sla::bump_revision(conn, order.tenant_id).await?;
            return Ok(());
        }
        _ => false,
    };
    if changed {
        write_back(&mut row, &clock);
        db::sla::update_timer(conn, &row).await?;
        db::sla::bump_revision(conn, order.tenant_id).await?;
    }
    Ok(())
}

/// Starts a clock of `kind` owed by `owed_by` (the order's partner, or the warehouse of a
/// shipment) under that party's policy (none if the brand switched it off). With `before`, the
/// target is a lead: the clock is due that long before the start of that date.
pub(super) async fn start(
    conn: &mut Conn,
    order: &Order,
    kind: Kind,
    line_no: i64,
    owed_by: OrgId,
    before: Option<Date>,
    now: i64,
) -> ServiceResult<()> {
    let tenant = order.tenant_id;
    let party_kind = db::orgs::get(conn, owed_by)
        .await?
        .map(|o| o.kind.as_str())
        .unwrap_or_default();
    let Some(policy) = setup::policy_for(conn, tenant, kind, owed_by, party_kind, now).await?
    else {
        return Ok(());
    };
    let Some(target) = setup::target_of(&policy) else {
        return Ok(());
    };
    let cal: Calendar = setup::load_calendar(conn, tenant, policy.calendar_id.as_deref()).await?;
    let warn = u8::try_from(policy.warn_percent.clamp(1, 100)).unwrap_or(80);
    let started = match before {
        None => SlaClock::start(target, warn, &cal, ts(now)),
        Some(date) => {
            let due = super::logistics::lead_deadline(target, &cal, date);
            SlaClock::start_until(due, target.is_business(), warn, &cal, ts(now))
        }
    };
    let Ok(clock) = started else {
        tracing::warn!(
            policy = policy.id,
            "SLA calendar has no working time; clock not started"
        );
        return Ok(());
    };
    let mut row = TimerRow {
        tenant_id: tenant,
        id: uuid::Uuid::now_v7().to_string(),
        kind: kind.code().into(),
        policy_id: policy.id.clone(),
        policy_version: policy.version,
        order_id: order.id,
        line_no,
        partner_org_id: owed_by,
        calendar_id: policy.calendar_id.clone(),
        business: i64::from(clock.business),
        pause_on_brand: policy.pause_on_brand,
        state: "running".into(),
        started_at: now,
        warn_at: 0,
        deadline_at: 0,
        warned_at: None,
        breached_at: None,
        paused_since: None,
        left_to_warning_ms: None,
        left_to_deadline_ms: None,
        stopped_at: None,
        outcome: None,
        late_ms: None,
        next_due_at: None,
        escalate_at: None,
    };
    write_back(&mut row, &clock);
    if db::sla::insert_timer(conn, &row).await? {
        db::sla::bump_revision(conn, tenant).await?;
    }
    Ok(())
}

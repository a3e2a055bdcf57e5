//! SLA clocks of generated orders, run through the domain's clock arithmetic on the brand's
//! default office calendar: each clock starts, raises its warning, breach and escalation when
//! their time comes (as the scheduler would have, on time), pauses and stops as its order moved.

use jiff::civil::Date;
use rand::RngCore;

use super::ids::uuid_at;
use crate::db::bulk::{Table, Val};
use crate::db::sla::TimerRow;
use crate::domain::ids::{OrderId, OrgId, TenantId};
use crate::domain::sla::calendar::Calendar;
use crate::domain::sla::hours::WeekHours;
use crate::domain::sla::policy::{DEFAULT_WARN_PERCENT, Kind};
use crate::domain::sla::timer::SlaClock;
use crate::service::sla::clocks::{ts, write_back};
use crate::service::sla::logistics::lead_deadline;
use crate::service::sla::setup::OFFICE_CALENDAR;

/// Hours after a breach the policy escalates again (the default escalation).
const AGAIN_AFTER_HOURS: i64 = 24;

/// The default office calendar every brand starts with (`setup::ensure_defaults`).
pub fn office_calendar() -> Calendar {
    let day = "09:00-17:00";
    let week = WeekHours::parse(&[day, day, day, day, day, "", ""]).unwrap_or_default();
    Calendar::new(jiff::tz::TimeZone::UTC, week, Vec::<Date>::new())
}

pub struct ClockTables {
    pub timers: Table,
    pub alerts: Table,
}

impl ClockTables {
    pub fn new() -> ClockTables {
        ClockTables {
            timers: Table::new(
                "sla_timers",
                &[
                    "tenant_id",
                    "id",
                    "kind",
                    "policy_id",
                    "policy_version",
                    "order_id",
                    "line_no",
                    "partner_org_id",
                    "calendar_id",
                    "business",
                    "pause_on_brand",
                    "state",
                    "started_at",
                    "warn_at",
                    "deadline_at",
                    "warned_at",
                    "breached_at",
                    "paused_since",
                    "left_to_warning_ms",
                    "left_to_deadline_ms",
                    "stopped_at",
                    "outcome",
                    "late_ms",
                    "next_due_at",
                    "escalate_at",
                ],
            ),
            alerts: Table::new(
                "sla_alerts",
                &[
                    "tenant_id",
                    "id",
                    "timer_id",
                    "level",
                    "happened_at",
                    "raised_at",
                ],
            ),
        }
    }
}

impl Default for ClockTables {
    fn default() -> Self {
        Self::new()
    }
}

/// What happened to one clock.
pub struct ClockRun {
    pub kind: Kind,
    pub line_no: i64,
    pub owed_by: OrgId,
    pub started: i64,
    /// Before this: a fixed deadline (the ASN's lead before the delivery date).
    pub before: Option<Date>,
    /// Paused at (the order waits on the brand).
    pub paused: Option<i64>,
    /// Stopped at (the step was done).
    pub stopped: Option<i64>,
    /// The order was cancelled at: stopped as void.
    pub voided: Option<i64>,
}

/// Writes the clock as it stands at `now`, with the alerts it raised.
pub fn run(
    out: &mut ClockTables,
    rng: &mut impl RngCore,
    cal: &Calendar,
    (tenant, order): (TenantId, OrderId),
    c: &ClockRun,
    now: i64,
) {
    let target = c.kind.default_target();
    let started = match c.before {
        Some(date) => SlaClock::start_until(
            lead_deadline(target, cal, date),
            target.is_business(),
            DEFAULT_WARN_PERCENT,
            cal,
            ts(c.started),
        ),
        None => SlaClock::start(target, DEFAULT_WARN_PERCENT, cal, ts(c.started)),
    };
    let Ok(mut clock) = started else {
        return;
    };
    let end = [c.paused, c.stopped, c.voided, Some(now)]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(now);
    let mut levels: Vec<(&str, i64)> = Vec::new();
    for alarm in clock.due_alarms(ts(end)) {
        levels.push(match alarm {
            crate::domain::sla::timer::Alarm::Warning(at) => ("warning", at.as_millisecond()),
            crate::domain::sla::timer::Alarm::Breach(at) => ("breach", at.as_millisecond()),
        });
    }
    if let Some(at) = c.paused.filter(|p| *p <= now) {
        let _ = clock.pause(cal, ts(at));
    }
    if let Some(at) = c.stopped.filter(|s| *s <= now) {
        let _ = clock.stop(cal, ts(at));
    }
    let id = uuid_at(rng, c.started).to_string();
    let mut row = TimerRow {
        tenant_id: tenant,
        id: id.clone(),
        kind: c.kind.code().into(),
        policy_id: format!("default-{}", c.kind.code()),
        policy_version: 1,
        order_id: order,
        line_no: c.line_no,
        partner_org_id: c.owed_by,
        calendar_id: Some(OFFICE_CALENDAR.into()),
        business: i64::from(clock.business),
        pause_on_brand: i64::from(c.kind.pauses_on_brand_by_default()),
        state: "running".into(),
        started_at: c.started,
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
    if let Some(breach) = row.breached_at {
        let again = breach + AGAIN_AFTER_HOURS * 3_600_000;
        if again <= end {
            levels.push(("escalation", again));
        } else if row.state == "running" {
            row.escalate_at = Some(again);
            row.next_due_at = Some(again);
        }
    }
    let stopped_first = c.stopped.is_some_and(|s| c.voided.is_none_or(|v| s <= v));
    if let Some(at) = c.voided.filter(|v| *v <= now && !stopped_first) {
        row.state = "stopped".into();
        row.stopped_at = Some(at);
        row.outcome = Some("void".into());
        row.late_ms = None;
        (row.next_due_at, row.escalate_at) = (None, None);
    }
    for (level, at) in levels {
        out.alerts.row(vec![
            tenant.to_string().into(),
            uuid_at(rng, at).to_string().into(),
            id.clone().into(),
            level.into(),
            Val::I(at),
            Val::I(at),
        ]);
    }
    out.timers.row(timer_values(row));
}

fn timer_values(r: TimerRow) -> Vec<Val> {
    vec![
        r.tenant_id.to_string().into(),
        r.id.into(),
        r.kind.into(),
        r.policy_id.into(),
        Val::I(r.policy_version),
        r.order_id.to_string().into(),
        Val::I(r.line_no),
        r.partner_org_id.to_string().into(),
        r.calendar_id.into(),
        Val::I(r.business),
        Val::I(r.pause_on_brand),
        r.state.into(),
        Val::I(r.started_at),
        Val::I(r.warn_at),
        Val::I(r.deadline_at),
        r.warned_at.into(),
        r.breached_at.into(),
        r.paused_since.into(),
        r.left_to_warning_ms.into(),
        r.left_to_deadline_ms.into(),
        r.stopped_at.into(),
        r.outcome.into(),
        r.late_ms.into(),
        r.next_due_at.into(),
        r.escalate_at.into(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    const HOUR: i64 = 3_600_000;
    // Monday 2026-11-02 10:00 UTC.
    const MONDAY_10: i64 = 1_793_613_600_000;

    fn one(c: ClockRun, now: i64) -> ClockTables {
        let mut out = ClockTables::new();
        let mut rng = StdRng::seed_from_u64(1);
        let ids = (TenantId::of_brand(OrgId::new()), OrderId::new());
        run(&mut out, &mut rng, &office_calendar(), ids, &c, now);
        out
    }

    fn confirmation(stopped: Option<i64>) -> ClockRun {
        ClockRun {
            kind: Kind::PoConfirmation,
            line_no: 0,
            owed_by: OrgId::new(),
            started: MONDAY_10,
            before: None,
            paused: None,
            stopped,
            voided: None,
        }
    }

    #[test]
    fn a_clock_answered_in_time_stops_met_without_alerts() {
        let out = one(
            confirmation(Some(MONDAY_10 + 2 * HOUR)),
            MONDAY_10 + 100 * HOUR,
        );
        assert_eq!(out.timers.len(), 1);
        assert!(out.alerts.is_empty());
    }

    #[test]
    fn an_unanswered_order_breaches_and_escalates_after_a_day() {
        // 24 business hours from Monday 10:00 end on Thursday 10:00.
        let out = one(confirmation(None), MONDAY_10 + 24 * 5 * HOUR);
        assert_eq!(out.timers.len(), 1);
        assert_eq!(out.alerts.len(), 3, "warning, breach and escalation");
    }

    #[test]
    fn a_clock_at_risk_has_only_its_warning() {
        // Wednesday 17:00: 22 of 24 working hours gone.
        let out = one(confirmation(None), MONDAY_10 + 55 * HOUR);
        assert_eq!(out.alerts.len(), 1);
    }

    #[test]
    fn a_cancelled_order_voids_its_clock() {
        let c = ClockRun {
            voided: Some(MONDAY_10 + HOUR),
            ..confirmation(None)
        };
        let out = one(c, MONDAY_10 + 200 * HOUR);
        assert!(out.alerts.is_empty());
        assert_eq!(out.timers.len(), 1);
    }
}

//! The engine with a moved clock: start → warning → breach, pause and resume, stop in time and
//! late, catching up after downtime.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use super::*;
use crate::domain::sla::hours::WeekHours;

/// Shanghai factory hours: Monday to Friday 09:00-12:00 and 13:00-18:00.
fn factory() -> Calendar {
    let week = WeekHours::weekdays(&[(9 * 60, 12 * 60), (13 * 60, 18 * 60)]);
    Calendar::new(TimeZone::get("Asia/Shanghai").unwrap(), week, [])
}

fn sh(local: &str) -> Timestamp {
    let dt: jiff::civil::DateTime = local.parse().unwrap();
    TimeZone::get("Asia/Shanghai")
        .unwrap()
        .to_ambiguous_timestamp(dt)
        .compatible()
        .unwrap()
}

fn h(n: i64) -> SignedDuration {
    SignedDuration::from_hours(n)
}

/// PO confirmation: 24 business hours, warning at 80 %, issued Monday 10:00.
fn confirmation() -> SlaClock {
    SlaClock::start(
        Target::BusinessHours(24),
        80,
        &factory(),
        sh("2026-11-23T10:00"),
    )
    .unwrap()
}

#[test]
fn a_clock_warns_then_breaches_as_time_moves() {
    let mut clock = confirmation();
    assert_eq!(
        clock.deadline,
        sh("2026-11-26T10:00"),
        "24 working hours: Thursday 10:00"
    );
    // 80 % of 24 h = 19.2 h = 19 h 12 min of work: Wednesday 14:12.
    assert_eq!(clock.warn_at, sh("2026-11-25T14:12"));
    assert_eq!(clock.next_due(), Some(clock.warn_at));

    assert!(clock.due_alarms(sh("2026-11-25T14:11")).is_empty());
    assert_eq!(
        clock.due_alarms(sh("2026-11-25T14:12")),
        vec![Alarm::Warning(sh("2026-11-25T14:12"))]
    );
    assert!(
        clock.due_alarms(sh("2026-11-25T15:00")).is_empty(),
        "raised once"
    );
    assert_eq!(clock.next_due(), Some(clock.deadline));
    assert_eq!(
        clock.due_alarms(sh("2026-11-26T10:00")),
        vec![Alarm::Breach(sh("2026-11-26T10:00"))]
    );
    assert_eq!(clock.next_due(), None, "nothing more to raise");
    assert_eq!(
        clock.time_left(&factory(), sh("2026-11-26T11:30")),
        -SignedDuration::from_mins(90)
    );
}

#[test]
fn after_downtime_the_alarms_carry_the_times_they_really_happened() {
    let mut clock = confirmation();
    // The scheduler was down from Tuesday to the next Monday.
    let alarms = clock.due_alarms(sh("2026-11-30T08:00"));
    assert_eq!(
        alarms,
        vec![
            Alarm::Warning(sh("2026-11-25T14:12")),
            Alarm::Breach(sh("2026-11-26T10:00"))
        ]
    );
    assert_eq!(clock.breached_at, Some(sh("2026-11-26T10:00")));
}

#[test]
fn stopping_in_time_is_met_and_after_the_deadline_is_late_by_working_time() {
    let cal = factory();
    let mut met = confirmation();
    assert_eq!(met.stop(&cal, sh("2026-11-24T16:00")), Ok(Outcome::Met));
    assert_eq!(met.next_due(), None);
    assert_eq!(
        met.stop(&cal, sh("2026-11-24T17:00")),
        Err(ClockError::Stopped)
    );

    let mut late = confirmation();
    late.due_alarms(sh("2026-11-27T09:00"));
    // Thursday 10:00 → Friday 11:00: the rest of Thursday (7 h) and Friday 09:00-11:00 (2 h).
    assert_eq!(
        late.stop(&cal, sh("2026-11-27T11:00")),
        Ok(Outcome::Late(h(9)))
    );
}

#[test]
fn a_pause_keeps_the_time_left_and_moves_the_deadline() {
    let cal = factory();
    let mut clock = confirmation();
    // Paused Monday 16:00 (5 h worked, 19 h left) until Wednesday 09:00.
    clock.pause(&cal, sh("2026-11-23T16:00")).unwrap();
    assert_eq!(clock.next_due(), None);
    assert!(
        clock.due_alarms(sh("2026-11-30T09:00")).is_empty(),
        "no alarms while paused"
    );
    assert_eq!(clock.time_left(&cal, sh("2026-11-24T12:00")), h(19));
    assert_eq!(clock.resume(&cal, sh("2026-11-25T09:00")), Ok(()));
    // 19 h from Wednesday 09:00: Wednesday 8, Thursday 8, Friday 3 → Friday 12:00.
    assert_eq!(clock.deadline, sh("2026-11-27T12:00"));
    // 14.2 h to the warning from the pause: Wednesday 8, Thursday 6 h 12 → Thursday 16:12.
    assert_eq!(clock.warn_at, sh("2026-11-26T16:12"));
    assert_eq!(
        clock.resume(&cal, sh("2026-11-25T10:00")),
        Err(ClockError::NotPaused)
    );
}

#[test]
fn a_clock_stopped_while_paused_keeps_its_outcome() {
    let cal = factory();
    let mut clock = confirmation();
    clock.pause(&cal, sh("2026-11-24T10:00")).unwrap();
    assert_eq!(clock.stop(&cal, sh("2026-12-10T10:00")), Ok(Outcome::Met));

    let mut late = confirmation();
    late.due_alarms(sh("2026-11-26T11:00"));
    late.pause(&cal, sh("2026-11-26T11:00")).unwrap();
    assert_eq!(
        late.stop(&cal, sh("2026-12-10T10:00")),
        Ok(Outcome::Late(h(1)))
    );
}

#[test]
fn calendar_targets_count_every_hour() {
    let cal = factory();
    // First sample within 10 calendar days of confirmation.
    let mut clock =
        SlaClock::start(Target::CalendarDays(10), 80, &cal, sh("2026-11-23T10:00")).unwrap();
    assert_eq!(clock.deadline, sh("2026-12-03T10:00"));
    assert_eq!(
        clock.warn_at,
        sh("2026-12-01T10:00"),
        "8 days in: 80 % of 240 h"
    );
    clock.pause(&cal, sh("2026-11-28T10:00")).unwrap();
    clock.resume(&cal, sh("2026-11-29T10:00")).unwrap();
    assert_eq!(
        clock.deadline,
        sh("2026-12-04T10:00"),
        "a day paused is a day later"
    );
}

#[test]
fn a_calendar_without_working_time_cannot_start_a_business_clock() {
    let closed = Calendar::new(TimeZone::UTC, WeekHours::default(), []);
    assert_eq!(
        SlaClock::start(Target::BusinessHours(4), 80, &closed, Timestamp::UNIX_EPOCH),
        Err(ClockError::NoWorkingTime)
    );
}

#[test]
fn a_lead_target_counts_back_from_the_date_it_must_precede() {
    let cal = factory();
    let eta = sh("2026-11-27T00:00"); // Friday, start of the day
    assert_eq!(
        Target::CalendarHours(48).before(&cal, eta),
        Some(sh("2026-11-25T00:00"))
    );
    assert_eq!(
        Target::CalendarDays(2).before(&cal, eta),
        Some(sh("2026-11-25T00:00"))
    );
    // 8 working hours before Friday 00:00 is Thursday 09:00 (Thursday's 8 hours), to the second.
    let due = Target::BusinessHours(8).before(&cal, eta).unwrap();
    assert!(
        due <= sh("2026-11-26T09:00:00") && sh("2026-11-26T08:59:59") <= due,
        "{due}"
    );
    assert!(Target::BusinessHours(8).deadline(&cal, due).unwrap() <= eta);
}

#[test]
fn a_clock_with_a_fixed_deadline_warns_on_the_way_and_moves_when_the_date_moves() {
    let cal = factory();
    let start = sh("2026-11-23T10:00");
    let mut clock = SlaClock::start_until(sh("2026-11-28T10:00"), false, 80, &cal, start).unwrap();
    assert_eq!(clock.warn_at, sh("2026-11-27T10:00"), "80 % of 5 days");
    // The date moves out by five days: both instants move, counted from the start.
    clock.retarget(sh("2026-12-03T10:00"), 80, &cal).unwrap();
    assert_eq!(clock.deadline, sh("2026-12-03T10:00"));
    assert_eq!(clock.warn_at, sh("2026-12-01T10:00"));
    // A warning raised stays raised; the deadline still moves.
    assert_eq!(clock.due_alarms(sh("2026-12-01T11:00")).len(), 1);
    clock.retarget(sh("2026-12-05T10:00"), 80, &cal).unwrap();
    assert_eq!(clock.warned_at, Some(sh("2026-12-01T10:00")));
    assert_eq!(clock.deadline, sh("2026-12-05T10:00"));

    // Started after its deadline: due at once, and late when stopped.
    let mut late = SlaClock::start_until(start, false, 80, &cal, sh("2026-11-24T10:00")).unwrap();
    assert_eq!(late.next_due(), Some(start));
    assert_eq!(
        late.stop(&cal, sh("2026-11-24T11:00")).unwrap(),
        Outcome::Late(h(25))
    );
}

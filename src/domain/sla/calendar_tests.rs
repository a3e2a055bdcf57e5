//! Table tests over weekends, holidays, DST in both directions and shifts across midnight, and
//! property tests: adding working time then measuring it gives the same duration back.

use jiff::civil::date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

use super::Calendar;
use crate::domain::sla::hours::WeekHours;

fn tz(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap()
}

/// `YYYY-MM-DDTHH:MM` local to `zone` (the first occurrence in a fold).
fn at(zone: &str, local: &str) -> Timestamp {
    let dt: jiff::civil::DateTime = local.parse().unwrap();
    tz(zone).to_ambiguous_timestamp(dt).compatible().unwrap()
}

fn local(cal: &Calendar, ts: Timestamp) -> String {
    ts.to_zoned_datetime(cal.time_zone().clone())
        .strftime("%a %Y-%m-%d %H:%M %Z")
        .to_string()
}

fn hours(h: i64) -> SignedDuration {
    SignedDuration::from_hours(h)
}

/// Shanghai factory: Monday to Friday 09:00-12:00 and 13:00-18:00, 8 hours a day.
fn shanghai(holidays: &[jiff::civil::Date]) -> Calendar {
    let week = WeekHours::weekdays(&[(9 * 60, 12 * 60), (13 * 60, 18 * 60)]);
    Calendar::new(tz("Asia/Shanghai"), week, holidays.iter().copied())
}

/// Every hour of every day, local to `zone`.
fn round_the_clock(zone: &str) -> Calendar {
    let week = WeekHours::parse(&["00:00-24:00"; 7]).unwrap();
    Calendar::new(tz(zone), week, [])
}

#[test]
fn working_hours_skip_lunch_evenings_and_weekends() {
    let cal = shanghai(&[]);
    let sh = |t| at("Asia/Shanghai", t);
    let cases = [
        // from, add, due
        ("2026-11-23T10:00", 24, "Thu 2026-11-26 10:00 CST"),
        ("2026-11-23T11:00", 1, "Mon 2026-11-23 12:00 CST"),
        ("2026-11-23T11:30", 1, "Mon 2026-11-23 13:30 CST"),
        ("2026-11-27T17:00", 2, "Mon 2026-11-30 10:00 CST"),
        ("2026-11-28T15:00", 1, "Mon 2026-11-30 10:00 CST"),
        ("2026-11-23T18:00", 8, "Tue 2026-11-24 18:00 CST"),
    ];
    for (from, h, due) in cases {
        let got = cal.add(sh(from), hours(h)).unwrap();
        assert_eq!(local(&cal, got), due, "{from} + {h} h");
        assert_eq!(
            cal.elapsed(sh(from), got),
            hours(h),
            "{from} + {h} h measured back"
        );
    }
    assert_eq!(
        cal.elapsed(sh("2026-11-27T17:00"), sh("2026-11-30T10:00")),
        hours(2)
    );
    assert!(cal.is_working(sh("2026-11-23T09:00")));
    assert!(!cal.is_working(sh("2026-11-23T12:00")), "lunch");
    assert!(!cal.is_working(sh("2026-11-28T10:00")), "Saturday");
}

#[test]
fn holidays_are_not_working_time() {
    // Golden Week: 1-7 October 2026 (Thursday to Wednesday).
    let golden: Vec<_> = (1..=7).map(|d| date(2026, 10, d)).collect();
    let cal = shanghai(&golden);
    let sh = |t| at("Asia/Shanghai", t);
    let due = cal.add(sh("2026-09-30T17:00"), hours(2)).unwrap();
    assert_eq!(local(&cal, due), "Thu 2026-10-08 10:00 CST");
    assert_eq!(
        cal.elapsed(sh("2026-09-30T00:00"), sh("2026-10-09T00:00")),
        hours(16),
        "30 September and 8 October are the only working days"
    );
    assert!(!cal.is_working(sh("2026-10-05T10:00")));
    assert_eq!(
        local(&cal, cal.next_working(sh("2026-10-01T08:00")).unwrap()),
        "Thu 2026-10-08 09:00 CST"
    );
}

#[test]
fn a_night_shift_runs_across_midnight() {
    let week = WeekHours::parse(&["22:00-06:00"; 7]).unwrap();
    let cal = Calendar::new(tz("Europe/Amsterdam"), week, []);
    let ams = |t| at("Europe/Amsterdam", t);
    let due = cal.add(ams("2026-11-23T23:00"), hours(3)).unwrap();
    assert_eq!(local(&cal, due), "Tue 2026-11-24 02:00 CET");
    let due = cal.add(ams("2026-11-24T05:00"), hours(2)).unwrap();
    assert_eq!(local(&cal, due), "Tue 2026-11-24 23:00 CET");
    assert_eq!(
        cal.elapsed(ams("2026-11-23T12:00"), ams("2026-11-24T12:00")),
        hours(8)
    );
}

#[test]
fn dst_spring_forward_counts_the_hours_that_really_pass() {
    // Amsterdam, Sunday 29 March 2026: 02:00 CET jumps to 03:00 CEST.
    let cal = round_the_clock("Europe/Amsterdam");
    let ams = |t| at("Europe/Amsterdam", t);
    assert_eq!(
        cal.elapsed(ams("2026-03-29T00:00"), ams("2026-03-30T00:00")),
        hours(23),
        "a 23-hour day"
    );
    let due = cal.add(ams("2026-03-28T12:00"), hours(24)).unwrap();
    assert_eq!(local(&cal, due), "Sun 2026-03-29 13:00 CEST");
    let due = cal.add_calendar_days(ams("2026-03-28T12:00"), 1).unwrap();
    assert_eq!(
        local(&cal, due),
        "Sun 2026-03-29 12:00 CEST",
        "a calendar day keeps the wall clock"
    );

    // Hours that start inside the gap begin when the clock resumes.
    let week = WeekHours::parse(&["", "", "", "", "", "", "02:30-04:00"]).unwrap();
    let gap = Calendar::new(tz("Europe/Amsterdam"), week, []);
    assert_eq!(
        gap.elapsed(ams("2026-03-29T00:00"), ams("2026-03-30T00:00")),
        SignedDuration::from_mins(30),
        "02:30 does not exist; work runs 03:30 (after the gap) to 04:00"
    );
}

#[test]
fn dst_fall_back_counts_the_repeated_hour() {
    // Amsterdam, Sunday 25 October 2026: 03:00 CEST falls back to 02:00 CET.
    let cal = round_the_clock("Europe/Amsterdam");
    let ams = |t| at("Europe/Amsterdam", t);
    assert_eq!(
        cal.elapsed(ams("2026-10-25T00:00"), ams("2026-10-26T00:00")),
        hours(25)
    );
    let week = WeekHours::parse(&["", "", "", "", "", "", "01:00-04:00"]).unwrap();
    let shift = Calendar::new(tz("Europe/Amsterdam"), week, []);
    assert_eq!(
        shift.elapsed(ams("2026-10-25T00:00"), ams("2026-10-26T00:00")),
        hours(4),
        "01:00 to 04:00 lasts four hours that night"
    );
    let due = cal.add(ams("2026-10-24T12:00"), hours(24)).unwrap();
    assert_eq!(local(&cal, due), "Sun 2026-10-25 11:00 CET");
}

#[test]
fn office_hours_across_a_dst_weekend_keep_their_wall_clock() {
    // New York, Sunday 8 March 2026: clocks spring forward.
    let week = WeekHours::weekdays(&[(9 * 60, 17 * 60)]);
    let cal = Calendar::new(tz("America/New_York"), week, []);
    let ny = |t| at("America/New_York", t);
    let due = cal.add(ny("2026-03-06T16:00"), hours(2)).unwrap();
    assert_eq!(local(&cal, due), "Mon 2026-03-09 10:00 EDT");
    assert_eq!(due.to_string(), "2026-03-09T14:00:00Z");
}

#[test]
fn working_days_keep_the_point_of_the_day() {
    let cal = shanghai(&[date(2026, 11, 26)]);
    let sh = |t| at("Asia/Shanghai", t);
    let cases = [
        ("2026-11-24T10:30", 2, "Fri 2026-11-27 10:30 CST"), // Thursday is a holiday
        ("2026-11-27T10:30", 1, "Mon 2026-11-30 10:30 CST"),
        ("2026-11-24T19:00", 1, "Fri 2026-11-27 09:00 CST"), // after hours: from Wednesday 09:00
        ("2026-11-28T11:00", 1, "Tue 2026-12-01 09:00 CST"), // Saturday: from Monday 09:00
        ("2026-11-24T10:30", 0, "Tue 2026-11-24 10:30 CST"),
    ];
    for (from, days, due) in cases {
        let got = cal.add_days(sh(from), days).unwrap();
        assert_eq!(local(&cal, got), due, "{from} + {days} day(s)");
    }
    // A shorter target day ends the deadline at its close.
    let week = WeekHours::parse(&["09:00-18:00", "09:00-12:00", "", "", "", "", ""]).unwrap();
    let short = Calendar::new(tz("Asia/Shanghai"), week, []);
    let got = short.add_days(sh("2026-11-23T16:00"), 1).unwrap();
    assert_eq!(local(&short, got), "Tue 2026-11-24 12:00 CST");
}

#[test]
fn a_calendar_without_working_time_has_no_deadline() {
    let cal = Calendar::new(tz("Asia/Shanghai"), WeekHours::default(), []);
    let now = at("Asia/Shanghai", "2026-11-23T10:00");
    assert_eq!(cal.add(now, hours(1)), None);
    assert_eq!(cal.add_days(now, 1), None);
    assert_eq!(cal.add(now, SignedDuration::ZERO), Some(now));
    assert_eq!(cal.elapsed(now, now), SignedDuration::ZERO);
}

fn tricky_week() -> WeekHours {
    WeekHours::parse(&[
        "08:00-12:00, 13:00-17:30",
        "08:00-12:00, 13:00-17:30",
        "08:00-12:00, 13:00-17:30",
        "08:00-12:00, 13:00-17:30",
        "08:00-12:00, 13:00-16:00",
        "",
        "22:00-06:00",
    ])
    .unwrap()
}

fn tricky_holidays() -> [jiff::civil::Date; 4] {
    [
        date(2026, 12, 25),
        date(2026, 12, 26),
        date(2027, 1, 1),
        date(2027, 4, 27),
    ]
}

/// A calendar with everything that makes arithmetic hard: DST, a lunch break, a night shift on
/// Sunday into Monday, and holidays.
fn tricky() -> Calendar {
    Calendar::new(tz("Europe/Amsterdam"), tricky_week(), tricky_holidays())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn adding_then_measuring_gives_the_duration_back(
        // 2026-01-01 .. 2028-01-01, minute resolution; up to ~6 working weeks.
        start in 1_767_225_600i64..1_830_297_600i64,
        minutes in 0i64..15_000,
    ) {
        let cal = tricky();
        let from = Timestamp::from_second(start - start % 60).unwrap();
        let amount = SignedDuration::from_mins(minutes);
        let due = cal.add(from, amount).unwrap();
        prop_assert!(due >= from);
        prop_assert_eq!(cal.elapsed(from, due), amount);
        if minutes > 0 {
            // The deadline is the first instant with that much work done.
            let just_before = due.checked_sub(SignedDuration::from_secs(1)).unwrap();
            prop_assert!(cal.elapsed(from, just_before) < amount);
        }
    }

    #[test]
    fn more_working_time_never_ends_earlier(
        start in 1_767_225_600i64..1_830_297_600i64,
        a in 0i64..10_000,
        b in 0i64..10_000,
    ) {
        let cal = tricky();
        let from = Timestamp::from_second(start).unwrap();
        let (small, large) = (a.min(b), a.max(b));
        let due_small = cal.add(from, SignedDuration::from_mins(small)).unwrap();
        let due_large = cal.add(from, SignedDuration::from_mins(large)).unwrap();
        prop_assert!(due_small <= due_large);
        // Measuring splits: from → small → large adds up.
        prop_assert_eq!(
            cal.elapsed(from, due_small) + cal.elapsed(due_small, due_large),
            cal.elapsed(from, due_large)
        );
    }

    #[test]
    fn long_spans_count_the_same_as_walking_every_interval(
        // Up to two years, in zones whose offset changes (by an hour, and by half an hour on
        // Lord Howe Island) and in round-the-clock calendars that work through every change.
        start in 1_767_225_600i64..1_830_297_600i64,
        minutes in 0i64..1_000_000,
        zone in 0usize..4,
    ) {
        let cal = match zone {
            0 => tricky(),
            1 => round_the_clock("Europe/Berlin"),
            2 => round_the_clock("Australia/Lord_Howe"),
            _ => Calendar::new(tz("America/New_York"), tricky_week(), tricky_holidays()),
        };
        let from = Timestamp::from_second(start).unwrap();
        let to = from.checked_add(SignedDuration::from_mins(minutes)).unwrap();
        prop_assert_eq!(cal.elapsed(from, to), cal.walk(from, to));
    }
}

#[test]
fn a_clock_years_late_counts_every_working_day_of_those_years() {
    // 2026 and 2027 in Shanghai (no DST): 261 + 261 weekdays of 8 hours, less two holidays.
    let cal = shanghai(&[date(2026, 10, 1), date(2027, 10, 1)]);
    let from = at("Asia/Shanghai", "2026-01-01T00:00");
    let to = at("Asia/Shanghai", "2028-01-01T00:00");
    assert_eq!(cal.elapsed(from, to), hours(8 * (261 + 261 - 2)));
}

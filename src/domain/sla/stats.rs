//! Scorecard arithmetic: on-time rate, median and 90th percentile of the time a step took, and
//! met/late counts per week for the chart. Pure; the caller measures each clock's time.

use jiff::civil::Date;
use jiff::{SignedDuration, ToSpan};

/// One finished clock: when it stopped (local week bucketing uses the date) and how long the
/// step took, and whether it was late.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Finished {
    pub stopped_on: Date,
    pub took: SignedDuration,
    pub late: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Score {
    pub total: usize,
    pub late: usize,
    pub median: SignedDuration,
    pub p90: SignedDuration,
}

impl Score {
    /// The share on time in whole percent (100 when nothing finished).
    pub fn on_time_percent(&self) -> u32 {
        if self.total == 0 {
            return 100;
        }
        (((self.total - self.late) * 100 + self.total / 2) / self.total) as u32
    }
}

/// Nearest-rank percentile (`p` in 1..=100) of sorted values.
fn percentile(sorted: &[SignedDuration], p: usize) -> SignedDuration {
    if sorted.is_empty() {
        return SignedDuration::ZERO;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted[rank - 1]
}

pub fn score(items: &[Finished]) -> Score {
    let mut took: Vec<SignedDuration> = items.iter().map(|f| f.took).collect();
    took.sort_unstable();
    Score {
        total: items.len(),
        late: items.iter().filter(|f| f.late).count(),
        median: percentile(&took, 50),
        p90: percentile(&took, 90),
    }
}

/// Met and late per week (weeks start on Monday), every week from `from` to `to` listed.
pub fn weekly(items: &[Finished], from: Date, to: Date) -> Vec<(Date, usize, usize)> {
    let monday = |d: Date| {
        d.checked_sub((d.weekday().to_monday_zero_offset() as i64).days())
            .unwrap_or(d)
    };
    let mut weeks = Vec::new();
    let mut week = monday(from);
    while week <= to && weeks.len() < 260 {
        weeks.push((week, 0, 0));
        week = week.checked_add(7.days()).unwrap_or(Date::MAX);
    }
    for f in items {
        let w = monday(f.stopped_on);
        if let Some(slot) = weeks.iter_mut().find(|(d, _, _)| *d == w) {
            if f.late {
                slot.2 += 1;
            } else {
                slot.1 += 1;
            }
        }
    }
    weeks
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn f(day: i8, hours: i64, late: bool) -> Finished {
        Finished {
            stopped_on: date(2026, 11, day),
            took: SignedDuration::from_hours(hours),
            late,
        }
    }

    #[test]
    fn on_time_rate_median_and_90th_percentile() {
        let items: Vec<_> = (1..=10).map(|h| f(2, h, h > 8)).collect();
        let s = score(&items);
        assert_eq!((s.total, s.late), (10, 2));
        assert_eq!(s.on_time_percent(), 80);
        assert_eq!(s.median, SignedDuration::from_hours(5));
        assert_eq!(s.p90, SignedDuration::from_hours(9));
        assert_eq!(score(&[]).on_time_percent(), 100);
        assert_eq!(score(&[f(2, 3, true)]).p90, SignedDuration::from_hours(3));
    }

    #[test]
    fn weeks_start_on_monday_and_empty_weeks_are_listed() {
        // 2 Nov 2026 is a Monday.
        let items = [f(3, 1, false), f(8, 1, true), f(17, 1, false)];
        let weeks = weekly(&items, date(2026, 11, 4), date(2026, 11, 20));
        assert_eq!(
            weeks,
            vec![
                (date(2026, 11, 2), 1, 1),
                (date(2026, 11, 9), 0, 0),
                (date(2026, 11, 16), 1, 0),
            ]
        );
    }
}

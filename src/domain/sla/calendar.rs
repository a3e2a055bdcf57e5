//! Business-time arithmetic on a working calendar: a time zone, working hours per weekday and
//! holidays. Everything is computed on real instants, so a working interval that a DST change
//! shortens (spring) or lengthens (autumn) counts the hours that really pass; `jiff` owns every
//! time-zone rule.

use std::collections::BTreeSet;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};

use super::hours::{MINUTES_PER_DAY, WeekHours};

/// How far ahead a deadline is looked for before the calendar counts as having no working time
/// (e.g. every day a holiday).
const SEARCH_DAYS: i32 = 3 * 366;

#[derive(Debug, Clone)]
pub struct Calendar {
    tz: TimeZone,
    week: WeekHours,
    holidays: BTreeSet<Date>,
}

impl Calendar {
    pub fn new(tz: TimeZone, week: WeekHours, holidays: impl IntoIterator<Item = Date>) -> Self {
        Calendar {
            tz,
            week,
            holidays: holidays.into_iter().collect(),
        }
    }

    /// Round-the-clock time in UTC: business time is calendar time.
    pub fn always() -> Self {
        let mut week = WeekHours::default();
        for day in week.days.iter_mut() {
            *day = vec![(0, MINUTES_PER_DAY)];
        }
        Calendar::new(TimeZone::UTC, week, [])
    }

    pub fn time_zone(&self) -> &TimeZone {
        &self.tz
    }

    fn local_date(&self, at: Timestamp) -> Date {
        at.to_zoned_datetime(self.tz.clone()).date()
    }

    /// The instant a local wall-clock minute of `date` names. A minute skipped by a DST gap
    /// becomes the instant just after the gap; a repeated one its first occurrence.
    fn instant(&self, date: Date, minute: u16) -> Option<Timestamp> {
        let (date, minute) = if minute >= MINUTES_PER_DAY {
            (date.tomorrow().ok()?, 0)
        } else {
            (date, minute)
        };
        let dt = date.at((minute / 60) as i8, (minute % 60) as i8, 0, 0);
        self.tz.to_ambiguous_timestamp(dt).compatible().ok()
    }

    /// The working intervals of one local date as instants, in order (none on a holiday).
    fn intervals_on(&self, date: Date) -> Vec<(Timestamp, Timestamp)> {
        if self.holidays.contains(&date) {
            return Vec::new();
        }
        let weekday = date.weekday().to_monday_zero_offset() as usize;
        self.week.days[weekday]
            .iter()
            .filter_map(|&(s, e)| Some((self.instant(date, s)?, self.instant(date, e)?)))
            .filter(|(s, e)| s < e)
            .collect()
    }

    /// Working intervals that end after `from`, clipped to start no earlier than it, in order.
    fn intervals_from(&self, from: Timestamp) -> impl Iterator<Item = (Timestamp, Timestamp)> + '_ {
        // The day before too: a DST fold can put its last minutes after `from`'s local midnight.
        let first = self.local_date(from).yesterday().unwrap_or(Date::MIN);
        (0..SEARCH_DAYS)
            .map_while(move |n| first.checked_add(n.days()).ok())
            .flat_map(|date| self.intervals_on(date))
            .filter(move |(_, e)| *e > from)
            .map(move |(s, e)| (s.max(from), e))
    }

    /// Whether `at` falls in working time.
    pub fn is_working(&self, at: Timestamp) -> bool {
        // Intervals come clipped to start at `at`; one that contains it starts exactly there.
        self.intervals_from(at).next().is_some_and(|(s, _)| s == at)
    }

    /// The first working instant at or after `from` (None if the calendar never works).
    pub fn next_working(&self, from: Timestamp) -> Option<Timestamp> {
        self.intervals_from(from).next().map(|(s, _)| s)
    }

    /// The instant `amount` of working time after `from`. Time outside working hours does not
    /// count, so a deadline never lands outside them (it may land exactly at an interval's end).
    pub fn add(&self, from: Timestamp, amount: SignedDuration) -> Option<Timestamp> {
        if amount <= SignedDuration::ZERO {
            return Some(from);
        }
        let mut left = amount;
        for (s, e) in self.intervals_from(from) {
            let here = e.duration_since(s);
            if here >= left {
                return s.checked_add(left).ok();
            }
            left -= here;
        }
        None
    }

    /// Working time between two instants (zero when `to` is not after `from`). The whole days
    /// in between are counted from the weekly hours rather than walked one by one, so a clock
    /// months late costs no more than one a day late (the ops board shows many of those).
    pub fn elapsed(&self, from: Timestamp, to: Timestamp) -> SignedDuration {
        if to <= from {
            return SignedDuration::ZERO;
        }
        // Two dates of margin on each side keep DST folds near `from` and `to` to the walk.
        let first_whole = self.local_date(from).checked_add(2.days()).ok();
        let end_whole = self.local_date(to).checked_sub(1.days()).ok();
        if let (Some(a), Some(b)) = (first_whole, end_whole)
            && a < b
            && let (Some(head_end), Some(tail_start)) = (self.instant(a, 0), self.instant(b, 0))
        {
            return self.walk(from, head_end)
                + self.whole_days(a, b, head_end, tail_start)
                + self.walk(tail_start, to);
        }
        self.walk(from, to)
    }

    /// Working time on the dates `[first, end)`, which begin at `start` and end at `stop`: whole
    /// weeks by the weekly hours, less the holidays, corrected exactly around each change of
    /// the zone's UTC offset (the only days whose hours differ from the wall clock's).
    fn whole_days(
        &self,
        first: Date,
        end: Date,
        start: Timestamp,
        stop: Timestamp,
    ) -> SignedDuration {
        let nominal = |date: Date| {
            let weekday = date.weekday().to_monday_zero_offset() as usize;
            let minutes: i64 = self.week.days[weekday]
                .iter()
                .map(|&(s, e)| i64::from(e - s))
                .sum();
            SignedDuration::from_mins(minutes)
        };
        let days = (end - first).get_days();
        let week: SignedDuration = (0..7)
            .filter_map(|n| first.checked_add(n.days()).ok())
            .map(nominal)
            .sum();
        let mut total = week * (days / 7);
        for n in (days - days % 7)..days {
            total += first.checked_add(n.days()).map(nominal).unwrap_or_default();
        }
        for holiday in self.holidays.range(first..end) {
            total -= nominal(*holiday);
        }
        let mut shifted = BTreeSet::new();
        for transition in self
            .tz
            .following(start)
            .take_while(|t| t.timestamp() < stop)
        {
            let date = self.local_date(transition.timestamp());
            shifted.extend(
                [date.yesterday().ok(), Some(date), date.tomorrow().ok()]
                    .into_iter()
                    .flatten(),
            );
        }
        for date in shifted.range(first..end) {
            if !self.holidays.contains(date) {
                let exact: SignedDuration = self
                    .intervals_on(*date)
                    .iter()
                    .map(|(s, e)| e.duration_since(*s))
                    .sum();
                total += exact - nominal(*date);
            }
        }
        total
    }

    /// Working time between two instants, interval by interval.
    fn walk(&self, from: Timestamp, to: Timestamp) -> SignedDuration {
        let mut total = SignedDuration::ZERO;
        if to <= from {
            return total;
        }
        for (s, e) in self.intervals_from(from) {
            if s >= to {
                break;
            }
            total += e.min(to).duration_since(s);
        }
        total
    }

    /// `days` working days after `from`: the same point of the working day, that many working
    /// days later (a request at 10:30 on Tuesday with two days is due 10:30 on Thursday). Work
    /// counts from the next working instant, so a request after hours starts the next morning;
    /// on a shorter target day the deadline is that day's close.
    pub fn add_days(&self, from: Timestamp, days: u32) -> Option<Timestamp> {
        let start = self.next_working(from)?;
        if days == 0 {
            return Some(start);
        }
        let first_day = self.local_date(start);
        let into_day = self.elapsed(self.day_open(first_day)?, start);
        let mut date = first_day;
        let mut counted = 0;
        for _ in 0..SEARCH_DAYS {
            date = date.tomorrow().ok()?;
            if !self.intervals_on(date).is_empty() {
                counted += 1;
                if counted == days {
                    let close = self.intervals_on(date).last()?.1;
                    let due = self.add(self.day_open(date)?, into_day)?;
                    return Some(due.min(close));
                }
            }
        }
        None
    }

    /// When a working date's first interval opens.
    fn day_open(&self, date: Date) -> Option<Timestamp> {
        self.intervals_on(date).first().map(|(s, _)| *s)
    }

    /// `days` calendar days after `from` in the calendar's zone (same wall-clock time; a day
    /// across a DST change is 23 or 25 hours long).
    pub fn add_calendar_days(&self, from: Timestamp, days: u32) -> Option<Timestamp> {
        from.to_zoned_datetime(self.tz.clone())
            .checked_add((days as i64).days())
            .ok()
            .map(|z| z.timestamp())
    }
}

#[cfg(test)]
#[path = "calendar_tests.rs"]
mod tests;

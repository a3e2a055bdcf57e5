//! Working hours as people write them ("09:00-12:00, 13:00-18:00"; a night shift "22:00-06:00"),
//! turned into minute intervals per weekday. A shift across midnight is split: the part after
//! midnight belongs to the next weekday (and to that day's holidays).

use std::fmt::Write as _;

/// Minutes since local midnight, `[start, end)`, with `end` at most 1440 (24:00).
pub type Span = (u16, u16);

pub const MINUTES_PER_DAY: u16 = 24 * 60;

/// Monday first, as `jiff`'s `to_monday_zero_offset` counts.
pub const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HoursError {
    #[error("write hours as HH:MM-HH:MM, separated by commas")]
    Format,
    #[error("an interval starts and ends at the same time")]
    Empty,
    #[error("intervals overlap")]
    Overlap,
}

impl HoursError {
    pub fn message_key(self) -> &'static str {
        match self {
            HoursError::Format => "calendar.refused.hours_format",
            HoursError::Empty => "calendar.refused.hours_empty",
            HoursError::Overlap => "calendar.refused.hours_overlap",
        }
    }
}

/// The working intervals of each weekday, Monday first, sorted and disjoint.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WeekHours {
    pub days: [Vec<Span>; 7],
}

impl WeekHours {
    /// Builds the week from what was typed per weekday (Monday first; blank means closed).
    /// Errors name the weekday (0 = Monday) whose text is wrong.
    pub fn parse(texts: &[&str; 7]) -> Result<WeekHours, (usize, HoursError)> {
        let mut days: [Vec<Span>; 7] = Default::default();
        for (day, text) in texts.iter().enumerate() {
            for (start, end) in parse_day(text).map_err(|e| (day, e))? {
                if start < end {
                    days[day].push((start, end));
                } else {
                    // Across midnight: the evening part today, the morning part tomorrow.
                    days[day].push((start, MINUTES_PER_DAY));
                    if end > 0 {
                        days[(day + 1) % 7].push((0, end));
                    }
                }
            }
        }
        for (day, spans) in days.iter_mut().enumerate() {
            spans.sort_unstable();
            if spans.windows(2).any(|w| w[0].1 > w[1].0) {
                return Err((day, HoursError::Overlap));
            }
        }
        Ok(WeekHours { days })
    }

    /// The common office week: Monday to Friday with the given hours.
    pub fn weekdays(spans: &[Span]) -> WeekHours {
        let mut days: [Vec<Span>; 7] = Default::default();
        for day in days.iter_mut().take(5) {
            *day = spans.to_vec();
        }
        WeekHours { days }
    }

    pub fn is_closed_all_week(&self) -> bool {
        self.days.iter().all(Vec::is_empty)
    }

    /// One weekday's hours as the form shows them ("09:00-12:00, 13:00-18:00").
    pub fn day_text(&self, day: usize) -> String {
        let mut out = String::new();
        for (i, (start, end)) in self.days[day].iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            let _ = write!(out, "{}-{}", clock(*start), clock(*end));
        }
        out
    }
}

fn clock(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// One weekday's text: comma-separated `HH:MM-HH:MM`; `24:00` may end an interval.
fn parse_day(text: &str) -> Result<Vec<Span>, HoursError> {
    let mut spans = Vec::new();
    for part in text
        .split([',', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let (start, end) = part.split_once('-').ok_or(HoursError::Format)?;
        let (start, end) = (parse_clock(start)?, parse_clock(end)?);
        if start == end || start == MINUTES_PER_DAY {
            return Err(HoursError::Empty);
        }
        spans.push((start, end));
    }
    Ok(spans)
}

fn parse_clock(text: &str) -> Result<u16, HoursError> {
    let text = text.trim();
    let (h, m) = text.split_once(':').unwrap_or((text, "00"));
    let digits = |s: &str| !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(h) || !digits(m) {
        return Err(HoursError::Format);
    }
    let (h, m): (u16, u16) = (h.parse().unwrap_or(99), m.parse().unwrap_or(99));
    match (h, m) {
        (24, 0) => Ok(MINUTES_PER_DAY),
        (0..=23, 0..=59) => Ok(h * 60 + m),
        _ => Err(HoursError::Format),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn week(mon: &str) -> Result<WeekHours, (usize, HoursError)> {
        WeekHours::parse(&[mon, "", "", "", "", "", ""])
    }

    #[test]
    fn hours_are_read_as_people_write_them() {
        let w = week("09:00-12:00, 13:00-18:00").unwrap();
        assert_eq!(w.days[0], vec![(540, 720), (780, 1080)]);
        assert_eq!(w.day_text(0), "09:00-12:00, 13:00-18:00");
        assert_eq!(week("8-17").unwrap().days[0], vec![(480, 1020)]);
        assert_eq!(week("00:00-24:00").unwrap().days[0], vec![(0, 1440)]);
        assert!(week("").unwrap().is_closed_all_week());
    }

    #[test]
    fn a_night_shift_continues_into_the_next_day() {
        let w = WeekHours::parse(&["", "", "", "", "", "", "22:00-06:00"]).unwrap();
        assert_eq!(w.days[6], vec![(1320, 1440)], "Sunday evening");
        assert_eq!(w.days[0], vec![(0, 360)], "Monday morning");
    }

    #[test]
    fn unreadable_empty_and_overlapping_hours_are_refused() {
        assert_eq!(week("nine to five"), Err((0, HoursError::Format)));
        assert_eq!(week("09:00-25:00"), Err((0, HoursError::Format)));
        assert_eq!(week("09:60-10:00"), Err((0, HoursError::Format)));
        assert_eq!(week("09:00-09:00"), Err((0, HoursError::Empty)));
        assert_eq!(
            week("09:00-12:00, 11:00-13:00"),
            Err((0, HoursError::Overlap))
        );
        assert_eq!(
            WeekHours::parse(&["", "", "", "", "", "", "20:00-08:00"]).map(|_| ()),
            Ok(()),
            "Sunday night into Monday"
        );
        assert_eq!(
            WeekHours::parse(&["07:00-12:00", "", "", "", "", "", "20:00-08:00"]),
            Err((0, HoursError::Overlap)),
            "Sunday's night shift runs into Monday's morning"
        );
    }
}

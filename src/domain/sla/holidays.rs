//! Holidays from a file: a CSV of `date,name` rows or an iCalendar file of all-day events (a
//! multi-day event gives each of its days). Problems are reported by row; nothing is half-read.

use jiff::ToSpan;
use jiff::civil::Date;

/// The most holidays one import may bring (a few years of a country's calendar).
pub const MAX_HOLIDAYS: usize = 1000;
const MAX_NAME: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    pub day: Date,
    pub name: String,
}

/// A problem with one row (1-based; 0 for the file as a whole) and its message key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    pub row: usize,
    pub key: &'static str,
}

pub fn parse_date(text: &str) -> Option<Date> {
    let text = text.trim();
    if text.len() != 10 {
        return None;
    }
    text.parse().ok()
}

pub fn clean_name(text: &str) -> Result<String, &'static str> {
    let name = text.trim();
    if name.chars().count() > MAX_NAME || name.contains(['\n', '\r']) {
        return Err("validation.text_too_long");
    }
    Ok(name.to_owned())
}

/// Reads either kind of file, told apart by its content.
pub fn parse_file(bytes: &[u8]) -> Result<Vec<Holiday>, Vec<RowProblem>> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err(vec![RowProblem {
            row: 0,
            key: "calendar.refused.file_encoding",
        }]);
    };
    let text = text.trim_start_matches('\u{feff}');
    let holidays = if text.trim_start().starts_with("BEGIN:VCALENDAR") {
        parse_ics(text)?
    } else {
        parse_csv(text)?
    };
    if holidays.is_empty() {
        return Err(vec![RowProblem {
            row: 0,
            key: "calendar.refused.file_empty",
        }]);
    }
    if holidays.len() > MAX_HOLIDAYS {
        return Err(vec![RowProblem {
            row: 0,
            key: "calendar.refused.file_too_many",
        }]);
    }
    Ok(holidays)
}

fn parse_csv(text: &str) -> Result<Vec<Holiday>, Vec<RowProblem>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let row = i + 1;
        let Ok(record) = record else {
            problems.push(RowProblem {
                row,
                key: "calendar.refused.file_format",
            });
            continue;
        };
        let first = record.get(0).unwrap_or_default();
        // A header row ("date,name") is allowed.
        if row == 1 && first.eq_ignore_ascii_case("date") {
            continue;
        }
        if record.iter().all(str::is_empty) {
            continue;
        }
        let Some(day) = parse_date(first) else {
            problems.push(RowProblem {
                row,
                key: "validation.date",
            });
            continue;
        };
        match clean_name(record.get(1).unwrap_or_default()) {
            Ok(name) => out.push(Holiday { day, name }),
            Err(key) => problems.push(RowProblem { row, key }),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

fn parse_ics(text: &str) -> Result<Vec<Holiday>, Vec<RowProblem>> {
    use icalendar::{Component, DatePerhapsTime};
    let calendar: icalendar::Calendar = text.parse().map_err(|_| {
        vec![RowProblem {
            row: 0,
            key: "calendar.refused.file_format",
        }]
    })?;
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (i, event) in calendar.events().enumerate() {
        let row = i + 1;
        let date_of = |d: Option<DatePerhapsTime>| match d {
            Some(DatePerhapsTime::Date(d)) => parse_date(&d.format("%Y-%m-%d").to_string()),
            _ => None,
        };
        let Some(start) = date_of(event.get_start()) else {
            problems.push(RowProblem {
                row,
                key: "calendar.refused.not_all_day",
            });
            continue;
        };
        // DTEND of an all-day event is the day after its last day; without it, one day.
        let end = date_of(event.get_end()).unwrap_or_else(|| start.tomorrow().unwrap_or(start));
        let name = clean_name(event.get_summary().unwrap_or_default()).unwrap_or_default();
        let mut day = start;
        while day < end && out.len() <= MAX_HOLIDAYS {
            out.push(Holiday {
                day,
                name: name.clone(),
            });
            day = day.checked_add(1.day()).unwrap_or(end);
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn a_csv_of_dates_and_names_is_read_with_or_without_a_header() {
        let got =
            parse_file(b"date,name\n2026-10-01,National Day\n2026-10-02, Golden Week\n\n").unwrap();
        assert_eq!(
            got,
            vec![
                Holiday {
                    day: date(2026, 10, 1),
                    name: "National Day".into()
                },
                Holiday {
                    day: date(2026, 10, 2),
                    name: "Golden Week".into()
                },
            ]
        );
        assert_eq!(parse_file(b"2026-12-25").unwrap()[0].name, "");
    }

    #[test]
    fn bad_rows_are_named_and_nothing_is_taken() {
        let problems = parse_file(b"2026-10-01,ok\n01/10/2026,bad\n2026-02-30,bad\n").unwrap_err();
        assert_eq!(
            problems,
            vec![
                RowProblem {
                    row: 2,
                    key: "validation.date"
                },
                RowProblem {
                    row: 3,
                    key: "validation.date"
                }
            ]
        );
        assert_eq!(
            parse_file(b"").unwrap_err()[0].key,
            "calendar.refused.file_empty"
        );
        assert_eq!(
            parse_file(&[0xff, 0xfe, 0x00]).unwrap_err()[0].key,
            "calendar.refused.file_encoding"
        );
    }

    #[test]
    fn an_icalendar_file_gives_every_day_of_its_all_day_events() {
        let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n\
            BEGIN:VEVENT\r\nUID:1\r\nDTSTART;VALUE=DATE:20261001\r\nDTEND;VALUE=DATE:20261004\r\n\
            SUMMARY:National Day\r\nEND:VEVENT\r\n\
            BEGIN:VEVENT\r\nUID:2\r\nDTSTART;VALUE=DATE:20261225\r\nSUMMARY:Christ\r\n mas\r\nEND:VEVENT\r\n\
            END:VCALENDAR\r\n";
        let got = parse_file(ics.as_bytes()).unwrap();
        let days: Vec<_> = got.iter().map(|h| h.day.to_string()).collect();
        assert_eq!(
            days,
            ["2026-10-01", "2026-10-02", "2026-10-03", "2026-12-25"]
        );
        assert_eq!(got[3].name, "Christmas", "folded lines are joined");

        let timed = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:3\r\n\
            DTSTART:20261001T090000Z\r\nSUMMARY:Meeting\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        assert_eq!(
            parse_file(timed.as_bytes()).unwrap_err(),
            vec![RowProblem {
                row: 1,
                key: "calendar.refused.not_all_day"
            }]
        );
    }
}

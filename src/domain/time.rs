//! Time as Portico stores it: UTC milliseconds since the Unix epoch.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UtcMillis(pub i64);

impl UtcMillis {
    pub fn now() -> Self {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        Self(now)
    }

    pub fn plus_secs(self, secs: i64) -> Self {
        Self(self.0 + secs * 1000)
    }

    /// Whole seconds from `self` until `later`, rounded up, never negative.
    pub fn secs_until(self, later: UtcMillis) -> i64 {
        ((later.0 - self.0).max(0) + 999) / 1000
    }

    /// RFC 3339 with milliseconds, in UTC: the form other systems read.
    pub fn rfc3339(self) -> String {
        ::time::OffsetDateTime::from_unix_timestamp_nanos(self.0 as i128 * 1_000_000)
            .ok()
            .and_then(|t| {
                t.format(&::time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_default()
    }

    pub fn parse_rfc3339(text: &str) -> Option<Self> {
        let t =
            ::time::OffsetDateTime::parse(text, &::time::format_description::well_known::Rfc3339)
                .ok()?;
        Some(UtcMillis((t.unix_timestamp_nanos() / 1_000_000) as i64))
    }

    /// `YYYY-MM-DD HH:MM UTC`, the one format pages show until users get time zones.
    pub fn display_utc(self) -> String {
        match ::time::OffsetDateTime::from_unix_timestamp_nanos(self.0 as i128 * 1_000_000) {
            Ok(t) => format!(
                "{:04}-{:02}-{:02} {:02}:{:02} UTC",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute()
            ),
            Err(_) => "—".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_utc_to_the_minute() {
        assert_eq!(UtcMillis(0).display_utc(), "1970-01-01 00:00 UTC");
        assert_eq!(
            UtcMillis(1_795_000_000_000).display_utc(),
            "2026-11-18 11:06 UTC"
        );
    }

    #[test]
    fn rfc3339_round_trips_to_the_millisecond() {
        let t = UtcMillis(1_795_000_000_123);
        assert_eq!(t.rfc3339(), "2026-11-18T11:06:40.123Z");
        assert_eq!(UtcMillis::parse_rfc3339(&t.rfc3339()), Some(t));
        assert_eq!(
            UtcMillis::parse_rfc3339("2026-11-18T19:06:40.123+08:00"),
            Some(t)
        );
        assert_eq!(UtcMillis::parse_rfc3339("yesterday"), None);
    }

    #[test]
    fn seconds_until_round_up_and_never_go_negative() {
        assert_eq!(UtcMillis(0).secs_until(UtcMillis(1)), 1);
        assert_eq!(UtcMillis(5000).secs_until(UtcMillis(0)), 0);
    }
}

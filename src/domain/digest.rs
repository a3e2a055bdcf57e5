//! E-mail delivery preferences and when a daily digest goes out: at a fixed local hour in the
//! user's own time zone, so a supplier in Shanghai and a buyer in Rotterdam both read theirs with
//! the morning's first coffee.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::time::UtcMillis;

/// Local hour at which the daily digest is sent.
pub const DIGEST_HOUR: i8 = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// One e-mail per notification, right after it happens.
    Immediate,
    /// One e-mail a day listing everything since the last one.
    Daily,
    /// In-app notifications only.
    Off,
}

impl Delivery {
    pub const ALL: [Delivery; 3] = [Delivery::Immediate, Delivery::Daily, Delivery::Off];

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Immediate => "immediate",
            Delivery::Daily => "daily",
            Delivery::Off => "off",
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Delivery::Immediate => "account.delivery.immediate",
            Delivery::Daily => "account.delivery.daily",
            Delivery::Off => "account.delivery.off",
        }
    }
}

/// The first digest hour strictly after `now` in `zone` (an IANA name; an unknown name falls
/// back to UTC). On a day whose digest hour does not exist (a DST gap) it is sent at the first
/// instant after the gap.
pub fn next_digest_at(now: UtcMillis, zone: &str) -> UtcMillis {
    let tz = TimeZone::get(zone).unwrap_or(TimeZone::UTC);
    let now_ts = Timestamp::from_millisecond(now.0).unwrap_or(Timestamp::UNIX_EPOCH);
    let today = now_ts.to_zoned_datetime(tz.clone()).date();
    let mut day = today;
    loop {
        let local = day.at(DIGEST_HOUR, 0, 0, 0);
        if let Ok(at) = tz.to_ambiguous_timestamp(local).compatible() {
            let ms = at.as_millisecond();
            if ms > now.0 {
                return UtcMillis(ms);
            }
        }
        match day.tomorrow() {
            Ok(next) => day = next,
            Err(_) => return UtcMillis(now.0 + 86_400_000),
        }
    }
}

/// Whether `zone` names a time zone the digest can be scheduled in.
pub fn is_known_zone(zone: &str) -> bool {
    !zone.is_empty() && TimeZone::get(zone).is_ok()
}

/// Every IANA time zone name known to the bundled database, sorted (for pickers).
pub fn zone_names() -> &'static [String] {
    static NAMES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names: Vec<String> = jiff::tz::db()
            .available()
            .map(|name| name.as_str().to_owned())
            .filter(|name| name.contains('/') || name == "UTC")
            .collect();
        names.sort();
        names.dedup();
        names
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> UtcMillis {
        UtcMillis(text.parse::<Timestamp>().unwrap().as_millisecond())
    }

    #[test]
    fn digest_goes_out_at_eight_local_time_the_same_day_or_the_next() {
        // 23:30 UTC is 07:30 the next morning in Shanghai: half an hour to go.
        assert_eq!(
            next_digest_at(at("2026-11-24T23:30:00Z"), "Asia/Shanghai"),
            at("2026-11-25T00:00:00Z")
        );
        // Exactly at the hour: the next one is a day later.
        assert_eq!(
            next_digest_at(at("2026-11-25T00:00:00Z"), "Asia/Shanghai"),
            at("2026-11-26T00:00:00Z")
        );
        assert_eq!(
            next_digest_at(at("2026-11-25T09:00:00Z"), "UTC"),
            at("2026-11-26T08:00:00Z")
        );
    }

    #[test]
    fn digest_hour_follows_daylight_saving_changes() {
        // Amsterdam: 08:00 is 07:00 UTC in winter and 06:00 UTC in summer. DST starts on
        // 2026-03-29, so the digest after Saturday's comes an hour earlier in UTC.
        assert_eq!(
            next_digest_at(at("2026-03-28T07:00:00Z"), "Europe/Amsterdam"),
            at("2026-03-29T06:00:00Z")
        );
        assert_eq!(
            next_digest_at(at("2026-10-24T06:00:00Z"), "Europe/Amsterdam"),
            at("2026-10-25T07:00:00Z")
        );
    }

    #[test]
    fn unknown_zones_are_refused_and_fall_back_to_utc() {
        assert!(is_known_zone("Asia/Shanghai"));
        assert!(!is_known_zone("Mars/Olympus"));
        assert!(!is_known_zone(""));
        assert!(zone_names().iter().any(|z| z == "Asia/Shanghai"));
        assert!(zone_names().iter().all(|z| is_known_zone(z)));
        assert_eq!(
            next_digest_at(at("2026-11-25T09:00:00Z"), "Mars/Olympus"),
            at("2026-11-26T08:00:00Z")
        );
    }

    #[test]
    fn delivery_round_trips_through_its_stored_form() {
        for d in Delivery::ALL {
            assert_eq!(Delivery::parse(d.as_str()), Some(d));
        }
        assert_eq!(Delivery::parse("weekly"), None);
    }
}

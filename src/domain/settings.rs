//! A brand's settings and the rules for what they may be.

/// The most over-shipment a brand may allow, in percent of a line's quantity.
pub const MAX_SHIP_TOLERANCE_PCT: i64 = 50;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BrandSettings {
    /// Production milestones wait for an approved first sample.
    pub production_requires_sample: bool,
    /// How far beyond a line's quantity shipments may go, in percent (0: not at all).
    pub ship_tolerance_pct: i64,
}

impl Default for BrandSettings {
    /// A brand that has never saved its settings: samples gate production, no over-shipment.
    fn default() -> Self {
        BrandSettings {
            production_requires_sample: true,
            ship_tolerance_pct: 0,
        }
    }
}

/// Reads the tolerance as typed: a whole number of percent from 0 to the maximum.
pub fn parse_ship_tolerance(text: &str) -> Result<i64, &'static str> {
    match text.trim().parse::<i64>() {
        Ok(pct) if (0..=MAX_SHIP_TOLERANCE_PCT).contains(&pct) => Ok(pct),
        _ => Err("settings.ship_tolerance_invalid"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerance_is_a_whole_percentage_within_bounds() {
        assert_eq!(parse_ship_tolerance(" 5 "), Ok(5));
        assert_eq!(parse_ship_tolerance("0"), Ok(0));
        assert_eq!(parse_ship_tolerance("50"), Ok(50));
        for bad in ["", "-1", "51", "2.5", "five"] {
            assert!(parse_ship_tolerance(bad).is_err(), "{bad}");
        }
    }
}

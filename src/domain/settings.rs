//! A brand's settings and the rules for what they may be.

/// The most over-shipment a brand may allow, in percent of a line's quantity.
pub const MAX_SHIP_TOLERANCE_PCT: i64 = 50;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BrandSettings {
    /// Production milestones wait for an approved first sample.
    pub production_requires_sample: bool,
    /// How far beyond a line's quantity shipments may go, in percent (0: not at all).
    pub ship_tolerance_pct: i64,
    /// Accepting an invoice above this many whole units of its currency takes a second finance
    /// user (None: one is enough).
    pub invoice_second_acceptance_above: Option<i64>,
}

impl Default for BrandSettings {
    /// A brand that has never saved its settings: samples gate production, no over-shipment.
    fn default() -> Self {
        BrandSettings {
            production_requires_sample: true,
            ship_tolerance_pct: 0,
            invoice_second_acceptance_above: None,
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

/// Reads the maker-checker threshold as typed: blank for none, else whole units above zero.
pub fn parse_acceptance_threshold(text: &str) -> Result<Option<i64>, &'static str> {
    let text = text.trim().replace([',', ' '], "");
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<i64>() {
        Ok(n) if n > 0 => Ok(Some(n)),
        _ => Err("settings.acceptance_threshold_invalid"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_acceptance_threshold_is_blank_or_whole_units_above_zero() {
        assert_eq!(parse_acceptance_threshold(""), Ok(None));
        assert_eq!(parse_acceptance_threshold(" 10,000 "), Ok(Some(10_000)));
        assert!(parse_acceptance_threshold("0").is_err());
        assert!(parse_acceptance_threshold("12.5").is_err());
    }

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

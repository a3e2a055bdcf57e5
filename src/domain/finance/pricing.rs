//! What a financier pays for a receivable, in integer minor units.
//!
//! Conventions (shown to both parties before they commit):
//! - The **advance** is the face amount times the program's advance rate, rounded *down* to the
//!   minor unit: the financier never advances more than the rate allows.
//! - A **discount** is charged on the advance for the days from the value date (the day the money
//!   moves) to the due date, both as calendar dates: `advance × rate × days / basis`, where the
//!   basis is 360 (ACT/360) or 365 (ACT/365) and `days` the actual number of days.
//! - A **flat fee** is a share of the advance, independent of the days.
//! - Fees are rounded *half up* to the minor unit (0.5 of a cent becomes a cent).
//! - The **net** paid to the supplier is the advance minus the fee.
//!
//! Rates are basis points (1 bp = 0.01 %), so every computation is exact integer arithmetic.

use jiff::civil::Date;

/// How days count towards a year for interest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DayCount {
    Act360,
    Act365,
}

impl DayCount {
    pub fn basis(self) -> i128 {
        match self {
            DayCount::Act360 => 360,
            DayCount::Act365 => 365,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            DayCount::Act360 => "act360",
            DayCount::Act365 => "act365",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [DayCount::Act360, DayCount::Act365]
            .into_iter()
            .find(|d| d.code() == code)
    }
}

/// How a program prices financing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pricing {
    /// A discount rate per annum on the advance, in basis points.
    Discount {
        bps_per_annum: u32,
        day_count: DayCount,
    },
    /// A flat fee on the advance, in basis points.
    Flat { bps: u32 },
}

/// The terms of one financing, as offered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quote {
    pub face_minor: i64,
    pub advance_minor: i64,
    pub fee_minor: i64,
    pub net_minor: i64,
    /// Actual days from the value date to the due date.
    pub days: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QuoteRefusal {
    #[error("the amount must be positive")]
    NoAmount,
    #[error("the advance rate must be between 0 and 100 %")]
    AdvanceRate,
    #[error("the value date must come before the due date")]
    DatesReversed,
    #[error("the tenor is longer than the program allows")]
    TenorTooLong,
    #[error("the fee would take the whole advance")]
    FeeTooHigh,
}

impl QuoteRefusal {
    pub fn message_key(self) -> &'static str {
        match self {
            QuoteRefusal::NoAmount => "finance.refused.no_amount",
            QuoteRefusal::AdvanceRate => "finance.refused.advance_rate",
            QuoteRefusal::DatesReversed => "finance.refused.dates_reversed",
            QuoteRefusal::TenorTooLong => "finance.refused.tenor",
            QuoteRefusal::FeeTooHigh => "finance.refused.fee_too_high",
        }
    }
}

/// Divides a non-negative numerator, rounding half up.
fn div_half_up(numerator: i128, denominator: i128) -> i128 {
    (numerator + denominator / 2) / denominator
}

/// The quote for financing `face_minor` due on `due`, paid out on `value_date`.
pub fn quote(
    face_minor: i64,
    advance_bps: u32,
    pricing: Pricing,
    value_date: Date,
    due: Date,
    max_tenor_days: i64,
) -> Result<Quote, QuoteRefusal> {
    if face_minor <= 0 {
        return Err(QuoteRefusal::NoAmount);
    }
    if advance_bps == 0 || advance_bps > 10_000 {
        return Err(QuoteRefusal::AdvanceRate);
    }
    let days = i64::from((due - value_date).get_days());
    if days <= 0 {
        return Err(QuoteRefusal::DatesReversed);
    }
    if days > max_tenor_days {
        return Err(QuoteRefusal::TenorTooLong);
    }
    let advance = i128::from(face_minor) * i128::from(advance_bps) / 10_000;
    let fee = match pricing {
        Pricing::Discount {
            bps_per_annum,
            day_count,
        } => div_half_up(
            advance * i128::from(bps_per_annum) * i128::from(days),
            10_000 * day_count.basis(),
        ),
        Pricing::Flat { bps } => div_half_up(advance * i128::from(bps), 10_000),
    };
    if fee >= advance {
        return Err(QuoteRefusal::FeeTooHigh);
    }
    let advance_minor = i64::try_from(advance).map_err(|_| QuoteRefusal::NoAmount)?;
    let fee_minor = i64::try_from(fee).map_err(|_| QuoteRefusal::NoAmount)?;
    Ok(Quote {
        face_minor,
        advance_minor,
        fee_minor,
        net_minor: advance_minor - fee_minor,
        days,
    })
}

#[cfg(test)]
// Amounts are written as whole units and cents (`5_000_00` is 5,000.00).
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn discount(bps: u32, dc: DayCount) -> Pricing {
        Pricing::Discount {
            bps_per_annum: bps,
            day_count: dc,
        }
    }

    /// (face, advance bps, pricing, value date, due date) → (advance, fee, net, days)
    #[test]
    fn fee_tables_for_both_day_counts_and_a_flat_fee() {
        let v = date(2027, 3, 1);
        let cases = [
            // 100,000.00 at 90 %, 6 % p.a., 60 days ACT/360: 90,000.00 × 0.06 × 60/360 = 900.00
            (
                10_000_000,
                9_000,
                discount(600, DayCount::Act360),
                v,
                date(2027, 4, 30),
                (9_000_000, 90_000, 8_910_000, 60),
            ),
            // Same on ACT/365: 90,000.00 × 0.06 × 60/365 = 887.671… → 887.67
            (
                10_000_000,
                9_000,
                discount(600, DayCount::Act365),
                v,
                date(2027, 4, 30),
                (9_000_000, 88_767, 8_911_233, 60),
            ),
            // 1,234.57 at 80 %: advance 987.656 → 987.65 (down); 7.5 % p.a., 31 days ACT/360:
            // 987.65 × 0.075 × 31/360 = 6.3785… → 6.38
            (
                123_457,
                8_000,
                discount(750, DayCount::Act360),
                v,
                date(2027, 4, 1),
                (98_765, 638, 98_127, 31),
            ),
            // Half a cent rounds up: 10.00 × 0.0365 × 5/365 = 0.005 → 0.01
            (
                1_000,
                10_000,
                discount(365, DayCount::Act365),
                v,
                date(2027, 3, 6),
                (1_000, 1, 999, 5),
            ),
            // Just under half a cent rounds down: 10.00 × 0.0364 × 5/365 = 0.00498… → 0.00
            (
                1_000,
                10_000,
                discount(364, DayCount::Act365),
                v,
                date(2027, 3, 6),
                (1_000, 0, 1_000, 5),
            ),
            // Flat 1.5 % of the advance, whatever the days: 9,000.00 → 135.00
            (
                1_000_000,
                9_000,
                Pricing::Flat { bps: 150 },
                v,
                date(2027, 6, 1),
                (900_000, 13_500, 886_500, 92),
            ),
            // Yen (no minor unit): 1,000,000 at 85 %, 5 % p.a., 90 days ACT/365 = 10,479.45… → 10,479
            (
                1_000_000,
                8_500,
                discount(500, DayCount::Act365),
                v,
                date(2027, 5, 30),
                (850_000, 10_479, 839_521, 90),
            ),
        ];
        for (face, adv, pricing, value, due, (advance, fee, net, days)) in cases {
            let q = quote(face, adv, pricing, value, due, 180).unwrap();
            assert_eq!(
                (q.advance_minor, q.fee_minor, q.net_minor, q.days),
                (advance, fee, net, days),
                "{face} at {adv} bp, {pricing:?}, {value}..{due}"
            );
        }
    }

    #[test]
    fn the_day_count_spans_a_leap_day() {
        // 2028 is a leap year: 28 Feb → 1 Mar is 2 actual days.
        let q = quote(
            36_500_000,
            10_000,
            discount(1_000, DayCount::Act365),
            date(2028, 2, 28),
            date(2028, 3, 1),
            90,
        )
        .unwrap();
        assert_eq!((q.days, q.fee_minor), (2, 20_000));
    }

    #[test]
    fn refusals() {
        let v = date(2027, 3, 1);
        let p = discount(600, DayCount::Act360);
        let q = |face, adv, due, max| quote(face, adv, p, v, due, max);
        assert_eq!(
            q(0, 9_000, date(2027, 4, 1), 90),
            Err(QuoteRefusal::NoAmount)
        );
        assert_eq!(
            q(100, 0, date(2027, 4, 1), 90),
            Err(QuoteRefusal::AdvanceRate)
        );
        assert_eq!(
            q(100, 10_001, date(2027, 4, 1), 90),
            Err(QuoteRefusal::AdvanceRate)
        );
        assert_eq!(q(100, 9_000, v, 90), Err(QuoteRefusal::DatesReversed));
        assert_eq!(
            q(100, 9_000, date(2027, 2, 1), 90),
            Err(QuoteRefusal::DatesReversed)
        );
        assert_eq!(
            q(100, 9_000, date(2027, 6, 1), 90),
            Err(QuoteRefusal::TenorTooLong)
        );
        assert_eq!(
            quote(
                100,
                9_000,
                Pricing::Flat { bps: 10_000 },
                v,
                date(2027, 4, 1),
                90
            ),
            Err(QuoteRefusal::FeeTooHigh)
        );
        assert_eq!(DayCount::parse("act365"), Some(DayCount::Act365));
        assert_eq!(DayCount::parse("30/360"), None);
    }
}

//! A financing program's terms as a brand admin types them: percentages to basis points,
//! whole amounts to minor units, the evidence required. Everything exact, nothing in floats.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::financing::Evidence;
use super::pricing::{DayCount, Pricing};
use crate::domain::money::Currency;

/// A percentage with at most two decimals ("90", "6.25") as basis points, within `max_bps`.
pub fn parse_percent_bps(text: &str, max_bps: u32) -> Result<u32, &'static str> {
    let value: Decimal = text
        .trim()
        .trim_end_matches('%')
        .trim()
        .parse()
        .map_err(|_| "program.refused.percent")?;
    let bps = value * Decimal::from(100);
    if bps.fract() != Decimal::ZERO || bps <= Decimal::ZERO {
        return Err("program.refused.percent");
    }
    match bps.to_u32() {
        Some(b) if b <= max_bps => Ok(b),
        _ => Err("program.refused.percent"),
    }
}

/// A whole amount of `currency` ("250,000") in minor units, above zero.
pub fn parse_whole_amount(text: &str, currency: Currency) -> Result<i64, &'static str> {
    let cleaned = text.trim().replace([',', ' ', '_'], "");
    match cleaned.parse::<i64>() {
        Ok(n) if n > 0 => n
            .checked_mul(10i64.pow(currency.exponent()))
            .ok_or("program.refused.amount"),
        _ => Err("program.refused.amount"),
    }
}

/// The terms that matter for pricing and limits, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Terms {
    pub currency: Currency,
    pub advance_bps: u32,
    pub pricing: Pricing,
    pub max_tenor_days: i64,
    pub supplier_limit_minor: i64,
    pub total_limit_minor: i64,
    pub evidence: Vec<Evidence>,
    pub invoice_confirmed: bool,
    pub disbursement_second_above_minor: Option<i64>,
}

/// The program form as typed.
#[derive(Clone, Debug, Default)]
pub struct TermsInput {
    pub currency: String,
    pub advance_pct: String,
    pub pricing: String,
    pub rate_pct: String,
    pub day_count: String,
    pub max_tenor_days: String,
    pub supplier_limit: String,
    pub total_limit: String,
    pub evidence: Vec<String>,
    pub invoice_confirmed: bool,
    pub disbursement_second_above: String,
}

/// The value of a parse, or its error recorded against `field`.
fn take<T>(
    errors: &mut Vec<(&'static str, &'static str)>,
    field: &'static str,
    result: Result<T, &'static str>,
) -> Option<T> {
    result.map_err(|key| errors.push((field, key))).ok()
}

/// Checks the form; errors by field name.
pub fn parse_terms(input: &TermsInput) -> Result<Terms, Vec<(&'static str, &'static str)>> {
    let mut errors = Vec::new();
    let currency = take(
        &mut errors,
        "currency",
        Currency::parse(&input.currency).ok_or("program.refused.currency"),
    );
    let advance = take(
        &mut errors,
        "advance_pct",
        parse_percent_bps(&input.advance_pct, 10_000),
    );
    let rate = take(
        &mut errors,
        "rate_pct",
        parse_percent_bps(&input.rate_pct, 10_000),
    );
    let day_count = take(
        &mut errors,
        "day_count",
        DayCount::parse(&input.day_count).ok_or("program.refused.day_count"),
    );
    let pricing_kind = take(
        &mut errors,
        "pricing",
        match input.pricing.as_str() {
            "discount" | "flat" => Ok(input.pricing.clone()),
            _ => Err("program.refused.pricing"),
        },
    );
    let tenor = take(
        &mut errors,
        "max_tenor_days",
        input
            .max_tenor_days
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|d| (1..=365).contains(d))
            .ok_or("program.refused.tenor"),
    );
    let (supplier_limit, total_limit, second) = match currency {
        Some(c) => (
            take(
                &mut errors,
                "supplier_limit",
                parse_whole_amount(&input.supplier_limit, c),
            ),
            take(
                &mut errors,
                "total_limit",
                parse_whole_amount(&input.total_limit, c),
            ),
            if input.disbursement_second_above.trim().is_empty() {
                Some(None)
            } else {
                take(
                    &mut errors,
                    "disbursement_second_above",
                    parse_whole_amount(&input.disbursement_second_above, c).map(Some),
                )
            },
        ),
        None => (None, None, None),
    };
    let evidence: Vec<Evidence> = input
        .evidence
        .iter()
        .filter_map(|e| Evidence::parse(e))
        .collect();
    if evidence.is_empty() {
        errors.push(("evidence", "program.refused.evidence"));
    }
    if let (Some(s), Some(t)) = (supplier_limit, total_limit)
        && s > t
    {
        errors.push(("supplier_limit", "program.refused.limits"));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let (
        Some(currency),
        Some(advance_bps),
        Some(rate),
        Some(day_count),
        Some(kind),
        Some(max_tenor_days),
        Some(supplier_limit_minor),
        Some(total_limit_minor),
        Some(second),
    ) = (
        currency,
        advance,
        rate,
        day_count,
        pricing_kind,
        tenor,
        supplier_limit,
        total_limit,
        second,
    )
    else {
        return Err(vec![("currency", "program.refused.currency")]);
    };
    let pricing = if kind == "flat" {
        Pricing::Flat { bps: rate }
    } else {
        Pricing::Discount {
            bps_per_annum: rate,
            day_count,
        }
    };
    Ok(Terms {
        currency,
        advance_bps,
        pricing,
        max_tenor_days,
        supplier_limit_minor,
        total_limit_minor,
        evidence,
        invoice_confirmed: input.invoice_confirmed,
        disbursement_second_above_minor: second,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> TermsInput {
        TermsInput {
            currency: "USD".into(),
            advance_pct: "90".into(),
            pricing: "discount".into(),
            rate_pct: "6.25".into(),
            day_count: "act360".into(),
            max_tenor_days: "120".into(),
            supplier_limit: "250,000".into(),
            total_limit: "1,000,000".into(),
            evidence: vec![
                "order_confirmed".into(),
                "goods_received".into(),
                "buyer_accepted".into(),
            ],
            invoice_confirmed: false,
            disbursement_second_above: "50000".into(),
        }
    }

    #[test]
    fn typed_terms_become_exact_numbers() {
        let t = parse_terms(&input()).unwrap();
        assert_eq!(t.advance_bps, 9_000);
        assert_eq!(
            t.pricing,
            Pricing::Discount {
                bps_per_annum: 625,
                day_count: DayCount::Act360
            }
        );
        assert_eq!(t.supplier_limit_minor, 25_000_000);
        assert_eq!(t.total_limit_minor, 100_000_000);
        assert_eq!(t.disbursement_second_above_minor, Some(5_000_000));
        assert_eq!(t.evidence.len(), 3);
        let flat = parse_terms(&TermsInput {
            pricing: "flat".into(),
            rate_pct: "1.5".into(),
            ..input()
        })
        .unwrap();
        assert_eq!(flat.pricing, Pricing::Flat { bps: 150 });
        let yen = parse_terms(&TermsInput {
            currency: "JPY".into(),
            ..input()
        })
        .unwrap();
        assert_eq!(yen.supplier_limit_minor, 250_000);
    }

    #[test]
    fn bad_terms_are_named_by_field() {
        let bad = TermsInput {
            advance_pct: "100.5".into(),
            rate_pct: "6.125".into(),
            max_tenor_days: "400".into(),
            supplier_limit: "2,000,000".into(),
            evidence: vec![],
            ..input()
        };
        let fields: Vec<&str> = parse_terms(&bad)
            .unwrap_err()
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert_eq!(
            fields,
            [
                "advance_pct",
                "rate_pct",
                "max_tenor_days",
                "evidence",
                "supplier_limit"
            ]
        );
        assert_eq!(
            parse_percent_bps("0", 10_000),
            Err("program.refused.percent")
        );
        assert_eq!(parse_percent_bps("85 %", 10_000), Ok(8_500));
        assert!(parse_whole_amount("-5", Currency::parse("USD").unwrap()).is_err());
        assert!(
            parse_terms(&TermsInput {
                currency: "XXX".into(),
                ..input()
            })
            .is_err()
        );
    }
}

//! The values an order is made of, each parsed once at the edge: PO number, SKU, HS code,
//! quantity with unit, dates, free-text limits.

use std::str::FromStr;

use rust_decimal::Decimal;

/// A PO number: the brand's own reference, unique per brand.
pub fn parse_po_number(input: &str) -> Result<String, &'static str> {
    let value = input.trim();
    if value.is_empty() {
        return Err("validation.required");
    }
    let ok = value.len() <= 40
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_/.".contains(c));
    if ok {
        Ok(value.to_owned())
    } else {
        Err("validation.po_number")
    }
}

pub fn parse_sku(input: &str) -> Result<String, &'static str> {
    let value = input.trim();
    if value.is_empty() {
        return Err("validation.required");
    }
    let ok = value.chars().count() <= 64 && !value.chars().any(char::is_control);
    if ok {
        Ok(value.to_owned())
    } else {
        Err("validation.sku")
    }
}

/// Free text with a length limit (descriptions, comments, reasons).
pub fn parse_text(input: &str, max: usize, required: bool) -> Result<String, &'static str> {
    let value = input.trim();
    if value.is_empty() && required {
        return Err("validation.required");
    }
    if value.chars().count() > max
        || value
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r')
    {
        return Err("validation.text_too_long");
    }
    Ok(value.to_owned())
}

/// Text typed in a search box: control characters dropped (PostgreSQL refuses NUL in text, and
/// none belongs in a search), trimmed, at most 200 characters.
pub fn clean_search(input: &str) -> String {
    let kept: String = input.chars().filter(|c| !c.is_control()).collect();
    kept.trim().chars().take(200).collect()
}

/// A Harmonized System code: 6 to 10 digits, dots and spaces allowed between them.
pub fn parse_hs_code(input: &str) -> Result<String, &'static str> {
    let digits: String = input.chars().filter(|c| !matches!(c, '.' | ' ')).collect();
    if digits.is_empty() {
        return Err("validation.required");
    }
    if (6..=10).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit()) {
        Ok(digits)
    } else {
        Err("validation.hs_code")
    }
}

/// A positive exact quantity with at most 3 decimals.
pub fn parse_quantity(input: &str) -> Result<Decimal, &'static str> {
    let value = input.trim();
    if value.is_empty() {
        return Err("validation.required");
    }
    let quantity = Decimal::from_str(value).map_err(|_| "validation.quantity")?;
    if quantity <= Decimal::ZERO {
        return Err("validation.quantity_positive");
    }
    if quantity.normalize().scale() > 3 || quantity > Decimal::from(1_000_000_000_i64) {
        return Err("validation.quantity");
    }
    Ok(quantity.normalize())
}

/// A counted amount that may be zero (stock, damaged goods): blank is zero, at most 3 decimals.
pub fn parse_amount(input: &str) -> Result<Decimal, &'static str> {
    let value = input.trim();
    if value.is_empty() {
        return Ok(Decimal::ZERO);
    }
    let amount = Decimal::from_str(value).map_err(|_| "validation.quantity")?;
    if amount < Decimal::ZERO {
        return Err("validation.not_negative");
    }
    if amount.normalize().scale() > 3 || amount > Decimal::from(1_000_000_000_i64) {
        return Err("validation.quantity");
    }
    Ok(amount.normalize())
}

/// Units of measure Portico knows.
pub const UNITS: &[&str] = &[
    "pcs", "pairs", "sets", "dozen", "m", "yd", "kg", "lb", "rolls", "cartons",
];

pub fn parse_unit(input: &str) -> Result<&'static str, &'static str> {
    let value = input.trim().to_ascii_lowercase();
    UNITS
        .iter()
        .copied()
        .find(|u| *u == value)
        .ok_or("validation.unit")
}

/// A calendar date as `YYYY-MM-DD` (stored that way, so it sorts as text).
pub fn parse_date(input: &str) -> Result<String, &'static str> {
    let value = input.trim();
    if value.is_empty() {
        return Err("validation.required");
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(value, &format)
        .map(|_| value.to_owned())
        .map_err(|_| "validation.date")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_drops_control_characters_and_is_bounded() {
        assert_eq!(clean_search("  PO-\u{0}1\u{7} "), "PO-1");
        assert_eq!(clean_search(&"x".repeat(500)).len(), 200);
    }

    #[test]
    fn amounts_may_be_zero_but_not_negative() {
        assert_eq!(parse_amount(""), Ok(Decimal::ZERO));
        assert_eq!(
            parse_amount(" 12.5 "),
            Ok(Decimal::from_str("12.5").unwrap())
        );
        assert_eq!(parse_amount("-1"), Err("validation.not_negative"));
        assert_eq!(parse_amount("1.2345"), Err("validation.quantity"));
        assert_eq!(parse_amount("lots"), Err("validation.quantity"));
    }

    #[test]
    fn po_numbers_are_short_plain_references() {
        assert_eq!(parse_po_number(" 4500012/A "), Ok("4500012/A".into()));
        assert_eq!(parse_po_number(""), Err("validation.required"));
        assert_eq!(parse_po_number("PO 1"), Err("validation.po_number"));
        assert_eq!(
            parse_po_number(&"9".repeat(41)),
            Err("validation.po_number")
        );
    }

    #[test]
    fn hs_codes_have_six_to_ten_digits() {
        assert_eq!(parse_hs_code("6109.10.00"), Ok("61091000".into()));
        assert_eq!(parse_hs_code("610910"), Ok("610910".into()));
        assert_eq!(parse_hs_code("6109"), Err("validation.hs_code"));
        assert_eq!(parse_hs_code("61091000001"), Err("validation.hs_code"));
        assert_eq!(parse_hs_code("61O910"), Err("validation.hs_code"));
    }

    #[test]
    fn quantities_are_positive_exact_decimals() {
        assert_eq!(parse_quantity("1200").unwrap().to_string(), "1200");
        assert_eq!(parse_quantity("12.500").unwrap().to_string(), "12.5");
        assert_eq!(parse_quantity("0"), Err("validation.quantity_positive"));
        assert_eq!(parse_quantity("-5"), Err("validation.quantity_positive"));
        assert_eq!(parse_quantity("1.0001"), Err("validation.quantity"));
        assert_eq!(parse_quantity("ten"), Err("validation.quantity"));
    }

    #[test]
    fn dates_and_units() {
        assert_eq!(parse_date("2027-02-28"), Ok("2027-02-28".into()));
        assert_eq!(parse_date("2027-02-30"), Err("validation.date"));
        assert_eq!(parse_date("28/02/2027"), Err("validation.date"));
        assert_eq!(parse_unit("PCS"), Ok("pcs"));
        assert_eq!(parse_unit("bags"), Err("validation.unit"));
    }
}

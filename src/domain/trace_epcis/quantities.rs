//! Quantities and units: JSON numbers both ways from decimal text, and UN/CEFACT Rec 20 codes
//! for the units people type.

use std::str::FromStr;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::Value;

/// UN/CEFACT Recommendation 20 codes and the spellings people type for them; the first
/// spelling is what a bare code imports as.
const UNITS: &[(&str, &[&str])] = &[
    ("MTR", &["m", "meter", "metre", "meters", "metres"]),
    ("CMT", &["cm"]),
    ("MMT", &["mm"]),
    ("KMT", &["km"]),
    ("MTK", &["m2", "m²", "sqm"]),
    ("MTQ", &["m3", "m³"]),
    ("YRD", &["yd", "yard", "yards"]),
    ("FOT", &["ft", "foot", "feet"]),
    ("INH", &["in", "inch", "inches"]),
    ("KGM", &["kg", "kgs", "kilogram", "kilograms"]),
    ("GRM", &["g", "gram", "grams"]),
    ("MGM", &["mg"]),
    ("TNE", &["t", "tonne", "tonnes"]),
    ("LBR", &["lb", "lbs"]),
    ("ONZ", &["oz"]),
    ("LTR", &["l", "litre", "liter", "litres", "liters"]),
    ("MLT", &["ml"]),
    (
        "H87",
        &[
            "pcs", "pc", "ea", "each", "unit", "units", "piece", "pieces",
        ],
    ),
    ("PR", &["pair", "pairs", "pr"]),
    ("DZN", &["dozen", "dz"]),
    ("SET", &["set", "sets"]),
];

/// The Rec 20 code of a unit, if Portico knows one; unknown units get no `uom` rather than a
/// guessed code another system would misread.
pub(super) fn uom_of(unit: &str) -> Option<&'static str> {
    let u = unit.trim().to_lowercase();
    UNITS
        .iter()
        .find(|(code, names)| names.contains(&u.as_str()) || code.eq_ignore_ascii_case(&u))
        .map(|(code, _)| *code)
}

/// A unit for a `uom` from another system; EPCIS says no `uom` means a count of items.
pub(super) fn unit_of(uom: Option<&str>) -> String {
    match uom {
        None | Some("C62") | Some("EA") => "pcs".to_owned(),
        Some(code) => UNITS
            .iter()
            .find(|(c, _)| *c == code)
            .map_or(code, |(_, names)| names[0])
            .to_owned(),
    }
}

/// A decimal text as a JSON number: whole numbers exactly, fractions through the nearest f64,
/// which keeps every decimal of up to 15 significant digits. None if it is not a decimal.
pub(super) fn qty_json(q: &str) -> Option<Value> {
    let d = Decimal::from_str(q.trim()).ok()?.normalize();
    if d.scale() == 0
        && let Some(i) = d.to_i64()
    {
        return Some(Value::from(i));
    }
    let f: f64 = d.to_string().parse().ok()?;
    serde_json::Number::from_f64(f).map(Value::Number)
}

/// A JSON quantity back as normalised decimal text (strings accepted from lenient senders).
pub(super) fn qty_text(v: &Value) -> Option<String> {
    let d = match v {
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Decimal::from(i),
            (None, Some(u)) => Decimal::from(u),
            // f64's Display is the shortest text that reads back as the same f64, no exponent.
            _ => Decimal::from_str(&n.as_f64()?.to_string()).ok()?,
        },
        Value::String(s) => Decimal::from_str(s.trim()).ok()?,
        _ => return None,
    };
    Some(d.normalize().to_string())
}

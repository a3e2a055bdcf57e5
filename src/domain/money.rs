//! Money as integer minor units with an ISO 4217 currency; prices are typed as decimals and
//! converted exactly, never through floating point.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;

/// Currencies Portico accepts, with their ISO 4217 minor-unit exponent.
const CURRENCIES: &[(&str, u32)] = &[
    ("AED", 2),
    ("AUD", 2),
    ("BDT", 2),
    ("BRL", 2),
    ("CAD", 2),
    ("CHF", 2),
    ("CNY", 2),
    ("CZK", 2),
    ("DKK", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("HKD", 2),
    ("IDR", 2),
    ("INR", 2),
    ("JPY", 0),
    ("KHR", 2),
    ("KRW", 0),
    ("LKR", 2),
    ("MXN", 2),
    ("MYR", 2),
    ("NOK", 2),
    ("NZD", 2),
    ("PHP", 2),
    ("PKR", 2),
    ("PLN", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("THB", 2),
    ("TRY", 2),
    ("TWD", 2),
    ("USD", 2),
    ("VND", 0),
    ("ZAR", 2),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Currency {
    code: &'static str,
    exponent: u32,
}

impl Currency {
    pub fn parse(code: &str) -> Option<Self> {
        let code = code.trim().to_ascii_uppercase();
        CURRENCIES
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(code, exponent)| Currency {
                code,
                exponent: *exponent,
            })
    }

    pub fn code(self) -> &'static str {
        self.code
    }

    pub fn exponent(self) -> u32 {
        self.exponent
    }

    pub fn all() -> impl Iterator<Item = Currency> {
        CURRENCIES.iter().map(|(code, exponent)| Currency {
            code,
            exponent: *exponent,
        })
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    /// Parses a price typed as a decimal ("12.5", "1,234.50"): not negative, and with no more
    /// decimals than the currency has.
    pub fn parse_price(text: &str, currency: Currency) -> Result<Money, &'static str> {
        let cleaned: String = text
            .trim()
            .chars()
            .filter(|c| *c != ',' && *c != ' ')
            .collect();
        if cleaned.is_empty() {
            return Err("validation.required");
        }
        let value = Decimal::from_str(&cleaned).map_err(|_| "validation.price")?;
        if value.is_sign_negative() {
            return Err("validation.price_negative");
        }
        if value.normalize().scale() > currency.exponent {
            return Err("validation.price_decimals");
        }
        let minor = (value * Decimal::from(10_i64.pow(currency.exponent)))
            .trunc()
            .to_string()
            .parse::<i64>()
            .map_err(|_| "validation.price")?;
        Ok(Money { minor, currency })
    }

    /// The amount as a plain decimal string with the currency's decimals ("1234.50").
    pub fn amount(&self) -> String {
        Decimal::new(self.minor, self.currency.exponent).to_string()
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount(), self.currency)
    }
}

/// "1234.50 USD" for stored minor units; an unknown code shows the raw minor units.
pub fn display(minor: i64, currency: &str) -> String {
    match Currency::parse(currency) {
        Some(currency) => Money { minor, currency }.to_string(),
        None => format!("{minor} {currency}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::parse("usd").unwrap()
    }

    #[test]
    fn prices_convert_exactly_to_minor_units() {
        assert_eq!(Money::parse_price("12.5", usd()).unwrap().minor, 1250);
        assert_eq!(Money::parse_price("1,234.50", usd()).unwrap().minor, 123450);
        assert_eq!(Money::parse_price("0.10", usd()).unwrap().minor, 10);
        assert_eq!(
            Money::parse_price("1200", Currency::parse("JPY").unwrap())
                .unwrap()
                .minor,
            1200
        );
        assert_eq!(
            Money::parse_price("0.29", usd()).unwrap().minor,
            29,
            "no float rounding"
        );
    }

    #[test]
    fn bad_prices_are_refused_with_a_reason() {
        assert_eq!(
            Money::parse_price("-1", usd()),
            Err("validation.price_negative")
        );
        assert_eq!(
            Money::parse_price("1.005", usd()),
            Err("validation.price_decimals")
        );
        assert_eq!(
            Money::parse_price("12.5", Currency::parse("JPY").unwrap()),
            Err("validation.price_decimals")
        );
        assert_eq!(Money::parse_price("abc", usd()), Err("validation.price"));
        assert_eq!(Money::parse_price(" ", usd()), Err("validation.required"));
        assert_eq!(
            Money::parse_price("99999999999999999999", usd()),
            Err("validation.price")
        );
    }

    #[test]
    fn amounts_print_with_the_currency_decimals() {
        assert_eq!(
            Money {
                minor: 123450,
                currency: usd()
            }
            .to_string(),
            "1234.50 USD"
        );
        assert_eq!(
            Money {
                minor: 5,
                currency: usd()
            }
            .amount(),
            "0.05"
        );
    }

    #[test]
    fn unknown_currencies_are_refused() {
        assert!(Currency::parse("XYZ").is_none());
        assert!(Currency::parse("").is_none());
        assert_eq!(Currency::parse(" eur ").unwrap().code(), "EUR");
    }
}

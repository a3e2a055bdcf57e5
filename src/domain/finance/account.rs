//! Bank accounts named in financing: parsed once (an IBAN must pass its check digits; other
//! account numbers are 6 to 34 letters and digits), and masked for everyone whose role does not
//! need the whole number.

use iban::{Iban, IbanLike};

/// Parses a typed account number: an IBAN (spaces allowed, checked with ISO 13616 check digits
/// and the country's length) or a domestic number. Stored in electronic form, no spaces.
pub fn parse_account(input: &str) -> Result<String, &'static str> {
    let compact: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_uppercase();
    if compact.is_empty() {
        return Err("validation.required");
    }
    let bytes = compact.as_bytes();
    let looks_like_iban = bytes.len() > 4
        && bytes[..2].iter().all(u8::is_ascii_alphabetic)
        && bytes[2..4].iter().all(u8::is_ascii_digit);
    if looks_like_iban {
        return compact
            .parse::<Iban>()
            .map(|iban| iban.electronic_str().to_owned())
            .map_err(|_| "financing.invalid.iban");
    }
    if (6..=34).contains(&compact.len()) && compact.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(compact)
    } else {
        Err("financing.invalid.account")
    }
}

/// The account as most people see it: only the last four characters.
pub fn mask(account: &str) -> String {
    let tail: String = account
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("•••• {tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_iban_is_checked_and_stored_without_spaces() {
        assert_eq!(
            parse_account("de44 5001 0517 5407 3249 31"),
            Ok("DE44500105175407324931".into())
        );
        assert_eq!(
            parse_account("DE45 5001 0517 5407 3249 31"),
            Err("financing.invalid.iban"),
            "wrong check digits"
        );
        assert_eq!(parse_account("  "), Err("validation.required"));
    }

    #[test]
    fn a_domestic_number_is_letters_and_digits() {
        assert_eq!(
            parse_account("021000021-123456"),
            Ok("021000021123456".into())
        );
        assert_eq!(parse_account("12 34"), Err("financing.invalid.account"));
        assert_eq!(
            parse_account("1234567;DROP"),
            Err("financing.invalid.account")
        );
    }

    #[test]
    fn masking_keeps_only_the_last_four() {
        assert_eq!(mask("DE44500105175407324931"), "•••• 4931");
        assert_eq!(mask("123"), "•••• 123");
    }
}

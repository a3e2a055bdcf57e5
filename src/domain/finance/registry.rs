//! The receivables registry: one fingerprint per invoice, unique across every brand and
//! financier on the platform, so the same receivable cannot be financed twice anywhere; and the
//! near-duplicate rule that flags look-alikes (same amount and date, a similar number) to the
//! financier instead of letting them through quietly.

use sha2::{Digest, Sha256};

/// What identifies a receivable, before normalising.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receivable<'a> {
    /// The supplier's organisation id (who is owed).
    pub supplier: &'a str,
    /// The buyer's organisation id (who owes).
    pub buyer: &'a str,
    pub invoice_number: &'a str,
    pub amount_minor: i64,
    /// ISO date, `YYYY-MM-DD`.
    pub invoice_date: &'a str,
    pub currency: &'a str,
}

/// An invoice number as the registry compares it: letters upper-cased, separators and spaces
/// dropped, leading zeros of each run of digits dropped ("inv-0042 / A" and "INV42A" are the
/// same number; "2027-0042" is "202742").
pub fn normalise_number(number: &str) -> String {
    fn flush(run: &mut String, out: &mut String) {
        if !run.is_empty() {
            let digits = run.trim_start_matches('0');
            out.push_str(if digits.is_empty() { "0" } else { digits });
            run.clear();
        }
    }
    let mut out = String::with_capacity(number.len());
    let mut run = String::new();
    for c in number.chars() {
        if c.is_ascii_digit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            if c.is_alphanumeric() {
                out.extend(c.to_uppercase());
            }
        }
    }
    flush(&mut run, &mut out);
    out
}

/// The registry key: a SHA-256 over the normalised fields (hex).
pub fn fingerprint(r: &Receivable<'_>) -> String {
    let canonical = format!(
        "portico-receivable-v1|{}|{}|{}|{}|{}|{}",
        r.supplier.trim(),
        r.buyer.trim(),
        normalise_number(r.invoice_number),
        r.amount_minor,
        r.invoice_date.trim(),
        r.currency.trim().to_ascii_uppercase(),
    );
    hex::encode(Sha256::digest(canonical.as_bytes()))
}

/// Whether `other` looks like the same receivable as `r` under another number: same supplier,
/// buyer, amount, date and currency, and numbers at most two edits apart once normalised (or
/// with the same digits). Exact matches are the registry's job, not this rule's.
pub fn near_duplicate(r: &Receivable<'_>, other: &Receivable<'_>) -> bool {
    let same_facts = r.supplier == other.supplier
        && r.buyer == other.buyer
        && r.amount_minor == other.amount_minor
        && r.invoice_date.trim() == other.invoice_date.trim()
        && r.currency.eq_ignore_ascii_case(other.currency);
    if !same_facts {
        return false;
    }
    let (a, b) = (
        normalise_number(r.invoice_number),
        normalise_number(other.invoice_number),
    );
    if a == b {
        return false;
    }
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    strsim::levenshtein(&a, &b) <= 2 || (!digits(&a).is_empty() && digits(&a) == digits(&b))
}

#[cfg(test)]
// Amounts are written as whole units and cents (`5_000_00` is 5,000.00).
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use super::*;

    fn inv<'a>(number: &'a str, amount: i64, date: &'a str) -> Receivable<'a> {
        Receivable {
            supplier: "sunrise",
            buyer: "acme",
            invoice_number: number,
            amount_minor: amount,
            invoice_date: date,
            currency: "USD",
        }
    }

    #[test]
    fn numbers_normalise_to_one_form() {
        assert_eq!(normalise_number("inv-0042 / a"), "INV42A");
        assert_eq!(normalise_number("INV42A"), "INV42A");
        assert_eq!(normalise_number("2027.000.15"), "2027015");
        assert_eq!(
            normalise_number("INV-2027-0042"),
            normalise_number("inv 2027 42")
        );
        assert_eq!(normalise_number("INV-000"), "INV0");
        assert_eq!(normalise_number("发票-007"), "发票7");
    }

    #[test]
    fn the_same_receivable_typed_differently_has_one_fingerprint() {
        let a = inv("INV-0042", 1_000_00, "2027-03-01");
        let b = Receivable {
            invoice_number: " inv 42 ",
            currency: "usd",
            ..a.clone()
        };
        assert_eq!(fingerprint(&a), fingerprint(&b));
        // Any fact that differs makes another receivable.
        for other in [
            inv("INV-0043", 1_000_00, "2027-03-01"),
            inv("INV-0042", 1_000_01, "2027-03-01"),
            inv("INV-0042", 1_000_00, "2027-03-02"),
            Receivable {
                buyer: "blueharbor",
                ..a.clone()
            },
            Receivable {
                supplier: "delta",
                ..a.clone()
            },
            Receivable {
                currency: "EUR",
                ..a.clone()
            },
        ] {
            assert_ne!(fingerprint(&a), fingerprint(&other), "{other:?}");
        }
        assert_eq!(fingerprint(&a).len(), 64);
    }

    #[test]
    fn look_alikes_with_the_same_amount_and_date_are_flagged() {
        let a = inv("INV-2027-0042", 5_000_00, "2027-03-01");
        assert!(near_duplicate(
            &a,
            &inv("INV-2027-0043", 5_000_00, "2027-03-01")
        ));
        assert!(near_duplicate(
            &a,
            &inv("IN-2027-0042", 5_000_00, "2027-03-01")
        ));
        assert!(
            near_duplicate(&a, &inv("2027/42", 5_000_00, "2027-03-01")),
            "same digits"
        );
        // Exact duplicates are the registry's refusal, not a flag.
        assert!(!near_duplicate(
            &a,
            &inv("inv 2027 42", 5_000_00, "2027-03-01")
        ));
        // Another amount or date, or a clearly different number, is not a look-alike.
        assert!(!near_duplicate(
            &a,
            &inv("INV-2027-0043", 5_000_01, "2027-03-01")
        ));
        assert!(!near_duplicate(
            &a,
            &inv("INV-2027-0043", 5_000_00, "2027-03-02")
        ));
        assert!(!near_duplicate(
            &a,
            &inv("CN-88-1193", 5_000_00, "2027-03-01")
        ));
        let other_buyer = Receivable {
            buyer: "blueharbor",
            ..inv("INV-2027-0043", 5_000_00, "2027-03-01")
        };
        assert!(!near_duplicate(&a, &other_buyer));
    }
}

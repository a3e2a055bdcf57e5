//! An invoice's life and the rules on what it may claim: lines never above the quantities the
//! program lets the supplier invoice (received, or confirmed where allowed) less what earlier
//! invoices claimed, the total never above the PO value; acceptance above the brand's amount
//! needs a second brand-finance user (maker-checker).

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvoiceState {
    Submitted,
    /// Accepted by one brand-finance user; a second must confirm (amount above the threshold).
    AwaitingSecondAcceptance,
    /// The brand owes the amount on the due date (a signed statement says so).
    Accepted,
    Disputed,
    /// Assigned to a financier, which paid the supplier.
    Financed,
    Paid,
    Cancelled,
}

impl InvoiceState {
    pub const ALL: [InvoiceState; 7] = [
        InvoiceState::Submitted,
        InvoiceState::AwaitingSecondAcceptance,
        InvoiceState::Accepted,
        InvoiceState::Disputed,
        InvoiceState::Financed,
        InvoiceState::Paid,
        InvoiceState::Cancelled,
    ];

    pub fn code(self) -> &'static str {
        match self {
            InvoiceState::Submitted => "submitted",
            InvoiceState::AwaitingSecondAcceptance => "awaiting_second_acceptance",
            InvoiceState::Accepted => "accepted",
            InvoiceState::Disputed => "disputed",
            InvoiceState::Financed => "financed",
            InvoiceState::Paid => "paid",
            InvoiceState::Cancelled => "cancelled",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Whether the invoice still counts against the quantities and PO value (a cancelled or
    /// disputed one frees them for a corrected invoice).
    pub fn claims_quantities(self) -> bool {
        !matches!(self, InvoiceState::Cancelled | InvoiceState::Disputed)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvoiceRefusal {
    #[error("the invoice is not waiting for a decision")]
    NotOpen,
    #[error("the same user cannot give both acceptances")]
    SameUser,
    #[error("an accepted invoice cannot be cancelled")]
    AlreadyAccepted,
    #[error("only an accepted invoice can be financed")]
    NotAccepted,
    #[error("the invoice is settled")]
    Settled,
}

impl InvoiceRefusal {
    pub fn message_key(self) -> &'static str {
        match self {
            InvoiceRefusal::NotOpen => "invoice.refused.not_open",
            InvoiceRefusal::SameUser => "invoice.refused.same_user",
            InvoiceRefusal::AlreadyAccepted => "invoice.refused.already_accepted",
            InvoiceRefusal::NotAccepted => "invoice.refused.not_accepted",
            InvoiceRefusal::Settled => "invoice.refused.settled",
        }
    }
}

/// Brand finance accepts. `first` is who gave the first acceptance, if one is pending.
pub fn accept(
    state: InvoiceState,
    first: Option<&str>,
    by: &str,
    amount_minor: i64,
    second_above_minor: Option<i64>,
) -> Result<InvoiceState, InvoiceRefusal> {
    match state {
        InvoiceState::Submitted => Ok(match second_above_minor {
            Some(limit) if amount_minor > limit => InvoiceState::AwaitingSecondAcceptance,
            _ => InvoiceState::Accepted,
        }),
        InvoiceState::AwaitingSecondAcceptance if first == Some(by) => {
            Err(InvoiceRefusal::SameUser)
        }
        InvoiceState::AwaitingSecondAcceptance => Ok(InvoiceState::Accepted),
        _ => Err(InvoiceRefusal::NotOpen),
    }
}

/// Brand finance disputes (with a reason, checked by the caller).
pub fn dispute(state: InvoiceState) -> Result<InvoiceState, InvoiceRefusal> {
    match state {
        InvoiceState::Submitted | InvoiceState::AwaitingSecondAcceptance => {
            Ok(InvoiceState::Disputed)
        }
        _ => Err(InvoiceRefusal::NotOpen),
    }
}

/// The supplier withdraws an invoice the brand has not accepted.
pub fn cancel(state: InvoiceState) -> Result<InvoiceState, InvoiceRefusal> {
    match state {
        InvoiceState::Submitted
        | InvoiceState::AwaitingSecondAcceptance
        | InvoiceState::Disputed => Ok(InvoiceState::Cancelled),
        InvoiceState::Accepted | InvoiceState::Financed => Err(InvoiceRefusal::AlreadyAccepted),
        InvoiceState::Paid | InvoiceState::Cancelled => Err(InvoiceRefusal::Settled),
    }
}

/// The financier disbursed against it: the receivable is assigned.
pub fn financed(state: InvoiceState) -> Result<InvoiceState, InvoiceRefusal> {
    match state {
        InvoiceState::Accepted => Ok(InvoiceState::Financed),
        InvoiceState::Paid | InvoiceState::Cancelled => Err(InvoiceRefusal::Settled),
        _ => Err(InvoiceRefusal::NotAccepted),
    }
}

/// The brand paid (the supplier, or the financier it was assigned to).
pub fn paid(state: InvoiceState) -> Result<InvoiceState, InvoiceRefusal> {
    match state {
        InvoiceState::Accepted | InvoiceState::Financed => Ok(InvoiceState::Paid),
        InvoiceState::Paid | InvoiceState::Cancelled => Err(InvoiceRefusal::Settled),
        _ => Err(InvoiceRefusal::NotAccepted),
    }
}

/// One order line as it stands for invoicing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invoiceable {
    pub line_no: i64,
    /// What may be invoiced in all: received (or confirmed, where the program allows).
    pub basis: Decimal,
    /// Already claimed by earlier invoices that still count.
    pub invoiced: Decimal,
    pub unit_price_minor: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LineRefusal {
    #[error("no lines")]
    NoLines,
    #[error("not a line of the order")]
    UnknownLine,
    #[error("a quantity must be more than zero")]
    NotPositive,
    #[error("more than was received (or confirmed) and not yet invoiced")]
    AboveQuantity,
    #[error("more than the order's value")]
    AbovePoValue,
}

impl LineRefusal {
    pub fn message_key(self) -> &'static str {
        match self {
            LineRefusal::NoLines => "invoice.refused.no_lines",
            LineRefusal::UnknownLine => "invoice.refused.unknown_line",
            LineRefusal::NotPositive => "invoice.refused.not_positive",
            LineRefusal::AboveQuantity => "invoice.refused.above_quantity",
            LineRefusal::AbovePoValue => "invoice.refused.above_po_value",
        }
    }
}

/// A line amount: quantity × unit price, rounded half up to the minor unit.
pub fn line_amount(quantity: Decimal, unit_price_minor: i64) -> Option<i64> {
    (quantity * Decimal::from(unit_price_minor))
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
}

/// Line amounts in the order given, and their total.
pub type Priced = (Vec<i64>, i64);

/// Checks the invoice's (line, quantity) pairs against what may be invoiced and the PO value
/// (`po_total_minor` less `invoiced_total_minor` already claimed). Returns the line amounts and
/// the total, or the first refusal per line (by index) and overall.
pub fn check_lines(
    wanted: &[(i64, Decimal)],
    lines: &[Invoiceable],
    po_total_minor: i64,
    invoiced_total_minor: i64,
) -> Result<Priced, Vec<(usize, LineRefusal)>> {
    if wanted.is_empty() {
        return Err(vec![(0, LineRefusal::NoLines)]);
    }
    let mut refusals = Vec::new();
    let mut amounts = Vec::with_capacity(wanted.len());
    for (i, (line_no, qty)) in wanted.iter().enumerate() {
        let Some(line) = lines.iter().find(|l| l.line_no == *line_no) else {
            refusals.push((i, LineRefusal::UnknownLine));
            continue;
        };
        // The same line twice counts twice.
        let earlier: Decimal = wanted[..i]
            .iter()
            .filter(|(n, _)| n == line_no)
            .map(|(_, q)| *q)
            .sum();
        if *qty <= Decimal::ZERO {
            refusals.push((i, LineRefusal::NotPositive));
        } else if line.invoiced + earlier + qty > line.basis {
            refusals.push((i, LineRefusal::AboveQuantity));
        } else {
            amounts.push(line_amount(*qty, line.unit_price_minor).unwrap_or(i64::MAX));
        }
    }
    if !refusals.is_empty() {
        return Err(refusals);
    }
    let total = amounts.iter().try_fold(0i64, |t, a| t.checked_add(*a));
    match total {
        Some(t) if invoiced_total_minor.saturating_add(t) <= po_total_minor => Ok((amounts, t)),
        _ => Err(vec![(wanted.len(), LineRefusal::AbovePoValue)]),
    }
}

#[cfg(test)]
// Amounts are written as whole units and cents (`5_000_00` is 5,000.00).
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use super::*;
    use InvoiceState::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn acceptance_below_the_limit_takes_one_user_above_it_two_different_ones() {
        assert_eq!(
            accept(Submitted, None, "fiona", 500_00, Some(1_000_00)),
            Ok(Accepted)
        );
        assert_eq!(accept(Submitted, None, "fiona", 500_00, None), Ok(Accepted));
        assert_eq!(
            accept(Submitted, None, "fiona", 5_000_00, Some(1_000_00)),
            Ok(AwaitingSecondAcceptance)
        );
        assert_eq!(
            accept(
                AwaitingSecondAcceptance,
                Some("fiona"),
                "fiona",
                5_000_00,
                Some(1_000_00)
            ),
            Err(InvoiceRefusal::SameUser)
        );
        assert_eq!(
            accept(
                AwaitingSecondAcceptance,
                Some("fiona"),
                "felix",
                5_000_00,
                Some(1_000_00)
            ),
            Ok(Accepted)
        );
        for s in [Accepted, Disputed, Financed, Paid, Cancelled] {
            assert_eq!(
                accept(s, None, "fiona", 1, None),
                Err(InvoiceRefusal::NotOpen),
                "{s:?}"
            );
        }
    }

    #[test]
    fn every_other_transition_and_its_refusals() {
        assert_eq!(dispute(Submitted), Ok(Disputed));
        assert_eq!(dispute(AwaitingSecondAcceptance), Ok(Disputed));
        for s in [Accepted, Disputed, Financed, Paid, Cancelled] {
            assert_eq!(dispute(s), Err(InvoiceRefusal::NotOpen), "{s:?}");
        }
        assert_eq!(cancel(Submitted), Ok(Cancelled));
        assert_eq!(cancel(Disputed), Ok(Cancelled));
        assert_eq!(cancel(Accepted), Err(InvoiceRefusal::AlreadyAccepted));
        assert_eq!(cancel(Financed), Err(InvoiceRefusal::AlreadyAccepted));
        assert_eq!(cancel(Paid), Err(InvoiceRefusal::Settled));
        assert_eq!(financed(Accepted), Ok(Financed));
        assert_eq!(financed(Submitted), Err(InvoiceRefusal::NotAccepted));
        assert_eq!(
            financed(Financed),
            Err(InvoiceRefusal::NotAccepted),
            "never twice"
        );
        assert_eq!(financed(Paid), Err(InvoiceRefusal::Settled));
        assert_eq!(paid(Accepted), Ok(Paid));
        assert_eq!(paid(Financed), Ok(Paid));
        assert_eq!(paid(Disputed), Err(InvoiceRefusal::NotAccepted));
        assert_eq!(paid(Paid), Err(InvoiceRefusal::Settled));
        for s in InvoiceState::ALL {
            assert_eq!(InvoiceState::parse(s.code()), Some(s));
        }
        assert!(!Cancelled.claims_quantities() && !Disputed.claims_quantities());
        assert!(Accepted.claims_quantities());
    }

    fn order() -> Vec<Invoiceable> {
        vec![
            Invoiceable {
                line_no: 1,
                basis: d("100"),
                invoiced: d("0"),
                unit_price_minor: 2_50,
            },
            Invoiceable {
                line_no: 2,
                basis: d("50.5"),
                invoiced: d("20"),
                unit_price_minor: 3_33,
            },
        ]
    }

    #[test]
    fn lines_within_what_was_received_are_priced_exactly() {
        let (amounts, total) =
            check_lines(&[(1, d("100")), (2, d("30.5"))], &order(), 1_000_000, 0).unwrap();
        // 30.5 × 3.33 = 101.565 → 101.57 (half up)
        assert_eq!(amounts, vec![250_00, 101_57]);
        assert_eq!(total, 351_57);
    }

    #[test]
    fn an_invoice_above_the_received_quantity_or_the_po_value_is_refused() {
        assert_eq!(
            check_lines(&[(1, d("100.001"))], &order(), 1_000_000, 0),
            Err(vec![(0, LineRefusal::AboveQuantity)])
        );
        // Line 2 had 20 of 50.5 invoiced already.
        assert_eq!(
            check_lines(&[(2, d("31"))], &order(), 1_000_000, 0),
            Err(vec![(0, LineRefusal::AboveQuantity)])
        );
        // The same line twice adds up.
        assert_eq!(
            check_lines(&[(1, d("60")), (1, d("41"))], &order(), 1_000_000, 0),
            Err(vec![(1, LineRefusal::AboveQuantity)])
        );
        assert_eq!(
            check_lines(&[(3, d("1")), (1, d("0"))], &order(), 1_000_000, 0),
            Err(vec![
                (0, LineRefusal::UnknownLine),
                (1, LineRefusal::NotPositive)
            ])
        );
        assert_eq!(
            check_lines(&[], &order(), 1_000_000, 0),
            Err(vec![(0, LineRefusal::NoLines)])
        );
        // 250.00 fits a 300.00 PO with nothing invoiced, not with 60.00 invoiced before.
        assert!(check_lines(&[(1, d("100"))], &order(), 300_00, 0).is_ok());
        assert_eq!(
            check_lines(&[(1, d("100"))], &order(), 300_00, 60_00),
            Err(vec![(1, LineRefusal::AbovePoValue)])
        );
    }
}

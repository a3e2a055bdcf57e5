//! What an SLA measures and what each kind of clock should be doing given the facts of an order.
//! The service layer compares this wish with the clocks on record and starts, pauses, resumes or
//! stops them in the same transaction as the change that moved the order.

use super::timer::Target;
use crate::domain::order::line::LineState;
use crate::domain::order::state::OrderState;

/// The clocks Portico runs. Their codes are stored; never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// The partner confirms an issued PO.
    PoConfirmation,
    /// The brand decides a partner's change proposal (one clock per line and proposal).
    ChangeDecision,
    /// The factory submits the first sample after confirmation.
    FirstSample,
    /// The shipping notice comes well before the goods: from the first accepted line until the
    /// first ASN, due the target's lead before the earliest accepted delivery date (or before
    /// the ASN's own ETA, if that is earlier).
    AsnBeforeEta,
    /// The warehouse posts the receipt after the goods arrive at its dock (one clock per
    /// shipment, owed by the warehouse).
    GoodsReceipt,
    /// Brand finance accepts (or disputes) an invoice (one clock per invoice).
    InvoiceAcceptance,
    /// The financier decides a financing request (starts working when financing lands).
    FinancierDecision,
}

/// Who owes the step a clock measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owes {
    Partner,
    Brand,
    Warehouse,
    Financier,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::PoConfirmation,
        Kind::ChangeDecision,
        Kind::FirstSample,
        Kind::AsnBeforeEta,
        Kind::GoodsReceipt,
        Kind::InvoiceAcceptance,
        Kind::FinancierDecision,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Kind::PoConfirmation => "po_confirmation",
            Kind::ChangeDecision => "change_decision",
            Kind::FirstSample => "first_sample",
            Kind::AsnBeforeEta => "asn_before_eta",
            Kind::GoodsReceipt => "goods_receipt",
            Kind::InvoiceAcceptance => "invoice_acceptance",
            Kind::FinancierDecision => "financier_decision",
        }
    }

    pub fn parse(code: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Kind::PoConfirmation => "sla.kind.po_confirmation",
            Kind::ChangeDecision => "sla.kind.change_decision",
            Kind::FirstSample => "sla.kind.first_sample",
            Kind::AsnBeforeEta => "sla.kind.asn_before_eta",
            Kind::GoodsReceipt => "sla.kind.goods_receipt",
            Kind::InvoiceAcceptance => "sla.kind.invoice_acceptance",
            Kind::FinancierDecision => "sla.kind.financier_decision",
        }
    }

    pub fn owes(self) -> Owes {
        match self {
            Kind::PoConfirmation | Kind::FirstSample | Kind::AsnBeforeEta => Owes::Partner,
            Kind::ChangeDecision | Kind::InvoiceAcceptance => Owes::Brand,
            Kind::GoodsReceipt => Owes::Warehouse,
            Kind::FinancierDecision => Owes::Financier,
        }
    }

    /// The default every brand starts with.
    pub fn default_target(self) -> Target {
        match self {
            Kind::PoConfirmation => Target::BusinessHours(24),
            Kind::ChangeDecision => Target::BusinessDays(2),
            Kind::FirstSample => Target::CalendarDays(10),
            Kind::AsnBeforeEta => Target::CalendarHours(48),
            Kind::GoodsReceipt => Target::BusinessHours(4),
            Kind::InvoiceAcceptance => Target::BusinessDays(3),
            Kind::FinancierDecision => Target::BusinessDays(1),
        }
    }

    /// Whether the clock may pause while the order waits on the brand.
    pub fn pauses_on_brand_by_default(self) -> bool {
        self == Kind::PoConfirmation
    }
}

pub const DEFAULT_WARN_PERCENT: u8 = 80;

/// What a clock of some kind should be doing now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// Not started (or nothing to measure yet).
    Absent,
    Run,
    /// Held because the other side has the next move.
    Pause,
    /// The step is done: stop, met or late.
    Stop,
    /// The order went away (cancelled): stop without counting it for or against anyone.
    Void,
}

/// The facts of an order the order-level clocks depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderFacts {
    pub state: OrderState,
    pub open_lines: usize,
    pub proposals: usize,
    pub accepted_lines: usize,
    pub sample_submitted: bool,
    /// Whether a shipping notice (ASN) exists for the order.
    pub shipped: bool,
}

impl OrderFacts {
    pub fn of(state: OrderState, lines: &[LineState], sample_submitted: bool) -> OrderFacts {
        let count = |f: fn(&LineState) -> bool| lines.iter().filter(|s| f(s)).count();
        OrderFacts {
            state,
            open_lines: count(|s| *s == LineState::Open),
            proposals: count(|s| {
                matches!(s, LineState::ChangeProposed | LineState::DateChangeProposed)
            }),
            accepted_lines: count(|s| *s == LineState::Accepted),
            sample_submitted,
            shipped: false,
        }
    }
}

/// The order-level wish for `kind` (None for kinds that are not order-level or not wired).
pub fn want_for_order(kind: Kind, facts: &OrderFacts, pause_on_brand: bool) -> Option<Want> {
    let live = facts.state.open_for_decisions();
    Some(match kind {
        Kind::PoConfirmation => match facts.state {
            OrderState::Draft => Want::Absent,
            OrderState::Cancelled => Want::Void,
            _ if facts.open_lines > 0 => Want::Run,
            _ if facts.proposals > 0 && pause_on_brand => Want::Pause,
            _ if facts.proposals > 0 => Want::Run,
            _ => Want::Stop,
        },
        Kind::FirstSample => match facts.state {
            OrderState::Cancelled => Want::Void,
            _ if facts.sample_submitted => Want::Stop,
            _ if live && facts.accepted_lines > 0 => Want::Run,
            _ => Want::Absent,
        },
        Kind::AsnBeforeEta => match facts.state {
            OrderState::Cancelled => Want::Void,
            _ if facts.shipped => Want::Stop,
            _ if live && facts.accepted_lines > 0 => Want::Run,
            _ => Want::Absent,
        },
        _ => return None,
    })
}

/// The wish for a shipment's goods-receipt clock: runs from arrival at the dock until the
/// receipt is posted.
pub fn want_for_shipment(order: OrderState, arrived: bool, received: bool) -> Want {
    match (order, arrived, received) {
        (_, _, true) => Want::Stop,
        (OrderState::Cancelled, _, _) => Want::Void,
        (_, true, false) => Want::Run,
        _ => Want::Absent,
    }
}

/// The wish for an invoice's acceptance clock (owed by the brand): runs while the invoice waits
/// for brand finance, stops at its decision, and does not count when the supplier withdraws it.
pub fn want_for_invoice(order: OrderState, invoice_state: &str) -> Want {
    match (order, invoice_state) {
        (_, "submitted" | "awaiting_second_acceptance") if order != OrderState::Cancelled => {
            Want::Run
        }
        (_, "accepted" | "disputed" | "financed" | "paid") => Want::Stop,
        _ => Want::Void,
    }
}

/// The wish for the financier's decision clock on one financing request: it runs while the
/// request waits for an offer or a refusal; the supplier withdrawing voids it.
pub fn want_for_financing(financing_state: &str) -> Want {
    match financing_state {
        "requested" => Want::Run,
        "withdrawn" => Want::Void,
        _ => Want::Stop,
    }
}

/// The wish for a line's change-decision clock.
pub fn want_for_line(order: OrderState, line: LineState) -> Want {
    match (order, line) {
        (OrderState::Cancelled, _) => Want::Void,
        (_, LineState::ChangeProposed | LineState::DateChangeProposed) => Want::Run,
        _ => Want::Stop,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use LineState::*;

    fn facts(state: OrderState, lines: &[LineState], sample: bool) -> OrderFacts {
        OrderFacts::of(state, lines, sample)
    }

    #[test]
    fn confirmation_runs_from_issue_pauses_on_the_brand_and_stops_when_decided() {
        let k = Kind::PoConfirmation;
        let want = |s, l: &[LineState]| want_for_order(k, &facts(s, l, false), true).unwrap();
        assert_eq!(want(OrderState::Draft, &[Open]), Want::Absent);
        assert_eq!(want(OrderState::Issued, &[Open, Open]), Want::Run);
        assert_eq!(
            want(OrderState::PartiallyConfirmed, &[Accepted, Open]),
            Want::Run
        );
        assert_eq!(
            want(OrderState::ChangesProposed, &[Accepted, ChangeProposed]),
            Want::Pause
        );
        assert_eq!(
            want_for_order(
                k,
                &facts(OrderState::ChangesProposed, &[ChangeProposed], false),
                false
            ),
            Some(Want::Run),
            "a policy without the pause keeps running"
        );
        assert_eq!(
            want(OrderState::Confirmed, &[Accepted, Rejected]),
            Want::Stop
        );
        assert_eq!(want(OrderState::Cancelled, &[Open]), Want::Void);
    }

    #[test]
    fn first_sample_runs_from_the_first_accepted_line_until_a_sample_is_submitted() {
        let want = |s, l: &[LineState], sample| {
            want_for_order(Kind::FirstSample, &facts(s, l, sample), true).unwrap()
        };
        assert_eq!(want(OrderState::Issued, &[Open], false), Want::Absent);
        assert_eq!(
            want(OrderState::PartiallyConfirmed, &[Accepted, Open], false),
            Want::Run
        );
        assert_eq!(want(OrderState::Confirmed, &[Accepted], true), Want::Stop);
        assert_eq!(want(OrderState::Cancelled, &[Accepted], false), Want::Void);
    }

    #[test]
    fn the_shipping_notice_clock_runs_from_confirmation_until_the_first_asn() {
        let want = |s, l: &[LineState], shipped| {
            let f = OrderFacts {
                shipped,
                ..facts(s, l, false)
            };
            want_for_order(Kind::AsnBeforeEta, &f, false).unwrap()
        };
        assert_eq!(want(OrderState::Issued, &[Open], false), Want::Absent);
        assert_eq!(want(OrderState::Confirmed, &[Accepted], false), Want::Run);
        assert_eq!(want(OrderState::Confirmed, &[Accepted], true), Want::Stop);
        assert_eq!(want(OrderState::Cancelled, &[Accepted], false), Want::Void);
    }

    #[test]
    fn the_acceptance_clock_runs_until_brand_finance_decides() {
        use OrderState::*;
        assert_eq!(want_for_invoice(Confirmed, "submitted"), Want::Run);
        assert_eq!(
            want_for_invoice(Confirmed, "awaiting_second_acceptance"),
            Want::Run
        );
        assert_eq!(want_for_invoice(Confirmed, "accepted"), Want::Stop);
        assert_eq!(want_for_invoice(Confirmed, "disputed"), Want::Stop);
        assert_eq!(want_for_invoice(Confirmed, "cancelled"), Want::Void);
        assert_eq!(want_for_invoice(Cancelled, "submitted"), Want::Void);
    }

    #[test]
    fn the_receipt_clock_runs_from_arrival_until_the_receipt() {
        use OrderState::*;
        assert_eq!(want_for_shipment(Confirmed, false, false), Want::Absent);
        assert_eq!(want_for_shipment(Confirmed, true, false), Want::Run);
        assert_eq!(want_for_shipment(Confirmed, true, true), Want::Stop);
        assert_eq!(want_for_shipment(Cancelled, true, false), Want::Void);
    }

    #[test]
    fn a_change_decision_runs_while_the_proposal_waits() {
        assert_eq!(
            want_for_line(OrderState::ChangesProposed, ChangeProposed),
            Want::Run
        );
        assert_eq!(
            want_for_line(OrderState::Confirmed, DateChangeProposed),
            Want::Run
        );
        assert_eq!(want_for_line(OrderState::Confirmed, Accepted), Want::Stop);
        assert_eq!(
            want_for_line(OrderState::Cancelled, ChangeProposed),
            Want::Void
        );
    }

    #[test]
    fn every_kind_has_a_stable_code_and_the_issues_defaults() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.code()), Some(k));
        }
        assert_eq!(
            Kind::PoConfirmation.default_target(),
            Target::BusinessHours(24)
        );
        assert_eq!(Kind::FirstSample.default_target(), Target::CalendarDays(10));
        assert_eq!(
            Kind::FinancierDecision.default_target(),
            Target::BusinessDays(1)
        );
    }
}

//! A financing request's life: the supplier asks, the financier offers or declines, the supplier
//! accepts (or withdraws), the financier disburses (a second financier user approves above the
//! program's threshold), the brand repays at the due date; late repayment shows as overdue.
//! And the evidence a program requires before anyone may ask.

use jiff::civil::Date;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FinancingState {
    Requested,
    Offered,
    OfferAccepted,
    /// One financier user approved the disbursement; above the threshold a second must.
    AwaitingSecondApproval,
    Disbursed,
    Repaid,
    Declined,
    Withdrawn,
}

impl FinancingState {
    pub const ALL: [FinancingState; 8] = [
        FinancingState::Requested,
        FinancingState::Offered,
        FinancingState::OfferAccepted,
        FinancingState::AwaitingSecondApproval,
        FinancingState::Disbursed,
        FinancingState::Repaid,
        FinancingState::Declined,
        FinancingState::Withdrawn,
    ];

    pub fn code(self) -> &'static str {
        match self {
            FinancingState::Requested => "requested",
            FinancingState::Offered => "offered",
            FinancingState::OfferAccepted => "offer_accepted",
            FinancingState::AwaitingSecondApproval => "awaiting_second_approval",
            FinancingState::Disbursed => "disbursed",
            FinancingState::Repaid => "repaid",
            FinancingState::Declined => "declined",
            FinancingState::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Whether the request still holds the invoice (no second request may be opened on it).
    pub fn is_live(self) -> bool {
        !matches!(
            self,
            FinancingState::Declined | FinancingState::Withdrawn | FinancingState::Repaid
        )
    }

    /// Disbursed and unpaid after the due date.
    pub fn is_overdue(self, due: Date, today: Date) -> bool {
        self == FinancingState::Disbursed && today > due
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FinancingRefusal {
    #[error("the request is not waiting for this step")]
    WrongStep,
    #[error("the same user cannot give both approvals")]
    SameUser,
}

impl FinancingRefusal {
    pub fn message_key(self) -> &'static str {
        match self {
            FinancingRefusal::WrongStep => "financing.refused.wrong_step",
            FinancingRefusal::SameUser => "financing.refused.same_user",
        }
    }
}

use FinancingState as S;

pub fn offer(state: S) -> Result<S, FinancingRefusal> {
    match state {
        S::Requested => Ok(S::Offered),
        _ => Err(FinancingRefusal::WrongStep),
    }
}

pub fn decline(state: S) -> Result<S, FinancingRefusal> {
    match state {
        S::Requested | S::Offered => Ok(S::Declined),
        _ => Err(FinancingRefusal::WrongStep),
    }
}

pub fn withdraw(state: S) -> Result<S, FinancingRefusal> {
    match state {
        S::Requested | S::Offered => Ok(S::Withdrawn),
        _ => Err(FinancingRefusal::WrongStep),
    }
}

pub fn accept_offer(state: S) -> Result<S, FinancingRefusal> {
    match state {
        S::Offered => Ok(S::OfferAccepted),
        _ => Err(FinancingRefusal::WrongStep),
    }
}

/// A financier user approves the disbursement of `net_minor`; `first` is who approved first.
pub fn approve_disbursement(
    state: S,
    first: Option<&str>,
    by: &str,
    net_minor: i64,
    second_above_minor: Option<i64>,
) -> Result<S, FinancingRefusal> {
    match state {
        S::OfferAccepted => Ok(match second_above_minor {
            Some(limit) if net_minor > limit => S::AwaitingSecondApproval,
            _ => S::Disbursed,
        }),
        S::AwaitingSecondApproval if first == Some(by) => Err(FinancingRefusal::SameUser),
        S::AwaitingSecondApproval => Ok(S::Disbursed),
        _ => Err(FinancingRefusal::WrongStep),
    }
}

pub fn repay(state: S) -> Result<S, FinancingRefusal> {
    match state {
        S::Disbursed => Ok(S::Repaid),
        _ => Err(FinancingRefusal::WrongStep),
    }
}

/// A piece of evidence a program can require before financing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Evidence {
    OrderConfirmed,
    GoodsReceived,
    BuyerAccepted,
}

impl Evidence {
    pub const ALL: [Evidence; 3] = [
        Evidence::OrderConfirmed,
        Evidence::GoodsReceived,
        Evidence::BuyerAccepted,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Evidence::OrderConfirmed => "order_confirmed",
            Evidence::GoodsReceived => "goods_received",
            Evidence::BuyerAccepted => "buyer_accepted",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.code() == code)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Evidence::OrderConfirmed => "program.evidence.order_confirmed",
            Evidence::GoodsReceived => "program.evidence.goods_received",
            Evidence::BuyerAccepted => "program.evidence.buyer_accepted",
        }
    }
}

/// What the program requires and the invoice does not have yet (empty: financing may start).
pub fn missing(required: &[Evidence], have: &[Evidence]) -> Vec<Evidence> {
    required
        .iter()
        .copied()
        .filter(|e| !have.contains(e))
        .collect()
}

#[cfg(test)]
// Amounts are written as whole units and cents (`5_000_00` is 5,000.00).
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn the_happy_path_below_and_above_the_approval_threshold() {
        let s = offer(S::Requested).unwrap();
        let s = accept_offer(s).unwrap();
        assert_eq!(
            approve_disbursement(s, None, "chen", 9_000_00, Some(50_000_00)),
            Ok(S::Disbursed)
        );
        let s = approve_disbursement(s, None, "chen", 90_000_00, Some(50_000_00)).unwrap();
        assert_eq!(s, S::AwaitingSecondApproval);
        assert_eq!(
            approve_disbursement(s, Some("chen"), "chen", 90_000_00, Some(50_000_00)),
            Err(FinancingRefusal::SameUser)
        );
        let s = approve_disbursement(s, Some("chen"), "ada", 90_000_00, Some(50_000_00)).unwrap();
        assert_eq!(s, S::Disbursed);
        assert_eq!(repay(s), Ok(S::Repaid));
    }

    #[test]
    fn every_step_out_of_turn_is_refused() {
        let all = FinancingState::ALL;
        let allowed = |f: fn(S) -> Result<S, FinancingRefusal>, ok: &[S]| {
            for s in all {
                assert_eq!(f(s).is_ok(), ok.contains(&s), "{s:?}");
            }
        };
        allowed(offer, &[S::Requested]);
        allowed(decline, &[S::Requested, S::Offered]);
        allowed(withdraw, &[S::Requested, S::Offered]);
        allowed(accept_offer, &[S::Offered]);
        allowed(repay, &[S::Disbursed]);
        for s in all {
            let ok = matches!(s, S::OfferAccepted | S::AwaitingSecondApproval);
            assert_eq!(
                approve_disbursement(s, Some("a"), "b", 1, None).is_ok(),
                ok,
                "{s:?}"
            );
            assert_eq!(FinancingState::parse(s.code()), Some(s));
        }
        assert!(S::Requested.is_live() && S::Disbursed.is_live());
        assert!(!S::Declined.is_live() && !S::Withdrawn.is_live() && !S::Repaid.is_live());
    }

    #[test]
    fn overdue_is_disbursed_and_unpaid_after_the_due_date() {
        let due = date(2027, 5, 31);
        assert!(!S::Disbursed.is_overdue(due, due));
        assert!(S::Disbursed.is_overdue(due, date(2027, 6, 1)));
        assert!(!S::Repaid.is_overdue(due, date(2027, 6, 1)));
    }

    #[test]
    fn financing_waits_for_the_evidence_the_program_requires() {
        use Evidence::*;
        let default = [OrderConfirmed, GoodsReceived, BuyerAccepted];
        assert_eq!(
            missing(&default, &[OrderConfirmed]),
            vec![GoodsReceived, BuyerAccepted]
        );
        assert!(missing(&default, &default).is_empty());
        assert!(missing(&[OrderConfirmed], &[OrderConfirmed]).is_empty());
        for e in Evidence::ALL {
            assert_eq!(Evidence::parse(e.code()), Some(e));
        }
    }
}

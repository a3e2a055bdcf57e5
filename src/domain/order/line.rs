//! The line state machine: what the partner and the brand may do with one order line, and what
//! it leads to. Pure: a transition takes the state, who acts and what they do, and returns the
//! new state with the event it caused, or a typed refusal.

use rust_decimal::Decimal;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LineState {
    /// Issued, waiting for the partner's decision.
    Open,
    Accepted,
    Rejected,
    /// The partner proposed other quantity, date or price; the brand decides.
    ChangeProposed,
    /// After acceptance, the partner asks for another delivery date; the brand decides.
    DateChangeProposed,
}

impl LineState {
    pub const ALL: [LineState; 5] = [
        LineState::Open,
        LineState::Accepted,
        LineState::Rejected,
        LineState::ChangeProposed,
        LineState::DateChangeProposed,
    ];

    /// Whether goods of the line may ship: it was accepted (a later date proposal keeps it so).
    pub fn may_ship(self) -> bool {
        matches!(self, LineState::Accepted | LineState::DateChangeProposed)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LineState::Open => "open",
            LineState::Accepted => "accepted",
            LineState::Rejected => "rejected",
            LineState::ChangeProposed => "change_proposed",
            LineState::DateChangeProposed => "date_change_proposed",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            LineState::Open => "line_state.open",
            LineState::Accepted => "line_state.accepted",
            LineState::Rejected => "line_state.rejected",
            LineState::ChangeProposed => "line_state.change_proposed",
            LineState::DateChangeProposed => "line_state.date_change_proposed",
        }
    }
}

/// Which side of the order acts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Brand,
    Partner,
}

/// A proposed change of a line's terms; at least one field is set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    pub quantity: Option<Decimal>,
    pub delivery_date: Option<String>,
    pub unit_price_minor: Option<i64>,
    pub comment: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineAction {
    Accept,
    Reject { reason: String },
    ProposeChange(Proposal),
    AcceptProposal,
    DeclineProposal { comment: String },
    ProposeDateChange { date: String, comment: String },
    AcceptDateChange,
    DeclineDateChange { comment: String },
}

impl LineAction {
    pub fn name(&self) -> &'static str {
        match self {
            LineAction::Accept => "accept",
            LineAction::Reject { .. } => "reject",
            LineAction::ProposeChange(_) => "propose_change",
            LineAction::AcceptProposal => "accept_proposal",
            LineAction::DeclineProposal { .. } => "decline_proposal",
            LineAction::ProposeDateChange { .. } => "propose_date_change",
            LineAction::AcceptDateChange => "accept_date_change",
            LineAction::DeclineDateChange { .. } => "decline_date_change",
        }
    }

    /// Who may take this action.
    pub fn side(&self) -> Side {
        match self {
            LineAction::Accept
            | LineAction::Reject { .. }
            | LineAction::ProposeChange(_)
            | LineAction::ProposeDateChange { .. } => Side::Partner,
            LineAction::AcceptProposal
            | LineAction::DeclineProposal { .. }
            | LineAction::AcceptDateChange
            | LineAction::DeclineDateChange { .. } => Side::Brand,
        }
    }

    /// The one state this action starts from.
    fn starts_from(&self) -> LineState {
        match self {
            LineAction::Accept | LineAction::Reject { .. } | LineAction::ProposeChange(_) => {
                LineState::Open
            }
            LineAction::AcceptProposal | LineAction::DeclineProposal { .. } => {
                LineState::ChangeProposed
            }
            LineAction::ProposeDateChange { .. } => LineState::Accepted,
            LineAction::AcceptDateChange | LineAction::DeclineDateChange { .. } => {
                LineState::DateChangeProposed
            }
        }
    }

    fn leads_to(&self) -> LineState {
        match self {
            LineAction::Accept
            | LineAction::AcceptProposal
            | LineAction::AcceptDateChange
            | LineAction::DeclineDateChange { .. } => LineState::Accepted,
            LineAction::Reject { .. } => LineState::Rejected,
            LineAction::ProposeChange(_) => LineState::ChangeProposed,
            LineAction::DeclineProposal { .. } => LineState::Open,
            LineAction::ProposeDateChange { .. } => LineState::DateChangeProposed,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LineRefusal {
    #[error("the other side of the order takes this step")]
    WrongSide,
    #[error("this step is not possible while the line is {0:?}")]
    NotInState(LineState),
    #[error("a proposal must change the quantity, the date or the price")]
    EmptyProposal,
    #[error("a reason is required")]
    ReasonRequired,
    #[error("the order is not open for decisions")]
    OrderClosed,
}

impl LineRefusal {
    pub fn message_key(self) -> &'static str {
        match self {
            LineRefusal::WrongSide => "orders.refused.wrong_side",
            LineRefusal::NotInState(_) => "orders.refused.line_state",
            LineRefusal::EmptyProposal => "orders.refused.empty_proposal",
            LineRefusal::ReasonRequired => "orders.refused.reason_required",
            LineRefusal::OrderClosed => "orders.refused.order_closed",
        }
    }
}

/// Applies `action` by `side` to a line in `state`, on an order that is (`order_open`) or is not
/// open for decisions. Returns the line's next state.
pub fn transition(
    state: LineState,
    side: Side,
    action: &LineAction,
    order_open: bool,
) -> Result<LineState, LineRefusal> {
    if !order_open {
        return Err(LineRefusal::OrderClosed);
    }
    if action.side() != side {
        return Err(LineRefusal::WrongSide);
    }
    if action.starts_from() != state {
        return Err(LineRefusal::NotInState(state));
    }
    match action {
        LineAction::Reject { reason } if reason.trim().is_empty() => {
            Err(LineRefusal::ReasonRequired)
        }
        LineAction::ProposeChange(p)
            if p.quantity.is_none()
                && p.delivery_date.is_none()
                && p.unit_price_minor.is_none() =>
        {
            Err(LineRefusal::EmptyProposal)
        }
        _ => Ok(action.leads_to()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_action() -> Vec<LineAction> {
        vec![
            LineAction::Accept,
            LineAction::Reject {
                reason: "no capacity".into(),
            },
            LineAction::ProposeChange(Proposal {
                quantity: Some(Decimal::from(900)),
                delivery_date: None,
                unit_price_minor: None,
                comment: String::new(),
            }),
            LineAction::AcceptProposal,
            LineAction::DeclineProposal {
                comment: String::new(),
            },
            LineAction::ProposeDateChange {
                date: "2027-03-01".into(),
                comment: String::new(),
            },
            LineAction::AcceptDateChange,
            LineAction::DeclineDateChange {
                comment: String::new(),
            },
        ]
    }

    /// The whole table: (from, action) -> to, for the side allowed to act.
    fn expected(state: LineState, action: &LineAction) -> Option<LineState> {
        use LineState::*;
        match (state, action.name()) {
            (Open, "accept") => Some(Accepted),
            (Open, "reject") => Some(Rejected),
            (Open, "propose_change") => Some(ChangeProposed),
            (ChangeProposed, "accept_proposal") => Some(Accepted),
            (ChangeProposed, "decline_proposal") => Some(Open),
            (Accepted, "propose_date_change") => Some(DateChangeProposed),
            (DateChangeProposed, "accept_date_change") => Some(Accepted),
            (DateChangeProposed, "decline_date_change") => Some(Accepted),
            _ => None,
        }
    }

    #[test]
    fn every_state_times_every_action_times_every_side() {
        for state in LineState::ALL {
            for action in every_action() {
                for side in [Side::Brand, Side::Partner] {
                    let result = transition(state, side, &action, true);
                    let want = if side != action.side() {
                        Err(LineRefusal::WrongSide)
                    } else {
                        expected(state, &action).ok_or(LineRefusal::NotInState(state))
                    };
                    assert_eq!(result, want, "{state:?} {} by {side:?}", action.name());
                }
                assert_eq!(
                    transition(state, action.side(), &action, false),
                    Err(LineRefusal::OrderClosed),
                    "closed orders refuse everything"
                );
            }
        }
    }

    #[test]
    fn a_rejection_needs_a_reason() {
        let action = LineAction::Reject {
            reason: "  ".into(),
        };
        assert_eq!(
            transition(LineState::Open, Side::Partner, &action, true),
            Err(LineRefusal::ReasonRequired)
        );
    }

    #[test]
    fn a_proposal_must_change_something() {
        let action = LineAction::ProposeChange(Proposal {
            quantity: None,
            delivery_date: None,
            unit_price_minor: None,
            comment: "just saying".into(),
        });
        assert_eq!(
            transition(LineState::Open, Side::Partner, &action, true),
            Err(LineRefusal::EmptyProposal)
        );
    }

    #[test]
    fn states_round_trip_through_text() {
        for state in LineState::ALL {
            assert_eq!(LineState::parse(state.as_str()), Some(state));
        }
    }
}

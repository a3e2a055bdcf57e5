//! The order state machine. Before issue the brand edits a draft; after issue the state follows
//! from the lines; cancellation (with a reason) is possible from every state before shipment.

use super::line::LineState;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrderState {
    Draft,
    /// Issued; no line accepted yet, none proposed.
    Issued,
    PartiallyConfirmed,
    ChangesProposed,
    Confirmed,
    Rejected,
    Cancelled,
}

impl OrderState {
    pub const ALL: [OrderState; 7] = [
        OrderState::Draft,
        OrderState::Issued,
        OrderState::PartiallyConfirmed,
        OrderState::ChangesProposed,
        OrderState::Confirmed,
        OrderState::Rejected,
        OrderState::Cancelled,
    ];

    /// Every state but the draft, which is the brand's own business until issued: what a
    /// partner's lists show.
    pub const PARTNER_VISIBLE: [OrderState; 6] = [
        OrderState::Issued,
        OrderState::PartiallyConfirmed,
        OrderState::ChangesProposed,
        OrderState::Confirmed,
        OrderState::Rejected,
        OrderState::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderState::Draft => "draft",
            OrderState::Issued => "issued",
            OrderState::PartiallyConfirmed => "partially_confirmed",
            OrderState::ChangesProposed => "changes_proposed",
            OrderState::Confirmed => "confirmed",
            OrderState::Rejected => "rejected",
            OrderState::Cancelled => "cancelled",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            OrderState::Draft => "order_state.draft",
            OrderState::Issued => "order_state.issued",
            OrderState::PartiallyConfirmed => "order_state.partially_confirmed",
            OrderState::ChangesProposed => "order_state.changes_proposed",
            OrderState::Confirmed => "order_state.confirmed",
            OrderState::Rejected => "order_state.rejected",
            OrderState::Cancelled => "order_state.cancelled",
        }
    }

    /// Whether lines can still be decided on.
    pub fn open_for_decisions(self) -> bool {
        !matches!(self, OrderState::Draft | OrderState::Cancelled)
    }

    /// States in which the partner has something to do (its inbox).
    pub fn awaits_partner(self) -> bool {
        matches!(self, OrderState::Issued | OrderState::PartiallyConfirmed)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OrderRefusal {
    #[error("only a draft can be issued")]
    NotDraft,
    #[error("an order needs at least one line to be issued")]
    NoLines,
    #[error("the order is already cancelled")]
    AlreadyCancelled,
    #[error("a reason is required")]
    ReasonRequired,
}

impl OrderRefusal {
    pub fn message_key(self) -> &'static str {
        match self {
            OrderRefusal::NotDraft => "orders.refused.not_draft",
            OrderRefusal::NoLines => "orders.refused.no_lines",
            OrderRefusal::AlreadyCancelled => "orders.refused.already_cancelled",
            OrderRefusal::ReasonRequired => "orders.refused.reason_required",
        }
    }
}

/// The state an issued order is in, given its lines' states.
pub fn derive(lines: &[LineState]) -> OrderState {
    use LineState::*;
    if lines
        .iter()
        .any(|l| matches!(l, ChangeProposed | DateChangeProposed))
    {
        return OrderState::ChangesProposed;
    }
    if !lines.is_empty() && lines.iter().all(|l| *l == Accepted) {
        return OrderState::Confirmed;
    }
    if !lines.is_empty() && lines.iter().all(|l| *l == Rejected) {
        return OrderState::Rejected;
    }
    if lines.contains(&Accepted) {
        return OrderState::PartiallyConfirmed;
    }
    OrderState::Issued
}

pub fn issue(state: OrderState, line_count: usize) -> Result<OrderState, OrderRefusal> {
    match state {
        OrderState::Draft if line_count == 0 => Err(OrderRefusal::NoLines),
        OrderState::Draft => Ok(OrderState::Issued),
        _ => Err(OrderRefusal::NotDraft),
    }
}

/// Cancels before shipment (shipment states arrive with the logistics feature and will refuse).
pub fn cancel(state: OrderState, reason: &str) -> Result<OrderState, OrderRefusal> {
    if state == OrderState::Cancelled {
        return Err(OrderRefusal::AlreadyCancelled);
    }
    if reason.trim().is_empty() {
        return Err(OrderRefusal::ReasonRequired);
    }
    Ok(OrderState::Cancelled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use LineState::*;

    #[test]
    fn the_order_state_follows_from_its_lines() {
        assert_eq!(derive(&[Open, Open]), OrderState::Issued);
        assert_eq!(derive(&[Open, Rejected]), OrderState::Issued);
        assert_eq!(derive(&[Accepted, Open]), OrderState::PartiallyConfirmed);
        assert_eq!(
            derive(&[Accepted, Rejected]),
            OrderState::PartiallyConfirmed
        );
        assert_eq!(derive(&[Accepted, Accepted]), OrderState::Confirmed);
        assert_eq!(derive(&[Rejected, Rejected]), OrderState::Rejected);
        assert_eq!(
            derive(&[Accepted, ChangeProposed]),
            OrderState::ChangesProposed
        );
        assert_eq!(
            derive(&[Accepted, DateChangeProposed]),
            OrderState::ChangesProposed
        );
    }

    #[test]
    fn every_line_state_combination_of_two_lines_has_one_order_state() {
        for a in LineState::ALL {
            for b in LineState::ALL {
                let s = derive(&[a, b]);
                assert!(
                    s != OrderState::Draft && s != OrderState::Cancelled,
                    "{a:?} {b:?}"
                );
                assert_eq!(s, derive(&[b, a]), "order of lines does not matter");
            }
        }
    }

    #[test]
    fn issue_from_every_state() {
        for state in OrderState::ALL {
            let want = if state == OrderState::Draft {
                Ok(OrderState::Issued)
            } else {
                Err(OrderRefusal::NotDraft)
            };
            assert_eq!(issue(state, 2), want, "{state:?}");
        }
        assert_eq!(issue(OrderState::Draft, 0), Err(OrderRefusal::NoLines));
    }

    #[test]
    fn cancel_from_every_state() {
        for state in OrderState::ALL {
            let want = if state == OrderState::Cancelled {
                Err(OrderRefusal::AlreadyCancelled)
            } else {
                Ok(OrderState::Cancelled)
            };
            assert_eq!(cancel(state, "customer cancelled"), want, "{state:?}");
        }
        assert_eq!(
            cancel(OrderState::Issued, " "),
            Err(OrderRefusal::ReasonRequired)
        );
    }

    #[test]
    fn decisions_are_possible_only_between_issue_and_cancellation() {
        for state in OrderState::ALL {
            let open = !matches!(state, OrderState::Draft | OrderState::Cancelled);
            assert_eq!(state.open_for_decisions(), open, "{state:?}");
            assert_eq!(OrderState::parse(state.as_str()), Some(state));
        }
    }
}

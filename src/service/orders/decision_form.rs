//! Reading a line decision as typed in the order page's forms.

use crate::domain::order::line::LineAction;

/// A decision as typed in a line's form.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct DecisionInput {
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub quantity: String,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub price: String,
    #[serde(default)]
    pub comment: String,
}

/// Turns a typed decision into a line action, with errors by field.
pub fn parse_decision(
    input: &DecisionInput,
    currency: &str,
) -> Result<LineAction, crate::service::FieldErrors> {
    use crate::domain::money::{Currency, Money};
    use crate::domain::order::fields::{parse_date, parse_quantity, parse_text};
    use crate::domain::order::line::Proposal;
    let mut errors = crate::service::FieldErrors::default();
    let optional = |text: &str| (!text.trim().is_empty()).then(|| text.to_owned());
    let comment = errors
        .check("comment", parse_text(&input.comment, 500, false))
        .unwrap_or_default();
    let action = match input.action.as_str() {
        "accept" => Some(LineAction::Accept),
        "reject" => errors
            .check("reason", parse_text(&input.reason, 500, true))
            .map(|reason| LineAction::Reject { reason }),
        "propose" => {
            let quantity = optional(&input.quantity)
                .and_then(|q| errors.check("quantity", parse_quantity(&q)));
            let date = optional(&input.date).and_then(|d| errors.check("date", parse_date(&d)));
            let price = match (optional(&input.price), Currency::parse(currency)) {
                (Some(p), Some(c)) => errors
                    .check("price", Money::parse_price(&p, c))
                    .map(|m| m.minor),
                _ => None,
            };
            if quantity.is_none() && date.is_none() && price.is_none() && errors.is_empty() {
                errors.add("quantity", "orders.refused.empty_proposal");
            }
            Some(LineAction::ProposeChange(Proposal {
                quantity,
                delivery_date: date,
                unit_price_minor: price,
                comment: comment.clone(),
            }))
        }
        "accept_proposal" => Some(LineAction::AcceptProposal),
        "decline_proposal" => Some(LineAction::DeclineProposal {
            comment: comment.clone(),
        }),
        "propose_date" => errors.check("date", parse_date(&input.date)).map(|date| {
            LineAction::ProposeDateChange {
                date,
                comment: comment.clone(),
            }
        }),
        "accept_date" => Some(LineAction::AcceptDateChange),
        "decline_date" => Some(LineAction::DeclineDateChange {
            comment: comment.clone(),
        }),
        _ => {
            errors.add("action", "orders.refused.unknown_action");
            None
        }
    };
    match action {
        Some(action) if errors.is_empty() => Ok(action),
        _ => Err(errors),
    }
}

//! Reading orders: the partner's inbox and the brand's list (keyset pages by due date), and
//! the order page with lines, timeline and the check of every signed statement.

use serde_json::json;

use super::{Party, load_for};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db::order_history::Event;
use crate::db::order_lines::Line;
use crate::db::orders::{ListFilter, Order};
use crate::db::{self};
use crate::domain::ids::OrderId;
use crate::domain::order::state::OrderState;
use crate::domain::org::{OrgKind, Permission};
use crate::service::{AuditEvent, ServiceError, ServiceResult, actions, tenant_of};
use crate::signing::bundle_check::StatementCheck;

/// Which orders a list shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// Waiting for this user's side: partners' open decisions, brands' proposals to answer.
    Waiting,
    All,
    State(OrderState),
    /// Orders whose goods arrived short or damaged at the warehouse.
    Discrepancies,
}

impl View {
    pub fn parse(value: Option<&str>) -> View {
        match value {
            Some("all") => View::All,
            Some("discrepancies") => View::Discrepancies,
            Some(other) => OrderState::parse(other)
                .map(View::State)
                .unwrap_or(View::Waiting),
            None => View::Waiting,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            View::Waiting => "waiting",
            View::All => "all",
            View::State(s) => s.as_str(),
            View::Discrepancies => "discrepancies",
        }
    }
}

pub struct ListQuery<'a> {
    pub view: View,
    pub text: Option<&'a str>,
    pub due_from: Option<&'a str>,
    pub due_to: Option<&'a str>,
    pub after: Option<(&'a str, OrderId)>,
}

pub async fn list(state: &AppState, actor: &Actor, q: &ListQuery<'_>) -> ServiceResult<Vec<Order>> {
    let tenant = tenant_of(actor)?.tenant_id;
    let is_brand = actor.org_kind == OrgKind::Brand;
    if !is_brand && !matches!(actor.org_kind, OrgKind::Supplier | OrgKind::Factory) {
        return Err(ServiceError::NotFound);
    }
    let states: Vec<OrderState> = match (q.view, is_brand) {
        (View::Waiting, false) => vec![OrderState::Issued, OrderState::PartiallyConfirmed],
        (View::Waiting, true) => vec![OrderState::ChangesProposed],
        (View::All, false) => OrderState::PARTNER_VISIBLE.to_vec(),
        (View::All | View::Discrepancies, true) => Vec::new(),
        (View::Discrepancies, false) => OrderState::PARTNER_VISIBLE.to_vec(),
        (View::State(OrderState::Draft), false) => return Ok(Vec::new()),
        (View::State(s), _) => vec![s],
    };
    let text = q.text.map(crate::domain::order::fields::clean_search);
    let mut conn = state.db.read().await?;
    Ok(db::orders::list(
        &mut conn,
        &ListFilter {
            tenant,
            partner: (!is_brand).then_some(actor.org_id),
            states: &states,
            text: text.as_deref().filter(|t| !t.is_empty()),
            due_from: q.due_from,
            due_to: q.due_to,
            after: q.after,
            with_discrepancy: q.view == View::Discrepancies,
            limit: crate::service::PAGE_SIZE,
        },
    )
    .await?)
}

/// What the order page shows.
pub struct OrderPage {
    pub order: Order,
    pub lines: Vec<Line>,
    pub events: Vec<Event>,
    pub checks: Vec<StatementCheck>,
    pub party: Party,
    /// The user may take the brand's or the partner's decisions now.
    pub can_decide: bool,
}

/// The order for one of its parties. Every view is audited.
pub async fn view(state: &AppState, actor: &Actor, id: OrderId) -> ServiceResult<OrderPage> {
    let mut conn = state.db.read().await?;
    let (tenant, order, party) = load_for(&mut conn, actor, id).await?;
    let mut lines = super::page_memo::lines(&mut conn, tenant, order.id).await?;
    let events = db::order_history::events(&mut conn, tenant, order.id).await?;
    // The warehouse works with quantities only: prices and the signed record (which names them)
    // never leave the service for it.
    let checks = if party == Party::ShipTo {
        Vec::new()
    } else {
        super::evidence::verify(&mut conn, &order).await?
    };
    let mut order = order;
    if party == Party::ShipTo {
        mask_prices(&mut order, &mut lines);
    }
    drop(conn);
    // Recorded (durably, sharing a commit with other views) before the page is shown.
    state
        .view_audit
        .record(
            actor,
            Some(tenant),
            AuditEvent::new(actions::ORDER_VIEWED, "order", order.id)
                .detail(json!({ "version": order.version })),
        )
        .await?;
    let can_decide = match party {
        Party::Brand => actor.can(Permission::ManageOrders),
        Party::Partner => actor.can(Permission::RespondToOrders),
        Party::ShipTo => false,
    };
    Ok(OrderPage {
        order,
        lines,
        events,
        checks,
        party,
        can_decide,
    })
}

/// How the actor stands to an order and the order's currency, for reading a decision form
/// (no view is recorded: the decision itself is).
pub async fn party_and_currency(
    state: &AppState,
    actor: &Actor,
    id: OrderId,
) -> ServiceResult<(Party, String)> {
    let mut conn = state.db.read().await?;
    let (_, order, party) = load_for(&mut conn, actor, id).await?;
    Ok((party, order.currency))
}

/// Removes every price from an order and its lines.
pub fn mask_prices(order: &mut Order, lines: &mut [Line]) {
    order.total_minor = 0;
    for line in lines {
        line.unit_price_minor = 0;
        line.proposed_price_minor = None;
    }
}

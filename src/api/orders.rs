//! Orders through the API: the list (keyset-paged), one order with its lines, line decisions
//! (confirm, reject, propose; or the brand's answers to proposals), and the signed evidence.

use axum::Json;
use axum::extract::{Path, State};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::with_scope;
use super::extract::{ApiJson, ApiQuery};
use super::problem::{ApiError, ApiResult, Problem};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db::order_lines::Line;
use crate::db::orders::Order;
use crate::domain::ids::OrderId;
use crate::domain::order::line::Side;
use crate::domain::time::UtcMillis;
use crate::service::api_auth::ApiCaller;
use crate::service::orders::Party;
use crate::service::orders::decide::{self, Seen};
use crate::service::orders::decision_form::{DecisionInput, parse_decision};
use crate::service::orders::{evidence, query};
use crate::service::{FieldErrors, ServiceError};

#[derive(Serialize, ToSchema)]
pub struct PartyRef {
    pub id: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct OrderSummary {
    pub id: String,
    pub po_number: String,
    /// draft, issued, partially_confirmed, changes_proposed, confirmed, rejected, cancelled
    pub state: String,
    /// Send it back with decisions: a decision on an order that changed since is refused.
    pub version: i64,
    pub partner: PartyRef,
    pub ship_to: Option<PartyRef>,
    pub currency: String,
    pub incoterms: String,
    pub payment_terms: String,
    pub requested_delivery: String,
    pub due_date: String,
    /// In minor units of `currency`; absent for parties that may not see prices.
    pub total_minor: Option<i64>,
    pub line_count: i64,
    pub issued_at: Option<String>,
    pub updated_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct OrderLine {
    pub line_no: i64,
    pub id: String,
    pub sku: String,
    pub description: String,
    pub quantity: String,
    pub unit: String,
    pub unit_price_minor: Option<i64>,
    pub delivery_date: String,
    /// open, accepted, rejected, change_proposed, …
    pub state: String,
    pub note: Option<String>,
    pub proposed_quantity: Option<String>,
    pub proposed_date: Option<String>,
    pub proposed_price_minor: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct OrderDetail {
    pub order: OrderSummary,
    pub lines: Vec<OrderLine>,
}

#[derive(Serialize, ToSchema)]
pub struct OrderList {
    pub items: Vec<OrderSummary>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrderListQuery {
    /// `all` (default), `waiting` (your side's turn), or an order state.
    pub view: Option<String>,
    /// Text in the PO number or partner name.
    pub q: Option<String>,
    /// From a previous page's `next_cursor`.
    pub cursor: Option<String>,
}

fn millis(at: i64) -> String {
    UtcMillis(at).rfc3339()
}

pub(super) fn summary(order: &Order, prices: bool) -> OrderSummary {
    OrderSummary {
        id: order.id.to_string(),
        po_number: order.po_number.clone(),
        state: order.state.as_str().to_owned(),
        version: order.version,
        partner: PartyRef {
            id: order.partner_org_id.to_string(),
            name: order.partner_name.clone(),
        },
        ship_to: order.ship_to_org_id.map(|id| PartyRef {
            id: id.to_string(),
            name: order.ship_to_name.clone().unwrap_or_default(),
        }),
        currency: order.currency.clone(),
        incoterms: order.incoterms.clone(),
        payment_terms: order.payment_terms.clone(),
        requested_delivery: order.requested_delivery.clone(),
        due_date: order.due_date.clone(),
        total_minor: prices.then_some(order.total_minor),
        line_count: order.line_count,
        issued_at: order.issued_at.map(millis),
        updated_at: millis(order.updated_at),
    }
}

fn line(line: &Line, prices: bool) -> OrderLine {
    OrderLine {
        line_no: line.line_no,
        id: line.id.to_string(),
        sku: line.sku.clone(),
        description: line.description.clone(),
        quantity: line.quantity.clone(),
        unit: line.unit.clone(),
        unit_price_minor: prices.then_some(line.unit_price_minor),
        delivery_date: line.delivery_date.clone(),
        state: line.state.as_str().to_owned(),
        note: line.note.clone(),
        proposed_quantity: line.proposed_quantity.clone(),
        proposed_date: line.proposed_date.clone(),
        proposed_price_minor: line.proposed_price_minor.filter(|_| prices),
    }
}

pub(super) fn order_id(id: &str) -> ApiResult<OrderId> {
    id.parse().map_err(|_| ApiError::NotFound)
}

fn decode_cursor(cursor: &str) -> ApiResult<(String, OrderId)> {
    let bad = || ApiError::BadRequest("The cursor is not one this API gave out.".into());
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (due, id) = text.split_once('|').ok_or_else(bad)?;
    Ok((due.to_owned(), id.parse().map_err(|_| bad())?))
}

#[utoipa::path(get, path = "/api/v1/orders", tag = "orders",
    params(OrderListQuery),
    security(("bearer" = ["orders:read"])),
    responses(
        (status = 200, description = "A page of orders, by due date", body = OrderList),
        (status = 400, description = "Bad cursor", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Missing scope", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Rate limited", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(q): ApiQuery<OrderListQuery>,
) -> ApiResult<Json<OrderList>> {
    let actor = with_scope(&caller, "orders:read")?;
    let after = q.cursor.as_deref().map(decode_cursor).transpose()?;
    let view = query::View::parse(Some(q.view.as_deref().unwrap_or("all")));
    let orders = query::list(
        &state,
        actor,
        &query::ListQuery {
            view,
            text: q.q.as_deref(),
            due_from: None,
            due_to: None,
            after: after.as_ref().map(|(due, id)| (due.as_str(), *id)),
        },
    )
    .await?;
    let full = orders.len() as i64 >= crate::service::PAGE_SIZE;
    let next_cursor = orders
        .last()
        .filter(|_| full)
        .map(|o| URL_SAFE_NO_PAD.encode(format!("{}|{}", o.due_date, o.id)));
    Ok(Json(OrderList {
        items: orders.iter().map(|o| summary(o, true)).collect(),
        next_cursor,
    }))
}

#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders",
    params(("id" = String, Path, description = "The order id")),
    security(("bearer" = ["orders:read"])),
    responses(
        (status = 200, description = "The order and its lines", body = OrderDetail),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Missing scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such order for this client", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_one(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<OrderDetail>> {
    let actor = with_scope(&caller, "orders:read")?;
    Ok(Json(detail(&state, actor, order_id(&id)?).await?))
}

pub(super) async fn detail(
    state: &AppState,
    actor: &Actor,
    id: OrderId,
) -> Result<OrderDetail, ServiceError> {
    let page = query::view(state, actor, id).await?;
    let prices = page.party != Party::ShipTo;
    Ok(OrderDetail {
        order: summary(&page.order, prices),
        lines: page.lines.iter().map(|l| line(l, prices)).collect(),
    })
}

/// One line's decision.
#[derive(Deserialize, ToSchema)]
pub struct LineDecision {
    pub line_no: i64,
    /// Partner: `accept`, `reject` (with `reason`), `propose` (any of `quantity`, `date`,
    /// `price`), `propose_date`. Brand: `accept_proposal`, `decline_proposal`, `accept_date`,
    /// `decline_date`.
    pub action: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub quantity: String,
    /// YYYY-MM-DD
    #[serde(default)]
    pub date: String,
    /// A unit price in major units, e.g. `12.50`.
    #[serde(default)]
    pub price: String,
    #[serde(default)]
    pub comment: String,
}

#[derive(Deserialize, ToSchema)]
pub struct DecisionsRequest {
    /// The order `version` the decisions are about.
    pub order_version: i64,
    pub decisions: Vec<LineDecision>,
}

#[utoipa::path(post, path = "/api/v1/orders/{id}/decisions", tag = "orders",
    params(("id" = String, Path, description = "The order id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retried request take effect once")),
    request_body = DecisionsRequest,
    security(("bearer" = ["orders:write"])),
    responses(
        (status = 200, description = "The decisions were applied (signed); the order as it is now", body = OrderDetail),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Missing scope or role", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such order for this client", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Refused: the order changed, or the step is not allowed now", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or an Idempotency-Key reused with another body", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn decide(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DecisionsRequest>,
) -> ApiResult<Json<OrderDetail>> {
    let actor = with_scope(&caller, "orders:write")?;
    let id = order_id(&id)?;
    let (party, currency) = query::party_and_currency(&state, actor, id).await?;
    let side = match party {
        Party::Brand => Side::Brand,
        Party::Partner => Side::Partner,
        Party::ShipTo => return Err(ApiError::Forbidden),
    };
    let mut errors = FieldErrors::default();
    let mut actions = Vec::new();
    for (i, d) in body.decisions.iter().enumerate() {
        let input = DecisionInput {
            action: d.action.clone(),
            reason: d.reason.clone(),
            quantity: d.quantity.clone(),
            date: d.date.clone(),
            price: d.price.clone(),
            comment: d.comment.clone(),
        };
        match parse_decision(&input, &currency) {
            Ok(action) => actions.push((d.line_no, action)),
            Err(problems) => {
                for (field, key) in problems.iter() {
                    errors.add(format!("decisions.{i}.{field}"), key);
                }
            }
        }
    }
    if body.decisions.is_empty() {
        errors.add("decisions", "orders.refused.nothing_to_decide");
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let seen = Seen {
        order: id,
        version: body.order_version,
        submission: uuid::Uuid::new_v4().simple().to_string(),
    };
    decide::decide_lines(&state, actor, &seen, side, &actions).await?;
    Ok(Json(detail(&state, actor, id).await?))
}

#[utoipa::path(get, path = "/api/v1/orders/{id}/evidence", tag = "orders",
    params(("id" = String, Path, description = "The order id")),
    security(("bearer" = ["orders:read"])),
    responses(
        (status = 200, description = "The proof bundle: every signed statement on the order with the keys that verify them (check offline with `portico verify`)", body = Object),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Missing scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such order for this client", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn evidence(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let actor = with_scope(&caller, "orders:read")?;
    let bundle = evidence::evidence(&state, actor, order_id(&id)?).await?;
    Ok(Json(
        serde_json::to_value(&bundle).map_err(anyhow::Error::from)?,
    ))
}

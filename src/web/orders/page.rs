//! The order page's routes: showing it, every decision taken on it, the evidence bundle.

use askama::Template;
use axum::Form;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::submission_token;
use super::view::{Failed, render_order_with};
use super::{back_to_order, order_id};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::domain::ids::OrderId;
use crate::domain::order::line::Side;
use crate::error::{AppError, AppResult};
use crate::service::orders::Party;
use crate::service::orders::decide::{self, Seen};
use crate::service::orders::decision_form::{DecisionInput, parse_decision};
use crate::service::orders::evidence;
use crate::service::orders::query;
use crate::web::shell::{PageCtx, Shell};
use crate::web::{Routes, render};

pub fn routes() -> Routes {
    Routes::new()
        .tenant("/orders/{id}", get(order_get))
        .tenant("/orders/{id}/issue", post(issue_post))
        .tenant("/orders/{id}/cancel", get(cancel_get).post(cancel_post))
        .tenant("/orders/{id}/decide", post(decide_post))
        .tenant("/orders/{id}/accept-all", post(accept_all_post))
        .tenant("/orders/{id}/evidence.json", get(evidence_get))
}

async fn order_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let page = render_order_with(&state, &shell, &actor, order_id(&id)?, Failed::None).await?;
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
struct SeenForm {
    version: i64,
    submission: String,
}

impl SeenForm {
    fn seen(&self, order: OrderId) -> Seen {
        Seen {
            order,
            version: self.version,
            submission: self.submission.clone(),
        }
    }
}

async fn issue_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
    Form(form): Form<SeenForm>,
) -> AppResult<Response> {
    let id = order_id(&id)?;
    let result = decide::issue(&state, &actor, &form.seen(id)).await;
    back_to_order(&shell, id, result, "orders.issued_done", "").await
}

async fn cancel_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let page = query::view(&state, &actor, order_id(&id)?).await?;
    if page.party != Party::Brand || !page.can_decide {
        return Err(AppError::Forbidden);
    }
    let ctx = shell.page().await?;
    let confirm = CancelPage {
        title: ctx.t1("orders.cancel_title", &page.order.po_number),
        id: page.order.id,
        version: page.order.version,
        submission: submission_token(),
        ctx,
    };
    Ok(render(&confirm)?.into_response())
}

#[derive(Template)]
#[template(path = "orders/cancel.html")]
struct CancelPage {
    ctx: PageCtx,
    title: String,
    id: OrderId,
    version: i64,
    submission: String,
}

#[derive(Deserialize)]
struct CancelForm {
    version: i64,
    submission: String,
    #[serde(default)]
    reason: String,
}

async fn cancel_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
    Form(form): Form<CancelForm>,
) -> AppResult<Response> {
    let id = order_id(&id)?;
    let seen = Seen {
        order: id,
        version: form.version,
        submission: form.submission,
    };
    let result = decide::cancel(&state, &actor, &seen, &form.reason).await;
    back_to_order(&shell, id, result, "orders.cancelled_done", "").await
}

#[derive(Deserialize)]
struct DecideForm {
    version: i64,
    submission: String,
    line: i64,
    #[serde(flatten)]
    input: DecisionInput,
}

async fn decide_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
    Form(form): Form<DecideForm>,
) -> AppResult<Response> {
    let id = order_id(&id)?;
    let (party, currency) = query::party_and_currency(&state, &actor, id).await?;
    let side = match party {
        Party::Brand => Side::Brand,
        Party::Partner => Side::Partner,
        Party::ShipTo => return Err(AppError::Forbidden),
    };
    let action = match parse_decision(&form.input, &currency) {
        Ok(action) => action,
        Err(errors) => {
            let template = render_order_with(
                &state,
                &shell,
                &actor,
                id,
                Failed::Line(form.line, errors, form.input),
            )
            .await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&template)?).into_response());
        }
    };
    let seen = Seen {
        order: id,
        version: form.version,
        submission: form.submission,
    };
    let result = decide::decide_lines(&state, &actor, &seen, side, &[(form.line, action)]).await;
    back_to_order(&shell, id, result, "orders.decision_done", "").await
}

async fn accept_all_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
    Form(form): Form<SeenForm>,
) -> AppResult<Response> {
    let id = order_id(&id)?;
    let result = decide::accept_all(&state, &actor, &form.seen(id)).await;
    back_to_order(&shell, id, result, "orders.accepted_all_done", "").await
}

async fn evidence_get(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let bundle = evidence::evidence(&state, &actor, order_id(&id)?).await?;
    let mut response = Json(&bundle).into_response();
    let disposition = format!("attachment; filename=\"evidence-{}.json\"", bundle.order_id);
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

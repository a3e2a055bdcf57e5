//! Kitting on the order page: listing materials, the factory's stock counts and planned start.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use serde::Deserialize;

use super::view::{Failed, render_order_with};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::auth::session::Flash;
use crate::domain::ids::OrderId;
use crate::error::{AppError, AppResult};
use crate::service::orders::decide::{Outcome, Seen};
use crate::service::orders::kitting::{self, ComponentInput, StockInput};
use crate::service::{FieldErrors, ServiceError};
use crate::web::shell::Shell;
use crate::web::{Routes, render};

pub fn routes() -> Routes {
    Routes::new()
        .tenant("/orders/{id}/bom", post(add_post))
        .tenant("/orders/{id}/bom/{component}/stock", post(stock_post))
        .tenant("/orders/{id}/bom/{component}/remove", post(remove_post))
        .tenant("/orders/{id}/lines/{line}/plan", post(plan_post))
}

fn seen(id: &str, submission: String) -> AppResult<Seen> {
    Ok(Seen {
        order: id.parse::<OrderId>().map_err(|_| AppError::NotFound)?,
        version: 0,
        submission,
    })
}

/// Back to the kitting section with the outcome; a refused form is shown again (422).
async fn answer(
    state: &AppState,
    shell: &Shell,
    actor: &Actor,
    seen: &Seen,
    result: Result<Outcome, ServiceError>,
    done: &str,
    refused: impl FnOnce(FieldErrors) -> Failed,
) -> AppResult<Response> {
    let flash = match result {
        Ok(Outcome::Applied) => Flash::success(done),
        Ok(Outcome::AlreadyApplied) => Flash::info("orders.already_applied"),
        Err(ServiceError::Refused(key)) => Flash::error(key),
        Err(ServiceError::Invalid(errors)) => {
            let page = render_order_with(state, shell, actor, seen.order, refused(errors)).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
        }
        Err(err) => return Err(err.into()),
    };
    shell.flash(flash).await?;
    Ok(Redirect::to(&format!("/orders/{}#kitting", seen.order)).into_response())
}

#[derive(Deserialize)]
struct AddForm {
    submission: String,
    #[serde(default)]
    line: String,
    #[serde(default)]
    component: String,
    #[serde(default)]
    qty_per_unit: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    supplier: String,
}

async fn add_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
    Form(form): Form<AddForm>,
) -> AppResult<Response> {
    let seen = seen(&id, form.submission)?;
    let input = ComponentInput {
        line: form.line,
        component: form.component,
        qty_per_unit: form.qty_per_unit,
        unit: form.unit,
        supplier: form.supplier,
    };
    let result = kitting::add_component(&state, &actor, &seen, &input).await;
    answer(
        &state,
        &shell,
        &actor,
        &seen,
        result,
        "kitting.added",
        |e| Failed::Bom(e, input),
    )
    .await
}

#[derive(Deserialize)]
struct StockForm {
    submission: String,
    #[serde(default)]
    on_hand: String,
    #[serde(default)]
    allocated: String,
    #[serde(default)]
    lot_codes: String,
}

async fn stock_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path((id, component)): Path<(String, String)>,
    Form(form): Form<StockForm>,
) -> AppResult<Response> {
    let seen = seen(&id, form.submission)?;
    let input = StockInput {
        on_hand: form.on_hand,
        allocated: form.allocated,
        lot_codes: form.lot_codes,
    };
    let result = kitting::record_stock(&state, &actor, &seen, &component, &input).await;
    answer(
        &state,
        &shell,
        &actor,
        &seen,
        result,
        "kitting.recorded",
        |e| Failed::Stock(component, e, input),
    )
    .await
}

#[derive(Deserialize)]
struct SubmissionForm {
    submission: String,
}

async fn remove_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path((id, component)): Path<(String, String)>,
    Form(form): Form<SubmissionForm>,
) -> AppResult<Response> {
    let seen = seen(&id, form.submission)?;
    let result = kitting::remove_component(&state, &actor, &seen, &component).await;
    answer(
        &state,
        &shell,
        &actor,
        &seen,
        result,
        "kitting.removed",
        |_| Failed::None,
    )
    .await
}

#[derive(Deserialize)]
struct PlanForm {
    submission: String,
    #[serde(default)]
    planned_start: String,
}

async fn plan_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path((id, line)): Path<(String, String)>,
    Form(form): Form<PlanForm>,
) -> AppResult<Response> {
    let seen = seen(&id, form.submission)?;
    let line: i64 = line.parse().map_err(|_| AppError::NotFound)?;
    let result = kitting::plan_start(&state, &actor, &seen, line, &form.planned_start).await;
    answer(
        &state,
        &shell,
        &actor,
        &seen,
        result,
        "kitting.planned",
        |e| Failed::Plan(line, e, form.planned_start),
    )
    .await
}

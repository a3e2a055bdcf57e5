//! First samples on the order page: the factory submits one with photos and measurements, brand
//! quality approves or rejects it.

use axum::Form;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use serde::Deserialize;

use super::progress::{MAX_POST_BYTES, read_form};
use super::view::{Failed, render_order_with};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::auth::session::Flash;
use crate::domain::ids::OrderId;
use crate::error::{AppError, AppResult};
use crate::service::ServiceError;
use crate::service::orders::decide::{Outcome, Seen};
use crate::service::orders::samples::{self, SampleInput};
use crate::web::shell::Shell;
use crate::web::{Routes, render};

pub fn routes() -> Routes {
    Routes::new()
        .tenant(
            "/orders/{id}/samples",
            post(submit_post).layer(DefaultBodyLimit::max(MAX_POST_BYTES + 64 * 1024)),
        )
        .tenant("/orders/{id}/samples/{sample}/decide", post(decide_post))
}

fn order_id(raw: &str) -> AppResult<OrderId> {
    raw.parse().map_err(|_| AppError::NotFound)
}

async fn back(
    shell: &Shell,
    id: OrderId,
    result: Result<Outcome, ServiceError>,
    done: &str,
) -> AppResult<Response> {
    let flash = match result {
        Ok(Outcome::Applied) => Flash::success(done),
        Ok(Outcome::AlreadyApplied) => Flash::info("orders.already_applied"),
        Err(ServiceError::Refused(key)) => Flash::error(key),
        Err(err) => return Err(err.into()),
    };
    shell.flash(flash).await?;
    Ok(Redirect::to(&format!("/orders/{id}#samples")).into_response())
}

async fn submit_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
    multipart: Multipart,
) -> AppResult<Response> {
    let id = order_id(&id)?;
    let (fields, uploads) = read_form(multipart).await?;
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let input = SampleInput {
        measurements: field("measurements"),
        note: field("note"),
    };
    let seen = Seen {
        order: id,
        version: 0,
        submission: field("submission"),
    };
    match samples::submit(&state, &actor, &seen, &input, uploads).await {
        Err(ServiceError::Invalid(errors)) => {
            let page = render_order_with(&state, &shell, &actor, id, Failed::Sample(errors, input))
                .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        result => back(&shell, id, result, "sample.submitted_done").await,
    }
}

#[derive(Deserialize)]
struct DecideForm {
    submission: String,
    decision: String,
    #[serde(default)]
    comment: String,
}

async fn decide_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path((id, sample)): Path<(String, String)>,
    Form(form): Form<DecideForm>,
) -> AppResult<Response> {
    let id = order_id(&id)?;
    let seen = Seen {
        order: id,
        version: 0,
        submission: form.submission,
    };
    let approve = form.decision == "approve";
    let result = samples::decide(&state, &actor, &seen, &sample, approve, &form.comment).await;
    back(
        &shell,
        id,
        result,
        if approve {
            "sample.approved_done"
        } else {
            "sample.rejected_done"
        },
    )
    .await
}

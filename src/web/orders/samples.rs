//! First samples on the order page: the factory submits one with photos and measurements, brand
//! quality approves or rejects it.

use axum::Form;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::Deserialize;

use super::progress::{MAX_POST_BYTES, read_form};
use super::view::{Failed, render_order_with};
use super::{back_to_order, order_id};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::error::AppResult;
use crate::service::ServiceError;
use crate::service::orders::decide::Seen;
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
        result => back_to_order(&shell, id, result, "sample.submitted_done", "#samples").await,
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
    let done = if approve {
        "sample.approved_done"
    } else {
        "sample.rejected_done"
    };
    back_to_order(&shell, id, result, done, "#samples").await
}

//! QC inspections on the order page: recording one (with photos) and brand quality's waiver of
//! a failed one.

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
use crate::service::orders::qc::{self, QcInput};
use crate::web::shell::Shell;
use crate::web::{Routes, render};

pub fn routes() -> Routes {
    Routes::new()
        .tenant(
            "/orders/{id}/qc",
            post(record_post).layer(DefaultBodyLimit::max(MAX_POST_BYTES + 64 * 1024)),
        )
        .tenant("/orders/{id}/qc/{inspection}/waive", post(waive_post))
}

async fn record_post(
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
    let input = QcInput {
        inspector: field("inspector"),
        sample_size: field("sample_size"),
        aql: field("aql"),
        critical: field("critical"),
        major: field("major"),
        minor: field("minor"),
        defects_note: field("defects_note"),
        result: field("result"),
    };
    let seen = Seen {
        order: id,
        version: 0,
        submission: field("submission"),
    };
    match qc::record(&state, &actor, &seen, &input, uploads).await {
        Err(ServiceError::Invalid(errors)) => {
            let page =
                render_order_with(&state, &shell, &actor, id, Failed::Qc(errors, input)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        result => back_to_order(&shell, id, result, "qc.recorded_done", "#qc").await,
    }
}

#[derive(Deserialize)]
struct WaiveForm {
    submission: String,
    #[serde(default)]
    reason: String,
}

async fn waive_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path((id, inspection)): Path<(String, String)>,
    Form(form): Form<WaiveForm>,
) -> AppResult<Response> {
    let id = order_id(&id)?;
    let seen = Seen {
        order: id,
        version: 0,
        submission: form.submission,
    };
    let result = qc::waive(&state, &actor, &seen, &inspection, &form.reason).await;
    back_to_order(&shell, id, result, "qc.waived_done", "#qc").await
}

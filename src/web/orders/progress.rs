//! Posting production progress with photos (multipart, works from a phone's camera and without
//! JavaScript), and serving the attached files to the order's parties.

use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use super::order_id;
use super::view::{Failed, render_order_with};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::auth::session::Flash;
use crate::error::{AppError, AppResult};
use crate::service::ServiceError;
use crate::service::orders::decide::{Outcome, Seen};
use crate::service::orders::files::{self, Upload};
use crate::service::orders::progress::{self, ProgressInput};
use crate::web::shell::Shell;
use crate::web::{Routes, render};

/// A post's whole body: up to 40 MB of photos (each file is further limited to 10 MB).
pub const MAX_POST_BYTES: usize = 40 * 1024 * 1024;

pub fn routes() -> Routes {
    Routes::new()
        .tenant(
            "/orders/{id}/progress",
            post(progress_post).layer(DefaultBodyLimit::max(MAX_POST_BYTES + 64 * 1024)),
        )
        .tenant("/orders/{id}/files/{file}", get(file_get))
        .tenant("/orders/{id}/files/{file}/thumb", get(thumb_get))
}

async fn progress_post(
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
    let input = ProgressInput {
        milestone: field("milestone"),
        line: field("line"),
        quantity_produced: field("quantity_produced"),
        planned_completion: field("planned_completion"),
        expected_completion: field("expected_completion"),
        note: field("note"),
    };
    let submission = field("submission");
    let seen = Seen {
        order: id,
        version: 0,
        submission,
    };
    let flash = match progress::post_progress(&state, &actor, &seen, &input, uploads).await {
        Ok(Outcome::Applied) => Flash::success("progress.posted"),
        Ok(Outcome::AlreadyApplied) => Flash::info("orders.already_applied"),
        Err(ServiceError::Refused(key)) => Flash::error(key),
        Err(ServiceError::Invalid(errors)) => {
            let page =
                render_order_with(&state, &shell, &actor, id, Failed::Progress(errors, input))
                    .await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
        }
        Err(err) => return Err(err.into()),
    };
    shell.flash(flash).await?;
    Ok(Redirect::to(&format!("/orders/{id}#progress")).into_response())
}

/// A multipart form's text fields and its files (parts named `files`).
pub async fn read_form(
    mut multipart: Multipart,
) -> AppResult<(Vec<(String, String)>, Vec<Upload>)> {
    let mut fields = Vec::new();
    let mut uploads = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::PayloadTooLarge)?
    {
        let name = field.name().unwrap_or("").to_owned();
        if name == "files" {
            let file_name = field.file_name().unwrap_or("").to_owned();
            let bytes = field.bytes().await.map_err(|_| AppError::PayloadTooLarge)?;
            if file_name.is_empty() && bytes.is_empty() {
                continue; // the browser sends an empty part when no file was chosen
            }
            uploads.push(Upload {
                name: file_name,
                bytes: bytes.to_vec(),
            });
        } else {
            let value = field.text().await.map_err(|_| AppError::BadRequest)?;
            fields.push((name, value));
        }
    }
    Ok((fields, uploads))
}

async fn serve_file(
    state: AppState,
    actor: Actor,
    id: String,
    file: String,
    thumb: bool,
) -> AppResult<Response> {
    let found = files::file(&state, &actor, order_id(&id)?, &file, thumb).await?;
    let mut response = found.bytes.into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&found.content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    // Images open in the browser; PDFs download (the strict CSP would block the PDF viewer).
    // The name is quoted and stripped of anything odd.
    let safe_name: String = found
        .name
        .chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .filter(|c| *c != '"')
        .collect();
    let mode = if found.content_type.starts_with("image/") {
        "inline"
    } else {
        "attachment"
    };
    let disposition = format!(
        "{mode}; filename=\"{}\"",
        if safe_name.is_empty() {
            "file"
        } else {
            &safe_name
        }
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    Ok(response)
}

async fn file_get(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, file)): Path<(String, String)>,
) -> AppResult<Response> {
    serve_file(state, actor, id, file, false).await
}

async fn thumb_get(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, file)): Path<(String, String)>,
) -> AppResult<Response> {
    serve_file(state, actor, id, file, true).await
}

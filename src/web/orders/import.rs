//! Importing orders from a CSV file, and the template to start from.

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::auth::session::Flash;
use crate::domain::org::Permission;
use crate::error::{AppError, AppResult};
use crate::service::orders::import::{self, COLUMNS, ImportOutcome, ImportProblem, MAX_BYTES};
use crate::web::shell::{PageCtx, Shell};
use crate::web::{Routes, render};

pub fn routes() -> Routes {
    Routes::new()
        .tenant(
            "/orders/import",
            get(import_get)
                .post(import_post)
                .layer(DefaultBodyLimit::max(MAX_BYTES + 64 * 1024)),
        )
        .tenant("/orders/import/template.csv", get(template_get))
}

#[derive(Template)]
#[template(path = "orders/import.html")]
struct ImportPage {
    ctx: PageCtx,
    columns: &'static [&'static str],
    problems: Vec<ImportProblem>,
    more: usize,
    file_name: String,
}

async fn import_get(shell: Shell, actor: Actor) -> AppResult<Response> {
    if !actor.can(Permission::ManageOrders) {
        return Err(AppError::Forbidden);
    }
    let page = ImportPage {
        ctx: shell.page().await?,
        columns: COLUMNS,
        problems: Vec::new(),
        more: 0,
        file_name: String::new(),
    };
    Ok(render(&page)?.into_response())
}

async fn template_get(actor: Actor) -> AppResult<Response> {
    if !actor.can(Permission::ManageOrders) {
        return Err(AppError::Forbidden);
    }
    let mut response = import::template().into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"portico-orders-template.csv\""),
    );
    Ok(response)
}

/// The `file` part of an import form: the name the device gave it (shown back in the report,
/// control characters dropped, at most 100 characters) and its bytes; none chosen is empty.
pub async fn read_file_part(mut multipart: Multipart) -> AppResult<(String, Vec<u8>)> {
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest)?
    {
        if field.name() == Some("file") {
            let name = field
                .file_name()
                .unwrap_or("")
                .chars()
                .filter(|c| !c.is_control())
                .take(100)
                .collect();
            let bytes = field.bytes().await.map_err(|_| AppError::BadRequest)?;
            file = Some((name, bytes.to_vec()));
        }
    }
    Ok(file.unwrap_or_default())
}

async fn import_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    multipart: Multipart,
) -> AppResult<Response> {
    let (file_name, bytes) = read_file_part(multipart).await?;
    let outcome = if bytes.is_empty() {
        let mut errors = import::ImportErrors::default();
        errors.problems.push(ImportProblem {
            row: 0,
            column: String::new(),
            key: "import.no_file",
        });
        ImportOutcome::Refused(errors)
    } else {
        import::import_csv(&state, &actor, &bytes).await?
    };
    match outcome {
        ImportOutcome::Imported(created) => {
            shell
                .flash(Flash::success("import.done").with_arg(created.len().to_string()))
                .await?;
            Ok(Redirect::to("/orders?view=draft").into_response())
        }
        ImportOutcome::Refused(errors) => {
            let page = ImportPage {
                ctx: shell.page().await?,
                columns: COLUMNS,
                problems: errors.problems,
                more: errors.more,
                file_name,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
    }
}

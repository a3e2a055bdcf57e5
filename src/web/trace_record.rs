//! The factory's recording page: a material lot as it arrives (its code scanned into a
//! field), a production batch with the lots it took and the finished lot it yielded, and the
//! import of either as CSV (or of a partner system's EPCIS 2.0 events) with a report by row.

use askama::Template;
use axum::Form;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use super::orders::import::read_file_part;
use super::shell::{PageCtx, Shell};
use super::{Routes, render};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::auth::session::Flash;
use crate::error::{AppError, AppResult};
use crate::service::orders::import::{ImportProblem, MAX_BYTES};
use crate::service::trace::import::{self, TraceImport};
use crate::service::trace::record::{self, BatchInput, LotInput};
use crate::service::{FieldErrors, ServiceError};

/// Material lot rows on the batch form (blank rows are skipped).
const INPUT_ROWS: usize = 6;

pub fn routes() -> Routes {
    Routes::new()
        .tenant("/trace/record", get(record_get))
        .tenant("/trace/lots", post(lot_post))
        .tenant("/trace/batches", post(batch_post))
        .tenant(
            "/trace/import",
            post(import_post).layer(DefaultBodyLimit::max(MAX_BYTES + 64 * 1024)),
        )
        .tenant("/trace/import/lots.csv", get(lot_template_get))
        .tenant("/trace/import/batches.csv", get(batch_template_get))
}

#[derive(Template)]
#[template(path = "trace/record.html")]
struct RecordPage {
    ctx: PageCtx,
    lot: LotInput,
    lot_errors: FieldErrors,
    batch: BatchInput,
    batch_errors: FieldErrors,
    problems: Vec<ImportProblem>,
    more: usize,
    file_name: String,
    lot_columns: &'static [&'static str],
    batch_columns: &'static [&'static str],
}

impl RecordPage {
    fn new(ctx: PageCtx) -> Self {
        let mut batch = BatchInput::default();
        batch.inputs.resize(INPUT_ROWS, Default::default());
        RecordPage {
            ctx,
            lot: LotInput::default(),
            lot_errors: FieldErrors::default(),
            batch,
            batch_errors: FieldErrors::default(),
            problems: Vec::new(),
            more: 0,
            file_name: String::new(),
            lot_columns: import::LOT_COLUMNS,
            batch_columns: import::BATCH_COLUMNS,
        }
    }

    fn input_error(&self, i: &usize) -> Option<&'static str> {
        self.batch_errors.get(&format!("inputs.{i}"))
    }
}

/// Only producers record; anyone else gets the not-found page, like the service says.
fn producer_only(actor: &Actor) -> AppResult<()> {
    use crate::domain::org::OrgKind;
    if matches!(actor.org_kind, OrgKind::Supplier | OrgKind::Factory) {
        Ok(())
    } else {
        Err(AppError::from(ServiceError::NotFound))
    }
}

async fn record_get(shell: Shell, actor: Actor) -> AppResult<Response> {
    producer_only(&actor)?;
    Ok(render(&RecordPage::new(shell.page().await?))?.into_response())
}

fn field(form: &[(String, String)], name: &str) -> String {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

async fn lot_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Form(form): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let input = LotInput {
        material: field(&form, "material"),
        supplier_name: field(&form, "supplier_name"),
        supplier_lot_code: field(&form, "supplier_lot_code"),
        received_qty: field(&form, "received_qty"),
        unit: field(&form, "unit"),
    };
    match record::record_material_lot(&state, &actor, &input).await {
        Ok(_) => {
            let flash = Flash::success("trace.record.lot_done").with_arg(input.supplier_lot_code);
            shell.flash(flash).await?;
            Ok(Redirect::to("/trace/record").into_response())
        }
        Err(ServiceError::Invalid(errors)) => {
            let mut page = RecordPage::new(shell.page().await?);
            page.lot = input;
            page.lot_errors = errors;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(err) => Err(err.into()),
    }
}

async fn batch_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Form(form): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let lots: Vec<&String> = form
        .iter()
        .filter(|(k, _)| k == "input_lot")
        .map(|(_, v)| v)
        .collect();
    let qtys: Vec<&String> = form
        .iter()
        .filter(|(k, _)| k == "input_qty")
        .map(|(_, v)| v)
        .collect();
    let mut input = BatchInput {
        code: field(&form, "code"),
        line: field(&form, "line"),
        shift: field(&form, "shift"),
        operator: field(&form, "operator"),
        started_at: field(&form, "started_at"),
        ended_at: field(&form, "ended_at"),
        inputs: lots
            .iter()
            .zip(qtys.iter())
            .take(50)
            .map(|(l, q)| ((*l).clone(), (*q).clone()))
            .collect(),
        finished_code: field(&form, "finished_code"),
        finished_qty: field(&form, "finished_qty"),
        finished_unit: field(&form, "finished_unit"),
    };
    match record::record_batch(&state, &actor, &input).await {
        Ok(id) => {
            let flash = Flash::success("trace.record.batch_done").with_arg(input.code);
            shell.flash(flash).await?;
            Ok(Redirect::to(&format!("/trace/node/batch/{id}")).into_response())
        }
        Err(ServiceError::Invalid(errors)) => {
            let mut page = RecordPage::new(shell.page().await?);
            if input.inputs.len() < INPUT_ROWS {
                input.inputs.resize(INPUT_ROWS, Default::default());
            }
            page.batch = input;
            page.batch_errors = errors;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(err) => Err(err.into()),
    }
}

async fn import_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    multipart: Multipart,
) -> AppResult<Response> {
    producer_only(&actor)?;
    let (file_name, bytes) = read_file_part(multipart).await?;
    let outcome = if bytes.is_empty() {
        let mut errors = crate::service::orders::import::ImportErrors::default();
        errors.add(0, "", "import.no_file");
        TraceImport::Refused(errors)
    } else {
        import::import_file(&state, &actor, &bytes).await?
    };
    match outcome {
        TraceImport::Recorded { lots, batches } => {
            let flash = Flash::success("trace.import.done").with_arg((lots + batches).to_string());
            shell.flash(flash).await?;
            Ok(Redirect::to("/trace/record").into_response())
        }
        TraceImport::Refused(errors) => {
            let mut page = RecordPage::new(shell.page().await?);
            page.problems = errors.problems;
            page.more = errors.more;
            page.file_name = file_name;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
    }
}

fn csv_download(body: String, name: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static(name));
    response
}

async fn lot_template_get(actor: Actor) -> AppResult<Response> {
    producer_only(&actor)?;
    Ok(csv_download(
        import::lot_template(),
        "attachment; filename=\"portico-material-lots.csv\"",
    ))
}

async fn batch_template_get(actor: Actor) -> AppResult<Response> {
    producer_only(&actor)?;
    Ok(csv_download(
        import::batch_template(),
        "attachment; filename=\"portico-batches.csv\"",
    ))
}

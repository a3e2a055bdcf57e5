//! The brand's milestone template page (admins): names, order, which are in use, and
//! milestones of the brand's own.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::auth::session::Flash;
use crate::domain::order::milestones::{MAX_LABEL, Step};
use crate::error::AppResult;
use crate::service::milestones::{self, StepInput};
use crate::service::{FieldErrors, ServiceError};
use crate::web::orders::view::step_name;
use crate::web::shell::{PageCtx, Shell};
use crate::web::{Routes, render};

pub fn routes() -> Routes {
    Routes::new()
        .tenant("/admin/milestones", get(page_get).post(save_post))
        .tenant("/admin/milestones/add", post(add_post))
}

/// One row as shown: the saved step, and what was typed if the form was refused.
struct Row {
    step: Step,
    standard_name: String,
    typed: Option<StepInput>,
    position: usize,
}

#[derive(Template)]
#[template(path = "admin/milestones.html")]
struct MilestonesPage {
    ctx: PageCtx,
    rows: Vec<Row>,
    errors: FieldErrors,
    new_label: String,
    new_production: bool,
    max_label: usize,
}

impl MilestonesPage {
    fn error(&self, row: &Row, field: &str) -> Option<&'static str> {
        self.errors.get(&format!("steps.{}.{field}", row.step.code))
    }

    fn label(&self, row: &Row) -> String {
        row.typed
            .as_ref()
            .map_or(row.step.label.clone(), |t| t.label.clone())
    }

    fn position(&self, row: &Row) -> String {
        row.typed
            .as_ref()
            .map_or(row.position.to_string(), |t| t.position.clone())
    }

    fn active(&self, row: &Row) -> bool {
        row.typed.as_ref().map_or(row.step.active, |t| t.active)
    }

    fn production(&self, row: &Row) -> bool {
        match (&row.typed, row.step.builtin()) {
            (Some(t), None) => t.production,
            _ => row.step.is_production(),
        }
    }
}

async fn page(
    state: &AppState,
    shell: &Shell,
    actor: &Actor,
    typed: Vec<StepInput>,
    errors: FieldErrors,
    new: (String, bool),
) -> AppResult<MilestonesPage> {
    let template = milestones::template(state, actor).await?;
    let ctx = shell.page().await?;
    let rows = template
        .into_iter()
        .enumerate()
        .map(|(i, step)| Row {
            standard_name: step
                .builtin()
                .map(|_| {
                    step_name(
                        &ctx,
                        &Step {
                            label: String::new(),
                            ..step.clone()
                        },
                    )
                })
                .unwrap_or_default(),
            typed: typed.iter().find(|t| t.code == step.code).cloned(),
            position: i + 1,
            step,
        })
        .collect();
    Ok(MilestonesPage {
        ctx,
        rows,
        errors,
        new_label: new.0,
        new_production: new.1,
        max_label: MAX_LABEL,
    })
}

async fn page_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
) -> AppResult<Html<String>> {
    let page = page(
        &state,
        &shell,
        &actor,
        Vec::new(),
        FieldErrors::default(),
        (String::new(), false),
    )
    .await?;
    render(&page)
}

/// Rows arrive as `code`, `label`, `position` per row, and `active`/`production` holding the
/// codes that are ticked.
fn rows_from(form: &[(String, String)]) -> Vec<StepInput> {
    let all = |name: &str| {
        form.iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect::<Vec<_>>()
    };
    let (codes, labels, positions) = (all("code"), all("label"), all("position"));
    let (active, production) = (all("active"), all("production"));
    codes
        .iter()
        .enumerate()
        .map(|(i, code)| StepInput {
            code: code.clone(),
            label: labels.get(i).cloned().unwrap_or_default(),
            position: positions.get(i).cloned().unwrap_or_default(),
            active: active.contains(code),
            production: production.contains(code),
        })
        .collect()
}

async fn save_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Form(form): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let rows = rows_from(&form);
    match milestones::save(&state, &actor, &rows).await {
        Ok(()) => {}
        Err(ServiceError::Invalid(errors)) => {
            let page = page(&state, &shell, &actor, rows, errors, (String::new(), false)).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
        }
        Err(err) => return Err(err.into()),
    }
    shell.flash(Flash::success("milestones.saved")).await?;
    Ok(Redirect::to("/admin/milestones").into_response())
}

#[derive(Deserialize)]
struct AddForm {
    #[serde(default)]
    label: String,
    production: Option<String>,
}

async fn add_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Form(form): Form<AddForm>,
) -> AppResult<Response> {
    let production = form.production.is_some();
    match milestones::add(&state, &actor, &form.label, production).await {
        Ok(()) => {}
        Err(ServiceError::Invalid(errors)) => {
            let new = (form.label, production);
            let page = page(&state, &shell, &actor, Vec::new(), errors, new).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
        }
        Err(err) => return Err(err.into()),
    }
    shell.flash(Flash::success("milestones.added")).await?;
    Ok(Redirect::to("/admin/milestones").into_response())
}

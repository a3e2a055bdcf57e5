//! The brand's settings page (admins).

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::auth::session::Flash;
use crate::error::AppResult;
use crate::service::settings::{self, SettingsInput};
use crate::service::{FieldErrors, ServiceError};
use crate::web::shell::{PageCtx, Shell};
use crate::web::{Routes, render};

pub fn routes() -> Routes {
    Routes::new().tenant("/admin/settings", get(settings_get).post(settings_post))
}

#[derive(Template)]
#[template(path = "admin/settings.html")]
struct SettingsPage {
    ctx: PageCtx,
    typed: SettingsInput,
    errors: FieldErrors,
}

async fn settings_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
) -> AppResult<Html<String>> {
    let saved = settings::get(&state, &actor).await?;
    render(&SettingsPage {
        ctx: shell.page().await?,
        typed: SettingsInput {
            production_requires_sample: saved.production_requires_sample,
            ship_tolerance_pct: saved.ship_tolerance_pct.to_string(),
            invoice_second_acceptance_above: saved
                .invoice_second_acceptance_above
                .map(|n| n.to_string())
                .unwrap_or_default(),
        },
        errors: FieldErrors::default(),
    })
}

#[derive(Deserialize)]
struct SettingsForm {
    production_requires_sample: Option<String>,
    #[serde(default)]
    ship_tolerance_pct: String,
    #[serde(default)]
    invoice_second_acceptance_above: String,
}

async fn settings_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Form(form): Form<SettingsForm>,
) -> AppResult<Response> {
    let typed = SettingsInput {
        production_requires_sample: form.production_requires_sample.is_some(),
        ship_tolerance_pct: form.ship_tolerance_pct,
        invoice_second_acceptance_above: form.invoice_second_acceptance_above,
    };
    match settings::set(&state, &actor, &typed).await {
        Ok(()) => {}
        Err(ServiceError::Invalid(errors)) => {
            let page = SettingsPage {
                ctx: shell.page().await?,
                typed,
                errors,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
        }
        Err(err) => return Err(err.into()),
    }
    shell.flash(Flash::success("account.saved")).await?;
    Ok(Redirect::to("/admin/settings").into_response())
}

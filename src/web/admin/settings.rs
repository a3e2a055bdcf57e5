//! The brand's settings page (admins).

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::auth::session::Flash;
use crate::error::AppResult;
use crate::service::settings::{self, BrandSettings};
use crate::web::shell::{PageCtx, Shell};
use crate::web::{Routes, render};

pub fn routes() -> Routes {
    Routes::new().tenant("/admin/settings", get(settings_get).post(settings_post))
}

#[derive(Template)]
#[template(path = "admin/settings.html")]
struct SettingsPage {
    ctx: PageCtx,
    settings: BrandSettings,
}

async fn settings_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
) -> AppResult<Html<String>> {
    let settings = settings::get(&state, &actor).await?;
    render(&SettingsPage {
        ctx: shell.page().await?,
        settings,
    })
}

#[derive(Deserialize)]
struct SettingsForm {
    production_requires_sample: Option<String>,
}

async fn settings_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Form(form): Form<SettingsForm>,
) -> AppResult<Response> {
    let new = BrandSettings {
        production_requires_sample: form.production_requires_sample.is_some(),
    };
    settings::set(&state, &actor, new).await?;
    shell.flash(Flash::success("account.saved")).await?;
    Ok(Redirect::to("/admin/settings").into_response())
}

//! Switching the active brand (partners serving several brands) and the page language.

use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use serde::Deserialize;

use super::Routes;
use super::shell::{Shell, safe_next};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::auth::session::{self, Flash};
use crate::domain::ids::TenantId;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::service::accounts;

pub fn routes() -> Routes {
    Routes::new()
        .authenticated("/context/brand", post(switch_brand_post))
        .public("/lang", post(switch_lang_post))
}

#[derive(Deserialize)]
struct BrandForm {
    tenant: String,
    next: Option<String>,
}

/// Makes another brand the active one. Only brands the user's organisation actively serves can
/// be chosen; any other id answers 404 like an id that does not exist.
async fn switch_brand_post(
    shell: Shell,
    actor: Actor,
    Form(form): Form<BrandForm>,
) -> AppResult<Response> {
    let tenant: TenantId = form.tenant.parse().map_err(|_| AppError::NotFound)?;
    let choice = actor
        .brands
        .iter()
        .find(|b| b.tenant_id == tenant)
        .ok_or(AppError::NotFound)?;
    session::set_active_tenant(shell.session(), tenant).await?;
    shell
        .flash(Flash::info("context.switched").with_arg(choice.name.clone()))
        .await?;
    // Back to the same page unless it showed an object of the previous brand.
    let next = safe_next(form.next.as_deref());
    let target = if next.split('/').filter(|s| !s.is_empty()).count() > 2 {
        "/".to_owned()
    } else {
        next
    };
    Ok(Redirect::to(&target).into_response())
}

#[derive(Deserialize)]
struct LangForm {
    lang: String,
    next: Option<String>,
}

/// Sets the language for this session, and as the user's setting when signed in.
async fn switch_lang_post(
    State(state): State<AppState>,
    shell: Shell,
    Form(form): Form<LangForm>,
) -> AppResult<Response> {
    let lang = Lang::parse(&form.lang).ok_or(AppError::BadRequest)?;
    session::set_lang(shell.session(), lang).await?;
    if let Some(actor) = shell.actor() {
        accounts::set_language(&state, actor, lang).await?;
    }
    Ok(Redirect::to(&safe_next(form.next.as_deref())).into_response())
}

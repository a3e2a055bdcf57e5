//! Single sign-on pages: the admin's settings (`/admin/sso`, the actor's own organisation
//! only), starting a sign-in at the provider and its callback.
//!
//! Leaving for the provider goes through a small page with a meta refresh, not a redirect: the
//! CSP's `form-action 'self'` also covers redirects that follow a form post.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use super::auth::login_page;
use super::shell::{PageCtx, Shell, safe_next};
use super::{Routes, render};
use crate::app::AppState;
use crate::auth::actor::{Actor, ClientAddr};
use crate::auth::session::{self, Flash};
use crate::domain::ids::OrgId;
use crate::domain::org::Role;
use crate::error::AppResult;
use crate::service::sso::config::{self as sso_config, SsoInput};
use crate::service::sso::finish::Callback;
use crate::service::sso::login::{self, Pending, SsoFailure};
use crate::service::{FieldErrors, ServiceError};

const PENDING: &str = "sso_pending";
const LOGOUT: &str = "sso_logout";

pub fn routes() -> Routes {
    Routes::new()
        .authenticated("/admin/sso", get(settings_get).post(settings_post))
        .public("/login/sso/start", post(start_post))
        .public("/login/sso/callback", get(callback_get))
}

#[derive(Template)]
#[template(path = "admin/sso.html")]
struct SettingsPage {
    ctx: PageCtx,
    typed: SsoInput,
    configured: bool,
    roles: &'static [Role],
    redirect_uri: String,
    errors: FieldErrors,
}

async fn settings_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
) -> AppResult<Html<String>> {
    let view = sso_config::get(&state, &actor).await?;
    render(&SettingsPage {
        ctx: shell.page().await?,
        typed: view.input,
        configured: view.configured,
        roles: view.roles,
        redirect_uri: login::redirect_uri(&state),
        errors: FieldErrors::default(),
    })
}

#[derive(Deserialize)]
struct SettingsForm {
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    client_secret: String,
    #[serde(default)]
    domains: String,
    #[serde(default)]
    link_mode: String,
    #[serde(default)]
    default_role: String,
    enabled: Option<String>,
    required: Option<String>,
}

async fn settings_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Form(form): Form<SettingsForm>,
) -> AppResult<Response> {
    let typed = SsoInput {
        issuer: form.issuer,
        client_id: form.client_id,
        client_secret: form.client_secret,
        domains: form.domains,
        link_mode: form.link_mode,
        default_role: form.default_role,
        enabled: form.enabled.is_some(),
        required: form.required.is_some(),
    };
    match sso_config::save(&state, &actor, &typed).await {
        Ok(()) => {
            shell.flash(Flash::success("sso.saved")).await?;
            Ok(Redirect::to("/admin/sso").into_response())
        }
        Err(ServiceError::Invalid(errors)) => {
            let view = sso_config::get(&state, &actor).await?;
            // The typed secret is not sent back into the page.
            let typed = SsoInput {
                client_secret: String::new(),
                ..typed
            };
            let page = SettingsPage {
                ctx: shell.page().await?,
                typed,
                configured: view.configured,
                roles: view.roles,
                redirect_uri: login::redirect_uri(&state),
                errors,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(err) => Err(err.into()),
    }
}

#[derive(Template)]
#[template(path = "auth/sso_redirect.html")]
struct LeavingPage {
    ctx: PageCtx,
    url: String,
}

/// Starts the sign-in at `org`'s provider: the pending request goes into the pre-login
/// session and the browser leaves for the provider.
pub async fn leave_for_provider(
    state: &AppState,
    shell: &Shell,
    org: OrgId,
    email: &str,
    next: &str,
) -> AppResult<Response> {
    match login::start(state, org, email, next).await {
        Ok((url, pending)) => {
            shell.session().insert(PENDING, pending).await?;
            let page = LeavingPage {
                ctx: shell.page().await?,
                url,
            };
            Ok(render(&page)?.into_response())
        }
        Err(ServiceError::Refused(key)) => login_page(
            shell,
            email,
            next,
            Some(shell.lang().t(key).to_owned()),
            false,
        )
        .await
        .map(|html| (StatusCode::BAD_GATEWAY, html).into_response()),
        Err(err) => Err(err.into()),
    }
}

#[derive(Deserialize)]
struct StartForm {
    #[serde(default)]
    email: String,
    next: Option<String>,
}

async fn start_post(
    State(state): State<AppState>,
    shell: Shell,
    Form(form): Form<StartForm>,
) -> AppResult<Response> {
    let next = safe_next(form.next.as_deref());
    match login::route_email(&state, &form.email).await? {
        Some(org) => leave_for_provider(&state, &shell, org, form.email.trim(), &next).await,
        None => {
            let message = shell.lang().t("sso.error.not_configured").to_owned();
            let html = login_page(&shell, form.email.trim(), &next, Some(message), false).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
        }
    }
}

#[derive(Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// What logout needs to end the provider's session too.
#[derive(Serialize, Deserialize)]
struct ProviderSession {
    org_id: OrgId,
    id_token: String,
}

async fn callback_get(
    State(state): State<AppState>,
    shell: Shell,
    ClientAddr(client): ClientAddr,
    Query(q): Query<CallbackQuery>,
) -> AppResult<Response> {
    // One use: whatever happens next, this request cannot be finished again.
    let pending: Option<Pending> = shell.session().remove(PENDING).await?;
    let next = pending
        .as_ref()
        .map_or_else(|| "/".to_owned(), |p| safe_next(Some(&p.next)));
    let callback = Callback {
        code: q.code.as_deref(),
        state: q.state.as_deref(),
        error: q.error.as_deref(),
    };
    match login::finish(&state, pending, callback, client.as_deref()).await {
        Ok(signed_in) => {
            session::begin(shell.session(), signed_in.user_id, signed_in.locale).await?;
            let provider = ProviderSession {
                org_id: signed_in.org_id,
                id_token: signed_in.id_token,
            };
            shell.session().insert(LOGOUT, provider).await?;
            Ok(Redirect::to(&next).into_response())
        }
        Err(SsoFailure::Refused(key)) => {
            let message = shell.lang().t(key).to_owned();
            let html = login_page(&shell, "", &next, Some(message), false).await?;
            Ok((StatusCode::BAD_REQUEST, html).into_response())
        }
        Err(SsoFailure::Internal(err)) => Err(err.into()),
    }
}

/// Where logout sends the browser after ending Portico's session: the provider's end-session
/// endpoint when the user signed in through one that offers it.
pub async fn provider_logout_url(state: &AppState, session: &Session) -> Option<String> {
    let provider: ProviderSession = session.get(LOGOUT).await.ok().flatten()?;
    login::end_session_url(state, provider.org_id, &provider.id_token).await
}

/// The page that leaves for the provider's logout.
pub async fn leave_for_provider_logout(shell: &Shell, url: String) -> AppResult<Response> {
    let page = LeavingPage {
        ctx: shell.page().await?,
        url,
    };
    Ok(render(&page)?.into_response())
}

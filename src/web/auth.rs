//! Sign-in, sign-out and password reset pages.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::shell::{PageCtx, Shell, safe_next};
use super::{Routes, render};
use crate::app::AppState;
use crate::auth::actor::ClientAddr;
use crate::auth::session::{self, Flash};
use crate::error::AppResult;
use crate::service::sign_in::{self, SignInError};
use crate::service::sso::login as sso_login;
use crate::service::{FieldErrors, ServiceError, accounts};

pub fn routes() -> Routes {
    Routes::new()
        .public("/login", get(login_get).post(login_post))
        .public("/logout", post(logout_post))
        .public("/password/forgot", get(forgot_get).post(forgot_post))
        .public("/password/reset/{token}", get(reset_get).post(reset_post))
}

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    ctx: PageCtx,
    email: String,
    next: String,
    error: Option<String>,
    /// Offer to continue with the organisation's provider (its users may not use a password).
    sso_offer: bool,
}

/// The sign-in page with the typed e-mail kept and an optional message.
pub async fn login_page(
    shell: &Shell,
    email: &str,
    next: &str,
    error: Option<String>,
    sso_offer: bool,
) -> AppResult<Html<String>> {
    render(&LoginPage {
        ctx: shell.page().await?,
        email: email.to_owned(),
        next: next.to_owned(),
        error,
        sso_offer,
    })
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn login_get(shell: Shell, Query(q): Query<NextQuery>) -> AppResult<Response> {
    let next = safe_next(q.next.as_deref());
    if shell.actor().is_some() {
        return Ok(Redirect::to(&next).into_response());
    }
    Ok(login_page(&shell, "", &next, None, false)
        .await?
        .into_response())
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

async fn login_post(
    State(state): State<AppState>,
    shell: Shell,
    ClientAddr(client): ClientAddr,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    let next = safe_next(form.next.as_deref());
    let lang = shell.lang();
    let email = form.email.trim();
    // E-mail first: without a password, users of an organisation with SSO go to its provider
    // and everyone else is asked for their password.
    if form.password.is_empty() {
        if let Some(org) = sso_login::route_email(&state, email).await? {
            return super::sso::leave_for_provider(&state, &shell, org, email, &next).await;
        }
        let message = lang.t("login.password_needed").to_owned();
        let html = login_page(&shell, email, &next, Some(message), false).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response());
    }
    match sign_in::sign_in(&state, &form.email, &form.password, client.as_deref()).await {
        Ok(signed_in) => {
            session::begin(shell.session(), signed_in.user_id, signed_in.locale).await?;
            Ok(Redirect::to(&next).into_response())
        }
        Err(err) => {
            let (status, message) = match err {
                SignInError::BadCredentials => (
                    StatusCode::UNAUTHORIZED,
                    lang.t("login.bad_credentials").to_owned(),
                ),
                SignInError::Throttled { retry_after_secs } => (
                    StatusCode::TOO_MANY_REQUESTS,
                    lang.t1("login.throttled", retry_after_secs),
                ),
                SignInError::SsoRequired => {
                    let message = lang.t("sso.password_refused").to_owned();
                    let html = login_page(&shell, email, &next, Some(message), true).await?;
                    return Ok((StatusCode::FORBIDDEN, html).into_response());
                }
                SignInError::Internal(err) => return Err(err.into()),
            };
            let html = login_page(&shell, email, &next, Some(message), false).await?;
            Ok((status, html).into_response())
        }
    }
}

async fn logout_post(State(state): State<AppState>, shell: Shell) -> AppResult<Response> {
    let provider_logout = super::sso::provider_logout_url(&state, shell.session()).await;
    session::end(shell.session()).await?;
    // The page leaving for the provider is rendered first so the flash waits for /login.
    let response = match provider_logout {
        Some(url) => super::sso::leave_for_provider_logout(&shell, url).await?,
        None => Redirect::to("/login").into_response(),
    };
    session::push_flash(shell.session(), Flash::success("login.signed_out")).await?;
    Ok(response)
}

#[derive(Template)]
#[template(path = "auth/forgot.html")]
struct ForgotPage {
    ctx: PageCtx,
    email: String,
    errors: FieldErrors,
    sent: bool,
}

async fn forgot_get(shell: Shell) -> AppResult<Html<String>> {
    render(&ForgotPage {
        ctx: shell.page().await?,
        email: String::new(),
        errors: FieldErrors::default(),
        sent: false,
    })
}

#[derive(Deserialize)]
struct ForgotForm {
    #[serde(default)]
    email: String,
}

async fn forgot_post(
    State(state): State<AppState>,
    shell: Shell,
    ClientAddr(client): ClientAddr,
    Form(form): Form<ForgotForm>,
) -> AppResult<Response> {
    let result =
        accounts::request_password_reset(&state, &form.email, shell.lang(), client.as_deref())
            .await;
    let (errors, sent) = match result {
        Ok(()) => (FieldErrors::default(), true),
        Err(ServiceError::Invalid(errors)) => (errors, false),
        Err(err) => return Err(err.into()),
    };
    let status = if sent {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ForgotPage {
        ctx: shell.page().await?,
        email: form.email,
        errors,
        sent,
    };
    Ok((status, render(&page)?).into_response())
}

#[derive(Template)]
#[template(path = "auth/reset.html")]
struct ResetPage {
    ctx: PageCtx,
    token: String,
    valid: bool,
    errors: FieldErrors,
}

async fn reset_get(
    State(state): State<AppState>,
    shell: Shell,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let valid = accounts::reset_link_is_valid(&state, &token).await?;
    let status = if valid {
        StatusCode::OK
    } else {
        StatusCode::GONE
    };
    let page = ResetPage {
        ctx: shell.page().await?,
        token,
        valid,
        errors: FieldErrors::default(),
    };
    Ok((status, render(&page)?).into_response())
}

#[derive(Deserialize)]
struct ResetForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

async fn reset_post(
    State(state): State<AppState>,
    shell: Shell,
    ClientAddr(client): ClientAddr,
    Path(token): Path<String>,
    Form(form): Form<ResetForm>,
) -> AppResult<Response> {
    let result = accounts::reset_password(
        &state,
        &token,
        &form.password,
        &form.confirm,
        client.as_deref(),
    )
    .await;
    let (status, valid, errors) = match result {
        Ok(_) => {
            shell.flash(Flash::success("password.reset_done")).await?;
            return Ok(Redirect::to("/login").into_response());
        }
        Err(ServiceError::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, true, errors),
        Err(ServiceError::Refused(_)) => (StatusCode::GONE, false, FieldErrors::default()),
        Err(err) => return Err(err.into()),
    };
    let page = ResetPage {
        ctx: shell.page().await?,
        token,
        valid,
        errors,
    };
    Ok((status, render(&page)?).into_response())
}

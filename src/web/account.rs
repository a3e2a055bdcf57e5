//! The signed-in user's own account: language setting and password change.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::shell::{PageCtx, Shell};
use super::{Routes, render};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::auth::session::{self, Flash};
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::service::{FieldErrors, ServiceError, accounts};

pub fn routes() -> Routes {
    Routes::new()
        .authenticated("/account", get(account_get))
        .authenticated("/account/password", get(password_get).post(password_post))
        .authenticated("/account/notifications", post(notifications_post))
}

#[derive(Template)]
#[template(path = "account/account.html")]
struct AccountPage {
    ctx: PageCtx,
    display_name: String,
    email: String,
    org_name: String,
    role_key: &'static str,
    langs: [Lang; 2],
    current_lang: Lang,
    email_notifications: bool,
}

async fn account_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
) -> AppResult<Html<String>> {
    let email_notifications = accounts::email_notifications(&state, &actor).await?;
    let ctx = shell.page().await?;
    render(&AccountPage {
        current_lang: ctx.lang,
        ctx,
        display_name: actor.display_name,
        email: actor.email,
        org_name: actor.org_name,
        role_key: actor.role.label_key(),
        langs: Lang::ALL,
        email_notifications,
    })
}

#[derive(Template)]
#[template(path = "account/password.html")]
struct PasswordPage {
    ctx: PageCtx,
    errors: FieldErrors,
}

async fn password_get(shell: Shell) -> AppResult<Html<String>> {
    render(&PasswordPage {
        ctx: shell.page().await?,
        errors: FieldErrors::default(),
    })
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

async fn password_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    match accounts::change_password(&state, &actor, &form.current, &form.password, &form.confirm)
        .await
    {
        Ok(()) => {
            session::renew_after_credentials_change(shell.session()).await?;
            shell.flash(Flash::success("password.changed")).await?;
            Ok(Redirect::to("/account").into_response())
        }
        Err(ServiceError::Invalid(errors)) => {
            let page = PasswordPage {
                ctx: shell.page().await?,
                errors,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(err) => Err(err.into()),
    }
}

#[derive(Deserialize)]
struct NotificationsForm {
    #[serde(default)]
    email: Option<String>,
}

async fn notifications_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Form(form): Form<NotificationsForm>,
) -> AppResult<Response> {
    accounts::set_email_notifications(&state, &actor, form.email.is_some()).await?;
    shell.flash(Flash::success("account.saved")).await?;
    Ok(Redirect::to("/account").into_response())
}

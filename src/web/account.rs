//! The signed-in user's own account: language, how notification e-mail arrives (each one, a
//! daily digest, or none), and password change.

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
use crate::domain::digest::{Delivery, zone_names};
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::service::{FieldErrors, ServiceError, accounts, digests};

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
    deliveries: [Delivery; 3],
    delivery: Delivery,
    time_zone: String,
    zones: &'static [String],
    next_digest: Option<i64>,
    errors: FieldErrors,
}

async fn account_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
) -> AppResult<Html<String>> {
    render(&account_page(&state, shell, actor, None, FieldErrors::default()).await?)
}

/// The account page; `entered` keeps a refused notification form's values.
async fn account_page(
    state: &AppState,
    shell: Shell,
    actor: Actor,
    entered: Option<&NotificationsForm>,
    errors: FieldErrors,
) -> AppResult<AccountPage> {
    let choice = digests::choice(state, &actor).await?;
    let ctx = shell.page().await?;
    let delivery = entered
        .and_then(|f| Delivery::parse(&f.delivery))
        .unwrap_or(choice.delivery);
    Ok(AccountPage {
        current_lang: ctx.lang,
        ctx,
        display_name: actor.display_name,
        email: actor.email,
        org_name: actor.org_name,
        role_key: actor.role.label_key(),
        langs: Lang::ALL,
        deliveries: Delivery::ALL,
        delivery,
        time_zone: entered.map_or(choice.time_zone, |f| f.time_zone.clone()),
        zones: zone_names(),
        next_digest: choice.next_digest_at,
        errors,
    })
}

impl AccountPage {
    /// Whether the browser may propose its own zone: only while the stored one is the untouched
    /// default and no digest uses it.
    fn guess_zone(&self) -> bool {
        self.time_zone == "UTC" && self.delivery != Delivery::Daily
    }

    /// When waiting items go out, in the user's digest time zone.
    fn next_digest_local(&self) -> Option<String> {
        let at = jiff::Timestamp::from_millisecond(self.next_digest?).ok()?;
        let tz = jiff::tz::TimeZone::get(&self.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
        Some(
            at.to_zoned_datetime(tz)
                .strftime("%Y-%m-%d %H:%M %Z")
                .to_string(),
        )
    }
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
    delivery: String,
    #[serde(default)]
    time_zone: String,
}

async fn notifications_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Form(form): Form<NotificationsForm>,
) -> AppResult<Response> {
    match digests::save_choice(&state, &actor, &form.delivery, &form.time_zone).await {
        Ok(()) => {
            shell.flash(Flash::success("account.saved")).await?;
            Ok(Redirect::to("/account").into_response())
        }
        Err(ServiceError::Invalid(errors)) => {
            let page = account_page(&state, shell, actor, Some(&form), errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(err) => Err(err.into()),
    }
}

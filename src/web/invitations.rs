//! Opening an invitation link: see who invites you to what, then create your account (or, if
//! you already have one, sign in and accept). Also the one-time "copy this link" page shown to
//! whoever created an invitation.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};

use super::shell::{PageCtx, Shell};
use super::{Routes, render};
use crate::app::AppState;
use crate::auth::actor::ClientAddr;
use crate::auth::session::Flash;
use crate::error::{AppError, AppResult};
use crate::service::accept_invitation::{self, InvitationPreview};
use crate::service::invitations::CreatedInvitation;
use crate::service::{FieldErrors, ServiceError};

pub fn routes() -> Routes {
    Routes::new()
        .public("/invitations/{token}", get(accept_get).post(accept_post))
        .authenticated("/invitations/created", get(created_get))
}

#[derive(Template)]
#[template(path = "invitations/accept.html")]
struct AcceptPage {
    ctx: PageCtx,
    token: String,
    invitation: InvitationPreview,
    /// The signed-in user is the invitee: show a plain "Accept" button.
    signed_in_as_invitee: bool,
    /// Someone else is signed in.
    signed_in_as_other: bool,
    display_name: String,
    errors: FieldErrors,
    refusal: Option<&'static str>,
}

async fn accept_get(
    State(state): State<AppState>,
    shell: Shell,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let invitation = accept_invitation::preview(&state, &token)
        .await
        .map_err(AppError::from)?;
    let refusal = invitation.status.refusal_key();
    let page = accept_page(
        &shell,
        token,
        invitation,
        String::new(),
        FieldErrors::default(),
        refusal,
    )
    .await?;
    let status = if refusal.is_some() {
        StatusCode::GONE
    } else {
        StatusCode::OK
    };
    Ok((status, render(&page)?).into_response())
}

async fn accept_page(
    shell: &Shell,
    token: String,
    invitation: InvitationPreview,
    display_name: String,
    errors: FieldErrors,
    refusal: Option<&'static str>,
) -> AppResult<AcceptPage> {
    let signed_in_email = shell.actor().map(|a| a.email.clone());
    Ok(AcceptPage {
        ctx: shell.page().await?,
        signed_in_as_invitee: signed_in_email.as_deref() == Some(invitation.email.as_str()),
        signed_in_as_other: signed_in_email.is_some_and(|e| e != invitation.email),
        token,
        invitation,
        display_name,
        errors,
        refusal,
    })
}

#[derive(Deserialize)]
struct AcceptForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

async fn accept_post(
    State(state): State<AppState>,
    shell: Shell,
    ClientAddr(client): ClientAddr,
    Path(token): Path<String>,
    Form(form): Form<AcceptForm>,
) -> AppResult<Response> {
    let result = match shell.actor() {
        Some(actor) => accept_invitation::accept_as_signed_in(&state, actor, &token)
            .await
            .map(|()| "invitation.accepted_existing"),
        None => accept_invitation::accept_with_new_account(
            &state,
            &token,
            &form.display_name,
            &form.password,
            &form.confirm,
            client.as_deref(),
        )
        .await
        .map(|_| "invitation.accepted_new"),
    };
    let (errors, refusal) = match result {
        Ok(message) => {
            shell.flash(Flash::success(message)).await?;
            let target = if shell.actor().is_some() {
                "/"
            } else {
                "/login"
            };
            return Ok(Redirect::to(target).into_response());
        }
        Err(ServiceError::Invalid(errors)) => (errors, None),
        Err(ServiceError::Refused(key)) => (FieldErrors::default(), Some(key)),
        Err(err) => return Err(err.into()),
    };
    let invitation = accept_invitation::preview(&state, &token)
        .await
        .map_err(AppError::from)?;
    let page = accept_page(
        &shell,
        token,
        invitation,
        form.display_name,
        errors,
        refusal,
    )
    .await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

const CREATED_KEY: &str = "created_invitation";

#[derive(Serialize, Deserialize)]
struct CreatedNotice {
    email: String,
    link: String,
    back: String,
}

/// Remembers a just-created invitation so the next page can show its link once.
pub async fn show_created_once(
    shell: &Shell,
    created: &CreatedInvitation,
    back: &str,
) -> AppResult<Response> {
    let notice = CreatedNotice {
        email: created.email.clone(),
        link: created.link.clone(),
        back: back.to_owned(),
    };
    shell.session().insert(CREATED_KEY, notice).await?;
    Ok(Redirect::to("/invitations/created").into_response())
}

#[derive(Template)]
#[template(path = "invitations/created.html")]
struct CreatedPage {
    ctx: PageCtx,
    notice: Option<(String, String, String)>,
}

async fn created_get(shell: Shell) -> AppResult<Html<String>> {
    let notice: Option<CreatedNotice> = shell.session().remove(CREATED_KEY).await?;
    render(&CreatedPage {
        ctx: shell.page().await?,
        notice: notice.map(|n| (n.email, n.link, n.back)),
    })
}

//! Invitations an organisation sent: their state, and revoking one that is still open.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use super::ConfirmPage;
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::auth::session::Flash;
use crate::domain::ids::InvitationId;
use crate::domain::invitation::InvitationStatus;
use crate::error::{AppError, AppResult};
use crate::service::ServiceError;
use crate::service::invitations::{self, SentInvitation};
use crate::web::shell::{PageCtx, Shell};
use crate::web::{Routes, next_page, render};

pub fn routes() -> Routes {
    Routes::new()
        .tenant("/admin/invitations", get(list_get))
        .tenant(
            "/admin/invitations/{id}/revoke",
            get(revoke_get).post(revoke_post),
        )
}

#[derive(Template)]
#[template(path = "admin/invitations.html")]
struct ListPage {
    ctx: PageCtx,
    invitations: Vec<SentInvitation>,
    next_page: Option<String>,
}

impl ListPage {
    fn is_pending(&self, invitation: &SentInvitation) -> bool {
        invitation.status == InvitationStatus::Pending
    }
}

#[derive(Deserialize)]
struct PageQuery {
    before: Option<String>,
}

async fn list_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Query(q): Query<PageQuery>,
) -> AppResult<Html<String>> {
    let before = q.before.and_then(|b| b.parse().ok());
    let invitations = invitations::list_sent(&state, &actor, before).await?;
    let next_page = next_page(&invitations, |i| vec![("before", i.id.to_string())]);
    render(&ListPage {
        ctx: shell.page().await?,
        invitations,
        next_page,
    })
}

fn invitation_id(raw: &str) -> AppResult<InvitationId> {
    raw.parse().map_err(|_| AppError::NotFound)
}

async fn revoke_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    let invitation = invitations::get_sent(&state, &actor, invitation_id(&id)?).await?;
    let ctx = shell.page().await?;
    render(&ConfirmPage {
        title: ctx.t("invitations.revoke_title").to_owned(),
        question: ctx.t1("invitations.revoke_question", &invitation.email),
        action: format!("/admin/invitations/{}/revoke", invitation.id),
        button_key: "invitations.revoke",
        cancel_href: "/admin/invitations".to_owned(),
        danger: true,
        ctx,
    })
}

async fn revoke_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let flash = match invitations::revoke(&state, &actor, invitation_id(&id)?).await {
        Ok(()) => Flash::success("invitations.revoked_done"),
        Err(ServiceError::Refused(key)) => Flash::error(key),
        Err(err) => return Err(err.into()),
    };
    shell.flash(flash).await?;
    Ok(Redirect::to("/admin/invitations").into_response())
}

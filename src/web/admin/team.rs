//! An organisation's own users: list, invite, change role, disable and enable.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::ConfirmPage;
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::auth::session::Flash;
use crate::db::users::User;
use crate::domain::ids::UserId;
use crate::domain::org::{Permission, Role};
use crate::error::{AppError, AppResult};
use crate::service::{FieldErrors, ServiceError, invitations, team};
use crate::web::invitations::show_created_once;
use crate::web::shell::{PageCtx, Shell};
use crate::web::{Routes, next_page, render};

pub fn routes() -> Routes {
    Routes::new()
        .tenant("/admin/users", get(list_get))
        .tenant("/admin/users/invite", get(invite_get).post(invite_post))
        .tenant("/admin/users/{user}", get(detail_get))
        .tenant("/admin/users/{user}/role", post(role_post))
        .tenant(
            "/admin/users/{user}/disable",
            get(disable_get).post(disable_post),
        )
        .tenant("/admin/users/{user}/enable", post(enable_post))
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct ListPage {
    ctx: PageCtx,
    org_name: String,
    users: Vec<User>,
    next_page: Option<String>,
}

#[derive(Deserialize)]
struct PageQuery {
    after: Option<String>,
}

async fn list_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Query(q): Query<PageQuery>,
) -> AppResult<Html<String>> {
    let users = team::list(&state, &actor, q.after.as_deref()).await?;
    let next_page = next_page(&users, |u| vec![("after", u.email.clone())]);
    render(&ListPage {
        ctx: shell.page().await?,
        org_name: actor.org_name.clone(),
        users,
        next_page,
    })
}

#[derive(Template)]
#[template(path = "admin/user_invite.html")]
struct InvitePage {
    ctx: PageCtx,
    email: String,
    role: String,
    roles: &'static [Role],
    errors: FieldErrors,
}

async fn invite_get(shell: Shell, actor: Actor) -> AppResult<Html<String>> {
    if !actor.can(Permission::ManageOwnUsers) {
        return Err(AppError::Forbidden);
    }
    render(&InvitePage {
        ctx: shell.page().await?,
        email: String::new(),
        role: actor
            .org_kind
            .roles()
            .last()
            .map(|r| r.as_str())
            .unwrap_or("")
            .to_owned(),
        roles: actor.org_kind.roles(),
        errors: FieldErrors::default(),
    })
}

#[derive(Deserialize)]
struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

async fn invite_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Form(form): Form<InviteForm>,
) -> AppResult<Response> {
    match invitations::invite_colleague(&state, &actor, &form.email, &form.role, shell.lang()).await
    {
        Ok(created) => show_created_once(&shell, &created, "/admin/users").await,
        Err(ServiceError::Invalid(errors)) => {
            let page = InvitePage {
                ctx: shell.page().await?,
                email: form.email,
                role: form.role,
                roles: actor.org_kind.roles(),
                errors,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(err) => Err(err.into()),
    }
}

fn user_id(raw: &str) -> AppResult<UserId> {
    raw.parse().map_err(|_| AppError::NotFound)
}

#[derive(Template)]
#[template(path = "admin/user.html")]
struct DetailPage {
    ctx: PageCtx,
    user: User,
    roles: &'static [Role],
    is_self: bool,
}

async fn detail_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(user): Path<String>,
) -> AppResult<Html<String>> {
    let user = team::get(&state, &actor, user_id(&user)?).await?;
    render(&DetailPage {
        ctx: shell.page().await?,
        is_self: user.id == actor.user_id,
        user,
        roles: actor.org_kind.roles(),
    })
}

/// Runs a change and comes back to the user's page with a message either way.
async fn change_and_return(
    shell: &Shell,
    id: UserId,
    result: Result<(), ServiceError>,
    done_key: &'static str,
) -> AppResult<Response> {
    let flash = match result {
        Ok(()) => Flash::success(done_key),
        Err(ServiceError::Refused(key)) => Flash::error(key),
        Err(err) => return Err(err.into()),
    };
    shell.flash(flash).await?;
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
}

#[derive(Deserialize)]
struct RoleForm {
    #[serde(default)]
    role: String,
}

async fn role_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(user): Path<String>,
    Form(form): Form<RoleForm>,
) -> AppResult<Response> {
    let id = user_id(&user)?;
    let result = team::change_role(&state, &actor, id, &form.role).await;
    change_and_return(&shell, id, result, "team.role_changed").await
}

async fn disable_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(user): Path<String>,
) -> AppResult<Html<String>> {
    let user = team::get(&state, &actor, user_id(&user)?).await?;
    let ctx = shell.page().await?;
    render(&ConfirmPage {
        title: ctx.t1("team.disable_title", &user.display_name),
        question: ctx.t1("team.disable_question", &user.email),
        action: format!("/admin/users/{}/disable", user.id),
        button_key: "team.disable",
        cancel_href: format!("/admin/users/{}", user.id),
        danger: true,
        ctx,
    })
}

async fn disable_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(user): Path<String>,
) -> AppResult<Response> {
    let id = user_id(&user)?;
    let result = team::set_active(&state, &actor, id, false).await;
    change_and_return(&shell, id, result, "team.disabled_done").await
}

async fn enable_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(user): Path<String>,
) -> AppResult<Response> {
    let id = user_id(&user)?;
    let result = team::set_active(&state, &actor, id, true).await;
    change_and_return(&shell, id, result, "team.enabled_done").await
}

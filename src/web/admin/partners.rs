//! A brand's partners: list, detail, invite, suspend and reactivate.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use super::ConfirmPage;
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::auth::session::Flash;
use crate::db::partnerships::PartnerRow;
use crate::domain::ids::OrgId;
use crate::domain::org::{OrgKind, Permission};
use crate::error::{AppError, AppResult};
use crate::service::partners::{self, PartnerDetail, PartnershipChange};
use crate::service::{FieldErrors, ServiceError, invitations};
use crate::web::invitations::show_created_once;
use crate::web::shell::{PageCtx, Shell};
use crate::web::{Routes, next_page, render};

pub fn routes() -> Routes {
    Routes::new()
        .tenant("/admin/partners", get(list_get))
        .tenant("/admin/partners/invite", get(invite_get).post(invite_post))
        .tenant("/admin/partners/{org}", get(detail_get))
        .tenant(
            "/admin/partners/{org}/suspend",
            get(suspend_get).post(suspend_post),
        )
        .tenant(
            "/admin/partners/{org}/reactivate",
            get(reactivate_get).post(reactivate_post),
        )
}

#[derive(Template)]
#[template(path = "admin/partners.html")]
struct ListPage {
    ctx: PageCtx,
    partners: Vec<PartnerRow>,
    can_manage: bool,
    next_page: Option<String>,
}

#[derive(Deserialize)]
struct PageQuery {
    after_name: Option<String>,
    after_id: Option<String>,
}

async fn list_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Query(q): Query<PageQuery>,
) -> AppResult<Html<String>> {
    let after = match (q.after_name, q.after_id.and_then(|id| id.parse().ok())) {
        (Some(name), Some(id)) => Some((name, id)),
        _ => None,
    };
    let partners = partners::list(&state, &actor, after).await?;
    let next_page = next_page(&partners, |p| {
        vec![
            ("after_name", p.name.clone()),
            ("after_id", p.partner_org_id.to_string()),
        ]
    });
    render(&ListPage {
        ctx: shell.page().await?,
        partners,
        can_manage: actor.can(Permission::ManagePartners),
        next_page,
    })
}

#[derive(Template)]
#[template(path = "admin/partner.html")]
struct DetailPage {
    ctx: PageCtx,
    detail: PartnerDetail,
    can_manage: bool,
}

fn org_id(raw: &str) -> AppResult<OrgId> {
    raw.parse().map_err(|_| AppError::NotFound)
}

async fn detail_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(org): Path<String>,
) -> AppResult<Html<String>> {
    let detail = partners::detail(&state, &actor, org_id(&org)?).await?;
    render(&DetailPage {
        ctx: shell.page().await?,
        detail,
        can_manage: actor.can(Permission::ManagePartners),
    })
}

#[derive(Template)]
#[template(path = "admin/partner_invite.html")]
struct InvitePage {
    ctx: PageCtx,
    org_name: String,
    org_kind: String,
    email: String,
    kinds: [OrgKind; 4],
    errors: FieldErrors,
}

async fn invite_get(shell: Shell, actor: Actor) -> AppResult<Html<String>> {
    if !actor.can(Permission::ManagePartners) {
        return Err(AppError::Forbidden);
    }
    render(&InvitePage {
        ctx: shell.page().await?,
        org_name: String::new(),
        org_kind: "supplier".to_owned(),
        email: String::new(),
        kinds: OrgKind::PARTNER_KINDS,
        errors: FieldErrors::default(),
    })
}

#[derive(Deserialize)]
struct InviteForm {
    #[serde(default)]
    org_name: String,
    #[serde(default)]
    org_kind: String,
    #[serde(default)]
    email: String,
}

async fn invite_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Form(form): Form<InviteForm>,
) -> AppResult<Response> {
    let input = invitations::PartnerInvite {
        org_name: &form.org_name,
        org_kind: &form.org_kind,
        email: &form.email,
    };
    match invitations::invite_partner(&state, &actor, input, shell.lang()).await {
        Ok(created) => show_created_once(&shell, &created, "/admin/partners").await,
        Err(ServiceError::Invalid(errors)) => {
            let page = InvitePage {
                ctx: shell.page().await?,
                org_name: form.org_name,
                org_kind: form.org_kind,
                email: form.email,
                kinds: OrgKind::PARTNER_KINDS,
                errors,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(err) => Err(err.into()),
    }
}

async fn confirm_page(
    state: &AppState,
    shell: &Shell,
    actor: &Actor,
    org: &str,
    change: PartnershipChange,
) -> AppResult<Html<String>> {
    let id = org_id(org)?;
    if !actor.can(Permission::ManagePartners) {
        return Err(AppError::NotFound);
    }
    let name = partners::summary(state, actor, id).await?.name;
    let ctx = shell.page().await?;
    let (title_key, question_key, verb, button_key, danger) = match change {
        PartnershipChange::Suspend => (
            "partners.suspend_title",
            "partners.suspend_question",
            "suspend",
            "partners.suspend",
            true,
        ),
        PartnershipChange::Reactivate => (
            "partners.reactivate_title",
            "partners.reactivate_question",
            "reactivate",
            "partners.reactivate",
            false,
        ),
    };
    render(&ConfirmPage {
        title: ctx.t1(title_key, &name),
        question: ctx.t2(
            question_key,
            &name,
            actor
                .scope
                .as_ref()
                .map(|s| s.tenant_name.as_str())
                .unwrap_or(""),
        ),
        action: format!("/admin/partners/{id}/{verb}"),
        button_key,
        cancel_href: format!("/admin/partners/{id}"),
        danger,
        ctx,
    })
}

async fn apply_change(
    state: &AppState,
    shell: &Shell,
    actor: &Actor,
    org: &str,
    change: PartnershipChange,
) -> AppResult<Response> {
    let id = org_id(org)?;
    let flash = match partners::change_status(state, actor, id, change).await {
        Ok(row) => Flash::success(match change {
            PartnershipChange::Suspend => "partners.suspended_done",
            PartnershipChange::Reactivate => "partners.reactivated_done",
        })
        .with_arg(row.name),
        Err(ServiceError::Refused(key)) => Flash::error(key),
        Err(err) => return Err(err.into()),
    };
    shell.flash(flash).await?;
    Ok(Redirect::to(&format!("/admin/partners/{id}")).into_response())
}

async fn suspend_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(org): Path<String>,
) -> AppResult<Html<String>> {
    confirm_page(&state, &shell, &actor, &org, PartnershipChange::Suspend).await
}

async fn suspend_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(org): Path<String>,
) -> AppResult<Response> {
    apply_change(&state, &shell, &actor, &org, PartnershipChange::Suspend).await
}

async fn reactivate_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(org): Path<String>,
) -> AppResult<Html<String>> {
    confirm_page(&state, &shell, &actor, &org, PartnershipChange::Reactivate).await
}

async fn reactivate_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(org): Path<String>,
) -> AppResult<Response> {
    apply_change(&state, &shell, &actor, &org, PartnershipChange::Reactivate).await
}

//! Platform operators: create brands (with their first admin's invitation), see organisations.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::invitations::show_created_once;
use super::shell::{PageCtx, Shell};
use super::{Routes, next_page, render};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db::orgs::Org;
use crate::domain::org::Permission;
use crate::error::{AppError, AppResult};
use crate::service::{FieldErrors, ServiceError, platform};

pub fn routes() -> Routes {
    Routes::new()
        .authenticated("/platform/brands", get(brands_get).post(brands_post))
        .authenticated("/platform/orgs", get(orgs_get))
}

#[derive(Template)]
#[template(path = "platform/brands.html")]
struct BrandsPage {
    ctx: PageCtx,
    brands: Vec<Org>,
    next_page: Option<String>,
    name: String,
    email: String,
    errors: FieldErrors,
}

#[derive(Deserialize)]
struct BrandPageQuery {
    after_name: Option<String>,
    after_id: Option<String>,
}

async fn brands_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Query(q): Query<BrandPageQuery>,
) -> AppResult<Html<String>> {
    let after = match (q.after_name, q.after_id.and_then(|i| i.parse().ok())) {
        (Some(n), Some(id)) => Some((n, id)),
        _ => None,
    };
    let brands = platform::list_brands(&state, &actor, after).await?;
    let next_page = next_page(&brands, |o| {
        vec![
            ("after_name", o.name.clone()),
            ("after_id", o.id.to_string()),
        ]
    });
    render(&BrandsPage {
        ctx: shell.page().await?,
        brands,
        next_page,
        name: String::new(),
        email: String::new(),
        errors: FieldErrors::default(),
    })
}

#[derive(Deserialize)]
struct BrandForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
}

async fn brands_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Form(form): Form<BrandForm>,
) -> AppResult<Response> {
    match platform::create_brand(&state, &actor, &form.name, &form.email, shell.lang()).await {
        Ok(created) => show_created_once(&shell, &created, "/platform/brands").await,
        Err(ServiceError::Invalid(errors)) => {
            let page = BrandsPage {
                brands: platform::list_brands(&state, &actor, None).await?,
                next_page: None,
                ctx: shell.page().await?,
                name: form.name,
                email: form.email,
                errors,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(err) => Err(err.into()),
    }
}

#[derive(Template)]
#[template(path = "platform/orgs.html")]
struct OrgsPage {
    ctx: PageCtx,
    orgs: Vec<Org>,
    next_page: Option<String>,
}

#[derive(Deserialize)]
struct PageQuery {
    after_kind: Option<String>,
    after_name: Option<String>,
    after_id: Option<String>,
}

async fn orgs_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Query(q): Query<PageQuery>,
) -> AppResult<Html<String>> {
    if !actor.can(Permission::OperatePlatform) {
        return Err(AppError::NotFound);
    }
    let after = match (
        q.after_kind,
        q.after_name,
        q.after_id.and_then(|i| i.parse().ok()),
    ) {
        (Some(k), Some(n), Some(id)) => Some((k, n, id)),
        _ => None,
    };
    let orgs = platform::list_orgs(&state, &actor, after).await?;
    let next_page = next_page(&orgs, |o| {
        vec![
            ("after_kind", o.kind.as_str().to_owned()),
            ("after_name", o.name.clone()),
            ("after_id", o.id.to_string()),
        ]
    });
    render(&OrgsPage {
        ctx: shell.page().await?,
        orgs,
        next_page,
    })
}

//! Settings › Webhooks: an organisation admin's endpoints in the brand in view, the secret shown
//! once (after creation or rotation), the delivery log with Redeliver, and disable, enable and
//! delete (confirmed).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::auth::session::Flash;
use crate::db::webhooks::{Delivery, Endpoint};
use crate::domain::events::ALL_TYPES;
use crate::error::AppResult;
use crate::service::webhooks::{self, EndpointInput};
use crate::service::{FieldErrors, ServiceError};
use crate::web::admin::ConfirmPage;
use crate::web::shell::{PageCtx, Shell};
use crate::web::{Routes, refusal_flash, render};

pub fn routes() -> Routes {
    Routes::new()
        .tenant("/settings/webhooks", get(list_get).post(create_post))
        .tenant("/settings/webhooks/{webhook}", get(detail_get))
        .tenant("/settings/webhooks/{webhook}/rotate", post(rotate_post))
        .tenant("/settings/webhooks/{webhook}/disable", post(disable_post))
        .tenant("/settings/webhooks/{webhook}/enable", post(enable_post))
        .tenant(
            "/settings/webhooks/{webhook}/delete",
            get(delete_get).post(delete_post),
        )
        .tenant(
            "/settings/webhooks/{webhook}/deliveries/{delivery}/redeliver",
            post(redeliver_post),
        )
}

/// The secret to show once, kept in the session only until the endpoint's page is shown.
const SECRET_KEY: &str = "webhook_secret";

#[derive(Serialize, Deserialize)]
struct ShownOnce {
    endpoint: String,
    secret: String,
}

#[derive(Template)]
#[template(path = "settings/webhooks.html")]
struct ListPage {
    ctx: PageCtx,
    endpoints: Vec<Endpoint>,
    types: &'static [&'static str],
    url: String,
    description: String,
    chosen: Vec<String>,
    errors: FieldErrors,
}

/// The message key of a stored status or reason (unknown values show as the generic key).
fn status_key(group: &str, value: &str) -> &'static str {
    match (group, value) {
        ("endpoint_status", "active") => "webhooks.endpoint_status.active",
        ("endpoint_status", _) => "webhooks.endpoint_status.disabled",
        ("reason", "gone") => "webhooks.reason.gone",
        ("reason", "failing") => "webhooks.reason.failing",
        ("reason", _) => "webhooks.reason.manual",
        ("delivery_status", "delivered") => "webhooks.delivery_status.delivered",
        ("delivery_status", "failed") => "webhooks.delivery_status.failed",
        _ => "webhooks.delivery_status.pending",
    }
}

impl ListPage {
    fn key(&self, group: &str, value: &str) -> &'static str {
        status_key(group, value)
    }

    fn is_chosen(&self, t: &&str) -> bool {
        self.chosen.iter().any(|c| c == t)
    }
}

async fn list_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
) -> AppResult<Html<String>> {
    let endpoints = webhooks::list(&state, &actor).await?;
    render(&ListPage {
        ctx: shell.page().await?,
        endpoints,
        types: ALL_TYPES,
        url: String::new(),
        description: String::new(),
        chosen: Vec::new(),
        errors: FieldErrors::default(),
    })
}

async fn create_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let all = field("all") == "1";
    let input = EndpointInput {
        url: field("url"),
        description: field("description"),
        types: if all {
            Vec::new()
        } else {
            fields
                .iter()
                .filter(|(k, _)| k == "type")
                .map(|(_, v)| v.clone())
                .collect()
        },
    };
    match webhooks::create(&state, &actor, &input).await {
        Ok((id, secret)) => {
            let shown = ShownOnce {
                endpoint: id.clone(),
                secret: secret.to_string(),
            };
            shell.session().insert(SECRET_KEY, shown).await?;
            shell.flash(Flash::success("webhooks.created")).await?;
            Ok(Redirect::to(&format!("/settings/webhooks/{id}")).into_response())
        }
        Err(ServiceError::Invalid(errors)) => {
            let page = ListPage {
                ctx: shell.page().await?,
                endpoints: webhooks::list(&state, &actor).await?,
                types: ALL_TYPES,
                url: input.url,
                description: input.description,
                chosen: input.types,
                errors,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(err) => Err(err.into()),
    }
}

#[derive(Template)]
#[template(path = "settings/webhook.html")]
struct DetailPage {
    ctx: PageCtx,
    endpoint: Endpoint,
    types: Vec<String>,
    secret: Option<String>,
    deliveries: Vec<Delivery>,
    next_page: Option<String>,
}

impl DetailPage {
    fn key(&self, group: &str, value: &str) -> &'static str {
        status_key(group, value)
    }
}

#[derive(Deserialize)]
struct PageQuery {
    before: Option<String>,
}

async fn detail_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> AppResult<Html<String>> {
    let page = webhooks::page(&state, &actor, &id, q.before.as_deref()).await?;
    let shown: Option<ShownOnce> = shell.session().remove(SECRET_KEY).await?;
    let secret = shown
        .filter(|s| s.endpoint == page.endpoint.id)
        .map(|s| s.secret);
    render(&DetailPage {
        ctx: shell.page().await?,
        types: page.endpoint.types(),
        endpoint: page.endpoint,
        secret,
        deliveries: page.deliveries,
        next_page: page
            .next
            .and_then(|n| serde_urlencoded::to_string([("before", n)]).ok()),
    })
}

async fn back_with(
    shell: &Shell,
    id: &str,
    result: Result<(), ServiceError>,
    done_key: &'static str,
) -> AppResult<Response> {
    let flash = match result {
        Ok(()) => Flash::success(done_key),
        Err(err) => refusal_flash(err)?,
    };
    shell.flash(flash).await?;
    Ok(Redirect::to(&format!("/settings/webhooks/{id}")).into_response())
}

async fn rotate_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let secret = webhooks::rotate(&state, &actor, &id).await?;
    let shown = ShownOnce {
        endpoint: id.clone(),
        secret: secret.to_string(),
    };
    shell.session().insert(SECRET_KEY, shown).await?;
    back_with(&shell, &id, Ok(()), "webhooks.rotated").await
}

async fn disable_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let result = webhooks::set_enabled(&state, &actor, &id, false).await;
    back_with(&shell, &id, result, "webhooks.disabled_done").await
}

async fn enable_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let result = webhooks::set_enabled(&state, &actor, &id, true).await;
    back_with(&shell, &id, result, "webhooks.enabled_done").await
}

async fn delete_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    let page = webhooks::page(&state, &actor, &id, None).await?;
    let ctx = shell.page().await?;
    render(&ConfirmPage {
        title: ctx.t("webhooks.delete_title").to_owned(),
        question: ctx.t1("webhooks.delete_question", &page.endpoint.url),
        action: format!("/settings/webhooks/{id}/delete"),
        button_key: "webhooks.delete",
        cancel_href: format!("/settings/webhooks/{id}"),
        danger: true,
        ctx,
    })
}

async fn delete_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Response> {
    webhooks::delete(&state, &actor, &id).await?;
    shell.flash(Flash::success("webhooks.deleted")).await?;
    Ok(Redirect::to("/settings/webhooks").into_response())
}

async fn redeliver_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path((id, delivery)): Path<(String, String)>,
) -> AppResult<Response> {
    let result = webhooks::redeliver(&state, &actor, &id, &delivery).await;
    back_with(&shell, &id, result, "webhooks.redelivered").await
}

//! The notification centre: what happened on the user's orders in the active brand.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::shell::{PageCtx, Shell};
use super::{Routes, next_page, render};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db::notifications::Notification;
use crate::error::AppResult;
use crate::service::notifications;

pub fn routes() -> Routes {
    Routes::new()
        .tenant("/notifications", get(list_get))
        .tenant("/notifications/read", post(read_post))
}

#[derive(Template)]
#[template(path = "notifications/list.html")]
struct ListPage {
    ctx: PageCtx,
    items: Vec<Notification>,
    next_page: Option<String>,
}

impl ListPage {
    fn text(&self, n: &Notification) -> String {
        self.ctx.t2(
            &format!("notification.{}", n.kind),
            n.actor_org_name.as_deref().unwrap_or(""),
            n.po_number.as_deref().unwrap_or(""),
        )
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
    let items = notifications::list(&state, &actor, q.before.as_deref()).await?;
    let next_page = next_page(&items, |n| vec![("before", n.id.clone())]);
    render(&ListPage {
        ctx: shell.page().await?,
        items,
        next_page,
    })
}

async fn read_post(State(state): State<AppState>, actor: Actor) -> AppResult<Response> {
    notifications::mark_all_read(&state, &actor).await?;
    Ok(Redirect::to("/notifications").into_response())
}

//! The home page: per role, the counts of what the user has to look at.

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;

use super::shell::{PageCtx, Shell};
use super::{Routes, render};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::error::AppResult;
use crate::service::home::{self, HomeCard};

pub fn routes() -> Routes {
    Routes::new().authenticated("/", get(home_get))
}

#[derive(Template)]
#[template(path = "home/home.html")]
struct HomePage {
    ctx: PageCtx,
    greeting_name: String,
    org_name: String,
    brand_name: Option<String>,
    no_active_brand: bool,
    cards: Vec<HomeCard>,
}

async fn home_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
) -> AppResult<Html<String>> {
    let cards = home::cards(&state, &actor).await?;
    render(&HomePage {
        ctx: shell.page().await?,
        greeting_name: actor.display_name.clone(),
        org_name: actor.org_name.clone(),
        // Brand users always work for their own brand; partners see which one is active.
        brand_name: actor
            .scope
            .as_ref()
            .filter(|_| actor.is_partner())
            .map(|s| s.tenant_name.clone()),
        no_active_brand: actor.is_partner() && actor.scope.is_none(),
        cards,
    })
}

//! An organisation's API clients in the brand in view: list (with last use), create (the secret
//! is shown once), revoke after confirmation.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;

use super::ConfirmPage;
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::auth::api_token::SCOPES;
use crate::auth::session::Flash;
use crate::db::api_clients::ApiClient;
use crate::domain::org::Role;
use crate::domain::time::UtcMillis;
use crate::error::AppResult;
use crate::service::api_clients::{self, ClientInput};
use crate::service::{FieldErrors, ServiceError};
use crate::web::shell::{PageCtx, Shell};
use crate::web::{Routes, refusal_flash, render};

const SECRET_KEY: &str = "api_client_created";

pub fn routes() -> Routes {
    Routes::new()
        .tenant("/admin/api-clients", get(list_get).post(create_post))
        .tenant("/admin/api-clients/created", get(created_get))
        .tenant(
            "/admin/api-clients/{id}/revoke",
            get(revoke_get).post(revoke_post),
        )
}

#[derive(Template)]
#[template(path = "admin/api_clients.html")]
struct ListPage {
    ctx: PageCtx,
    clients: Vec<ApiClient>,
    roles: Vec<Role>,
    scopes: &'static [&'static str],
    name: String,
    role: String,
    chosen: Vec<String>,
    errors: FieldErrors,
    token_url: String,
}

impl ListPage {
    fn is_chosen(&self, scope: &str) -> bool {
        self.chosen.iter().any(|c| c == scope)
    }

    fn when(&self, at: &Option<i64>) -> String {
        at.map(|t| UtcMillis(t).rfc3339()).unwrap_or_default()
    }
}

async fn page(
    state: &AppState,
    shell: &Shell,
    actor: &Actor,
    input: ClientInput,
    errors: FieldErrors,
) -> AppResult<ListPage> {
    Ok(ListPage {
        ctx: shell.page().await?,
        clients: api_clients::list(state, actor).await?,
        roles: api_clients::client_roles(actor),
        scopes: &SCOPES,
        name: input.name,
        role: input.role,
        chosen: input.scopes,
        errors,
        token_url: format!("{}/oauth/token", state.config.public_url),
    })
}

async fn list_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
) -> AppResult<Html<String>> {
    let input = ClientInput {
        scopes: vec!["orders:read".to_owned()],
        ..ClientInput::default()
    };
    render(&page(&state, &shell, &actor, input, FieldErrors::default()).await?)
}

fn input_of(form: &[(String, String)]) -> ClientInput {
    let one = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    ClientInput {
        name: one("name"),
        role: one("role"),
        scopes: form
            .iter()
            .filter(|(k, _)| k == "scope")
            .map(|(_, v)| v.clone())
            .collect(),
    }
}

async fn create_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Form(form): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let input = input_of(&form);
    match api_clients::create(&state, &actor, &input).await {
        Ok(created) => {
            let shown = (created.client.id, created.secret, created.client.name);
            shell.session().insert(SECRET_KEY, shown).await?;
            Ok(Redirect::to("/admin/api-clients/created").into_response())
        }
        Err(ServiceError::Invalid(errors)) => {
            let page = page(&state, &shell, &actor, input, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template)]
#[template(path = "admin/api_client_created.html")]
struct CreatedPage {
    ctx: PageCtx,
    shown: Option<(String, String, String)>,
    token_url: String,
}

/// The secret, once: it is taken out of the session as it is shown.
async fn created_get(
    State(state): State<AppState>,
    shell: Shell,
    _actor: Actor,
) -> AppResult<Html<String>> {
    let shown: Option<(String, String, String)> = shell.session().remove(SECRET_KEY).await?;
    render(&CreatedPage {
        ctx: shell.page().await?,
        shown,
        token_url: format!("{}/oauth/token", state.config.public_url),
    })
}

async fn revoke_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    let client = api_clients::get_active(&state, &actor, &id).await?;
    let ctx = shell.page().await?;
    render(&ConfirmPage {
        title: ctx.t1("api_clients.revoke_title", &client.name),
        question: ctx.t("api_clients.revoke_question").to_owned(),
        action: format!("/admin/api-clients/{}/revoke", client.id),
        button_key: "api_clients.revoke",
        cancel_href: "/admin/api-clients".to_owned(),
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
    let flash = match api_clients::revoke(&state, &actor, &id).await {
        Ok(()) => Flash::success("api_clients.revoked"),
        Err(err) => refusal_flash(err)?,
    };
    shell.flash(flash).await?;
    Ok(Redirect::to("/admin/api-clients").into_response())
}

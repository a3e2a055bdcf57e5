//! The published key set: every organisation's Ed25519 public keys, current and retired, so
//! anyone can verify Portico's signed statements without an account.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::Routes;
use crate::app::AppState;
use crate::error::AppResult;
use crate::service::orgs;

pub fn routes() -> Routes {
    Routes::new().public("/.well-known/portico/keys.json", get(keys_get))
}

async fn keys_get(State(state): State<AppState>) -> AppResult<Response> {
    let jwks = orgs::jwks(&state.db).await?;
    let mut response = Json(jwks).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    Ok(response)
}

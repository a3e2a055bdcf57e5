//! The partner API, v1: JSON over HTTPS for ERPs, mirroring what the pages do. Clients get
//! short-lived EdDSA access tokens from `POST /oauth/token`; every `/api/v1` call is checked by
//! [`auth::require_token`] (signature, issuer, audience, expiry, client, brand), rate-limited per
//! client, and made idempotent by `Idempotency-Key`. Errors are RFC 9457 problem documents.
//! The OpenAPI 3.1 document is generated from these handlers (`openapi.rs`).

pub mod auth;
pub mod events;
pub mod extract;
pub mod fulfilment;
pub mod idempotency;
pub mod openapi;
pub mod orders;
pub mod problem;
pub mod rate_limit;
pub mod token;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::response::IntoResponse;
use axum::routing::{any, get, post};

use crate::app::AppState;

/// The API's routes. Public: the token endpoint, the key set and the reference. Everything
/// else needs a bearer token.
pub fn router(state: &AppState) -> Router<AppState> {
    let protected = Router::new()
        .route("/api/v1/events", get(events::list))
        .route("/api/v1/orders", get(orders::list))
        .route("/api/v1/orders/{id}", get(orders::get_one))
        .route("/api/v1/orders/{id}/decisions", post(orders::decide))
        .route("/api/v1/orders/{id}/evidence", get(orders::evidence))
        .route(
            "/api/v1/orders/{id}/progress",
            // Photos travel inline (base64): up to ten files of 10 MB.
            post(fulfilment::post_progress).layer(DefaultBodyLimit::max(140 * 1024 * 1024)),
        )
        .route("/api/v1/orders/{id}/asns", post(fulfilment::create_asn))
        .route(
            "/api/v1/asns/{asn}/receipts",
            post(fulfilment::post_receipt),
        )
        .route(
            "/api/v1/orders/{id}/invoices",
            post(fulfilment::create_invoice),
        )
        .layer(middleware::from_fn_with_state(
            state.clone(),
            idempotency::idempotent,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::require_token,
        ));
    Router::new()
        .route("/oauth/token", post(token::token))
        .route("/.well-known/jwks.json", get(token::jwks))
        .route("/api/v1/openapi.json", get(openapi::document))
        .route("/api/v1", get(openapi::reference))
        .route("/api/v1/{*rest}", any(not_found))
        // Before a token names a brand: the client credentials grant and the key set.
        .route_layer(middleware::from_fn(crate::web::in_system_scope))
        .merge(protected)
}

async fn not_found() -> axum::response::Response {
    problem::ApiError::NotFound.into_response()
}

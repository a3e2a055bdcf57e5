//! The bearer-token layer of `/api/v1`: every request's token is verified and its client
//! resolved (`service::api_auth::caller`), then the client's rate limit is taken. Handlers get
//! the [`ApiCaller`] and check the scope their operation needs.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::problem::{ApiError, ApiResult};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db::scope;
use crate::service::api_auth::{self, ApiCaller, CallerError};

pub async fn require_token(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .filter(|t| !t.is_empty())
        .map(str::to_owned);
    let Some(token) = token else {
        return ApiError::Unauthorized.into_response();
    };
    // Finding the client crosses brands; the call itself runs in the token's brand.
    let caller = match scope::system(api_auth::caller(&state, &token)).await {
        Ok(caller) => caller,
        Err(CallerError::Internal(err)) => return ApiError::Internal(err).into_response(),
        Err(refusal) => {
            tracing::info!(reason = %refusal, "API token refused");
            return ApiError::Unauthorized.into_response();
        }
    };
    if let Err(retry_after_secs) = state.api_limiter.take(&caller.claims.sub) {
        return ApiError::Throttled { retry_after_secs }.into_response();
    }
    let db_scope = caller.actor.db_scope();
    request.extensions_mut().insert(caller);
    scope::within(db_scope, next.run(request)).await
}

impl<S: Send + Sync> FromRequestParts<S> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<ApiCaller>()
            .cloned()
            .ok_or(ApiError::Unauthorized)
    }
}

/// The actor of a caller whose token carries `scope`.
pub fn with_scope<'a>(caller: &'a ApiCaller, scope: &'static str) -> ApiResult<&'a Actor> {
    if caller.claims.has_scope(scope) {
        Ok(&caller.actor)
    } else {
        Err(ApiError::InsufficientScope(scope))
    }
}

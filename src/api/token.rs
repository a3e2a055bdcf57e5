//! `POST /oauth/token` (the client-credentials grant, RFC 6749 §4.4, client authentication by
//! HTTP Basic or form fields) and `GET /.well-known/jwks.json` (the keys that verify Portico's
//! access tokens).

use axum::Form;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::problem::ApiError;
use crate::app::AppState;
use crate::service::api_auth::{self, GrantError, IssuedToken};

#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    /// Must be `client_credentials`.
    #[serde(default)]
    pub grant_type: String,
    /// Space-separated scopes; all of the client's when absent.
    pub scope: Option<String>,
    /// With `client_secret`, instead of HTTP Basic authentication.
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
}

fn oauth_error(status: StatusCode, code: &str, description: &str) -> Response {
    let mut response = (
        status,
        Json(json!({ "error": code, "error_description": description })),
    )
        .into_response();
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"portico\""),
        );
    }
    response
}

/// Client id and secret from `Authorization: Basic` (form-encoded parts, RFC 6749 §2.3.1).
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let unescape = |s: &str| {
        url::form_urlencoded::parse(format!("v={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
    };
    Some((unescape(id)?, unescape(secret)?))
}

#[utoipa::path(post, path = "/oauth/token", tag = "auth",
    request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "A short-lived EdDSA-signed access token", body = IssuedToken),
        (status = 400, description = "Unsupported grant or invalid scope (RFC 6749 error object)", body = Object),
        (status = 401, description = "Unknown client, wrong secret or revoked client (RFC 6749 error object)", body = Object),
        (status = 429, description = "Rate limited", body = super::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<TokenRequest>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The request must be a form (application/x-www-form-urlencoded).",
        );
    };
    if form.grant_type != "client_credentials" {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "Only client_credentials is supported.",
        );
    }
    let credentials = basic_credentials(&headers).or_else(|| {
        Some((
            form.client_id.clone().filter(|s| !s.is_empty())?,
            form.client_secret.clone()?,
        ))
    });
    let Some((client_id, secret)) = credentials else {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication is required.",
        );
    };
    // Guessing secrets is throttled like any other call of the client id.
    if let Err(retry_after_secs) = state.api_limiter.take(&format!("token:{client_id}")) {
        return ApiError::Throttled { retry_after_secs }.into_response();
    }
    match api_auth::grant(&state, &client_id, &secret, form.scope.as_deref()).await {
        Ok(Ok(issued)) => {
            let mut response = Json(issued).into_response();
            response
                .headers_mut()
                .insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
            response
        }
        Ok(Err(GrantError::InvalidClient)) => oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Unknown client, wrong secret, or the client was revoked.",
        ),
        Ok(Err(GrantError::InvalidScope)) => oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            "The client was not granted every scope asked for.",
        ),
        Err(err) => ApiError::Internal(err).into_response(),
    }
}

#[utoipa::path(get, path = "/.well-known/jwks.json", tag = "auth",
    responses((status = 200, description = "Portico's public keys for access tokens (OKP Ed25519, RFC 8037)", body = Object)))]
pub async fn jwks(State(state): State<AppState>) -> Response {
    match api_auth::jwks(&state).await {
        Ok(set) => {
            let mut response = Json(set).into_response();
            response.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            );
            response
        }
        Err(err) => ApiError::Internal(err).into_response(),
    }
}

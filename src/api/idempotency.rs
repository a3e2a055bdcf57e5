//! `Idempotency-Key` on POST: the first answer to a key is kept per client, a repeat of the
//! same request gets that answer again (`Idempotent-Replayed: true`), and the same key with
//! another request is refused with 422. A request still running under the key answers 409; a
//! server error releases the key so a retry runs again.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::problem::{ApiError, PROBLEM_JSON};
use crate::app::AppState;
use crate::db;
use crate::service::api_auth::ApiCaller;

pub const HEADER: &str = "idempotency-key";
/// The largest request or answer body kept for replays.
const MAX_BODY: usize = 140 * 1024 * 1024;

pub async fn idempotent(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let Some(key) = request.headers().get(HEADER) else {
        return next.run(request).await;
    };
    let key = match key.to_str() {
        Ok(k) if (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()) => {
            k.to_owned()
        }
        _ => {
            return ApiError::BadRequest(
                "Idempotency-Key must be 1 to 255 visible ASCII characters.".into(),
            )
            .into_response();
        }
    };
    let Some(client) = request
        .extensions()
        .get::<ApiCaller>()
        .map(|c| c.claims.sub.clone())
    else {
        return ApiError::Unauthorized.into_response();
    };
    match run(&state, &client, &key, request, next).await {
        Ok(response) => response,
        Err(err) => err.into_response(),
    }
}

async fn run(
    state: &AppState,
    client: &str,
    key: &str,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, MAX_BODY)
        .await
        .map_err(|_| ApiError::BadRequest("The request body could not be read.".into()))?;
    let method_path = format!("{} {}", parts.method, parts.uri.path());
    let mut hasher = Sha256::new();
    hasher.update(method_path.as_bytes());
    hasher.update([0]);
    if let Some(kind) = parts.headers.get(header::CONTENT_TYPE) {
        hasher.update(kind.as_bytes());
    }
    hasher.update([0]);
    hasher.update(&bytes);
    let request_hash = hex::encode(hasher.finalize());
    let now = state.now().0;
    {
        let mut tx = state.db.begin().await?;
        if !db::api_clients::claim_key(&mut tx, client, key, &method_path, &request_hash, now)
            .await?
        {
            let kept = db::api_clients::kept_answer(&mut tx, client, key).await?;
            tx.commit().await?;
            return match kept {
                Some(k) if k.request_hash != request_hash || k.method_path != method_path => {
                    Err(ApiError::IdempotencyMismatch)
                }
                Some(k) if k.status != 0 => Ok(replay(k.status, k.response.unwrap_or_default())),
                _ => Err(ApiError::IdempotencyInProgress),
            };
        }
        tx.commit().await?;
    }
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let (parts, body) = response.into_parts();
    let bytes = match to_bytes(body, MAX_BODY).await {
        Ok(bytes) => bytes,
        Err(err) => {
            release(state, client, key).await;
            return Err(ApiError::Internal(anyhow::anyhow!(
                "answer unreadable: {err}"
            )));
        }
    };
    if parts.status.is_server_error() {
        release(state, client, key).await;
    } else {
        let text = String::from_utf8_lossy(&bytes);
        let mut tx = state.db.begin().await?;
        db::api_clients::keep_answer(
            &mut tx,
            client,
            key,
            i64::from(parts.status.as_u16()),
            &text,
        )
        .await?;
        tx.commit().await?;
    }
    Ok(Response::from_parts(parts, Body::from(bytes)))
}

async fn release(state: &AppState, client: &str, key: &str) {
    let result = async {
        let mut tx = state.db.begin().await?;
        db::api_clients::release_key(&mut tx, client, key).await?;
        tx.commit().await
    }
    .await;
    if let Err(err) = result {
        tracing::warn!(error = %err, "could not release an idempotency key");
    }
}

fn replay(status: i64, body: String) -> Response {
    let status = u16::try_from(status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    let kind = if status.is_success() {
        "application/json"
    } else {
        PROBLEM_JSON
    };
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    response
}

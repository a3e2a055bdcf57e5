//! CSRF protection in one middleware: every state-changing request must carry the session's
//! token, in the `_csrf` form field or the `X-CSRF-Token` header (htmx sends the header).
//! Requests a browser marks as cross-site are refused before the token is even looked at.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use super::{session, tokens};
use crate::error::AppError;

pub const FORM_FIELD: &str = "_csrf";
pub const HEADER: &str = "x-csrf-token";
/// Forms larger than this are refused before parsing.
const MAX_FORM_BYTES: usize = 1024 * 1024;
/// File uploads (photos, CSV import) are larger; their token is a form field like any other.
/// The routes set their own, lower limits.
const MAX_MULTIPART_BYTES: usize = 41 * 1024 * 1024;

pub async fn verify_csrf(session: Session, request: Request, next: Next) -> Response {
    if matches!(
        request.method(),
        &Method::GET | &Method::HEAD | &Method::OPTIONS
    ) || request.uri().path().starts_with("/api/")
        || request.uri().path() == "/oauth/token"
    {
        return next.run(request).await;
    }
    match check(&session, request).await {
        Ok(request) => next.run(request).await,
        Err(err) => err.into_response(),
    }
}

async fn check(session: &Session, request: Request) -> Result<Request, AppError> {
    let cross_site = request
        .headers()
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == "cross-site");
    if cross_site {
        return Err(AppError::CsrfRejected);
    }
    let Some(expected) = session::existing_csrf_token(session).await? else {
        return Err(AppError::CsrfRejected);
    };

    if let Some(sent) = request.headers().get(HEADER).and_then(|v| v.to_str().ok()) {
        return if tokens::secrets_equal(sent, &expected) {
            Ok(request)
        } else {
            Err(AppError::CsrfRejected)
        };
    }

    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let boundary = multer::parse_boundary(&content_type).ok();
    if !content_type.starts_with("application/x-www-form-urlencoded") && boundary.is_none() {
        return Err(AppError::CsrfRejected);
    }
    let (parts, body) = request.into_parts();
    let limit = if boundary.is_some() {
        MAX_MULTIPART_BYTES
    } else {
        MAX_FORM_BYTES
    };
    let bytes = to_bytes(body, limit)
        .await
        .map_err(|_| AppError::PayloadTooLarge)?;
    let sent = match boundary {
        Some(boundary) => multipart_field(bytes.clone(), boundary, FORM_FIELD).await,
        None => form_field(&bytes, FORM_FIELD),
    };
    if !sent.is_some_and(|s| tokens::secrets_equal(&s, &expected)) {
        return Err(AppError::CsrfRejected);
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// The value of a text field in a multipart body.
async fn multipart_field(body: axum::body::Bytes, boundary: String, name: &str) -> Option<String> {
    let stream = futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some(name) {
            return field.text().await.ok();
        }
    }
    None
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    url::form_urlencoded::parse(body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_found_among_other_fields() {
        assert_eq!(
            form_field(b"email=a%40b.c&_csrf=abc-_1&x=1", FORM_FIELD).as_deref(),
            Some("abc-_1")
        );
        assert_eq!(form_field(b"email=a", FORM_FIELD), None);
    }
}

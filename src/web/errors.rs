//! Turns error responses into pages: full pages for normal requests, a fragment for htmx.
//! Runs outside the handlers so every error, including 404s of unknown paths and refusals from
//! middleware, gets the same page in the user's language with the request id.

use askama::Template;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use tower_sessions::Session;

use super::shell::{request_id, resolve_lang};
use crate::assets;
use crate::error::{AppError, ErrorPage};
use crate::i18n::Lang;

#[derive(Template)]
#[template(path = "errors/error.html")]
struct ErrorPageTemplate<'a> {
    lang: Lang,
    status: u16,
    title: &'a str,
    body: String,
    request_id: &'a str,
    signed_in: bool,
}

impl ErrorPageTemplate<'_> {
    fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }

    fn asset(&self, logical: &str) -> &'static str {
        assets::url(logical)
    }
}

#[derive(Template)]
#[template(path = "errors/_error.html")]
struct ErrorFragment<'a> {
    title: &'a str,
    body: String,
    request_id: &'a str,
    reference_label: &'a str,
}

pub async fn render_error_pages(session: Session, request: Request, next: Next) -> Response {
    let headers = request.headers().clone();
    let response = next.run(request).await;
    let Some(page) = response.extensions().get::<ErrorPage>().copied() else {
        return response;
    };
    let lang = resolve_lang(None, &session, &headers).await;
    let request_id = request_id(&headers);
    let (title_key, body_key) = page.message_keys();
    let body = match page {
        ErrorPage::Throttled { retry_after_secs } => lang.t1(body_key, retry_after_secs),
        _ => lang.t(body_key).to_owned(),
    };
    let signed_in = matches!(crate::auth::session::signed_in(&session).await, Ok(Some(_)));
    let is_htmx = headers.get("hx-request").is_some();
    let rendered = if is_htmx {
        ErrorFragment {
            title: lang.t(title_key),
            body,
            request_id: &request_id,
            reference_label: lang.t("error.reference"),
        }
        .render()
    } else {
        ErrorPageTemplate {
            lang,
            status: page.status().as_u16(),
            title: lang.t(title_key),
            body,
            request_id: &request_id,
            signed_in,
        }
        .render()
    };
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    parts
        .headers
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    match rendered {
        Ok(html) => (parts, Html(html)).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "error page failed to render");
            (parts, "Error").into_response()
        }
    }
}

pub async fn not_found_fallback() -> AppError {
    AppError::NotFound
}

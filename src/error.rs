//! One error type for the web layer. A handler returns `AppError`; its response carries only a
//! status and an [`ErrorPage`] marker, and the `render_error_pages` middleware turns that into a
//! page in the user's language (or an htmx fragment) with the request id. Internal details are
//! logged, never shown.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::service::ServiceError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("sign-in required")]
    Unauthorized,
    #[error("CSRF token missing or wrong")]
    CsrfRejected,
    #[error("too many requests")]
    Throttled { retry_after_secs: i64 },
    #[error("bad request")]
    BadRequest,
    #[error("payload too large")]
    PayloadTooLarge,
    /// A business rule said no; the key names the message shown to the user.
    #[error("refused: {0}")]
    Refused(&'static str),
    /// A partner user whose organisation has no active partnership.
    #[error("no active brand")]
    NoActiveBrand,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// What kind of error page to render; set on the response by `AppError::into_response`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorPage {
    NotFound,
    Forbidden,
    Unauthorized,
    Csrf,
    Throttled { retry_after_secs: i64 },
    BadRequest,
    PayloadTooLarge,
    Refused(&'static str),
    NoActiveBrand,
    Internal,
}

impl ErrorPage {
    pub fn status(self) -> StatusCode {
        match self {
            ErrorPage::NotFound => StatusCode::NOT_FOUND,
            ErrorPage::Forbidden | ErrorPage::Csrf | ErrorPage::NoActiveBrand => {
                StatusCode::FORBIDDEN
            }
            ErrorPage::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorPage::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            ErrorPage::BadRequest => StatusCode::BAD_REQUEST,
            ErrorPage::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorPage::Refused(_) => StatusCode::CONFLICT,
            ErrorPage::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Message keys of the page's title and explanation.
    pub fn message_keys(self) -> (&'static str, &'static str) {
        match self {
            ErrorPage::NotFound => ("error.not_found.title", "error.not_found.body"),
            ErrorPage::Forbidden => ("error.forbidden.title", "error.forbidden.body"),
            ErrorPage::Unauthorized => ("error.unauthorized.title", "error.unauthorized.body"),
            ErrorPage::Csrf => ("error.csrf.title", "error.csrf.body"),
            ErrorPage::Throttled { .. } => ("error.throttled.title", "error.throttled.body"),
            ErrorPage::BadRequest => ("error.bad_request.title", "error.bad_request.body"),
            ErrorPage::PayloadTooLarge => ("error.too_large.title", "error.too_large.body"),
            ErrorPage::Refused(key) => ("error.refused.title", key),
            ErrorPage::NoActiveBrand => ("error.no_brand.title", "error.no_brand.body"),
            ErrorPage::Internal => ("error.internal.title", "error.internal.body"),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let page = match self {
            AppError::NotFound => ErrorPage::NotFound,
            AppError::Forbidden => ErrorPage::Forbidden,
            AppError::Unauthorized => ErrorPage::Unauthorized,
            AppError::CsrfRejected => {
                tracing::warn!("request refused: CSRF token missing or wrong");
                ErrorPage::Csrf
            }
            AppError::Throttled { retry_after_secs } => ErrorPage::Throttled { retry_after_secs },
            AppError::BadRequest => ErrorPage::BadRequest,
            AppError::PayloadTooLarge => ErrorPage::PayloadTooLarge,
            AppError::Refused(key) => ErrorPage::Refused(key),
            AppError::NoActiveBrand => ErrorPage::NoActiveBrand,
            AppError::Internal(err) => {
                tracing::error!(error = ?err, "request failed");
                ErrorPage::Internal
            }
        };
        let mut response = page.status().into_response();
        if let ErrorPage::Throttled { retry_after_secs } = page
            && let Ok(value) = retry_after_secs.to_string().parse()
        {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, value);
        }
        response.extensions_mut().insert(page);
        response
    }
}

impl From<ServiceError> for AppError {
    fn from(err: ServiceError) -> Self {
        match err {
            ServiceError::NotFound => AppError::NotFound,
            ServiceError::Forbidden => AppError::Forbidden,
            ServiceError::Invalid(_) => AppError::BadRequest,
            ServiceError::Refused(key) => AppError::Refused(key),
            ServiceError::Throttled { retry_after_secs } => {
                AppError::Throttled { retry_after_secs }
            }
            ServiceError::Internal(err) => AppError::Internal(err),
        }
    }
}

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        AppError::Internal(err.into())
    }
}

impl From<askama::Error> for AppError {
    fn from(err: askama::Error) -> Self {
        AppError::Internal(err.into())
    }
}

impl From<tower_sessions::session::Error> for AppError {
    fn from(err: tower_sessions::session::Error) -> Self {
        AppError::Internal(err.into())
    }
}

pub type AppResult<T> = Result<T, AppError>;

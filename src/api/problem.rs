//! API errors as RFC 9457 problem details (`application/problem+json`). Messages are the
//! English texts of the same keys the pages show; internal errors are logged, never described.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::i18n::Lang;
use crate::service::ServiceError;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// One invalid field of a request body.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FieldProblem {
    /// The field, e.g. `lines.2.quantity`.
    pub field: String,
    /// A stable code (the message key).
    pub code: String,
    pub message: String,
}

/// RFC 9457 problem details.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// A stable code for programs (a message key), when the problem has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("unauthorized")]
    Unauthorized,
    #[error("insufficient scope {0}")]
    InsufficientScope(&'static str),
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("invalid")]
    Invalid(crate::service::FieldErrors),
    #[error("refused: {0}")]
    Refused(&'static str),
    #[error("idempotency key reused with another request")]
    IdempotencyMismatch,
    #[error("idempotency key in use")]
    IdempotencyInProgress,
    #[error("too many requests")]
    Throttled { retry_after_secs: i64 },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<ServiceError> for ApiError {
    fn from(err: ServiceError) -> Self {
        match err {
            ServiceError::NotFound => ApiError::NotFound,
            ServiceError::Forbidden => ApiError::Forbidden,
            ServiceError::Invalid(errors) => ApiError::Invalid(errors),
            ServiceError::Refused(key) => ApiError::Refused(key),
            ServiceError::Throttled { retry_after_secs } => {
                ApiError::Throttled { retry_after_secs }
            }
            ServiceError::Internal(err) => ApiError::Internal(err),
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        ApiError::Internal(err.into())
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

fn problem(status: StatusCode, slug: &str, title: &str) -> Problem {
    Problem {
        kind: format!("https://portico.dev/problems/{slug}"),
        title: title.to_owned(),
        status: status.as_u16(),
        detail: None,
        code: None,
        errors: Vec::new(),
    }
}

impl ApiError {
    pub fn to_problem(&self) -> Problem {
        let en = Lang::En;
        match self {
            ApiError::Unauthorized => {
                let mut p = problem(StatusCode::UNAUTHORIZED, "unauthorized", "Unauthorized");
                p.detail = Some("A valid bearer access token is required.".into());
                p
            }
            ApiError::InsufficientScope(scope) => {
                let mut p = problem(StatusCode::FORBIDDEN, "insufficient-scope", "Forbidden");
                p.detail = Some(format!("The access token lacks the scope `{scope}`."));
                p.code = Some("insufficient_scope".into());
                p
            }
            ApiError::Forbidden => {
                let mut p = problem(StatusCode::FORBIDDEN, "forbidden", "Forbidden");
                p.detail = Some(en.t("error.forbidden.body").to_owned());
                p
            }
            ApiError::NotFound => problem(StatusCode::NOT_FOUND, "not-found", "Not found"),
            ApiError::BadRequest(detail) => {
                let mut p = problem(StatusCode::BAD_REQUEST, "bad-request", "Bad request");
                p.detail = Some(detail.clone());
                p
            }
            ApiError::Invalid(errors) => {
                let mut p = problem(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "validation",
                    "The request has invalid fields",
                );
                p.errors = errors
                    .iter()
                    .map(|(field, key)| FieldProblem {
                        field: field.to_owned(),
                        code: key.to_owned(),
                        message: en.t(key).to_owned(),
                    })
                    .collect();
                p
            }
            ApiError::Refused(key) => {
                let mut p = problem(StatusCode::CONFLICT, "refused", "Refused");
                p.detail = Some(en.t(key).to_owned());
                p.code = Some((*key).to_owned());
                p
            }
            ApiError::IdempotencyMismatch => {
                let mut p = problem(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "idempotency-key-reused",
                    "Idempotency-Key reused",
                );
                p.detail =
                    Some("This Idempotency-Key was used before with a different request.".into());
                p
            }
            ApiError::IdempotencyInProgress => {
                let mut p = problem(
                    StatusCode::CONFLICT,
                    "idempotency-key-in-use",
                    "Request in progress",
                );
                p.detail = Some("A request with this Idempotency-Key is still running.".into());
                p
            }
            ApiError::Throttled { retry_after_secs } => {
                let mut p = problem(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate-limited",
                    "Too many requests",
                );
                p.detail = Some(format!("Retry after {retry_after_secs} s."));
                p
            }
            ApiError::Internal(_) => problem(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Internal error",
            ),
        }
    }
}

/// A problem response with its status and content type.
pub fn problem_response(problem: &Problem) -> Response {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_string(problem).unwrap_or_default();
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    response
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(err) = &self {
            tracing::error!(error = ?err, "API request failed");
        }
        let mut response = problem_response(&self.to_problem());
        match self {
            ApiError::Unauthorized => {
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer error=\"invalid_token\""),
                );
            }
            ApiError::InsufficientScope(_) => {
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer error=\"insufficient_scope\""),
                );
            }
            ApiError::Throttled { retry_after_secs } => {
                if let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                    response.headers_mut().insert(header::RETRY_AFTER, value);
                }
            }
            _ => {}
        }
        response
    }
}

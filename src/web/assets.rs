//! Serves embedded assets by their content-hashed names.

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::Routes;
use crate::assets;
use crate::error::AppError;

pub fn routes() -> Routes {
    Routes::new().public("/assets/{*file}", get(asset))
}

async fn asset(Path(file): Path<String>) -> Result<Response, AppError> {
    let asset = assets::get_hashed(&file).ok_or(AppError::NotFound)?;
    let mut response = asset.bytes.into_owned().into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    Ok(response)
}

//! `GET /api/v1/events`: the same domain events the webhooks deliver, for clients that poll.
//! Oldest first; pass the last id seen as `after` to read on.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::with_scope;
use super::extract::ApiQuery;
use super::problem::{ApiResult, Problem};
use crate::app::AppState;
use crate::service::api_auth::ApiCaller;
use crate::service::{events, tenant_of};

/// Events per page.
const PAGE: i64 = 100;

/// One event in CloudEvents 1.0 JSON form.
#[derive(Serialize, ToSchema)]
pub struct CloudEvent {
    /// `1.0`
    pub specversion: String,
    /// A UUIDv7; also the `webhook-id` of its deliveries.
    pub id: String,
    /// The brand's context on this Portico.
    pub source: String,
    /// e.g. `com.portico.order.confirmed`
    #[serde(rename = "type")]
    pub kind: String,
    /// The order id.
    pub subject: String,
    /// RFC 3339
    pub time: String,
    /// `application/json`
    pub datacontenttype: String,
    pub data: serde_json::Value,
}

#[derive(Serialize, ToSchema)]
pub struct EventPage {
    pub items: Vec<CloudEvent>,
    /// Pass as `after` to read on now (when `has_more`) or to poll for newer events later.
    pub next_after: Option<String>,
    /// More events are waiting now.
    pub has_more: bool,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    /// The id of the last event already read.
    pub after: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/events", tag = "events",
    params(EventQuery),
    security(("bearer" = ["events:read"])),
    responses(
        (status = 200, description = "Events this client's organisation may see in its brand, oldest first", body = EventPage),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Missing scope", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(q): ApiQuery<EventQuery>,
) -> ApiResult<Json<EventPage>> {
    let actor = with_scope(&caller, "events:read")?;
    let tenant = tenant_of(actor)?.tenant_id;
    let after = q.after.as_deref().map(str::trim).filter(|a| !a.is_empty());
    let rows = events::list_visible(&state, tenant, actor.org_id, after, PAGE).await?;
    let has_more = rows.len() as i64 == PAGE;
    let next_after = rows
        .last()
        .map(|e| e.id.clone())
        .or_else(|| after.map(str::to_owned));
    let items = rows
        .iter()
        .map(|e| CloudEvent {
            specversion: "1.0".to_owned(),
            id: e.id.clone(),
            source: e.source.clone(),
            kind: e.r#type.clone(),
            subject: e.subject.clone(),
            time: e.time.clone(),
            datacontenttype: "application/json".to_owned(),
            data: e.data.clone(),
        })
        .collect();
    Ok(Json(EventPage {
        items,
        next_after,
        has_more,
    }))
}

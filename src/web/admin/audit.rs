//! The brand's audit log for its admins: filter by user, object, action and time; export CSV.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db::audit::ListedEntry;
use crate::domain::order::fields::parse_date;
use crate::error::AppResult;
use crate::service::actions;
use crate::service::audit_log::{self, Filters};
use crate::web::shell::{PageCtx, Shell};
use crate::web::{Routes, next_page, render};

pub fn routes() -> Routes {
    Routes::new()
        .tenant("/admin/audit", get(list_get))
        .tenant("/admin/audit/export.csv", get(export_get))
}

#[derive(Deserialize, Default)]
struct Query_ {
    actor: Option<String>,
    action: Option<String>,
    object: Option<String>,
    from: Option<String>,
    to: Option<String>,
    before: Option<i64>,
}

impl Query_ {
    fn filters(&self) -> Filters {
        let date = |d: &Option<String>| d.as_deref().and_then(|d| parse_date(d).ok());
        Filters {
            actor_email: self.actor.clone().filter(|a| !a.trim().is_empty()),
            action: self
                .action
                .clone()
                .filter(|a| actions::ALL.contains(&a.as_str())),
            object: self.object.clone().filter(|o| !o.trim().is_empty()),
            from: date(&self.from),
            to: date(&self.to),
        }
    }

    /// The filters as a query string, for the pager and the export link.
    fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let f = self.filters();
        [
            ("actor", f.actor_email),
            ("action", f.action),
            ("object", f.object),
            ("from", f.from),
            ("to", f.to),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect()
    }
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    ctx: PageCtx,
    entries: Vec<ListedEntry>,
    filters: Filters,
    actions: &'static [&'static str],
    export_query: String,
    next_page: Option<String>,
}

async fn list_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Query(q): Query<Query_>,
) -> AppResult<Html<String>> {
    let filters = q.filters();
    let entries = audit_log::list(&state, &actor, &filters, q.before).await?;
    let pairs = q.query_pairs();
    let next_page = next_page(&entries, |e| {
        let mut query = pairs.clone();
        query.push(("before", e.seq.to_string()));
        query
    });
    render(&AuditPage {
        ctx: shell.page().await?,
        entries,
        filters,
        actions: actions::ALL,
        export_query: serde_urlencoded::to_string(&pairs).unwrap_or_default(),
        next_page,
    })
}

async fn export_get(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<Query_>,
) -> AppResult<Response> {
    let csv = audit_log::export_csv(&state, &actor, &q.filters()).await?;
    let mut response = csv.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"portico-audit.csv\""),
    );
    Ok(response)
}

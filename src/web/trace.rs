//! The trace view: the search box that takes any identifier, and one page per node with its
//! reverse and forward traces as tables and as a server-drawn SVG graph, exportable as CSV.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use super::shell::{PageCtx, Shell};
use super::{Routes, render};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::domain::org::{OrgKind, Permission};
use crate::domain::trace::{NodeKind, TraceRow};
use crate::domain::trace_layout::{BOX_H, BOX_W, Layout, Place, layout};
use crate::error::{AppError, AppResult};
use crate::service::ServiceError;
use crate::service::trace::search::{self, Hit};
use crate::service::trace::view::{self, Answer, Node, Trace};

pub fn routes() -> Routes {
    Routes::new()
        .tenant("/trace", get(search_get))
        .tenant("/trace/node/{kind}/{id}", get(node_get))
        .tenant("/trace/node/{kind}/{id}/trace.csv", get(csv_get))
        .tenant("/trace/node/{kind}/{id}/epcis.jsonld", get(epcis_get))
}

#[derive(Template)]
#[template(path = "trace/search.html")]
struct SearchPage {
    ctx: PageCtx,
    query: String,
    hits: Vec<Hit>,
    /// The producer's recording forms are offered on the search page.
    can_record: bool,
}

impl SearchPage {
    fn kind_key(&self, kind: &NodeKind) -> &'static str {
        kind_key(*kind)
    }
}

pub fn kind_key(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::MaterialLot => "trace.kind.material_lot",
        NodeKind::Batch => "trace.kind.batch",
        NodeKind::FinishedLot => "trace.kind.finished_lot",
        NodeKind::Shipment => "trace.kind.shipment",
        NodeKind::Order => "trace.kind.order",
    }
}

#[derive(Deserialize)]
struct SearchQuery {
    #[serde(default)]
    q: String,
}

async fn search_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Query(query): Query<SearchQuery>,
) -> AppResult<Response> {
    let hits = search::search(&state, &actor, &query.q).await?;
    if let [hit] = hits.as_slice() {
        return Ok(Redirect::to(&node_href(hit.kind, &hit.id)).into_response());
    }
    let page = SearchPage {
        ctx: shell.page().await?,
        query: query.q.trim().to_owned(),
        hits,
        can_record: matches!(actor.org_kind, OrgKind::Supplier | OrgKind::Factory)
            && actor.can(Permission::RespondToOrders),
    };
    Ok(render(&page)?.into_response())
}

pub fn node_href(kind: NodeKind, id: &str) -> String {
    format!("/trace/node/{}/{id}", kind.code())
}

fn parse_kind(kind: &str) -> AppResult<NodeKind> {
    NodeKind::parse(kind).ok_or(AppError::from(ServiceError::NotFound))
}

#[derive(Template)]
#[template(path = "trace/node.html")]
struct NodePage {
    ctx: PageCtx,
    t: TraceShow,
    can_complain: bool,
}

impl NodePage {
    fn start(&self) -> Option<&Node> {
        self.t.trace.nodes.get(&self.t.trace.start)
    }

    fn kind_key(&self, kind: &NodeKind) -> &'static str {
        kind_key(*kind)
    }

    fn fact_is_key(&self, key: &&str) -> bool {
        view::fact_is_key(key)
    }

    fn complain_href(&self) -> String {
        let start = &self.t.trace.start;
        format!("/complaints/new?kind={}&id={}", start.0.code(), start.1)
    }

    fn epcis_href(&self) -> String {
        let start = &self.t.trace.start;
        format!("{}/epcis.jsonld", node_href(start.0, &start.1))
    }

    fn csv_href(&self) -> String {
        let start = &self.t.trace.start;
        format!("{}/trace.csv", node_href(start.0, &start.1))
    }
}

/// A trace as the `trace/_table.html` and `trace/_graph.html` partials show it (bound to `t`).
pub struct TraceShow {
    pub trace: Trace,
    pub picture: Layout,
    /// The brand in view: its orders and shipments open their order page.
    tenant: String,
}

impl TraceShow {
    pub fn new(trace: Trace, actor: &Actor) -> Self {
        let tenant = actor
            .scope
            .as_ref()
            .map(|s| s.tenant_id.to_string())
            .unwrap_or_default();
        TraceShow {
            picture: picture(&trace),
            trace,
            tenant,
        }
    }

    pub fn box_w(&self) -> i64 {
        BOX_W
    }

    pub fn box_h(&self) -> i64 {
        BOX_H
    }

    pub fn kind_key(&self, kind: &NodeKind) -> &'static str {
        kind_key(*kind)
    }

    pub fn code(&self, key: &(NodeKind, String)) -> String {
        self.trace
            .nodes
            .get(key)
            .map_or_else(|| key.1.clone(), |n| n.code.clone())
    }

    pub fn held(&self, key: &(NodeKind, String)) -> bool {
        self.trace.nodes.get(key).is_some_and(|n| n.held)
    }

    pub fn is_start(&self, kind: &NodeKind, id: &str) -> bool {
        self.trace.start.0 == *kind && self.trace.start.1 == id
    }

    /// A node's own page: an order or shipment of the brand in view opens the order; anything
    /// else its trace page.
    pub fn href(&self, kind: &NodeKind, id: &str) -> String {
        match self.trace.nodes.get(&(*kind, id.to_owned())) {
            Some(n) if n.tenant.as_deref() == Some(&self.tenant) && n.order_id.is_some() => {
                let order = n.order_id.clone().unwrap_or_default();
                if *kind == NodeKind::Shipment {
                    format!("/orders/{order}#shipping")
                } else {
                    format!("/orders/{order}")
                }
            }
            _ => node_href(*kind, id),
        }
    }

    pub fn links<'a>(&self, answer: &'a Answer) -> &'a [TraceRow] {
        &answer.graph.links
    }
}

/// The SVG picture of both directions of a trace.
pub fn picture(trace: &Trace) -> Layout {
    let mut nodes = Vec::new();
    for answer in [&trace.reverse, &trace.forward] {
        for (key, depth) in &answer.graph.nodes {
            if nodes
                .iter()
                .any(|p: &Place| p.kind == key.0 && p.id == key.1)
            {
                continue;
            }
            let code = trace
                .nodes
                .get(key)
                .map_or_else(|| key.1.clone(), |n| n.code.clone());
            nodes.push(Place {
                kind: key.0,
                id: key.1.clone(),
                code,
                depth: *depth,
            });
        }
    }
    let links: Vec<_> = trace
        .reverse
        .graph
        .links
        .iter()
        .chain(&trace.forward.graph.links)
        .map(|l| {
            let label = format!("{} {}", l.quantity, l.unit).trim().to_owned();
            (
                (l.from.0, l.from.1.as_str()),
                (l.to.0, l.to.1.as_str()),
                label,
            )
        })
        .collect();
    layout(nodes, &links)
}

async fn node_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path((kind, id)): Path<(String, String)>,
) -> AppResult<Html<String>> {
    let kind = parse_kind(&kind)?;
    let trace = view::trace(&state, &actor, (kind, &id)).await?;
    render(&NodePage {
        ctx: shell.page().await?,
        t: TraceShow::new(trace, &actor),
        can_complain: actor.can(Permission::ManageComplaints),
    })
}

async fn csv_get(
    State(state): State<AppState>,
    actor: Actor,
    Path((kind, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let kind = parse_kind(&kind)?;
    let csv = crate::service::trace::export::csv(&state, &actor, (kind, &id)).await?;
    let mut response = csv.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"portico-trace.csv\""),
    );
    Ok(response)
}

async fn epcis_get(
    State(state): State<AppState>,
    actor: Actor,
    Path((kind, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let kind = parse_kind(&kind)?;
    let doc = crate::service::trace::epcis::export(&state, &actor, (kind, &id)).await?;
    let body = serde_json::to_string_pretty(&doc).map_err(anyhow::Error::from)?;
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/ld+json"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"portico-trace.epcis.jsonld\""),
    );
    Ok(response)
}

//! The bare baseline of the benchmark: axum + askama + sqlx with nothing else — no sessions, no
//! sign-in, no permission checks, no audit, no middleware — running the same database queries
//! Portico's pages run for their content (the very `portico::db` functions), on the same
//! database, rendering a plain table. `bench/run.py` drives both and reports the ratio.
//!
//! `cargo run --release --example bench_baseline -- <database url> <port>`

use std::str::FromStr;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Json, Response};
use axum::routing::get;
use axum::{Router, serve};
use portico::db::financings::Seen;
use portico::db::orders::{ListFilter, Order};
use portico::db::{self, sla_board::BoardFilter};
use portico::domain::ids::{OrderId, OrgId, TenantId};
use portico::domain::order::state::OrderState;
use portico::domain::trace::NodeKind;
use portico::service::trace::view::node_facts;
use serde::Deserialize;
use sqlx::AnyPool;
use sqlx::any::AnyPoolOptions;

#[derive(Deserialize)]
struct Params {
    tenant: String,
    partner: Option<String>,
    org: Option<String>,
    id: Option<String>,
    q: Option<String>,
}

#[derive(Template)]
#[template(
    ext = "html",
    source = "<!doctype html><html><head><title>{{ title }}</title></head><body><h1>{{ title }}</h1>\
<table>{% for row in rows %}<tr>{% for cell in row %}<td>{{ cell }}</td>{% endfor %}</tr>{% endfor %}</table>\
</body></html>"
)]
struct TablePage {
    title: String,
    rows: Vec<Vec<String>>,
}

struct Failed(String);

impl IntoResponse for Failed {
    fn into_response(self) -> Response {
        (StatusCode::INTERNAL_SERVER_ERROR, self.0).into_response()
    }
}

impl<E: std::fmt::Display> From<E> for Failed {
    fn from(e: E) -> Self {
        Failed(e.to_string())
    }
}

type Page = Result<Html<String>, Failed>;

fn table(title: &str, rows: Vec<Vec<String>>) -> Page {
    let page = TablePage {
        title: title.to_owned(),
        rows,
    };
    Ok(Html(page.render()?))
}

fn id<T: FromStr>(raw: Option<&String>) -> Result<T, Failed> {
    raw.and_then(|s| s.parse().ok())
        .ok_or_else(|| Failed("missing or bad id".into()))
}

/// The partner inbox's query: the partner's orders in the states partners see, by due date.
async fn partner_orders(conn: &mut sqlx::AnyConnection, p: &Params) -> Result<Vec<Order>, Failed> {
    let filter = ListFilter {
        tenant: TenantId::from_str(&p.tenant)?,
        partner: Some(id::<OrgId>(p.partner.as_ref())?),
        states: &OrderState::PARTNER_VISIBLE,
        text: None,
        due_from: None,
        due_to: None,
        after: None,
        with_discrepancy: false,
        limit: portico::service::PAGE_SIZE,
    };
    Ok(db::orders::list(conn, &filter).await?)
}

fn order_row(o: &Order) -> Vec<String> {
    vec![
        o.po_number.clone(),
        o.partner_name.clone(),
        o.state.as_str().to_owned(),
        o.due_date.clone(),
        o.line_count.to_string(),
        o.total_minor.to_string(),
    ]
}

/// The inbox's reads: the orders, then for the orders shown their kitting (the BOM badge) and
/// the partner's open clocks (the "time left" badge), as Portico's inbox reads them.
async fn inbox(State(pool): State<AnyPool>, Query(p): Query<Params>) -> Page {
    let mut conn = pool.acquire().await?;
    let orders = partner_orders(&mut conn, &p).await?;
    let tenant = TenantId::from_str(&p.tenant)?;
    let partner: OrgId = id(p.partner.as_ref())?;
    let ids: Vec<OrderId> = orders.iter().map(|o| o.id).collect();
    let kits = db::kitting::of_orders(&mut conn, tenant, &ids).await?;
    let clocks = db::sla::open_for_partner(&mut conn, tenant, partner, &ids).await?;
    let mut rows: Vec<Vec<String>> = orders.iter().map(order_row).collect();
    for (row, order) in rows.iter_mut().zip(&orders) {
        let parts = kits.iter().filter(|c| c.order_id == order.id).count();
        let clock = clocks.iter().find(|c| c.order_id == order.id);
        row.push(parts.to_string());
        row.push(clock.map_or(String::new(), |c| c.deadline_at.to_string()));
    }
    table("Orders", rows)
}

async fn api_orders(State(pool): State<AnyPool>, Query(p): Query<Params>) -> Response {
    let orders = match pool.acquire().await {
        Ok(mut conn) => partner_orders(&mut conn, &p).await,
        Err(e) => Err(e.into()),
    };
    match orders {
        Ok(orders) => Json(
            orders
                .iter()
                .map(|o| {
                    serde_json::json!({"id": o.id.to_string(), "po_number": o.po_number,
                        "state": o.state.as_str(), "partner": o.partner_name,
                        "due_date": o.due_date, "total_minor": o.total_minor,
                        "line_count": o.line_count})
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => e.into_response(),
    }
}

/// The order page's reads: the order and every section the page shows (lines, history,
/// signed statements and their keys, progress, files, samples, shipments, QC, kitting, invoices,
/// the milestone template and the brand's settings), as Portico's sections read them.
async fn order(State(pool): State<AnyPool>, Query(p): Query<Params>) -> Page {
    let tenant = TenantId::from_str(&p.tenant)?;
    let order_id: OrderId = id(p.id.as_ref())?;
    let mut conn = pool.acquire().await?;
    let c = &mut conn;
    let order = db::orders::get(c, tenant, order_id)
        .await?
        .ok_or_else(|| Failed("no such order".into()))?;
    let lines = db::order_lines::of_order(c, tenant, order_id).await?;
    let mut rows = vec![order_row(&order)];
    rows.extend(lines.iter().map(|l| {
        vec![
            l.line_no.to_string(),
            l.sku.clone(),
            l.description.clone(),
            l.quantity.clone(),
            l.delivery_date.clone(),
            l.state.as_str().to_owned(),
        ]
    }));
    let events = db::order_history::events(c, tenant, order_id).await?;
    let statements = db::order_history::statements(c, tenant, order_id).await?;
    let mut kids: Vec<&str> = statements.iter().map(|s| s.kid.as_str()).collect();
    kids.sort_unstable();
    kids.dedup();
    db::org_keys::by_kids(c, &kids).await?;
    let posts = db::progress::posts(c, tenant, order_id).await?;
    let files = db::progress::attachments_of_order(c, tenant, order_id).await?;
    let samples = db::samples::of_order(c, tenant, order_id).await?;
    let asns = db::shipping::of_order(c, tenant, order_id).await?;
    db::shipping::lines_of_order(c, tenant, order_id).await?;
    let shipped = db::shipping::shipped_rows(c, tenant, order_id).await?;
    let kinds = [portico::domain::org::OrgKind::Warehouse];
    let warehouses = match order.ship_to_org_id {
        Some(named) => db::partnerships::active_one_of_kinds(c, tenant, &kinds, named).await?,
        None => db::partnerships::active_of_kinds(c, tenant, &kinds).await?,
    };
    let inspections = db::qc::of_order(c, tenant, order_id).await?;
    let components = db::kitting::of_order(c, tenant, order_id).await?;
    let plans = db::kitting::plans_of_order(c, tenant, order_id).await?;
    let invoices = db::invoices::of_order(c, tenant, order_id).await?;
    let template = db::milestones::template(c, tenant).await?;
    db::brand_settings::get(c, tenant).await?;
    for (name, count) in [
        ("events", events.len()),
        ("statements", statements.len()),
        ("posts", posts.len()),
        ("files", files.len()),
        ("samples", samples.len()),
        ("shipments", asns.len()),
        ("shipped lines", shipped.len()),
        ("warehouses", warehouses.len()),
        ("inspections", inspections.len()),
        ("components", components.len()),
        ("plans", plans.len()),
        ("invoices", invoices.len()),
        ("milestones", template.len()),
    ] {
        rows.push(vec![name.to_owned(), count.to_string()]);
    }
    table(&order.po_number, rows)
}

async fn dashboard(State(pool): State<AnyPool>, Query(p): Query<Params>) -> Page {
    let mut conn = pool.acquire().await?;
    let filter = BoardFilter {
        tenant: TenantId::from_str(&p.tenant)?,
        partner: None,
        kind: None,
        policy: None,
        limit: portico::service::sla::board::BOARD_LIMIT,
    };
    let rows = db::sla_board::board(&mut conn, &filter).await?;
    // What the page shows besides the rows: each row's last comment, its time left on its own
    // business calendar (each calendar read once), and the policies of the filter.
    let alerts: Vec<String> = rows.iter().map(|r| r.alert_id.clone()).collect();
    let comments = db::sla_board::latest_comments(&mut conn, filter.tenant, &alerts).await?;
    let mut calendars: Vec<Option<String>> = rows.iter().map(|r| r.calendar_id.clone()).collect();
    calendars.sort();
    calendars.dedup();
    for id in calendars.iter().flatten() {
        portico::service::sla::setup::load_calendar(&mut conn, filter.tenant, Some(id)).await?;
    }
    let policies = db::sla_setup::policies(&mut conn, filter.tenant).await?;
    let mut out: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let comment = comments.iter().find(|c| c.0 == r.alert_id);
            vec![
                r.po_number.clone(),
                r.partner_name.clone(),
                r.kind.clone(),
                r.level.clone(),
                r.deadline_at.to_string(),
                comment.map(|c| c.2.clone()).unwrap_or_default(),
            ]
        })
        .collect();
    out.extend(policies.iter().map(|p| vec![p.id.clone(), p.kind.clone()]));
    table("SLA", out)
}

async fn financier(State(pool): State<AnyPool>, Query(p): Query<Params>) -> Page {
    let mut conn = pool.acquire().await?;
    let seen = Seen::Financier(id(p.org.as_ref())?);
    let tenant = TenantId::from_str(&p.tenant)?;
    let page = portico::service::PAGE_SIZE;
    let rows = db::financings::list(&mut conn, tenant, seen, None, None, page).await?;
    table(
        "Financing",
        rows.iter()
            .map(|f| {
                vec![
                    f.invoice_number.clone(),
                    f.po_number.clone(),
                    f.supplier_name.clone(),
                    f.state.clone(),
                    f.face_minor.to_string(),
                ]
            })
            .collect(),
    )
}

async fn trace(State(pool): State<AnyPool>, Query(p): Query<Params>) -> Page {
    let mut conn = pool.acquire().await?;
    let tenant = TenantId::from_str(&p.tenant)?;
    let q = p.q.clone().unwrap_or_default();
    let mut found: Vec<(NodeKind, String)> =
        db::trace_nodes::by_number(&mut conn, tenant, None, &q)
            .await?
            .into_iter()
            .filter_map(|(kind, id)| Some((NodeKind::parse(&kind)?, id)))
            .collect();
    // As Portico's search: a complaint's number finds its subject, and a code found among a
    // factory's goods counts for a brand only when the goods reached the brand's own orders (a
    // walk downstream); each hit is shown with its code.
    if let Some((kind, id)) = db::complaints::subject_by_number(&mut conn, tenant, &q).await? {
        found.extend(NodeKind::parse(&kind).map(|k| (k, id)));
    }
    let depth = portico::service::trace::view::MAX_DEPTH;
    for (kind, id, _) in db::trace_nodes::by_code(&mut conn, &q).await? {
        let Some(node) = NodeKind::parse(&kind) else {
            continue;
        };
        let reached = db::trace::forward(&mut conn, (node, &id), depth).await?;
        if reached
            .iter()
            .any(|r| r.tenant.as_deref() == Some(p.tenant.as_str()))
        {
            found.push((node, id));
        }
    }
    let facts = node_facts(&mut conn, &found)
        .await
        .map_err(|e| Failed(format!("{e:?}")))?;
    let rows = found
        .iter()
        .filter_map(|key| {
            let node = facts.get(key)?;
            Some(vec![
                key.0.code().to_owned(),
                key.1.clone(),
                node.code.clone(),
            ])
        })
        .collect();
    table("Trace", rows)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .unwrap_or_else(|| "sqlite:data/portico.db".into());
    let port: u16 = args.next().map(|p| p.parse()).transpose()?.unwrap_or(8090);
    sqlx::any::install_default_drivers();
    // Read-only on SQLite, as Portico's read pool; plain connections on PostgreSQL.
    let url = if url.starts_with("sqlite:") && !url.contains("mode=") {
        let sep = if url.contains('?') { '&' } else { '?' };
        format!("{url}{sep}mode=ro")
    } else {
        url
    };
    let pool = AnyPoolOptions::new()
        .max_connections(if url.starts_with("sqlite:") { 8 } else { 16 })
        .connect(&url)
        .await?;
    let app = Router::new()
        .route("/inbox", get(inbox))
        .route("/order", get(order))
        .route("/dashboard", get(dashboard))
        .route("/financier", get(financier))
        .route("/trace", get(trace))
        .route("/api/orders", get(api_orders))
        .route("/readyz", get(|| async { "ok" }))
        .with_state(pool);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    serve(listener, app).await?;
    Ok(())
}

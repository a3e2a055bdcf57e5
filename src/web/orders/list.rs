//! The order list: for a supplier or factory its inbox of orders waiting for it, for a brand its
//! orders; filtered by state, text (PO number or SKU prefix) and due dates, paged by key.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use axum::routing::get;
use serde::Deserialize;

use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db::orders::Order;
use crate::domain::order::fields::parse_date;
use crate::domain::order::kitting::KitStatus;
use crate::domain::order::state::OrderState;
use crate::domain::org::{OrgKind, Permission};
use crate::error::AppResult;
use crate::service::orders::query::{self, ListQuery, View};
use crate::service::sla::board::Badge;
use crate::web::shell::{PageCtx, Shell};
use crate::web::{Routes, next_page, render};

pub fn routes() -> Routes {
    Routes::new().tenant("/orders", get(list_get))
}

#[derive(Deserialize, Default)]
struct Filters {
    view: Option<String>,
    q: Option<String>,
    from: Option<String>,
    to: Option<String>,
    after_due: Option<String>,
    after_id: Option<String>,
}

#[derive(Template)]
#[template(path = "orders/list.html")]
struct ListPage {
    ctx: PageCtx,
    orders: Vec<Order>,
    is_brand: bool,
    can_create: bool,
    view: &'static str,
    views: Vec<(&'static str, &'static str)>,
    q: String,
    from: String,
    to: String,
    next_page: Option<String>,
    /// Kitting status of the listed orders that have a bill of materials.
    kitting: std::collections::HashMap<crate::domain::ids::OrderId, KitStatus>,
    /// For a partner: the deadline it owes on each order, with the working time left.
    clocks: std::collections::HashMap<crate::domain::ids::OrderId, Badge>,
}

impl ListPage {
    fn kit(&self, order: &Order) -> Option<KitStatus> {
        self.kitting.get(&order.id).copied()
    }

    fn clock(&self, order: &Order) -> Option<&Badge> {
        self.clocks.get(&order.id)
    }
}

async fn list_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Query(f): Query<Filters>,
) -> AppResult<Html<String>> {
    let view = View::parse(f.view.as_deref());
    // Unreadable dates are ignored rather than refused: the filter form shows what applies.
    let from = f.from.as_deref().and_then(|d| parse_date(d).ok());
    let to = f.to.as_deref().and_then(|d| parse_date(d).ok());
    let after = match (
        f.after_due.as_deref(),
        f.after_id.as_deref().and_then(|i| i.parse().ok()),
    ) {
        (Some(due), Some(id)) => Some((due, id)),
        _ => None,
    };
    let orders = query::list(
        &state,
        &actor,
        &ListQuery {
            view,
            text: f.q.as_deref(),
            due_from: from.as_deref(),
            due_to: to.as_deref(),
            after,
        },
    )
    .await?;
    let ids: Vec<_> = orders.iter().map(|o| o.id).collect();
    let kitting = crate::service::orders::kitting_status::statuses(&state, &actor, &ids).await?;
    let clocks = crate::service::sla::board::partner_badges(&state, &actor, &ids).await?;
    let keep: Vec<(&'static str, String)> = [
        ("view", Some(view.as_str().to_owned())),
        ("q", f.q.clone()),
        ("from", from.clone()),
        ("to", to.clone()),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.filter(|v| !v.is_empty()).map(|v| (k, v)))
    .collect();
    let next_page = next_page(&orders, |o| {
        let mut query = keep.clone();
        query.push(("after_due", o.due_date.clone()));
        query.push(("after_id", o.id.to_string()));
        query
    });
    let is_brand = actor.org_kind == OrgKind::Brand;
    let mut views = vec![
        (
            "waiting",
            if is_brand {
                "orders.view.waiting_brand"
            } else {
                "orders.view.waiting_partner"
            },
        ),
        ("all", "orders.view.all"),
    ];
    for s in OrderState::ALL {
        if is_brand || s != OrderState::Draft {
            views.push((s.as_str(), s.label_key()));
        }
    }
    views.push(("discrepancies", "orders.view.discrepancies"));
    render(&ListPage {
        ctx: shell.page().await?,
        orders,
        is_brand,
        can_create: actor.can(Permission::ManageOrders),
        view: view.as_str(),
        views,
        kitting,
        clocks,
        q: f.q.unwrap_or_default(),
        from: from.unwrap_or_default(),
        to: to.unwrap_or_default(),
        next_page,
    })
}

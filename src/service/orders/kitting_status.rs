//! Kitting as the order page and lists show it: per line what each component needs and lacks,
//! and whether lines and orders are kitted.

use std::collections::HashMap;

use rust_decimal::Decimal;

use super::shipping::decimal;
use super::{Party, load_for};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db::kitting::{Component, Plan};
use crate::db::order_lines::Line;
use crate::db::{self, Conn};
use crate::domain::ids::{OrderId, TenantId};
use crate::domain::order::kitting::{KitStatus, Stock, line_status, order_status};
use crate::service::ServiceResult;

/// One component with what the line needs of it.
#[derive(Clone, Debug)]
pub struct ComponentView {
    pub row: Component,
    pub required: Decimal,
    pub shortfall: Decimal,
}

/// A line's kitting: its plan, status and components.
#[derive(Clone, Debug)]
pub struct LineKit {
    pub line: Line,
    pub planned_start: Option<String>,
    pub status: KitStatus,
    pub components: Vec<ComponentView>,
}

pub(super) fn stock(c: &Component) -> Stock {
    Stock {
        qty_per_unit: decimal(&c.qty_per_unit),
        on_hand: decimal(&c.on_hand),
        allocated: decimal(&c.allocated),
    }
}

/// The kitting of each line of an order (lines that cannot be produced are left out).
fn kits(lines: Vec<Line>, components: &[Component], plans: &[Plan]) -> Vec<LineKit> {
    lines
        .into_iter()
        .filter(|l| l.state.may_ship())
        .map(|line| {
            let quantity = decimal(&line.quantity);
            let mine: Vec<&Component> = components
                .iter()
                .filter(|c| c.line_no == line.line_no)
                .collect();
            let stocks: Vec<Stock> = mine.iter().map(|c| stock(c)).collect();
            LineKit {
                planned_start: plans
                    .iter()
                    .find(|p| p.line_no == line.line_no)
                    .map(|p| p.planned_start.clone()),
                status: line_status(quantity, &stocks),
                components: mine
                    .into_iter()
                    .map(|c| ComponentView {
                        required: stock(c).required(quantity).normalize(),
                        shortfall: stock(c).shortfall(quantity).normalize(),
                        row: c.clone(),
                    })
                    .collect(),
                line,
            }
        })
        .collect()
}

/// The order's kitting for its brand and partner (the warehouse has no part in it).
pub async fn of_order(
    state: &AppState,
    actor: &Actor,
    id: OrderId,
) -> ServiceResult<(Vec<LineKit>, KitStatus)> {
    let mut conn = state.db.read().await?;
    let (tenant, order, party) = load_for(&mut conn, actor, id).await?;
    if party == Party::ShipTo {
        return Ok((Vec::new(), KitStatus::NoBom));
    }
    let lines = super::page_memo::lines(&mut conn, tenant, order.id).await?;
    let components = db::kitting::of_order(&mut conn, tenant, order.id).await?;
    let plans = db::kitting::plans_of_order(&mut conn, tenant, order.id).await?;
    let kits = kits(lines, &components, &plans);
    let status = order_status(&kits.iter().map(|k| k.status).collect::<Vec<_>>());
    Ok((kits, status))
}

/// Kitting status of each order of a list the actor was shown (orders without a bill of
/// materials are left out).
pub async fn statuses(
    state: &AppState,
    actor: &Actor,
    orders: &[OrderId],
) -> ServiceResult<HashMap<OrderId, KitStatus>> {
    let tenant = crate::service::tenant_of(actor)?.tenant_id;
    let mut conn = state.db.read().await?;
    let components = db::kitting::of_orders(&mut conn, tenant, orders).await?;
    let with_bom: Vec<OrderId> = orders
        .iter()
        .filter(|o| components.iter().any(|c| c.order_id == **o))
        .copied()
        .collect();
    let all_lines = db::order_lines::of_orders(&mut conn, tenant, &with_bom).await?;
    let mut out = HashMap::new();
    for order in &with_bom {
        let mine: Vec<Component> = components
            .iter()
            .filter(|c| c.order_id == *order)
            .cloned()
            .collect();
        let lines = all_lines
            .iter()
            .filter(|l| l.order_id == *order)
            .map(|l| l.line.clone())
            .collect();
        let kits = kits(lines, &mine, &[]);
        out.insert(
            *order,
            order_status(&kits.iter().map(|k| k.status).collect::<Vec<_>>()),
        );
    }
    Ok(out)
}

/// Each producible line's kitting status (for reminders).
pub(super) async fn statuses_of_order_lines(
    conn: &mut Conn,
    tenant: TenantId,
    order: OrderId,
) -> ServiceResult<HashMap<i64, KitStatus>> {
    let lines = db::order_lines::of_order(conn, tenant, order).await?;
    let components = db::kitting::of_order(conn, tenant, order).await?;
    Ok(kits(lines, &components, &[])
        .into_iter()
        .map(|k| (k.line.line_no, k.status))
        .collect())
}

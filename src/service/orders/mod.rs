//! Purchase orders: creating and issuing them (brand), deciding on lines (partner), deciding
//! on proposals (brand), the lists, the order page and its evidence. Every decision is a signed
//! statement, a timeline event and an audit entry, written in one transaction with the change.

pub mod create;
pub mod decide;
pub mod decision_form;
pub mod evidence;
pub mod files;
pub mod import;
pub mod kitting;
pub mod kitting_reminders;
pub mod kitting_status;
pub(crate) mod page_memo;
pub mod progress;
pub mod qc;
pub mod query;
pub mod receiving;
pub mod samples;
pub mod shipping;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{ServiceError, ServiceResult, tenant_of};
use crate::auth::actor::Actor;
use crate::db::order_lines::Line;
use crate::db::orders::Order;
use crate::db::{self, Conn};
use crate::domain::ids::{OrderId, TenantId};
use crate::domain::order::line::Side;
use crate::domain::org::OrgKind;
use crate::signing::jcs::canonical_json;

/// How the actor stands to an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Party {
    Brand,
    /// The supplier or factory the order is placed with.
    Partner,
    /// The warehouse the goods ship to (named on the order or on one of its ASNs): may read,
    /// never sees prices, does not decide.
    ShipTo,
}

impl Party {
    pub fn side(self) -> Option<Side> {
        match self {
            Party::Brand => Some(Side::Brand),
            Party::Partner => Some(Side::Partner),
            Party::ShipTo => None,
        }
    }
}

/// Runs the rendering of one order page with its reads shared between sections (see
/// `page_memo`). Only reads may run inside: a use case that writes loads the order in its own
/// transaction.
pub async fn rendering_one_order<F: std::future::Future>(render: F) -> F::Output {
    page_memo::scope(render).await
}

/// The order if the actor is a party to it; otherwise `NotFound`, exactly like a missing id.
pub(crate) async fn load_for(
    conn: &mut Conn,
    actor: &Actor,
    id: OrderId,
) -> ServiceResult<(TenantId, Order, Party)> {
    if let Some(found) = page_memo::order_for(actor.user_id, id) {
        return Ok(found);
    }
    let found = load_from_db(conn, actor, id).await?;
    page_memo::remember_order(actor.user_id, id, &found);
    Ok(found)
}

/// The order and how the actor stands to it, from the database.
async fn load_from_db(
    conn: &mut Conn,
    actor: &Actor,
    id: OrderId,
) -> ServiceResult<(TenantId, Order, Party)> {
    let tenant = tenant_of(actor)?.tenant_id;
    let order = db::orders::get(conn, tenant, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let party = if actor.org_kind == OrgKind::Brand {
        Party::Brand
    } else if order.partner_org_id == actor.org_id {
        Party::Partner
    } else if order.ship_to_org_id == Some(actor.org_id)
        || (actor.org_kind == OrgKind::Warehouse
            && db::shipping::addressed_to(conn, tenant, order.id, actor.org_id).await?)
    {
        Party::ShipTo
    } else {
        return Err(ServiceError::NotFound);
    };
    if party != Party::Brand && order.state == crate::domain::order::state::OrderState::Draft {
        // A draft is the brand's own business until issued.
        return Err(ServiceError::NotFound);
    }
    Ok((tenant, order, party))
}

/// What the hash of an order version covers.
#[derive(Serialize)]
struct Snapshot<'a> {
    id: String,
    po_number: &'a str,
    tenant: String,
    partner: String,
    ship_to: Option<String>,
    currency: &'a str,
    incoterms: &'a str,
    payment_terms: &'a str,
    requested_delivery: &'a str,
    state: &'a str,
    version: i64,
    lines: Vec<LineSnapshot<'a>>,
}

#[derive(Serialize)]
struct LineSnapshot<'a> {
    line_no: i64,
    id: String,
    sku: &'a str,
    description: &'a str,
    hs_code: &'a str,
    quantity: &'a str,
    unit: &'a str,
    unit_price_minor: i64,
    delivery_date: &'a str,
    state: &'a str,
}

/// SHA-256 (hex) of the canonical JSON of an order version: what a statement says it saw.
pub fn order_hash(order: &Order, lines: &[Line]) -> ServiceResult<String> {
    let snapshot = Snapshot {
        id: order.id.to_string(),
        po_number: &order.po_number,
        tenant: order.tenant_id.to_string(),
        partner: order.partner_org_id.to_string(),
        ship_to: order.ship_to_org_id.map(|o| o.to_string()),
        currency: &order.currency,
        incoterms: &order.incoterms,
        payment_terms: &order.payment_terms,
        requested_delivery: &order.requested_delivery,
        state: order.state.as_str(),
        version: order.version,
        lines: lines
            .iter()
            .map(|l| LineSnapshot {
                line_no: l.line_no,
                id: l.id.to_string(),
                sku: &l.sku,
                description: &l.description,
                hs_code: &l.hs_code,
                quantity: &l.quantity,
                unit: &l.unit,
                unit_price_minor: l.unit_price_minor,
                delivery_date: &l.delivery_date,
                state: l.state.as_str(),
            })
            .collect(),
    };
    let text =
        canonical_json(&snapshot).map_err(|e| ServiceError::Internal(anyhow::anyhow!("{e:?}")))?;
    Ok(hex::encode(Sha256::digest(text.as_bytes())))
}

/// The earliest delivery date of the order's lines: what lists sort by.
pub(crate) fn due_date(lines: &[Line], fallback: &str) -> String {
    lines
        .iter()
        .map(|l| l.delivery_date.clone())
        .min()
        .unwrap_or_else(|| fallback.to_owned())
}

/// The order value: quantity × unit price summed over lines that are not rejected, rounded to
/// the currency's minor unit.
pub(crate) fn total_minor(lines: &[Line]) -> i64 {
    use rust_decimal::Decimal;
    use rust_decimal::prelude::ToPrimitive;
    use std::str::FromStr;
    lines
        .iter()
        .filter(|l| l.state != crate::domain::order::line::LineState::Rejected)
        .map(|l| {
            let qty = Decimal::from_str(&l.quantity).unwrap_or_default();
            (qty * Decimal::from(l.unit_price_minor))
                .round()
                .to_i64()
                .unwrap_or(0)
        })
        .sum()
}

/// Appends a step by `actor` to the order's timeline.
pub(crate) async fn timeline_event(
    conn: &mut Conn,
    actor: &Actor,
    order: &Order,
    kind: &str,
    line_no: Option<i64>,
    detail: serde_json::Value,
    at: i64,
) -> ServiceResult<()> {
    db::order_history::append_event(
        conn,
        order.tenant_id,
        order.id,
        &db::order_history::NewEvent {
            kind,
            line_no,
            actor_user_id: Some(actor.user_id),
            actor_org_id: Some(actor.org_id),
            at,
            detail,
        },
    )
    .await?;
    Ok(())
}

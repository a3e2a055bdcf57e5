//! The hold: one action puts the affected scope on hold — every finished lot the suspected root
//! reached and the brand's own shipments still on their way — tells the partners whose goods
//! are held (and the warehouses expecting held shipments), audits it and signs it on each of the brand's orders concerned. Another brand's
//! shipments are not the brand's to hold: the factory learns that other customers are affected
//! and acts for them.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

use super::complaints::{brand_viewer, load, require_quality};
use super::view::{Node, Trace};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db::complaints::{Complaint, NewHold};
use crate::db::notifications::NewNotification;
use crate::db::{self, Conn};
use crate::domain::ids::{OrderId, OrgId, TenantId};
use crate::domain::trace::NodeKind;
use crate::service::orders::evidence::sign_statement;
use crate::service::orders::order_hash;
use crate::service::{AuditEvent, ServiceError, ServiceResult, actions, audit};

/// What a hold placed: finished lots and shipments.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Placed {
    pub finished_lots: usize,
    pub shipments: usize,
}

/// Whether a hold from this scope takes the node: any finished lot the brand sees, and the
/// brand's own shipments still on their way.
pub fn is_target(node: &Node, tenant: &str) -> bool {
    match node.kind {
        NodeKind::FinishedLot => true,
        NodeKind::Shipment => node.tenant.as_deref() == Some(tenant) && node.status == "in_transit",
        _ => false,
    }
}

/// What a hold from this scope would take: (finished lots, shipments).
pub fn targets(scope: &Trace, tenant: &str) -> (usize, usize) {
    let nodes = scope
        .forward
        .graph
        .nodes
        .keys()
        .filter_map(|k| scope.nodes.get(k));
    let taken: Vec<&Node> = nodes.filter(|n| is_target(n, tenant)).collect();
    let lots = taken
        .iter()
        .filter(|n| n.kind == NodeKind::FinishedLot)
        .count();
    (lots, taken.len() - lots)
}

pub async fn place(state: &AppState, actor: &Actor, id: &str) -> ServiceResult<Placed> {
    let tenant = brand_viewer(actor)?;
    let mut tx = state.db.begin().await?;
    let view = load(&mut tx, tenant, id).await?;
    require_quality(actor)?;
    if view.complaint.status != "open" {
        return Err(ServiceError::Refused("complaint.refused.not_open"));
    }
    let scope = view
        .scope
        .ok_or(ServiceError::Refused("complaint.refused.no_root"))?;
    let now = state.now().0;
    let t = tenant.to_string();
    // An ASN naming one of these lots at this moment waits for the hold (and is then refused).
    let lots: Vec<&str> = scope
        .forward
        .graph
        .nodes
        .keys()
        .filter(|(kind, _)| *kind == NodeKind::FinishedLot)
        .map(|(_, id)| id.as_str())
        .collect();
    db::trace_records::lock_finished_lots(&mut tx, &lots).await?;
    let mut placed = Placed::default();
    // Who to tell, and where their notification leads (None: the root's trace page).
    let mut partners: BTreeMap<OrgId, Option<String>> = BTreeMap::new();
    let mut orders: BTreeSet<OrderId> = BTreeSet::new();
    let mut held = Vec::new();
    for node in scope
        .forward
        .graph
        .nodes
        .keys()
        .filter_map(|k| scope.nodes.get(k))
    {
        if node.kind == NodeKind::Order && node.tenant.as_deref() == Some(&t) {
            orders.extend(
                node.order_id
                    .as_deref()
                    .and_then(|o| o.parse::<OrderId>().ok()),
            );
        }
        if !is_target(node, &t) {
            continue;
        }
        let Ok(owner) = node.owner.parse::<OrgId>() else {
            continue;
        };
        let hold = NewHold {
            tenant,
            complaint: id,
            node: (node.kind.code(), &node.id),
            owner,
            by: actor.user_id,
            now,
        };
        db::complaints::insert_hold(&mut tx, &hold).await?;
        let shipment = (node.kind == NodeKind::Shipment).then_some(node.id.as_str());
        concerned(&mut tx, tenant, &mut partners, owner, shipment).await?;
        held.push(json!({ "kind": node.kind.code(), "id": node.id, "code": node.code }));
        match node.kind {
            NodeKind::FinishedLot => placed.finished_lots += 1,
            _ => placed.shipments += 1,
        }
    }
    let complaint = &view.complaint;
    orders.insert(complaint.order_id);
    let signed_on = json!(orders.iter().map(ToString::to_string).collect::<Vec<_>>()).to_string();
    let marked = db::complaints::mark_held(&mut tx, tenant, id, actor.user_id, now, &signed_on);
    if !marked.await? {
        return Err(ServiceError::Refused("complaint.refused.not_open"));
    }
    let others = scope.forward.others_affected;
    let root = json!({ "kind": complaint.root_kind, "id": complaint.root_id });
    let body = json!({
        "complaint": complaint.number, "root": root, "held": held,
        "other_customers_affected": others,
    });
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::new(actions::COMPLAINT_HOLD_PLACED, "complaint", id).detail(body.clone()),
    )
    .await?;
    for order_id in &orders {
        let step = HoldStep::Placed(&complaint.number);
        sign_hold(&mut tx, state, actor, tenant, *order_id, step, &body).await?;
    }
    tell(&mut tx, actor, complaint, partners, "trace_hold", now).await?;
    tx.commit().await?;
    Ok(placed)
}

/// Adds who is told of a hold (or its release) on one partner's goods: the owner, and for a
/// shipment the warehouse it is on its way to, which quarantines it on arrival (linked to its
/// inbound page).
pub(super) async fn concerned(
    conn: &mut Conn,
    tenant: TenantId,
    partners: &mut BTreeMap<OrgId, Option<String>>,
    owner: OrgId,
    shipment: Option<&str>,
) -> ServiceResult<()> {
    partners.entry(owner).or_insert(None);
    if let Some(id) = shipment
        && let Some(asn) = db::shipping::get(conn, tenant, id).await?
    {
        partners.insert(asn.warehouse_org_id, Some(format!("/inbound/{}", asn.id)));
    }
    Ok(())
}

/// Tells the users of each partner organisation of a hold or its release, with a link to the
/// partner's own page for it (a warehouse's inbound shipment) or else to the root's trace.
pub(super) async fn tell(
    conn: &mut Conn,
    actor: &Actor,
    complaint: &Complaint,
    partners: BTreeMap<OrgId, Option<String>>,
    kind: &str,
    now: i64,
) -> ServiceResult<()> {
    let tenant = brand_viewer(actor)?;
    let link = match (&complaint.root_kind, &complaint.root_id) {
        (Some(kind), Some(root)) => format!("/trace/node/{kind}/{root}"),
        _ => "/trace".to_owned(),
    };
    let order = db::orders::get(conn, tenant, complaint.order_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    for (partner, own_link) in partners {
        let link = own_link.unwrap_or_else(|| link.clone());
        let recipients = db::notifications::recipients(conn, partner, &[]).await?;
        for r in recipients {
            let note = NewNotification {
                tenant,
                user: r.id,
                kind,
                order: Some(order.id),
                link: Some(&link),
                po_number: Some(&order.po_number),
                actor_org_name: Some(&actor.org_name),
                now,
            };
            db::notifications::insert(conn, &note).await?;
        }
    }
    Ok(())
}

/// What a signed hold statement says happened, under which complaint number.
#[derive(Clone, Copy)]
pub(super) enum HoldStep<'a> {
    Placed(&'a str),
    Released(&'a str),
}

/// The hold (or its release) as a signed statement on one of the brand's orders it concerns.
pub(super) async fn sign_hold(
    conn: &mut Conn,
    state: &AppState,
    actor: &Actor,
    tenant: TenantId,
    order_id: OrderId,
    step: HoldStep<'_>,
    body: &serde_json::Value,
) -> ServiceResult<()> {
    let Some(order) = db::orders::get(conn, tenant, order_id).await? else {
        return Ok(());
    };
    let lines = db::order_lines::of_order(conn, tenant, order.id).await?;
    let (kind, attests) = match step {
        HoldStep::Placed(number) => (
            "po.hold_placed",
            format!(
                "{} put goods of PO {} on hold under complaint {number}",
                actor.org_name, order.po_number
            ),
        ),
        HoldStep::Released(number) => (
            "po.hold_released",
            format!(
                "{} released the hold on goods of PO {} and closed complaint {number}",
                actor.org_name, order.po_number
            ),
        ),
    };
    sign_statement(
        conn,
        state,
        actor,
        &order,
        kind,
        &order_hash(&order, &lines)?,
        attests,
        body.clone(),
    )
    .await
}

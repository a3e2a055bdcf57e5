//! The hold: one action puts the affected scope on hold — every finished lot the suspected root
//! reached and the brand's own shipments still on their way — tells the partners whose goods
//! are held, audits it and signs it on each of the brand's orders concerned. Another brand's
//! shipments are not the brand's to hold: the factory learns that other customers are affected
//! and acts for them.

use std::collections::BTreeSet;

use serde_json::json;

use super::complaints::{load, require_quality};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db::complaints::NewHold;
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

pub async fn place(state: &AppState, actor: &Actor, id: &str) -> ServiceResult<Placed> {
    let tenant = require_quality(actor)?;
    let mut tx = state.db.begin().await?;
    let view = load(&mut tx, tenant, id).await?;
    if view.complaint.status != "open" {
        return Err(ServiceError::Refused("complaint.refused.not_open"));
    }
    let scope = view
        .scope
        .ok_or(ServiceError::Refused("complaint.refused.no_root"))?;
    let now = state.now().0;
    let t = tenant.to_string();
    let mut placed = Placed::default();
    let mut partners: BTreeSet<OrgId> = BTreeSet::new();
    let mut orders: BTreeSet<OrderId> = BTreeSet::new();
    let mut held = Vec::new();
    for key in scope.forward.graph.nodes.keys() {
        let Some(node) = scope.nodes.get(key) else {
            continue;
        };
        let take = match node.kind {
            NodeKind::FinishedLot => true,
            NodeKind::Shipment => {
                node.tenant.as_deref() == Some(&t)
                    && node
                        .facts
                        .iter()
                        .any(|(k, v)| *k == "trace.fact.status" && v == "in_transit")
            }
            NodeKind::Order => {
                orders.extend(
                    node.order_id
                        .as_deref()
                        .and_then(|o| o.parse::<OrderId>().ok()),
                );
                false
            }
            _ => false,
        };
        if !take {
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
        partners.insert(owner);
        held.push(json!({ "kind": node.kind.code(), "id": node.id, "code": node.code }));
        match node.kind {
            NodeKind::FinishedLot => placed.finished_lots += 1,
            _ => placed.shipments += 1,
        }
    }
    if !db::complaints::mark_held(&mut tx, tenant, id, actor.user_id, now).await? {
        return Err(ServiceError::Refused("complaint.refused.not_open"));
    }
    let complaint = &view.complaint;
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
    orders.insert(complaint.order_id);
    for order_id in &orders {
        sign_hold(
            &mut tx,
            state,
            actor,
            tenant,
            *order_id,
            &complaint.number,
            &body,
        )
        .await?;
    }
    let link = match (&complaint.root_kind, &complaint.root_id) {
        (Some(kind), Some(root)) => format!("/trace/node/{kind}/{root}"),
        _ => "/trace".to_owned(),
    };
    let order = db::orders::get(&mut tx, tenant, complaint.order_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    for partner in partners {
        let recipients = db::notifications::recipients(&mut tx, partner, &[]).await?;
        for r in recipients {
            let note = NewNotification {
                tenant,
                user: r.id,
                kind: "trace_hold",
                order: Some(order.id),
                link: Some(&link),
                po_number: Some(&order.po_number),
                actor_org_name: Some(&actor.org_name),
                now,
            };
            db::notifications::insert(&mut tx, &note).await?;
        }
    }
    tx.commit().await?;
    Ok(placed)
}

/// The hold as a signed statement on one of the brand's orders it concerns.
async fn sign_hold(
    conn: &mut Conn,
    state: &AppState,
    actor: &Actor,
    tenant: TenantId,
    order_id: OrderId,
    number: &str,
    body: &serde_json::Value,
) -> ServiceResult<()> {
    let Some(order) = db::orders::get(conn, tenant, order_id).await? else {
        return Ok(());
    };
    let lines = db::orders::lines(conn, tenant, order.id).await?;
    let attests = format!(
        "{} put goods of PO {} on hold under complaint {number}",
        actor.org_name, order.po_number
    );
    sign_statement(
        conn,
        state,
        actor,
        &order,
        "po.hold_placed",
        &order_hash(&order, &lines)?,
        attests,
        body.clone(),
    )
    .await
}

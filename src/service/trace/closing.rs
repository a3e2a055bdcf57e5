//! Closing a complaint: the quality team records what was found and done, and every hold the
//! complaint placed is released at once — the finished lots can ship and the shipments leave
//! quarantine, unless another complaint holds them too. The partners who were told of the hold
//! are told of its release, and the release is signed on each order the hold was signed on.

use std::collections::BTreeMap;

use serde_json::json;

use super::complaints::{brand_viewer, require_quality};
use super::holds::{HoldStep, concerned, sign_hold, tell};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db;
use crate::domain::ids::{OrderId, OrgId};
use crate::domain::order::fields::parse_text;
use crate::domain::trace::NodeKind;
use crate::service::{AuditEvent, FieldErrors, ServiceError, ServiceResult, actions, audit};

/// The longest resolution kept.
pub const MAX_RESOLUTION: usize = 4000;

/// What closing released: finished lots and shipments.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Released {
    pub finished_lots: usize,
    pub shipments: usize,
}

pub async fn close(
    state: &AppState,
    actor: &Actor,
    id: &str,
    resolution: &str,
) -> ServiceResult<Released> {
    let tenant = brand_viewer(actor)?;
    let mut tx = state.db.begin().await?;
    let complaint = db::complaints::get(&mut tx, tenant, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    require_quality(actor)?;
    if complaint.status == "closed" {
        return Err(ServiceError::Refused("complaint.refused.closed"));
    }
    let mut errors = FieldErrors::default();
    let resolution = errors.check("resolution", parse_text(resolution, MAX_RESOLUTION, true));
    errors.into_result()?;
    let resolution = resolution.unwrap_or_default();
    let now = state.now().0;
    let closed = db::complaints::mark_closed(&mut tx, tenant, id, actor.user_id, now, &resolution);
    if !closed.await? {
        return Err(ServiceError::Refused("complaint.refused.closed"));
    }
    let holds = db::complaints::release_holds(&mut tx, tenant, id, now).await?;
    let mut released = Released::default();
    let mut partners: BTreeMap<OrgId, Option<String>> = BTreeMap::new();
    for hold in &holds {
        let shipment =
            (hold.node_kind == NodeKind::Shipment.code()).then_some(hold.node_id.as_str());
        match shipment {
            Some(_) => released.shipments += 1,
            None => released.finished_lots += 1,
        }
        concerned(&mut tx, tenant, &mut partners, hold.owner_org_id, shipment).await?;
    }
    let body = json!({
        "complaint": complaint.number,
        "resolution": resolution,
        "released": holds
            .iter()
            .map(|h| json!({ "kind": h.node_kind, "id": h.node_id }))
            .collect::<Vec<_>>(),
    });
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::new(actions::COMPLAINT_CLOSED, "complaint", id).detail(body.clone()),
    )
    .await?;
    if !holds.is_empty() {
        for order_id in held_orders(&complaint) {
            let step = HoldStep::Released(&complaint.number);
            sign_hold(&mut tx, state, actor, tenant, order_id, step, &body).await?;
        }
        tell(
            &mut tx,
            actor,
            &complaint,
            partners,
            "trace_hold_released",
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(released)
}

/// The orders the hold was signed on; the complaint's own order for a hold that did not record
/// them (placed before they were kept).
fn held_orders(complaint: &db::complaints::Complaint) -> Vec<OrderId> {
    let listed: Vec<OrderId> = complaint
        .held_orders
        .as_deref()
        .and_then(|json| serde_json::from_str::<Vec<String>>(json).ok())
        .unwrap_or_default()
        .iter()
        .filter_map(|id| id.parse().ok())
        .collect();
    if listed.is_empty() {
        vec![complaint.order_id]
    } else {
        listed
    }
}

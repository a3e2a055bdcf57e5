//! Every decision on an order: issue, cancel, and line decisions by either side. Each carries
//! the order version the actor saw (a stale page is refused, nothing changes) and a one-time
//! submission token (a double click or a retried post takes effect once).

use serde_json::json;

use super::evidence::sign_statement;
use super::{Party, due_date, load_for, order_hash, timeline_event, total_minor};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db::order_lines::Line;
use crate::db::{self, Conn, Tx};
use crate::domain::ids::{OrderId, TenantId};
use crate::domain::order::line::{self as line_machine, LineAction, LineState, Side};
use crate::domain::order::state::{self as order_machine, OrderState};
use crate::domain::org::Permission;
use crate::service::{AuditEvent, ServiceError, ServiceResult, actions, audit, notifications, sla};

/// What the actor saw when deciding.
#[derive(Clone, Debug)]
pub struct Seen {
    pub order: OrderId,
    pub version: i64,
    /// One-time token from the rendered form.
    pub submission: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Applied,
    /// The same submission was applied before; nothing more happened.
    AlreadyApplied,
}

/// Opens the transaction, loads the order for a party allowed to decide on `side`, claims the
/// submission and checks the version. `None` means the submission was already applied.
async fn begin(
    state: &AppState,
    actor: &Actor,
    seen: &Seen,
    side: Side,
) -> ServiceResult<Option<(Tx, TenantId, db::orders::Order, Vec<Line>)>> {
    let mut tx = state.db.begin().await?;
    let (tenant, order, party) = load_for(&mut tx, actor, seen.order).await?;
    let allowed = match (party, side) {
        (Party::Brand, Side::Brand) => actor.can(Permission::ManageOrders),
        (Party::Partner, Side::Partner) => actor.can(Permission::RespondToOrders),
        _ => false,
    };
    if !allowed {
        return Err(ServiceError::Forbidden);
    }
    if seen.submission.len() < 16 || seen.submission.len() > 64 {
        return Err(ServiceError::Refused("orders.refused.stale"));
    }
    let claimed = db::order_history::claim_submission(
        &mut tx,
        tenant,
        &seen.submission,
        actor.user_id,
        state.now().0,
    )
    .await?;
    if !claimed {
        return Ok(None);
    }
    if order.version != seen.version {
        return Err(ServiceError::Refused("orders.refused.stale"));
    }
    let lines = db::order_lines::of_order(&mut tx, tenant, order.id).await?;
    Ok(Some((tx, tenant, order, lines)))
}

/// Writes the new order state and version, failing as stale if another writer got there first.
async fn save_order(
    conn: &mut Conn,
    tenant: TenantId,
    order: &db::orders::Order,
    new_state: OrderState,
    lines: &[Line],
    now: i64,
) -> ServiceResult<()> {
    let saved = db::orders::bump_version(
        conn,
        &db::orders::VersionBump {
            tenant,
            id: order.id,
            seen_version: order.version,
            state: new_state,
            due_date: &due_date(lines, &order.requested_delivery),
            total_minor: total_minor(lines),
            now,
        },
    )
    .await?;
    if saved {
        Ok(())
    } else {
        Err(ServiceError::Refused("orders.refused.stale"))
    }
}

/// The brand issues a draft to its partner.
pub async fn issue(state: &AppState, actor: &Actor, seen: &Seen) -> ServiceResult<Outcome> {
    let Some((mut tx, tenant, order, lines)) = begin(state, actor, seen, Side::Brand).await? else {
        return Ok(Outcome::AlreadyApplied);
    };
    let next = order_machine::issue(order.state, lines.len())
        .map_err(|r| ServiceError::Refused(r.message_key()))?;
    let seen_hash = order_hash(&order, &lines)?;
    save_order(&mut tx, tenant, &order, next, &lines, state.now().0).await?;
    timeline_event(
        &mut tx,
        actor,
        &order,
        "issued",
        None,
        json!({}),
        state.now().0,
    )
    .await?;
    let attests = format!(
        "{} issued PO {} to {} with {} line(s)",
        actor.org_name,
        order.po_number,
        order.partner_name,
        lines.len()
    );
    let body = json!({ "lines": lines.iter().map(|l| json!({
        "line_no": l.line_no, "line_id": l.id.to_string(), "sku": l.sku, "quantity": l.quantity,
        "unit": l.unit, "unit_price_minor": l.unit_price_minor, "delivery_date": l.delivery_date,
    })).collect::<Vec<_>>() });
    sign_statement(
        &mut tx,
        state,
        actor,
        &order,
        "po.issued",
        &seen_hash,
        attests,
        body,
    )
    .await?;
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::new(actions::ORDER_ISSUED, "order", order.id),
    )
    .await?;
    notifications::order_issued(&mut tx, state, &order, &actor.org_name).await?;
    sla::clocks::sync(&mut tx, state, tenant, order.id).await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(Outcome::Applied)
}

/// The brand cancels the order, giving a reason.
pub async fn cancel(
    state: &AppState,
    actor: &Actor,
    seen: &Seen,
    reason: &str,
) -> ServiceResult<Outcome> {
    let Some((mut tx, tenant, order, lines)) = begin(state, actor, seen, Side::Brand).await? else {
        return Ok(Outcome::AlreadyApplied);
    };
    let reason = reason.trim();
    let next = order_machine::cancel(order.state, reason)
        .map_err(|r| ServiceError::Refused(r.message_key()))?;
    let seen_hash = order_hash(&order, &lines)?;
    let was_issued = order.state != OrderState::Draft;
    save_order(&mut tx, tenant, &order, next, &lines, state.now().0).await?;
    db::orders::set_cancel_reason(&mut tx, tenant, order.id, reason).await?;
    timeline_event(
        &mut tx,
        actor,
        &order,
        "cancelled",
        None,
        json!({ "reason": reason }),
        state.now().0,
    )
    .await?;
    if was_issued {
        let attests = format!(
            "{} cancelled PO {}: {reason}",
            actor.org_name, order.po_number
        );
        sign_statement(
            &mut tx,
            state,
            actor,
            &order,
            "po.cancelled",
            &seen_hash,
            attests,
            json!({ "reason": reason }),
        )
        .await?;
        notifications::order_cancelled(&mut tx, state, &order, &actor.org_name).await?;
    }
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::new(actions::ORDER_CANCELLED, "order", order.id)
            .detail(json!({ "from": order.state.as_str(), "to": "cancelled", "reason": reason })),
    )
    .await?;
    sla::clocks::sync(&mut tx, state, tenant, order.id).await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(Outcome::Applied)
}

/// Decisions on one or more lines by the side whose turn it is. All or nothing.
pub async fn decide_lines(
    state: &AppState,
    actor: &Actor,
    seen: &Seen,
    side: Side,
    decisions: &[(i64, LineAction)],
) -> ServiceResult<Outcome> {
    let Some((mut tx, tenant, order, mut lines)) = begin(state, actor, seen, side).await? else {
        return Ok(Outcome::AlreadyApplied);
    };
    if decisions.is_empty() {
        return Err(ServiceError::Refused("orders.refused.nothing_to_decide"));
    }
    let seen_hash = order_hash(&order, &lines)?;
    let before: Vec<Line> = lines.clone();
    let mut record = Vec::new();
    for (line_no, action) in decisions {
        let line = lines
            .iter_mut()
            .find(|l| l.line_no == *line_no)
            .ok_or(ServiceError::NotFound)?;
        let next =
            line_machine::transition(line.state, side, action, order.state.open_for_decisions())
                .map_err(|r| ServiceError::Refused(r.message_key()))?;
        apply_terms(line, action, next);
        record.push(json!({
            "line_no": line.line_no, "line_id": line.id.to_string(), "decision": action.name(),
            "quantity": line.quantity, "unit_price_minor": line.unit_price_minor,
            "delivery_date": line.delivery_date, "note": line.note,
            "proposed_quantity": line.proposed_quantity, "proposed_date": line.proposed_date,
            "proposed_price_minor": line.proposed_price_minor,
        }));
    }
    let next_state = order_machine::derive(&lines.iter().map(|l| l.state).collect::<Vec<_>>());
    save_order(&mut tx, tenant, &order, next_state, &lines, state.now().0).await?;
    for (line, old) in lines.iter().zip(&before) {
        if line != old {
            db::order_lines::update(&mut tx, tenant, order.id, line).await?;
        }
    }
    for ((line_no, action), detail) in decisions.iter().zip(&record) {
        timeline_event(
            &mut tx,
            actor,
            &order,
            action.name(),
            Some(*line_no),
            detail.clone(),
            state.now().0,
        )
        .await?;
    }
    let attests = describe(actor, &order.po_number, decisions);
    let kind = if side == Side::Partner {
        "po.partner_decisions"
    } else {
        "po.brand_decisions"
    };
    sign_statement(
        &mut tx,
        state,
        actor,
        &order,
        kind,
        &seen_hash,
        attests,
        json!({ "decisions": record }),
    )
    .await?;
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::new(actions::ORDER_LINES_DECIDED, "order", order.id).detail(json!({
            "from": order.state.as_str(), "to": next_state.as_str(), "decisions": record,
        })),
    )
    .await?;
    notifications::lines_decided(&mut tx, state, &order, side, &actor.org_name).await?;
    sla::clocks::sync(&mut tx, state, tenant, order.id).await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(Outcome::Applied)
}

/// Changes a line's terms and state as the decision says.
fn apply_terms(line: &mut Line, action: &LineAction, next: LineState) {
    line.state = next;
    match action {
        LineAction::Accept => line.note = None,
        LineAction::Reject { reason } => line.note = Some(reason.trim().to_owned()),
        LineAction::ProposeChange(p) => {
            line.proposed_quantity = p.quantity.map(|q| q.normalize().to_string());
            line.proposed_date = p.delivery_date.clone();
            line.proposed_price_minor = p.unit_price_minor;
            line.note = Some(p.comment.trim().to_owned()).filter(|c| !c.is_empty());
        }
        LineAction::AcceptProposal => {
            if let Some(q) = line.proposed_quantity.take() {
                line.quantity = q;
            }
            if let Some(d) = line.proposed_date.take() {
                line.delivery_date = d;
            }
            if let Some(p) = line.proposed_price_minor.take() {
                line.unit_price_minor = p;
            }
            line.note = None;
        }
        LineAction::DeclineProposal { comment } | LineAction::DeclineDateChange { comment } => {
            line.proposed_quantity = None;
            line.proposed_date = None;
            line.proposed_price_minor = None;
            line.note = Some(comment.trim().to_owned()).filter(|c| !c.is_empty());
        }
        LineAction::ProposeDateChange { date, comment } => {
            line.proposed_date = Some(date.clone());
            line.note = Some(comment.trim().to_owned()).filter(|c| !c.is_empty());
        }
        LineAction::AcceptDateChange => {
            if let Some(d) = line.proposed_date.take() {
                line.delivery_date = d;
            }
            line.note = None;
        }
    }
}

/// One sentence for the statement: "Sunrise Textiles: accept line 1, 2; reject line 3 on PO …".
fn describe(actor: &Actor, po_number: &str, decisions: &[(i64, LineAction)]) -> String {
    let mut groups: Vec<(&str, Vec<String>)> = Vec::new();
    for (line_no, action) in decisions {
        match groups.iter_mut().find(|(name, _)| *name == action.name()) {
            Some((_, lines)) => lines.push(line_no.to_string()),
            None => groups.push((action.name(), vec![line_no.to_string()])),
        }
    }
    let parts: Vec<String> = groups
        .iter()
        .map(|(name, lines)| format!("{} line {}", name.replace('_', " "), lines.join(", ")))
        .collect();
    format!("{}: {} on PO {po_number}", actor.org_name, parts.join("; "))
}

/// The partner accepts every line still open, in one statement.
pub async fn accept_all(state: &AppState, actor: &Actor, seen: &Seen) -> ServiceResult<Outcome> {
    let open: Vec<(i64, LineAction)> = {
        let mut conn = state.db.read().await?;
        let (tenant, order, _) = load_for(&mut conn, actor, seen.order).await?;
        db::order_lines::of_order(&mut conn, tenant, order.id)
            .await?
            .into_iter()
            .filter(|l| l.state == LineState::Open)
            .map(|l| (l.line_no, LineAction::Accept))
            .collect()
    };
    decide_lines(state, actor, seen, Side::Partner, &open).await
}

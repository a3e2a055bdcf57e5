//! Brand finance decides a supplier's invoice: accepts it (a signed statement that the brand
//! owes the amount on the due date; above the brand's threshold only once a second finance user
//! confirms) or disputes it with a reason.

use serde_json::json;

use super::visible;
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db;
use crate::db::invoices::Invoice;
use crate::domain::finance::invoice::{self as machine, InvoiceState};
use crate::domain::money::{Currency, display};
use crate::domain::order::fields::parse_text;
use crate::domain::org::{OrgKind, Permission};
use crate::service::orders::evidence::sign_statement;
use crate::service::orders::{order_hash, timeline_event};
use crate::service::{
    AuditEvent, FieldErrors, ServiceError, ServiceResult, actions, audit, notifications,
};

fn require_finance(actor: &Actor) -> ServiceResult<()> {
    if actor.org_kind == OrgKind::Brand && actor.can(Permission::DecideInvoices) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// The threshold in the invoice's minor units (None: one acceptance is enough).
fn second_above_minor(whole_units: Option<i64>, currency: &str) -> Option<i64> {
    let exponent = Currency::parse(currency).map_or(2, Currency::exponent);
    whole_units.map(|n| n.saturating_mul(10i64.pow(exponent)))
}

/// What an acceptance did: accepted, or waiting for a second finance user.
#[derive(Debug, PartialEq, Eq)]
pub enum Accepted {
    Done,
    AwaitingSecond,
}

pub async fn accept(state: &AppState, actor: &Actor, id: &str) -> ServiceResult<Accepted> {
    let mut tx = state.db.begin().await?;
    let invoice = visible(&mut tx, actor, id).await?;
    require_finance(actor)?;
    let tenant = invoice.tenant_id;
    let from = InvoiceState::parse(&invoice.state).ok_or(ServiceError::NotFound)?;
    let settings = db::brand_settings::get(&mut tx, tenant).await?;
    let first = invoice.first_accepted_by.map(|u| u.to_string());
    let to = machine::accept(
        from,
        first.as_deref(),
        &actor.user_id.to_string(),
        invoice.amount_minor,
        second_above_minor(settings.invoice_second_acceptance_above, &invoice.currency),
    )
    .map_err(|r| ServiceError::Refused(r.message_key()))?;
    let now = state.now().0;
    move_to(&mut tx, actor, &invoice, from, to, None, now).await?;
    let order = db::orders::get(&mut tx, tenant, invoice.order_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let outcome = if to == InvoiceState::Accepted {
        let amount = display(invoice.amount_minor, &invoice.currency);
        let lines = db::order_lines::of_order(&mut tx, tenant, order.id).await?;
        sign_statement(
            &mut tx,
            state,
            actor,
            &order,
            "po.invoice_accepted",
            &order_hash(&order, &lines)?,
            format!(
                "{} owes {amount} to {} on {} for invoice {} of PO {}",
                actor.org_name,
                invoice.supplier_name,
                invoice.due_date,
                invoice.number,
                order.po_number
            ),
            json!({
                "invoice_id": invoice.id, "number": invoice.number,
                "amount_minor": invoice.amount_minor, "currency": invoice.currency,
                "due_date": invoice.due_date, "fingerprint": invoice.fingerprint,
                "second_acceptance_of": invoice.first_accepted_by.map(|u| u.to_string()),
            }),
        )
        .await?;
        let detail = json!({ "invoice": invoice.id });
        timeline_event(
            &mut tx,
            actor,
            &order,
            "invoice_accepted",
            None,
            detail,
            now,
        )
        .await?;
        notifications::invoice_event(&mut tx, state, &order, "invoice_accepted", &actor.org_name)
            .await?;
        // A supplier's standing auto-financing instruction asks as soon as the brand accepts.
        crate::service::financing::auto_request(&mut tx, state, &invoice.id, tenant).await?;
        Accepted::Done
    } else {
        notifications::invoice_event(&mut tx, state, &order, "invoice_second", &actor.org_name)
            .await?;
        Accepted::AwaitingSecond
    };
    crate::service::sla::clocks::sync(&mut tx, state, tenant, order.id).await?;
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::new(actions::INVOICE_ACCEPTED, "invoice", &invoice.id)
            .detail(json!({ "to": to.code(), "amount_minor": invoice.amount_minor })),
    )
    .await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(outcome)
}

pub async fn dispute(state: &AppState, actor: &Actor, id: &str, reason: &str) -> ServiceResult<()> {
    let mut e = FieldErrors::default();
    let reason = e.check("reason", parse_text(reason, 1000, true));
    let mut tx = state.db.begin().await?;
    let invoice = visible(&mut tx, actor, id).await?;
    require_finance(actor)?;
    e.into_result()?;
    let reason = reason.unwrap_or_default();
    let from = InvoiceState::parse(&invoice.state).ok_or(ServiceError::NotFound)?;
    let to = machine::dispute(from).map_err(|r| ServiceError::Refused(r.message_key()))?;
    let now = state.now().0;
    move_to(&mut tx, actor, &invoice, from, to, Some(&reason), now).await?;
    let order = db::orders::get(&mut tx, invoice.tenant_id, invoice.order_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let lines = db::order_lines::of_order(&mut tx, order.tenant_id, order.id).await?;
    sign_statement(
        &mut tx,
        state,
        actor,
        &order,
        "po.invoice_disputed",
        &order_hash(&order, &lines)?,
        format!(
            "{} disputes invoice {} of PO {}: {reason}",
            actor.org_name, invoice.number, order.po_number
        ),
        json!({ "invoice_id": invoice.id, "number": invoice.number, "reason": reason }),
    )
    .await?;
    let detail = json!({ "invoice": invoice.id });
    timeline_event(
        &mut tx,
        actor,
        &order,
        "invoice_disputed",
        None,
        detail,
        now,
    )
    .await?;
    audit(
        &mut tx,
        actor,
        Some(invoice.tenant_id),
        AuditEvent::new(actions::INVOICE_DISPUTED, "invoice", &invoice.id)
            .detail(json!({ "reason": reason })),
    )
    .await?;
    notifications::invoice_event(&mut tx, state, &order, "invoice_disputed", &actor.org_name)
        .await?;
    crate::service::sla::clocks::sync(&mut tx, state, order.tenant_id, order.id).await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(())
}

/// Writes the transition, refusing when another decision got there first.
async fn move_to(
    conn: &mut db::Conn,
    actor: &Actor,
    invoice: &Invoice,
    from: InvoiceState,
    to: InvoiceState,
    reason: Option<&str>,
    now: i64,
) -> ServiceResult<()> {
    let moved = db::invoices::transition(
        conn,
        invoice.tenant_id,
        &invoice.id,
        from.code(),
        to.code(),
        actor.user_id,
        reason,
        now,
    )
    .await?;
    if moved {
        Ok(())
    } else {
        Err(ServiceError::Refused("invoice.refused.not_open"))
    }
}

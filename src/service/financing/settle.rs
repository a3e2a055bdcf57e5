//! Money moves: the financier records the disbursement (above the program's threshold a second
//! financier user must approve: maker-checker), which assigns the receivable and tells the brand
//! where to pay in a signed notice; the brand's finance records the repayment at the due date;
//! repayments missing after the due date are alerted once.

use serde_json::json;

use super::offers::{account_evidence, record};
use super::{Side, move_to, require, state_of, visible};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db;
use crate::domain::finance::account::mask;
use crate::domain::finance::financing::{self as machine, FinancingState};
use crate::domain::finance::invoice::{self as invoice_machine, InvoiceState};
use crate::domain::money::display;
use crate::service::sla::scorecards::today;
use crate::service::{ServiceError, ServiceResult, actions, notifications};

/// What an approval did.
#[derive(Debug, PartialEq, Eq)]
pub enum Approved {
    Disbursed,
    AwaitingSecond,
}

/// A financier user approves the disbursement of an accepted offer. Below the program's
/// threshold (or at the second approval by another user) the money is recorded as paid, the
/// invoice is financed and the brand gets the signed assignment notice.
pub async fn approve(state: &AppState, actor: &Actor, id: &str) -> ServiceResult<Approved> {
    let mut tx = state.db.begin().await?;
    let (row, side) = visible(&mut tx, actor, id).await?;
    require(side, Side::Financier, actor)?;
    let program = db::finance_programs::get(&mut tx, row.tenant_id, &row.program_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let first = row.first_approved_by.map(|u| u.to_string());
    let net = row.net_minor.unwrap_or(0);
    let to = machine::approve_disbursement(
        state_of(&row)?,
        first.as_deref(),
        &actor.user_id.to_string(),
        net,
        program.disbursement_second_above_minor,
    )
    .map_err(|r| ServiceError::Refused(r.message_key()))?;
    let now = state.now().0;
    move_to(&mut tx, actor, &row, to, None, now).await?;
    let money = |m: i64| display(m, &row.currency);
    if to == FinancingState::AwaitingSecondApproval {
        let attests = format!(
            "{} approves paying {} to {} for invoice {} of PO {} (first of two approvals)",
            actor.org_name,
            money(net),
            row.supplier_name,
            row.invoice_number,
            row.po_number
        );
        record(
            &mut tx,
            state,
            actor,
            &row,
            ("financing_second", actions::FINANCING_APPROVED),
            attests,
            json!({ "net_minor": net, "currency": row.currency }),
        )
        .await?;
        tx.commit().await?;
        state.outbox_wake.notify_one();
        return Ok(Approved::AwaitingSecond);
    }
    let invoice_to = invoice_machine::financed(InvoiceState::Accepted)
        .map_err(|r| ServiceError::Refused(r.message_key()))?;
    if !db::invoices::set_state(
        &mut tx,
        row.tenant_id,
        &row.invoice_id,
        InvoiceState::Accepted.code(),
        invoice_to.code(),
        now,
    )
    .await?
    {
        return Err(ServiceError::Refused(
            "financing.refused.invoice_not_accepted",
        ));
    }
    let account = row.collection_account.clone().unwrap_or_default();
    let attests = format!(
        "{} has paid {} to {} for invoice {} of PO {}. The receivable of {} due {} is assigned \
         to {}: pay it on the due date to account {}",
        actor.org_name,
        money(net),
        row.supplier_name,
        row.invoice_number,
        row.po_number,
        money(row.face_minor),
        row.due_date,
        row.financier_name,
        mask(&account)
    );
    let mut body = json!({
        "face_minor": row.face_minor, "net_minor": net, "advance_minor": row.advance_minor,
        "fee_minor": row.fee_minor, "currency": row.currency, "value_date": row.value_date,
        "due_date": row.due_date, "assigned_to": row.financier_org_id.to_string(),
        "second_approval_of": first,
    });
    if let (Some(b), serde_json::Value::Object(a)) =
        (body.as_object_mut(), account_evidence(&account))
    {
        b.extend(a);
    }
    record(
        &mut tx,
        state,
        actor,
        &row,
        ("financing_disbursed", actions::FINANCING_DISBURSED),
        attests,
        body,
    )
    .await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(Approved::Disbursed)
}

/// The brand's finance records that it paid the financier at the due date; the invoice is paid.
pub async fn repay(state: &AppState, actor: &Actor, id: &str) -> ServiceResult<()> {
    let mut tx = state.db.begin().await?;
    let (row, side) = visible(&mut tx, actor, id).await?;
    require(side, Side::Brand, actor)?;
    let to = machine::repay(state_of(&row)?).map_err(|r| ServiceError::Refused(r.message_key()))?;
    let now = state.now().0;
    move_to(&mut tx, actor, &row, to, None, now).await?;
    let paid = invoice_machine::paid(InvoiceState::Financed)
        .map_err(|r| ServiceError::Refused(r.message_key()))?;
    db::invoices::set_state(
        &mut tx,
        row.tenant_id,
        &row.invoice_id,
        InvoiceState::Financed.code(),
        paid.code(),
        now,
    )
    .await?;
    let on = today(state).to_string();
    let late = FinancingState::Disbursed
        .is_overdue(row.due_date.parse().unwrap_or(today(state)), today(state));
    let attests = format!(
        "{} paid {} to {} on {} for invoice {} of PO {}{}",
        actor.org_name,
        display(row.face_minor, &row.currency),
        row.financier_name,
        on,
        row.invoice_number,
        row.po_number,
        if late { " (after the due date)" } else { "" }
    );
    record(
        &mut tx,
        state,
        actor,
        &row,
        ("financing_repaid", actions::FINANCING_REPAID),
        attests,
        json!({ "face_minor": row.face_minor, "currency": row.currency, "paid_on": on,
                "due_date": row.due_date, "late": late }),
    )
    .await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(())
}

/// Alerts the financier and the brand's finance, once, about every disbursed financing whose due
/// date passed unpaid. Replicas may run it together: the mark is a compare-and-set.
pub async fn alert_overdue(state: &AppState) -> ServiceResult<usize> {
    // A pass crosses brands: every brand's overdue financings.
    crate::db::scope::system(alert_overdue_in_system_scope(state)).await
}

async fn alert_overdue_in_system_scope(state: &AppState) -> ServiceResult<usize> {
    let today = today(state).to_string();
    let mut alerted = 0;
    loop {
        let mut tx = state.db.begin().await?;
        let due = db::financings::newly_overdue(&mut tx, &today, 100).await?;
        if due.is_empty() {
            break;
        }
        let now = state.now().0;
        for (tenant, id) in &due {
            if !db::financings::mark_overdue_alerted(&mut tx, *tenant, id, now).await? {
                continue;
            }
            let Some(row) = db::financings::get(&mut tx, *tenant, id).await? else {
                continue;
            };
            let Some(order) = db::orders::get(&mut tx, *tenant, row.order_id).await? else {
                continue;
            };
            notifications::financing_event(
                &mut tx,
                state,
                &order,
                &row,
                "financing_overdue",
                &row.supplier_name,
            )
            .await?;
            alerted += 1;
        }
        tx.commit().await?;
        state.outbox_wake.notify_one();
    }
    Ok(alerted)
}

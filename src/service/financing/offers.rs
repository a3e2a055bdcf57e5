//! The financier's answer and the supplier's: the financier offers (the quote computed by the
//! program's pricing convention, the value date it chooses, the account the brand will pay) or
//! declines with a reason; the supplier accepts the offer (proving its password again when its
//! sign-in is old) or withdraws. Each step is a signed statement on the order.

use jiff::civil::Date;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{Side, move_to, pricing_of, require, state_of, visible};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db::financings::{FinancingRow, Offer};
use crate::db::{self, Conn};
use crate::domain::finance::account::{mask, parse_account};
use crate::domain::finance::financing::{self as machine, FinancingState};
use crate::domain::finance::pricing::quote;
use crate::domain::money::display;
use crate::domain::order::fields::{parse_date, parse_text};
use crate::service::orders::evidence::sign_statement;
use crate::service::orders::{order_hash, timeline_event};
use crate::service::sla::scorecards::today;
use crate::service::{
    AuditEvent, FieldErrors, ServiceError, ServiceResult, actions, audit, notifications,
};

#[derive(Clone, Debug, Default)]
pub struct OfferInput {
    pub value_date: String,
    pub collection_account: String,
}

/// What a signed statement says of an account: its hash and last four characters, never the
/// number (the bundle travels further than the roles that may see it).
pub(crate) fn account_evidence(account: &str) -> serde_json::Value {
    json!({
        "collection_account_sha256": hex::encode(Sha256::digest(account.as_bytes())),
        "collection_account_masked": mask(account),
    })
}

/// Signs the step's statement, writes the timeline and audit entries, tells the other side and
/// moves the financier's decision clock.
pub(super) async fn record(
    conn: &mut Conn,
    state: &AppState,
    actor: &Actor,
    row: &FinancingRow,
    (kind, action): (&str, &str),
    attests: String,
    mut body: serde_json::Value,
) -> ServiceResult<()> {
    let tenant = row.tenant_id;
    let order = db::orders::get(conn, tenant, row.order_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let lines = db::order_lines::of_order(conn, tenant, order.id).await?;
    if let Some(fields) = body.as_object_mut() {
        fields.insert("financing_id".into(), json!(row.id));
        fields.insert("invoice_id".into(), json!(row.invoice_id));
    }
    sign_statement(
        conn,
        state,
        actor,
        &order,
        &format!("po.{kind}"),
        &order_hash(&order, &lines)?,
        attests,
        body.clone(),
    )
    .await?;
    let now = state.now().0;
    let detail = json!({ "invoice": row.invoice_id, "financing": row.id });
    timeline_event(conn, actor, &order, kind, None, detail, now).await?;
    audit(
        conn,
        actor,
        Some(tenant),
        AuditEvent::new(action, "financing", &row.id).detail(body),
    )
    .await?;
    notifications::financing_event(conn, state, &order, row, kind, &actor.org_name).await?;
    crate::service::sla::clocks::sync(conn, state, tenant, order.id).await?;
    Ok(())
}

/// The financier offers on a request: the program's terms priced from `value_date` to the due
/// date, and the account the brand is to pay once the receivable is assigned.
pub async fn offer(
    state: &AppState,
    actor: &Actor,
    id: &str,
    input: &OfferInput,
) -> ServiceResult<()> {
    let mut e = FieldErrors::default();
    let value_date = e.check("value_date", parse_date(&input.value_date));
    let account = e.check(
        "collection_account",
        parse_account(&input.collection_account),
    );
    let mut tx = state.db.begin().await?;
    let (row, side) = visible(&mut tx, actor, id).await?;
    require(side, Side::Financier, actor)?;
    let to = machine::offer(state_of(&row)?).map_err(|r| ServiceError::Refused(r.message_key()))?;
    let program = db::finance_programs::get(&mut tx, row.tenant_id, &row.program_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let value = value_date.as_deref().and_then(|d| d.parse::<Date>().ok());
    if value.is_some_and(|v| v < today(state)) {
        e.add("value_date", "financing.invalid.value_date_past");
    }
    let due = row
        .due_date
        .parse::<Date>()
        .map_err(|_| ServiceError::Refused("financing.refused.due_passed"))?;
    let priced = match value {
        Some(v) if e.is_empty() => match quote(
            row.face_minor,
            u32::try_from(program.advance_bps).unwrap_or(0),
            pricing_of(&program),
            v,
            due,
            program.max_tenor_days,
        ) {
            Ok(q) => Some(q),
            Err(refusal) => {
                e.add("value_date", refusal.message_key());
                None
            }
        },
        _ => None,
    };
    e.into_result()?;
    let (Some(q), Some(value_date), Some(account)) = (priced, value_date, account) else {
        return Err(ServiceError::Invalid(FieldErrors::default()));
    };
    let now = state.now().0;
    let stored = db::financings::offer(
        &mut tx,
        row.tenant_id,
        &row.id,
        &Offer {
            value_date: &value_date,
            days: q.days,
            advance_minor: q.advance_minor,
            fee_minor: q.fee_minor,
            net_minor: q.net_minor,
            pricing: &program.pricing,
            rate_bps: program.rate_bps,
            day_count: &program.day_count,
            advance_bps: program.advance_bps,
            collection_account: &account,
        },
        actor.user_id,
        now,
    )
    .await?;
    if !stored || to != FinancingState::Offered {
        return Err(ServiceError::Refused("financing.refused.wrong_step"));
    }
    let money = |m| display(m, &row.currency);
    let mut body = json!({
        "face_minor": row.face_minor, "advance_minor": q.advance_minor, "fee_minor": q.fee_minor,
        "net_minor": q.net_minor, "currency": row.currency, "value_date": value_date,
        "due_date": row.due_date, "days": q.days, "pricing": program.pricing,
        "rate_bps": program.rate_bps, "day_count": program.day_count,
        "advance_bps": program.advance_bps,
        "convention": "advance rounded down; fee rounded half up; days are actual calendar days from the value date to the due date",
    });
    if let (Some(b), serde_json::Value::Object(a)) =
        (body.as_object_mut(), account_evidence(&account))
    {
        b.extend(a);
    }
    let attests = format!(
        "{} offers {} on invoice {} of PO {}: advance {}, fee {}, net {} paid on {}",
        actor.org_name,
        row.supplier_name,
        row.invoice_number,
        row.po_number,
        money(q.advance_minor),
        money(q.fee_minor),
        money(q.net_minor),
        value_date
    );
    record(
        &mut tx,
        state,
        actor,
        &row,
        ("financing_offered", actions::FINANCING_OFFERED),
        attests,
        body,
    )
    .await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(())
}

/// The financier declines with a reason; the receivable is free to be financed again.
pub async fn decline(state: &AppState, actor: &Actor, id: &str, reason: &str) -> ServiceResult<()> {
    let mut e = FieldErrors::default();
    let reason = e.check("reason", parse_text(reason, 1000, true));
    let mut tx = state.db.begin().await?;
    let (row, side) = visible(&mut tx, actor, id).await?;
    require(side, Side::Financier, actor)?;
    e.into_result()?;
    let reason = reason.unwrap_or_default();
    let to =
        machine::decline(state_of(&row)?).map_err(|r| ServiceError::Refused(r.message_key()))?;
    end_without_money(&mut tx, state, actor, &row, to, Some(&reason)).await?;
    let attests = format!(
        "{} declines to finance invoice {} of PO {}: {reason}",
        actor.org_name, row.invoice_number, row.po_number
    );
    record(
        &mut tx,
        state,
        actor,
        &row,
        ("financing_declined", actions::FINANCING_DECLINED),
        attests,
        json!({ "reason": reason }),
    )
    .await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(())
}

/// The supplier withdraws its request (before accepting an offer).
pub async fn withdraw(state: &AppState, actor: &Actor, id: &str) -> ServiceResult<()> {
    let mut tx = state.db.begin().await?;
    let (row, side) = visible(&mut tx, actor, id).await?;
    require(side, Side::Supplier, actor)?;
    let to =
        machine::withdraw(state_of(&row)?).map_err(|r| ServiceError::Refused(r.message_key()))?;
    end_without_money(&mut tx, state, actor, &row, to, None).await?;
    let attests = format!(
        "{} withdraws its financing request on invoice {} of PO {}",
        actor.org_name, row.invoice_number, row.po_number
    );
    record(
        &mut tx,
        state,
        actor,
        &row,
        ("financing_withdrawn", actions::FINANCING_WITHDRAWN),
        attests,
        json!({}),
    )
    .await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(())
}

async fn end_without_money(
    conn: &mut Conn,
    state: &AppState,
    actor: &Actor,
    row: &FinancingRow,
    to: FinancingState,
    reason: Option<&str>,
) -> ServiceResult<()> {
    move_to(conn, actor, row, to, reason, state.now().0).await?;
    let fingerprint = db::invoices::get(conn, row.tenant_id, &row.invoice_id)
        .await?
        .map(|i| i.fingerprint)
        .unwrap_or_default();
    db::financings::release_receivable(conn, &fingerprint, &row.id).await?;
    Ok(())
}

/// The supplier accepts the offer as shown, assigning the receivable to the financier once the
/// money moves. Returns whether the password was proved again.
pub async fn accept(
    state: &AppState,
    actor: &Actor,
    id: &str,
    password: &str,
) -> ServiceResult<bool> {
    let reauthenticated = super::needs_reauth(actor);
    if reauthenticated {
        super::reauth::prove_password(state, actor, password).await?;
    }
    let mut tx = state.db.begin().await?;
    let (row, side) = visible(&mut tx, actor, id).await?;
    require(side, Side::Supplier, actor)?;
    let to = machine::accept_offer(state_of(&row)?)
        .map_err(|r| ServiceError::Refused(r.message_key()))?;
    move_to(&mut tx, actor, &row, to, None, state.now().0).await?;
    let money = |m: Option<i64>| display(m.unwrap_or(0), &row.currency);
    let attests = format!(
        "{} accepts {}'s offer on invoice {} of PO {} (net {} on {}) and assigns the receivable \
         to {} once paid",
        actor.org_name,
        row.financier_name,
        row.invoice_number,
        row.po_number,
        money(row.net_minor),
        row.value_date.as_deref().unwrap_or_default(),
        row.financier_name
    );
    let body = json!({
        "face_minor": row.face_minor, "advance_minor": row.advance_minor,
        "fee_minor": row.fee_minor, "net_minor": row.net_minor, "value_date": row.value_date,
        "due_date": row.due_date, "currency": row.currency,
    });
    record(
        &mut tx,
        state,
        actor,
        &row,
        (
            "financing_offer_accepted",
            actions::FINANCING_OFFER_ACCEPTED,
        ),
        attests,
        body,
    )
    .await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(reauthenticated)
}

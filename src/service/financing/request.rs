//! Asking for financing: the supplier under a program it joined, or its standing auto-financing
//! instruction when the brand accepts. Every refusal comes before the first write, so an
//! auto-request that cannot go ahead leaves the acceptance it rides on untouched.

use jiff::civil::Date;
use serde_json::json;

use super::needs_reauth;
use super::reauth::prove_password;
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db::finance_programs::ProgramRow;
use crate::db::financings::NewFinancing;
use crate::db::invoices::Invoice;
use crate::db::orders::Order;
use crate::db::{self, Conn};
use crate::domain::finance::financing::{Evidence, missing};
use crate::domain::finance::pricing::{Quote, QuoteRefusal, quote};
use crate::domain::money::display;
use crate::domain::order::state::OrderState;
use crate::domain::org::{OrgKind, Permission};
use crate::service::orders::evidence::sign_statement;
use crate::service::orders::{order_hash, timeline_event};
use crate::service::sla::scorecards::today;
use crate::service::{
    AuditEvent, FieldErrors, ServiceError, ServiceResult, actions, audit, invoices, notifications,
};

#[derive(Clone, Debug, Default)]
pub struct RequestInput {
    pub program: String,
    pub password: String,
}

/// A program the supplier could ask under, with what is still missing and an estimate of the
/// offer were the money to move today.
pub struct RequestChoice {
    pub program: ProgramRow,
    pub missing: Vec<Evidence>,
    pub estimate: Result<Quote, QuoteRefusal>,
}

/// The evidence an invoice has: the order confirmed, goods received, the buyer's acceptance.
pub(crate) async fn evidence_of(
    conn: &mut Conn,
    invoice: &Invoice,
    order: &Order,
) -> ServiceResult<Vec<Evidence>> {
    let mut have = Vec::new();
    if order.state == OrderState::Confirmed {
        have.push(Evidence::OrderConfirmed);
    }
    if !db::invoices::received_rows(conn, order.tenant_id, order.id)
        .await?
        .is_empty()
    {
        have.push(Evidence::GoodsReceived);
    }
    if matches!(invoice.state.as_str(), "accepted" | "financed" | "paid") {
        have.push(Evidence::BuyerAccepted);
    }
    Ok(have)
}

pub(crate) fn required_evidence(program: &ProgramRow) -> Vec<Evidence> {
    program
        .evidence
        .split(',')
        .filter_map(Evidence::parse)
        .collect()
}

/// The programs the invoice's supplier joined in the invoice's currency, for the request form
/// on an invoice the actor was shown by `invoices::get` (empty for anyone but the supplier),
/// and whether the password must be typed again.
pub async fn request_choices(
    state: &AppState,
    actor: &Actor,
    invoice: &Invoice,
) -> ServiceResult<(Vec<RequestChoice>, bool)> {
    let mut conn = state.db.read().await?;
    if invoice.supplier_org_id != actor.org_id || !actor.can(Permission::RespondToOrders) {
        return Ok((Vec::new(), false));
    }
    let order = db::orders::get(&mut conn, invoice.tenant_id, invoice.order_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let have = evidence_of(&mut conn, invoice, &order).await?;
    let due = invoice.due_date.parse::<Date>().ok();
    let mut choices = Vec::new();
    for (program, joined, _) in
        db::finance_programs::for_supplier(&mut conn, invoice.tenant_id, actor.org_id).await?
    {
        if joined.is_none() || program.currency != invoice.currency {
            continue;
        }
        let estimate = match due {
            Some(due) => quote(
                invoice.amount_minor,
                u32::try_from(program.advance_bps).unwrap_or(0),
                super::pricing_of(&program),
                today(state),
                due,
                program.max_tenor_days,
            ),
            None => Err(QuoteRefusal::DatesReversed),
        };
        choices.push(RequestChoice {
            missing: missing(&required_evidence(&program), &have),
            program,
            estimate,
        });
    }
    Ok((choices, needs_reauth(actor)))
}

/// The supplier asks for financing of its accepted invoice under a program it joined. Returns
/// the request and whether the password was proved again (the session notes it).
pub async fn request(
    state: &AppState,
    actor: &Actor,
    invoice_id: &str,
    input: &RequestInput,
) -> ServiceResult<(String, bool)> {
    if !matches!(actor.org_kind, OrgKind::Supplier | OrgKind::Factory) {
        return Err(ServiceError::NotFound);
    }
    // Someone else's invoice does not exist, whether or not the password is due.
    {
        let mut conn = state.db.read().await?;
        invoices::visible(&mut conn, actor, invoice_id).await?;
    }
    let reauthenticated = needs_reauth(actor);
    if reauthenticated {
        prove_password(state, actor, &input.password).await?;
    }
    let mut tx = state.db.begin().await?;
    let invoice = invoices::visible(&mut tx, actor, invoice_id).await?;
    if invoice.supplier_org_id != actor.org_id || !actor.can(Permission::RespondToOrders) {
        return Err(ServiceError::Forbidden);
    }
    let program = db::finance_programs::get(&mut tx, invoice.tenant_id, &input.program).await?;
    let joined = match &program {
        Some(p) => db::finance_programs::membership(&mut tx, p.tenant_id, &p.id, actor.org_id)
            .await?
            .is_some_and(|(at, ..)| at.is_some()),
        None => false,
    };
    let (Some(program), true) = (program, joined) else {
        let mut e = FieldErrors::default();
        e.add("program", "financing.invalid.program");
        return Err(ServiceError::Invalid(e));
    };
    match open(&mut tx, state, actor, &invoice, &program, false).await {
        Ok(id) => {
            tx.commit().await?;
            state.outbox_wake.notify_one();
            Ok((id, reauthenticated))
        }
        Err(ServiceError::Refused("financing.refused.already")) => {
            drop(tx);
            refuse_double(state, actor, &invoice).await
        }
        Err(e) => Err(e),
    }
}

/// The standing auto-financing instructions of the invoice's supplier, tried in program order
/// once the brand accepted: the first program whose evidence, tenor and limits allow it opens a
/// request in the name of the user who gave the instruction.
pub async fn auto_request(
    conn: &mut Conn,
    state: &AppState,
    invoice_id: &str,
    tenant: crate::domain::ids::TenantId,
) -> ServiceResult<Option<String>> {
    let Some(invoice) = db::invoices::get(conn, tenant, invoice_id).await? else {
        return Ok(None);
    };
    let supplier = invoice.supplier_org_id;
    for (program, joined, auto) in
        db::finance_programs::for_supplier(conn, tenant, supplier).await?
    {
        if joined.is_none() || auto == 0 || program.currency != invoice.currency {
            continue;
        }
        let by = db::finance_programs::membership(conn, tenant, &program.id, supplier)
            .await?
            .and_then(|(_, _, by)| by);
        let Some(user) = (match by {
            Some(id) => db::users::with_org_by_id(conn, id).await?,
            None => None,
        }) else {
            continue;
        };
        if !user.is_active() || user.org_id != supplier {
            continue;
        }
        let actor = crate::service::demo_orders::acting_as(conn, user, tenant).await?;
        match open(conn, state, &actor, &invoice, &program, true).await {
            Ok(id) => return Ok(Some(id)),
            Err(ServiceError::Refused(why)) => {
                tracing::info!(program = program.id, why, "auto-financing not opened");
            }
            Err(e) => return Err(e),
        }
    }
    Ok(None)
}

/// Opens the request: every rule first, then the registry claim (the platform-wide gate), the
/// row, the supplier's signed statement, the timeline, the audit entry, the financier's
/// notification and decision clock.
async fn open(
    conn: &mut Conn,
    state: &AppState,
    actor: &Actor,
    invoice: &Invoice,
    program: &ProgramRow,
    auto: bool,
) -> ServiceResult<String> {
    let tenant = invoice.tenant_id;
    // A receivable financed (or being financed) already is the fraud this guards against:
    // said first, whatever else is also wrong.
    if db::financings::claimed_by(conn, &invoice.fingerprint)
        .await?
        .is_some()
    {
        return Err(ServiceError::Refused("financing.refused.already"));
    }
    if program.status != "active" {
        return Err(ServiceError::Refused("financing.refused.program_closed"));
    }
    if program.currency != invoice.currency {
        return Err(ServiceError::Refused("financing.refused.currency"));
    }
    if invoice.state != "accepted" {
        return Err(ServiceError::Refused("financing.refused.not_accepted"));
    }
    let order = db::orders::get(conn, tenant, invoice.order_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let have = evidence_of(conn, invoice, &order).await?;
    if !missing(&required_evidence(program), &have).is_empty() {
        return Err(ServiceError::Refused("financing.refused.evidence"));
    }
    let due = invoice
        .due_date
        .parse::<Date>()
        .map_err(|_| ServiceError::Refused("financing.refused.due_passed"))?;
    let days = i64::from((due - today(state)).get_days());
    if days <= 0 {
        return Err(ServiceError::Refused("financing.refused.due_passed"));
    }
    if days > program.max_tenor_days {
        return Err(ServiceError::Refused("finance.refused.tenor"));
    }
    db::finance_programs::lock(conn, state.db.engine(), tenant, &program.id).await?;
    let (mine, all) =
        db::financing_figures::outstanding(conn, tenant, &program.id, invoice.supplier_org_id)
            .await?;
    let face = invoice.amount_minor;
    if mine.saturating_add(face) > program.supplier_limit_minor {
        return Err(ServiceError::Refused("financing.refused.supplier_limit"));
    }
    if all.saturating_add(face) > program.total_limit_minor {
        return Err(ServiceError::Refused("financing.refused.total_limit"));
    }
    let id = uuid::Uuid::now_v7().to_string();
    if !db::financings::claim_receivable(conn, &invoice.fingerprint, &id).await? {
        return Err(ServiceError::Refused("financing.refused.already"));
    }
    let now = state.now().0;
    let opened = db::financings::insert(
        conn,
        &NewFinancing {
            tenant,
            id: &id,
            invoice: &invoice.id,
            program: &program.id,
            financier: program.financier_org_id,
            supplier: invoice.supplier_org_id,
            auto,
            currency: &invoice.currency,
            face_minor: face,
            due_date: &invoice.due_date,
            by: actor.user_id,
            now,
        },
    )
    .await?;
    if !opened {
        return Err(ServiceError::Refused("financing.refused.already"));
    }
    let row = db::financings::get(conn, tenant, &id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let lines = db::order_lines::of_order(conn, tenant, order.id).await?;
    let how = if auto {
        " (standing auto-financing instruction)"
    } else {
        ""
    };
    sign_statement(
        conn,
        state,
        actor,
        &order,
        "po.financing_requested",
        &order_hash(&order, &lines)?,
        format!(
            "{} asks {} to finance invoice {} of PO {} ({}, due {}) under {}{how}",
            actor.org_name,
            row.financier_name,
            invoice.number,
            order.po_number,
            display(face, &invoice.currency),
            invoice.due_date,
            program.name
        ),
        json!({
            "financing_id": id, "invoice_id": invoice.id, "fingerprint": invoice.fingerprint,
            "program_id": program.id, "financier": program.financier_org_id.to_string(),
            "face_minor": face, "currency": invoice.currency, "due_date": invoice.due_date,
            "auto": auto,
        }),
    )
    .await?;
    let detail = json!({ "invoice": invoice.id, "financing": id });
    timeline_event(
        conn,
        actor,
        &order,
        "financing_requested",
        None,
        detail,
        now,
    )
    .await?;
    audit(
        conn,
        actor,
        Some(tenant),
        AuditEvent::new(actions::FINANCING_REQUESTED, "financing", &id).detail(json!({
            "invoice": invoice.id, "program": program.id, "face_minor": face, "auto": auto,
        })),
    )
    .await?;
    notifications::financing_event(
        conn,
        state,
        &order,
        &row,
        "financing_requested",
        &actor.org_name,
    )
    .await?;
    crate::service::sla::clocks::sync(conn, state, tenant, order.id).await?;
    Ok(id)
}

/// A second financing of a receivable that has a live one: refused, kept on the audit log and
/// told to the financier holding it and the brand's finance people (in its own transaction).
async fn refuse_double(
    state: &AppState,
    actor: &Actor,
    invoice: &Invoice,
) -> ServiceResult<(String, bool)> {
    let mut tx = state.db.begin().await?;
    audit(
        &mut tx,
        actor,
        Some(invoice.tenant_id),
        AuditEvent::new(actions::FINANCING_DOUBLE_REFUSED, "invoice", &invoice.id)
            .detail(json!({ "number": invoice.number, "amount_minor": invoice.amount_minor })),
    )
    .await?;
    let live = db::financings::of_invoice(&mut tx, invoice.tenant_id, &invoice.id)
        .await?
        .into_iter()
        .find(|f| super::state_of(f).is_ok_and(|s| s.is_live()));
    let order = db::orders::get(&mut tx, invoice.tenant_id, invoice.order_id).await?;
    if let (Some(live), Some(order)) = (live, order) {
        notifications::financing_event(
            &mut tx,
            state,
            &order,
            &live,
            "financing_double",
            &actor.org_name,
        )
        .await?;
    }
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Err(ServiceError::Refused("financing.refused.already"))
}

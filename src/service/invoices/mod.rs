//! Invoices against orders. The supplier invoices what was received (less what earlier invoices
//! claimed), never above the PO value; every invoice claims its receivable in the platform-wide
//! registry, so the same receivable is refused a second time anywhere (with an audit entry and
//! an alert), and a look-alike (same amount and date, similar number) is flagged. Brand finance
//! accepts or disputes (`acceptance`); the supplier may withdraw one not yet accepted.

pub mod acceptance;
mod view;

pub(crate) use view::visible;
pub use view::{InvoiceLines, get, list, of_order};

use std::collections::HashMap;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::json;

use super::orders::evidence::sign_statement;
use super::orders::{Party, load_for, order_hash, timeline_event};
use super::{AuditEvent, FieldErrors, ServiceError, ServiceResult, actions, audit, notifications};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db::invoices::{NewInvoice, Registration};
use crate::db::{self, Conn};
use crate::domain::finance::invoice::{self as machine, InvoiceState, Invoiceable, check_lines};
use crate::domain::finance::registry::{Receivable, fingerprint, near_duplicate};
use crate::domain::ids::{OrderId, TenantId};
use crate::domain::order::fields::{parse_date, parse_quantity, parse_text};
use crate::domain::org::Permission;

/// States whose invoices still claim quantities and value.
const CLAIMING: [&str; 5] = [
    "submitted",
    "awaiting_second_acceptance",
    "accepted",
    "financed",
    "paid",
];

#[derive(Clone, Debug, Default)]
pub struct InvoiceInput {
    pub submission: String,
    pub number: String,
    pub invoice_date: String,
    pub due_date: String,
    /// (order line, quantity as typed); blank quantities are skipped.
    pub lines: Vec<(i64, String)>,
}

/// One order line as the invoice form shows it.
pub struct InvoiceableLine {
    pub line_no: i64,
    pub sku: String,
    pub description: String,
    pub unit: String,
    pub unit_price_minor: i64,
    pub received: Decimal,
    pub invoiced: Decimal,
}

impl InvoiceableLine {
    pub fn open(&self) -> Decimal {
        (self.received - self.invoiced).max(Decimal::ZERO)
    }
}

fn decimal(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap_or_default()
}

/// What each line may still be invoiced: received in good condition, less earlier invoices.
async fn invoiceable(
    conn: &mut Conn,
    tenant: TenantId,
    order: OrderId,
) -> ServiceResult<(Vec<InvoiceableLine>, i64)> {
    let mut received: HashMap<i64, Decimal> = HashMap::new();
    for (line, r, damaged) in db::invoices::received_rows(conn, tenant, order).await? {
        *received.entry(line).or_default() += decimal(&r) - decimal(&damaged);
    }
    let mut invoiced: HashMap<i64, Decimal> = HashMap::new();
    let mut invoiced_total = 0i64;
    for (line, q, amount) in db::invoices::claimed(conn, tenant, order, &CLAIMING).await? {
        *invoiced.entry(line).or_default() += decimal(&q);
        invoiced_total += amount;
    }
    let lines = db::order_lines::of_order(conn, tenant, order)
        .await?
        .into_iter()
        .map(|l| InvoiceableLine {
            line_no: l.line_no,
            received: received.get(&l.line_no).copied().unwrap_or_default(),
            invoiced: invoiced.get(&l.line_no).copied().unwrap_or_default(),
            sku: l.sku,
            description: l.description,
            unit: l.unit,
            unit_price_minor: l.unit_price_minor,
        })
        .collect();
    Ok((lines, invoiced_total))
}

/// The order's supplier, allowed to invoice it; anyone else is refused (others' orders: 404).
async fn supplier_order(
    conn: &mut Conn,
    actor: &Actor,
    order: OrderId,
) -> ServiceResult<(TenantId, db::orders::Order)> {
    let (tenant, order, party) = load_for(conn, actor, order).await?;
    if party != Party::Partner || !actor.can(Permission::RespondToOrders) {
        return Err(ServiceError::Forbidden);
    }
    Ok((tenant, order))
}

/// The invoice form's facts: the order and what each line may still be invoiced.
pub async fn form(
    state: &AppState,
    actor: &Actor,
    order: OrderId,
) -> ServiceResult<(db::orders::Order, Vec<InvoiceableLine>)> {
    let mut conn = state.db.read().await?;
    let (tenant, order) = supplier_order(&mut conn, actor, order).await?;
    let (lines, _) = invoiceable(&mut conn, tenant, order.id).await?;
    Ok((order, lines))
}

/// What `create` did: the new invoice, or nothing because this form was sent before.
pub enum Created {
    Invoice(String),
    AlreadyApplied,
}

pub async fn create(
    state: &AppState,
    actor: &Actor,
    order_id: OrderId,
    input: &InvoiceInput,
) -> ServiceResult<Created> {
    let mut e = FieldErrors::default();
    let number = e.check("number", parse_text(&input.number, 40, true));
    let invoice_date = e.check("invoice_date", parse_date(&input.invoice_date));
    let due_date = e.check("due_date", parse_date(&input.due_date));
    if let (Some(i), Some(d)) = (&invoice_date, &due_date)
        && d <= i
    {
        e.add("due_date", "invoice.due_before_date");
    }
    let mut wanted = Vec::new();
    for (line_no, qty) in &input.lines {
        if qty.trim().is_empty() {
            continue;
        }
        if let Some(q) = e.check(format!("lines.{line_no}"), parse_quantity(qty)) {
            wanted.push((*line_no, q));
        }
    }

    let mut tx = state.db.begin().await?;
    let (tenant, order) = supplier_order(&mut tx, actor, order_id).await?;
    db::orders::lock(&mut tx, state.db.engine(), tenant, order.id).await?;
    let now = state.now().0;
    if !db::order_history::claim_submission(&mut tx, tenant, &input.submission, actor.user_id, now)
        .await?
    {
        return Ok(Created::AlreadyApplied);
    }
    let (lines, invoiced_total) = invoiceable(&mut tx, tenant, order.id).await?;
    let basis: Vec<Invoiceable> = lines
        .iter()
        .map(|l| Invoiceable {
            line_no: l.line_no,
            basis: l.received,
            invoiced: l.invoiced,
            unit_price_minor: l.unit_price_minor,
        })
        .collect();
    let priced = if e.is_empty() {
        match check_lines(&wanted, &basis, order.total_minor, invoiced_total) {
            Ok(priced) => Some(priced),
            Err(refusals) => {
                for (i, refusal) in refusals {
                    let field = wanted
                        .get(i)
                        .map_or("lines".to_owned(), |(n, _)| format!("lines.{n}"));
                    e.add(field, refusal.message_key());
                }
                None
            }
        }
    } else {
        None
    };
    e.into_result()?;
    let (Some((amounts, total)), Some(number), Some(invoice_date), Some(due_date)) =
        (priced, number, invoice_date, due_date)
    else {
        return Err(ServiceError::Invalid(FieldErrors::default()));
    };

    let buyer = tenant.to_string();
    let supplier = actor.org_id.to_string();
    let receivable = Receivable {
        supplier: &supplier,
        buyer: &buyer,
        invoice_number: &number,
        amount_minor: total,
        invoice_date: &invoice_date,
        currency: &order.currency,
    };
    let print = fingerprint(&receivable);
    let id = uuid::Uuid::now_v7().to_string();
    let registered = db::invoices::register(
        &mut tx,
        &Registration {
            fingerprint: &print,
            tenant,
            invoice: &id,
            supplier: actor.org_id,
            buyer: tenant.into(),
            amount_minor: total,
            invoice_date: &invoice_date,
            currency: &order.currency,
            number: &number,
            now,
        },
    )
    .await?;
    if !registered {
        drop(tx);
        return refuse_duplicate(state, actor, &order, &number, total).await;
    }
    let look_alike = db::invoices::same_amount_and_date(
        &mut tx,
        actor.org_id,
        tenant.into(),
        total,
        &invoice_date,
    )
    .await?
    .into_iter()
    .find(|(other, _, other_number, currency)| {
        *other != id
            && near_duplicate(
                &receivable,
                &Receivable {
                    invoice_number: other_number,
                    currency,
                    ..receivable.clone()
                },
            )
    })
    .map(|(other, ..)| other);

    db::invoices::insert(
        &mut tx,
        &NewInvoice {
            tenant,
            id: &id,
            order: order.id,
            supplier: actor.org_id,
            number: &number,
            invoice_date: &invoice_date,
            due_date: &due_date,
            currency: &order.currency,
            amount_minor: total,
            fingerprint: &print,
            look_alike_of: look_alike.as_deref(),
            by: actor.user_id,
            now,
        },
    )
    .await?;
    let mut body_lines = Vec::new();
    for ((line_no, qty), amount) in wanted.iter().zip(&amounts) {
        let qty = qty.normalize().to_string();
        db::invoices::insert_line(&mut tx, tenant, &id, *line_no, &qty, *amount).await?;
        body_lines.push(json!({ "line_no": line_no, "quantity": qty, "amount_minor": amount }));
    }
    let detail = json!({ "invoice": id, "number": number, "amount_minor": total });
    timeline_event(&mut tx, actor, &order, "invoiced", None, detail, now).await?;
    let order_lines = db::order_lines::of_order(&mut tx, tenant, order.id).await?;
    let amount = crate::domain::money::display(total, &order.currency);
    sign_statement(
        &mut tx,
        state,
        actor,
        &order,
        "po.invoiced",
        &order_hash(&order, &order_lines)?,
        format!(
            "{} invoices {amount} as invoice {number} of {invoice_date}, due {due_date}, for PO {}",
            actor.org_name, order.po_number
        ),
        json!({
            "invoice_id": id, "number": number, "invoice_date": invoice_date,
            "due_date": due_date, "currency": order.currency, "amount_minor": total,
            "fingerprint": print, "lines": body_lines,
        }),
    )
    .await?;
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::new(actions::INVOICE_SUBMITTED, "invoice", &id).detail(json!({
            "order": order.id.to_string(), "number": number, "amount_minor": total,
            "look_alike_of": look_alike,
        })),
    )
    .await?;
    notifications::invoice_event(&mut tx, state, &order, "invoice_submitted", &actor.org_name)
        .await?;
    if look_alike.is_some() {
        notifications::invoice_event(
            &mut tx,
            state,
            &order,
            "invoice_look_alike",
            &actor.org_name,
        )
        .await?;
    }
    super::sla::clocks::sync(&mut tx, state, tenant, order.id).await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(Created::Invoice(id))
}

/// The receivable is registered already: refused, and the refusal is kept on the audit log and
/// told to the brand's finance people (in its own transaction: the invoice's rolled back).
async fn refuse_duplicate(
    state: &AppState,
    actor: &Actor,
    order: &db::orders::Order,
    number: &str,
    amount_minor: i64,
) -> ServiceResult<Created> {
    let mut tx = state.db.begin().await?;
    audit(
        &mut tx,
        actor,
        Some(order.tenant_id),
        AuditEvent::new(actions::INVOICE_DUPLICATE_REFUSED, "order", order.id).detail(json!({
            "number": number, "amount_minor": amount_minor,
        })),
    )
    .await?;
    notifications::invoice_event(&mut tx, state, order, "invoice_duplicate", &actor.org_name)
        .await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Err(ServiceError::Refused("invoice.refused.duplicate"))
}

/// The supplier withdraws an invoice the brand has not accepted; its receivable is released.
pub async fn cancel(state: &AppState, actor: &Actor, id: &str) -> ServiceResult<()> {
    let mut tx = state.db.begin().await?;
    let invoice = visible(&mut tx, actor, id).await?;
    if invoice.supplier_org_id != actor.org_id || !actor.can(Permission::RespondToOrders) {
        return Err(ServiceError::Forbidden);
    }
    let from = InvoiceState::parse(&invoice.state).ok_or(ServiceError::NotFound)?;
    let to = machine::cancel(from).map_err(|r| ServiceError::Refused(r.message_key()))?;
    let now = state.now().0;
    if !db::invoices::transition(
        &mut tx,
        invoice.tenant_id,
        &invoice.id,
        from.code(),
        to.code(),
        actor.user_id,
        None,
        now,
    )
    .await?
    {
        return Err(ServiceError::Refused("invoice.refused.not_open"));
    }
    db::invoices::release(&mut tx, &invoice.fingerprint, &invoice.id).await?;
    super::sla::clocks::sync(&mut tx, state, invoice.tenant_id, invoice.order_id).await?;
    audit(
        &mut tx,
        actor,
        Some(invoice.tenant_id),
        AuditEvent::new(actions::INVOICE_CANCELLED, "invoice", &invoice.id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

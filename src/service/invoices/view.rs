//! Reading invoices: who may see one (the brand's finance and order people, its supplier),
//! one with its lines (each view audited), the list, and an order's invoices for its page.

use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db::invoices::Invoice;
use crate::db::{self, Conn};
use crate::domain::finance::invoice::InvoiceState;
use crate::domain::ids::OrderId;
use crate::domain::org::{OrgKind, Permission};
use crate::service::orders::{Party, load_for};
use crate::service::{AuditEvent, ServiceError, ServiceResult, actions, audit, tenant_of};

/// An invoice for who may see it: the brand's finance and order people, and its supplier;
/// to anyone else it does not exist.
pub(crate) async fn visible(conn: &mut Conn, actor: &Actor, id: &str) -> ServiceResult<Invoice> {
    let tenant = tenant_of(actor)?.tenant_id;
    let invoice = db::invoices::get(conn, tenant, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let allowed = match actor.org_kind {
        OrgKind::Brand => {
            actor.can(Permission::DecideInvoices) || actor.can(Permission::ManageOrders)
        }
        _ => invoice.supplier_org_id == actor.org_id,
    };
    if allowed {
        Ok(invoice)
    } else {
        Err(ServiceError::NotFound)
    }
}

/// The order's invoices for its page: all of them for the brand's finance and order people and
/// for the order's partner (they are its own); none for anyone else (a warehouse sees no
/// amounts).
pub async fn of_order(
    state: &AppState,
    actor: &Actor,
    order: OrderId,
) -> ServiceResult<Vec<Invoice>> {
    let mut conn = state.db.read().await?;
    let (tenant, order, party) = load_for(&mut conn, actor, order).await?;
    let sees = match party {
        Party::Brand => {
            actor.can(Permission::DecideInvoices) || actor.can(Permission::ManageOrders)
        }
        Party::Partner => true,
        Party::ShipTo => false,
    };
    if !sees {
        return Ok(Vec::new());
    }
    Ok(db::invoices::of_order(&mut conn, tenant, order.id).await?)
}

/// An invoice with its lines: (line_no, sku, description, quantity, unit, amount).
pub type InvoiceLines = Vec<(i64, String, String, String, String, i64)>;

pub async fn get(
    state: &AppState,
    actor: &Actor,
    id: &str,
) -> ServiceResult<(Invoice, InvoiceLines)> {
    // A view of financial data is on the audit log, so it is read in a write transaction.
    let mut tx = state.db.begin().await?;
    let invoice = visible(&mut tx, actor, id).await?;
    let lines = db::invoices::lines(&mut tx, invoice.tenant_id, &invoice.id).await?;
    audit(
        &mut tx,
        actor,
        Some(invoice.tenant_id),
        AuditEvent::new(actions::INVOICE_VIEWED, "invoice", &invoice.id),
    )
    .await?;
    tx.commit().await?;
    Ok((invoice, lines))
}

/// The brand's invoices (or a supplier's own), newest first, optionally in one state.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    state_filter: Option<&str>,
    before: Option<(i64, &str)>,
) -> ServiceResult<Vec<Invoice>> {
    let tenant = tenant_of(actor)?.tenant_id;
    let supplier = match actor.org_kind {
        OrgKind::Brand
            if actor.can(Permission::DecideInvoices) || actor.can(Permission::ManageOrders) =>
        {
            None
        }
        OrgKind::Supplier | OrgKind::Factory => Some(actor.org_id),
        _ => return Err(ServiceError::NotFound),
    };
    let state_filter = state_filter
        .and_then(InvoiceState::parse)
        .map(InvoiceState::code);
    let mut conn = state.db.read().await?;
    Ok(db::invoices::list(
        &mut conn,
        tenant,
        supplier,
        state_filter,
        before,
        crate::service::PAGE_SIZE,
    )
    .await?)
}

//! Invoices, their lines, and the platform-wide receivables registry.

use sqlx::FromRow;

use super::Conn;
use crate::domain::ids::{OrderId, OrgId, TenantId, UserId};

#[derive(Clone, Debug, FromRow)]
pub struct Invoice {
    pub tenant_id: TenantId,
    pub id: String,
    pub order_id: OrderId,
    pub po_number: String,
    pub supplier_org_id: OrgId,
    pub supplier_name: String,
    pub number: String,
    pub invoice_date: String,
    pub due_date: String,
    pub currency: String,
    pub amount_minor: i64,
    pub state: String,
    pub fingerprint: String,
    pub look_alike_of: Option<String>,
    pub first_accepted_by: Option<UserId>,
    pub decided_by: Option<UserId>,
    pub decided_at: Option<i64>,
    pub dispute_reason: Option<String>,
    pub created_at: i64,
}

const INVOICE: &str = "SELECT i.tenant_id, i.id, i.order_id, o.po_number, i.supplier_org_id, \
     s.name AS supplier_name, i.number, i.invoice_date, i.due_date, i.currency, i.amount_minor, \
     i.state, i.fingerprint, i.look_alike_of, i.first_accepted_by, i.decided_by, i.decided_at, \
     i.dispute_reason, i.created_at \
     FROM invoices i JOIN orders o ON o.tenant_id = i.tenant_id AND o.id = i.order_id \
     JOIN orgs s ON s.id = i.supplier_org_id";

pub struct NewInvoice<'a> {
    pub tenant: TenantId,
    pub id: &'a str,
    pub order: OrderId,
    pub supplier: OrgId,
    pub number: &'a str,
    pub invoice_date: &'a str,
    pub due_date: &'a str,
    pub currency: &'a str,
    pub amount_minor: i64,
    pub fingerprint: &'a str,
    pub look_alike_of: Option<&'a str>,
    pub by: UserId,
    pub now: i64,
}

pub async fn insert(conn: &mut Conn, i: &NewInvoice<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO invoices (tenant_id, id, order_id, supplier_org_id, number, invoice_date, \
           due_date, currency, amount_minor, state, fingerprint, look_alike_of, created_by, \
           created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'submitted', $10, $11, $12, $13, $13)",
    )
    .bind(i.tenant)
    .bind(i.id)
    .bind(i.order)
    .bind(i.supplier)
    .bind(i.number)
    .bind(i.invoice_date)
    .bind(i.due_date)
    .bind(i.currency)
    .bind(i.amount_minor)
    .bind(i.fingerprint)
    .bind(i.look_alike_of)
    .bind(i.by)
    .bind(i.now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn insert_line(
    conn: &mut Conn,
    tenant: TenantId,
    invoice: &str,
    line_no: i64,
    quantity: &str,
    amount_minor: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO invoice_lines (tenant_id, invoice_id, line_no, quantity, amount_minor) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(tenant)
    .bind(invoice)
    .bind(line_no)
    .bind(quantity)
    .bind(amount_minor)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get(
    conn: &mut Conn,
    tenant: TenantId,
    id: &str,
) -> Result<Option<Invoice>, sqlx::Error> {
    sqlx::query_as(&format!("{INVOICE} WHERE i.tenant_id = $1 AND i.id = $2"))
        .bind(tenant)
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Invoice lines with the order line's SKU and unit: (line_no, sku, description, quantity, unit, amount).
pub async fn lines(
    conn: &mut Conn,
    tenant: TenantId,
    invoice: &str,
) -> Result<Vec<(i64, String, String, String, String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT l.line_no, ol.sku, ol.description, l.quantity, ol.unit, l.amount_minor \
         FROM invoice_lines l JOIN invoices i ON i.tenant_id = l.tenant_id AND i.id = l.invoice_id \
         JOIN order_lines ol ON ol.tenant_id = i.tenant_id AND ol.order_id = i.order_id \
           AND ol.line_no = l.line_no \
         WHERE l.tenant_id = $1 AND l.invoice_id = $2 ORDER BY l.line_no",
    )
    .bind(tenant)
    .bind(invoice)
    .fetch_all(conn)
    .await
}

/// The order's invoices, oldest first.
pub async fn of_order(
    conn: &mut Conn,
    tenant: TenantId,
    order: OrderId,
) -> Result<Vec<Invoice>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{INVOICE} WHERE i.tenant_id = $1 AND i.order_id = $2 ORDER BY i.created_at, i.id"
    ))
    .bind(tenant)
    .bind(order)
    .fetch_all(conn)
    .await
}

/// Quantities and amounts claimed per order line by the order's invoices in the given states.
pub async fn claimed(
    conn: &mut Conn,
    tenant: TenantId,
    order: OrderId,
    states: &[&str],
) -> Result<Vec<(i64, String, i64)>, sqlx::Error> {
    let mut q = super::DynamicSql::default();
    let t = q.text(tenant.to_string());
    let o = q.text(order.to_string());
    let s: Vec<String> = states.iter().map(|s| q.text((*s).to_owned())).collect();
    q.sql = format!(
        "SELECT l.line_no, l.quantity, l.amount_minor FROM invoice_lines l \
         JOIN invoices i ON i.tenant_id = l.tenant_id AND i.id = l.invoice_id \
         WHERE i.tenant_id = {t} AND i.order_id = {o} AND i.state IN ({})",
        s.join(", ")
    );
    q.fetch_all(conn).await
}

/// A page of the brand's invoices (all suppliers, or one), newest first; keyset on (created_at, id).
pub async fn list(
    conn: &mut Conn,
    tenant: TenantId,
    supplier: Option<OrgId>,
    state: Option<&str>,
    before: Option<(i64, &str)>,
    limit: i64,
) -> Result<Vec<Invoice>, sqlx::Error> {
    let mut q = super::DynamicSql::default();
    let mut sql = format!(
        "{INVOICE} WHERE i.tenant_id = {}",
        q.text(tenant.to_string())
    );
    if let Some(s) = supplier {
        sql.push_str(&format!(
            " AND i.supplier_org_id = {}",
            q.text(s.to_string())
        ));
    }
    if let Some(st) = state {
        sql.push_str(&format!(" AND i.state = {}", q.text(st.to_owned())));
    }
    sql.push_str(&q.newest_first(("i.created_at", "i.id"), before, limit));
    q.sql = sql;
    q.fetch_all(conn).await
}

/// Moves an invoice from `from` to `to` (false: it was not in `from` any more).
#[allow(clippy::too_many_arguments)]
pub async fn transition(
    conn: &mut Conn,
    tenant: TenantId,
    id: &str,
    from: &str,
    to: &str,
    by: UserId,
    reason: Option<&str>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let first = (to == "awaiting_second_acceptance").then_some(by);
    let done = sqlx::query(
        "UPDATE invoices SET state = $4, decided_by = $5, decided_at = $7, updated_at = $7, \
           dispute_reason = COALESCE($6, dispute_reason), \
           first_accepted_by = COALESCE($8, first_accepted_by) \
         WHERE tenant_id = $1 AND id = $2 AND state = $3",
    )
    .bind(tenant)
    .bind(id)
    .bind(from)
    .bind(to)
    .bind(by)
    .bind(reason)
    .bind(now)
    .bind(first)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The registry entry of a receivable.
pub struct Registration<'a> {
    pub fingerprint: &'a str,
    pub tenant: TenantId,
    pub invoice: &'a str,
    pub supplier: OrgId,
    pub buyer: OrgId,
    pub amount_minor: i64,
    pub invoice_date: &'a str,
    pub currency: &'a str,
    pub number: &'a str,
    pub now: i64,
}

/// Claims the fingerprint for the invoice: false when the receivable is registered already
/// (anywhere on the platform).
pub async fn register(conn: &mut Conn, r: &Registration<'_>) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO receivables_registry (fingerprint, tenant_id, invoice_id, supplier_org_id, \
           buyer_org_id, amount_minor, invoice_date, currency, number, registered_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (fingerprint) DO NOTHING",
    )
    .bind(r.fingerprint)
    .bind(r.tenant)
    .bind(r.invoice)
    .bind(r.supplier)
    .bind(r.buyer)
    .bind(r.amount_minor)
    .bind(r.invoice_date)
    .bind(r.currency)
    .bind(r.number)
    .bind(r.now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Registered receivables of a supplier towards a buyer with this amount and date (for the
/// look-alike rule): (invoice id, tenant, number, currency).
pub async fn same_amount_and_date(
    conn: &mut Conn,
    supplier: OrgId,
    buyer: OrgId,
    amount_minor: i64,
    invoice_date: &str,
) -> Result<Vec<(String, String, String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT invoice_id, tenant_id, number, currency FROM receivables_registry \
         WHERE supplier_org_id = $1 AND buyer_org_id = $2 AND amount_minor = $3 AND invoice_date = $4",
    )
    .bind(supplier)
    .bind(buyer)
    .bind(amount_minor)
    .bind(invoice_date)
    .fetch_all(conn)
    .await
}

pub async fn release(conn: &mut Conn, fingerprint: &str, invoice: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM receivables_registry WHERE fingerprint = $1 AND invoice_id = $2")
        .bind(fingerprint)
        .bind(invoice)
        .execute(conn)
        .await?;
    Ok(())
}

/// What the warehouse counted in per order line: (line_no, received, damaged) per receipt.
pub async fn received_rows(
    conn: &mut Conn,
    tenant: TenantId,
    order: OrderId,
) -> Result<Vec<(i64, String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT r.line_no, r.received, r.damaged FROM receipt_lines r \
         JOIN asns a ON a.tenant_id = r.tenant_id AND a.id = r.asn_id \
         WHERE a.tenant_id = $1 AND a.order_id = $2",
    )
    .bind(tenant)
    .bind(order)
    .fetch_all(conn)
    .await
}

/// Moves an invoice's state for a financing step (financed, paid) without touching who decided
/// it; false when it was not in `from` any more.
pub async fn set_state(
    conn: &mut Conn,
    tenant: TenantId,
    id: &str,
    from: &str,
    to: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE invoices SET state = $4, updated_at = $5 \
         WHERE tenant_id = $1 AND id = $2 AND state = $3",
    )
    .bind(tenant)
    .bind(id)
    .bind(from)
    .bind(to)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

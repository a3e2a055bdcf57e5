//! Financing requests, the registry's financing claim, and the figures the financier's risk
//! flags and the program limits are computed from.

use sqlx::FromRow;

use super::Conn;
use crate::domain::ids::{OrderId, OrgId, TenantId, UserId};

#[derive(Clone, Debug, FromRow)]
pub struct FinancingRow {
    pub tenant_id: TenantId,
    pub id: String,
    pub invoice_id: String,
    pub invoice_number: String,
    pub order_id: OrderId,
    pub po_number: String,
    pub program_id: String,
    pub program_name: String,
    pub financier_org_id: OrgId,
    pub financier_name: String,
    pub supplier_org_id: OrgId,
    pub supplier_name: String,
    pub state: String,
    pub auto: i64,
    pub currency: String,
    pub face_minor: i64,
    pub due_date: String,
    pub value_date: Option<String>,
    pub days: Option<i64>,
    pub advance_minor: Option<i64>,
    pub fee_minor: Option<i64>,
    pub net_minor: Option<i64>,
    pub pricing: Option<String>,
    pub rate_bps: Option<i64>,
    pub day_count: Option<String>,
    pub advance_bps: Option<i64>,
    pub collection_account: Option<String>,
    pub decline_reason: Option<String>,
    pub requested_by: UserId,
    pub requested_at: i64,
    pub offered_by: Option<UserId>,
    pub first_approved_by: Option<UserId>,
    pub disbursed_at: Option<i64>,
    pub repaid_at: Option<i64>,
}

const FINANCING: &str = "SELECT f.tenant_id, f.id, f.invoice_id, i.number AS invoice_number, \
     i.order_id, o.po_number, f.program_id, p.name AS program_name, f.financier_org_id, \
     fo.name AS financier_name, f.supplier_org_id, so.name AS supplier_name, f.state, f.auto, \
     f.currency, f.face_minor, f.due_date, f.value_date, f.days, f.advance_minor, f.fee_minor, \
     f.net_minor, f.pricing, f.rate_bps, f.day_count, f.advance_bps, f.collection_account, \
     f.decline_reason, f.requested_by, f.requested_at, f.offered_by, f.first_approved_by, \
     f.disbursed_at, f.repaid_at \
     FROM financings f \
     JOIN invoices i ON i.tenant_id = f.tenant_id AND i.id = f.invoice_id \
     JOIN orders o ON o.tenant_id = i.tenant_id AND o.id = i.order_id \
     JOIN finance_programs p ON p.tenant_id = f.tenant_id AND p.id = f.program_id \
     JOIN orgs fo ON fo.id = f.financier_org_id \
     JOIN orgs so ON so.id = f.supplier_org_id";

pub struct NewFinancing<'a> {
    pub tenant: TenantId,
    pub id: &'a str,
    pub invoice: &'a str,
    pub program: &'a str,
    pub financier: OrgId,
    pub supplier: OrgId,
    pub auto: bool,
    pub currency: &'a str,
    pub face_minor: i64,
    pub due_date: &'a str,
    pub by: UserId,
    pub now: i64,
}

/// Opens a request; false when the invoice already has a live financing (the unique index
/// decides, so two concurrent requests cannot both get in).
pub async fn insert(conn: &mut Conn, f: &NewFinancing<'_>) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO financings (tenant_id, id, invoice_id, program_id, financier_org_id, \
           supplier_org_id, state, auto, currency, face_minor, due_date, requested_by, \
           requested_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'requested', $7, $8, $9, $10, $11, $12, $12) \
         ON CONFLICT DO NOTHING",
    )
    .bind(f.tenant)
    .bind(f.id)
    .bind(f.invoice)
    .bind(f.program)
    .bind(f.financier)
    .bind(f.supplier)
    .bind(i64::from(f.auto))
    .bind(f.currency)
    .bind(f.face_minor)
    .bind(f.due_date)
    .bind(f.by)
    .bind(f.now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn get(
    conn: &mut Conn,
    tenant: TenantId,
    id: &str,
) -> Result<Option<FinancingRow>, sqlx::Error> {
    sqlx::query_as(&format!("{FINANCING} WHERE f.tenant_id = $1 AND f.id = $2"))
        .bind(tenant)
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// The invoice's financings, newest first.
pub async fn of_invoice(
    conn: &mut Conn,
    tenant: TenantId,
    invoice: &str,
) -> Result<Vec<FinancingRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{FINANCING} WHERE f.tenant_id = $1 AND f.invoice_id = $2 \
         ORDER BY f.requested_at DESC, f.id DESC"
    ))
    .bind(tenant)
    .bind(invoice)
    .fetch_all(conn)
    .await
}

/// The order's financings, oldest first, for its clocks: (state, financier).
pub async fn of_order(
    conn: &mut Conn,
    tenant: TenantId,
    order: OrderId,
) -> Result<Vec<(String, OrgId)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT f.state, f.financier_org_id FROM financings f \
         JOIN invoices i ON i.tenant_id = f.tenant_id AND i.id = f.invoice_id \
         WHERE f.tenant_id = $1 AND i.order_id = $2 ORDER BY f.requested_at, f.id",
    )
    .bind(tenant)
    .bind(order)
    .fetch_all(conn)
    .await
}

/// Who a list is for: the brand (all), one financier, or one supplier.
#[derive(Clone, Copy, Debug)]
pub enum Seen {
    Brand,
    Financier(OrgId),
    Supplier(OrgId),
}

/// A page of financings, newest first; keyset on (requested_at, id).
pub async fn list(
    conn: &mut Conn,
    tenant: TenantId,
    seen: Seen,
    state: Option<&str>,
    before: Option<(i64, &str)>,
    limit: i64,
) -> Result<Vec<FinancingRow>, sqlx::Error> {
    let mut q = super::DynamicSql::default();
    let mut sql = format!(
        "{FINANCING} WHERE f.tenant_id = {}",
        q.text(tenant.to_string())
    );
    match seen {
        Seen::Brand => {}
        Seen::Financier(org) => sql.push_str(&format!(
            " AND f.financier_org_id = {}",
            q.text(org.to_string())
        )),
        Seen::Supplier(org) => sql.push_str(&format!(
            " AND f.supplier_org_id = {}",
            q.text(org.to_string())
        )),
    }
    if let Some(st) = state {
        sql.push_str(&format!(" AND f.state = {}", q.text(st.to_owned())));
    }
    sql.push_str(&q.newest_first(("f.requested_at", "f.id"), before, limit));
    q.sql = sql;
    q.fetch_all(conn).await
}

/// The offer's figures, as quoted.
pub struct Offer<'a> {
    pub value_date: &'a str,
    pub days: i64,
    pub advance_minor: i64,
    pub fee_minor: i64,
    pub net_minor: i64,
    pub pricing: &'a str,
    pub rate_bps: i64,
    pub day_count: &'a str,
    pub advance_bps: i64,
    pub collection_account: &'a str,
}

/// Records the offer if the request is still waiting for one.
pub async fn offer(
    conn: &mut Conn,
    tenant: TenantId,
    id: &str,
    o: &Offer<'_>,
    by: UserId,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE financings SET state = 'offered', value_date = $3, days = $4, advance_minor = $5, \
           fee_minor = $6, net_minor = $7, pricing = $8, rate_bps = $9, day_count = $10, \
           advance_bps = $11, collection_account = $12, offered_by = $13, offered_at = $14, \
           updated_at = $14 \
         WHERE tenant_id = $1 AND id = $2 AND state = 'requested'",
    )
    .bind(tenant)
    .bind(id)
    .bind(o.value_date)
    .bind(o.days)
    .bind(o.advance_minor)
    .bind(o.fee_minor)
    .bind(o.net_minor)
    .bind(o.pricing)
    .bind(o.rate_bps)
    .bind(o.day_count)
    .bind(o.advance_bps)
    .bind(o.collection_account)
    .bind(by)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Moves a financing from `from` to `to`, stamping who did it in the step's own columns
/// (false: another step got there first).
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
    // Each target state names the columns it stamps; the rest keep their values.
    let stamp = match to {
        "offer_accepted" => "accepted_by = $5, accepted_at = $6",
        "awaiting_second_approval" => "first_approved_by = $5",
        "disbursed" => "disbursed_by = $5, disbursed_at = $6",
        "repaid" => "repaid_by = $5, repaid_at = $6",
        _ => "decline_reason = COALESCE($7, decline_reason)",
    };
    let done = sqlx::query(&format!(
        "UPDATE financings SET state = $4, {stamp}, updated_at = $6 \
         WHERE tenant_id = $1 AND id = $2 AND state = $3"
    ))
    .bind(tenant)
    .bind(id)
    .bind(from)
    .bind(to)
    .bind(by)
    .bind(now)
    .bind(reason)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Claims the receivable for this financing in the platform-wide registry: false when another
/// financing (under any brand, by any financier) holds it.
pub async fn claim_receivable(
    conn: &mut Conn,
    fingerprint: &str,
    financing: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE receivables_registry SET financing_id = $2 \
         WHERE fingerprint = $1 AND financing_id IS NULL",
    )
    .bind(fingerprint)
    .bind(financing)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The financing holding the receivable, if any.
pub async fn claimed_by(conn: &mut Conn, fingerprint: &str) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(Option<String>,)> =
        sqlx::query_as("SELECT financing_id FROM receivables_registry WHERE fingerprint = $1")
            .bind(fingerprint)
            .fetch_optional(conn)
            .await?;
    Ok(row.and_then(|(f,)| f))
}

/// Frees the receivable when the financing ends without money moving.
pub async fn release_receivable(
    conn: &mut Conn,
    fingerprint: &str,
    financing: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE receivables_registry SET financing_id = NULL \
         WHERE fingerprint = $1 AND financing_id = $2",
    )
    .bind(fingerprint)
    .bind(financing)
    .execute(conn)
    .await?;
    Ok(())
}

/// Disbursed financings past their due date that were not yet alerted, across brands.
pub async fn newly_overdue(
    conn: &mut Conn,
    today: &str,
    limit: i64,
) -> Result<Vec<(TenantId, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT tenant_id, id FROM financings \
         WHERE state = 'disbursed' AND due_date < $1 AND overdue_alerted_at IS NULL \
         ORDER BY due_date, id LIMIT $2",
    )
    .bind(today)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Marks the overdue alert sent; false when another replica marked it first.
pub async fn mark_overdue_alerted(
    conn: &mut Conn,
    tenant: TenantId,
    id: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE financings SET overdue_alerted_at = $3 \
         WHERE tenant_id = $1 AND id = $2 AND overdue_alerted_at IS NULL",
    )
    .bind(tenant)
    .bind(id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

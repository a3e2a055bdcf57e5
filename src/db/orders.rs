//! Purchase orders and their lines. Every function takes the tenant first; partner scoping is
//! the caller's filter argument, never implied.

use sqlx::FromRow;

use super::{Conn, DynamicSql};
use crate::domain::ids::{OrderId, OrgId, TenantId, UserId};
use crate::domain::order::state::OrderState;

#[derive(Clone, Debug, FromRow)]
pub struct Order {
    pub tenant_id: TenantId,
    pub id: OrderId,
    pub po_number: String,
    pub partner_org_id: OrgId,
    pub partner_name: String,
    pub ship_to_org_id: Option<OrgId>,
    pub ship_to_name: Option<String>,
    pub currency: String,
    pub incoterms: String,
    pub payment_terms: String,
    pub requested_delivery: String,
    pub state: OrderState,
    pub version: i64,
    pub due_date: String,
    pub total_minor: i64,
    pub line_count: i64,
    pub cancel_reason: Option<String>,
    pub created_by: UserId,
    pub created_at: i64,
    pub issued_at: Option<i64>,
    pub updated_at: i64,
}

const ORDER_COLUMNS: &str = "o.tenant_id, o.id, o.po_number, o.partner_org_id, p.name AS partner_name, \
     o.ship_to_org_id, (SELECT s.name FROM orgs s WHERE s.id = o.ship_to_org_id) AS ship_to_name, \
     o.currency, o.incoterms, o.payment_terms, o.requested_delivery, o.state, \
     o.version, o.due_date, o.total_minor, o.line_count, o.cancel_reason, o.created_by, \
     o.created_at, o.issued_at, o.updated_at";

pub struct NewOrder<'a> {
    pub tenant: TenantId,
    pub id: OrderId,
    pub po_number: &'a str,
    pub partner: OrgId,
    pub ship_to: Option<OrgId>,
    pub currency: &'a str,
    pub incoterms: &'a str,
    pub payment_terms: &'a str,
    pub requested_delivery: &'a str,
    pub due_date: &'a str,
    pub total_minor: i64,
    pub line_count: i64,
    pub created_by: UserId,
    pub now: i64,
}

/// Inserts a draft. Returns false when the PO number is already taken in this brand.
pub async fn insert(conn: &mut Conn, o: &NewOrder<'_>) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "INSERT INTO orders (tenant_id, id, po_number, partner_org_id, ship_to_org_id, currency, \
             incoterms, payment_terms, requested_delivery, state, version, due_date, total_minor, \
             line_count, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'draft', 1, $10, $11, $12, $13, $14, $14) \
         ON CONFLICT DO NOTHING",
    )
    .bind(o.tenant)
    .bind(o.id)
    .bind(o.po_number)
    .bind(o.partner)
    .bind(o.ship_to)
    .bind(o.currency)
    .bind(o.incoterms)
    .bind(o.payment_terms)
    .bind(o.requested_delivery)
    .bind(o.due_date)
    .bind(o.total_minor)
    .bind(o.line_count)
    .bind(o.created_by)
    .bind(o.now)
    .execute(conn)
    .await?;
    // A taken PO number inserts nothing (and, unlike a caught error, leaves a PostgreSQL
    // transaction usable).
    Ok(result.rows_affected() == 1)
}

pub async fn get(
    conn: &mut Conn,
    tenant: TenantId,
    id: OrderId,
) -> Result<Option<Order>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {ORDER_COLUMNS} FROM orders o JOIN orgs p ON p.id = o.partner_org_id \
         WHERE o.tenant_id = $1 AND o.id = $2"
    ))
    .bind(tenant)
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// A version step: the new state and derived columns, applied only if the order is still at
/// `seen_version`.
pub struct VersionBump<'a> {
    pub tenant: TenantId,
    pub id: OrderId,
    pub seen_version: i64,
    pub state: OrderState,
    pub due_date: &'a str,
    pub total_minor: i64,
    pub now: i64,
}

/// Moves the order one version on if nobody changed it since `seen_version`; false means
/// someone did, and the caller refuses the decision as stale.
pub async fn bump_version(conn: &mut Conn, b: &VersionBump<'_>) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE orders SET version = version + 1, state = $4, due_date = $5, total_minor = $6, \
             updated_at = $7, issued_at = CASE WHEN $4 = 'issued' AND issued_at IS NULL THEN $7 ELSE issued_at END \
         WHERE tenant_id = $1 AND id = $2 AND version = $3",
    )
    .bind(b.tenant)
    .bind(b.id)
    .bind(b.seen_version)
    .bind(b.state)
    .bind(b.due_date)
    .bind(b.total_minor)
    .bind(b.now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_cancel_reason(
    conn: &mut Conn,
    tenant: TenantId,
    id: OrderId,
    reason: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE orders SET cancel_reason = $3 WHERE tenant_id = $1 AND id = $2")
        .bind(tenant)
        .bind(id)
        .bind(reason)
        .execute(conn)
        .await?;
    Ok(())
}

/// Which orders a list shows.
pub struct ListFilter<'a> {
    pub tenant: TenantId,
    /// Partners see only orders placed with them.
    pub partner: Option<OrgId>,
    pub states: &'a [OrderState],
    /// Prefix of the PO number or of a line's SKU.
    pub text: Option<&'a str>,
    pub due_from: Option<&'a str>,
    pub due_to: Option<&'a str>,
    /// Keyset: the (due_date, id) of the last row shown.
    pub after: Option<(&'a str, OrderId)>,
    /// Only orders with a receipt discrepancy at the warehouse.
    pub with_discrepancy: bool,
    pub limit: i64,
}

/// One page of orders by due date, then id. Each condition uses an index prefix
/// (tenant, [partner], [state], due_date, id), so a page costs the same at any table size.
pub async fn list(conn: &mut Conn, f: &ListFilter<'_>) -> Result<Vec<Order>, sqlx::Error> {
    let mut q = DynamicSql::default();
    let tenant = q.text(f.tenant.to_string());
    q.sql = format!(
        "SELECT {ORDER_COLUMNS} FROM orders o JOIN orgs p ON p.id = o.partner_org_id WHERE o.tenant_id = {tenant}"
    );
    if let Some(partner) = f.partner {
        let p = q.text(partner.to_string());
        q.sql.push_str(&format!(" AND o.partner_org_id = {p}"));
    }
    if !f.states.is_empty() {
        let placeholders: Vec<String> = f
            .states
            .iter()
            .map(|s| q.text(s.as_str().to_owned()))
            .collect();
        q.sql
            .push_str(&format!(" AND o.state IN ({})", placeholders.join(", ")));
    }
    if let Some(text) = f.text {
        // A prefix match; the user's own % and _ are matched literally.
        let escaped = text
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let pattern = q.text(format!("{escaped}%"));
        q.sql.push_str(&format!(
            " AND (o.po_number LIKE {pattern} ESCAPE '\\' OR EXISTS (SELECT 1 FROM order_lines l \
               WHERE l.tenant_id = o.tenant_id AND l.order_id = o.id AND l.sku LIKE {pattern} ESCAPE '\\'))"
        ));
    }
    if f.with_discrepancy {
        q.sql.push_str(
            " AND EXISTS (SELECT 1 FROM asns a JOIN receipt_lines r \
               ON r.tenant_id = a.tenant_id AND r.asn_id = a.id \
             WHERE a.tenant_id = o.tenant_id AND a.order_id = o.id AND r.reason <> '')",
        );
    }
    if let Some(from) = f.due_from {
        let p = q.text(from.to_owned());
        q.sql.push_str(&format!(" AND o.due_date >= {p}"));
    }
    if let Some(to) = f.due_to {
        let p = q.text(to.to_owned());
        q.sql.push_str(&format!(" AND o.due_date <= {p}"));
    }
    if let Some((due, id)) = f.after {
        let (d, i) = (q.text(due.to_owned()), q.text(id.to_string()));
        q.sql.push_str(&format!(
            " AND (o.due_date > {d} OR (o.due_date = {d} AND o.id > {i}))"
        ));
    }
    let limit = q.int(f.limit);
    q.sql
        .push_str(&format!(" ORDER BY o.due_date, o.id LIMIT {limit}"));
    q.fetch_all(conn).await
}

/// Counts for home pages: orders in the given states, for a brand or one partner.
pub async fn count_in_states(
    conn: &mut Conn,
    tenant: TenantId,
    partner: Option<OrgId>,
    states: &[OrderState],
) -> Result<i64, sqlx::Error> {
    let mut total = 0;
    for state in states {
        let n: i64 = match partner {
            Some(p) => sqlx::query_scalar(
                "SELECT COUNT(*) FROM orders WHERE tenant_id = $1 AND partner_org_id = $2 AND state = $3",
            )
            .bind(tenant)
            .bind(p)
            .bind(*state)
            .fetch_one(&mut *conn)
            .await?,
            None => sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE tenant_id = $1 AND state = $2")
                .bind(tenant)
                .bind(*state)
                .fetch_one(&mut *conn)
                .await?,
        };
        total += n;
    }
    Ok(total)
}

pub async fn po_number_taken(
    conn: &mut Conn,
    tenant: TenantId,
    po_number: &str,
) -> Result<bool, sqlx::Error> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE tenant_id = $1 AND po_number = $2")
            .bind(tenant)
            .bind(po_number)
            .fetch_one(conn)
            .await?;
    Ok(n > 0)
}

pub async fn id_by_po_number(
    conn: &mut Conn,
    tenant: TenantId,
    po_number: &str,
) -> Result<Option<OrderId>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM orders WHERE tenant_id = $1 AND po_number = $2")
        .bind(tenant)
        .bind(po_number)
        .fetch_optional(conn)
        .await
}

/// Holds the order's row until the transaction ends, so that concurrent steps on one order
/// (invoices claiming its received quantities, statements extending its chain) go one at a
/// time. SQLite's write transactions already run one at a time; PostgreSQL locks the row.
pub async fn lock(
    conn: &mut Conn,
    engine: super::Engine,
    tenant: TenantId,
    order: OrderId,
) -> Result<(), sqlx::Error> {
    if engine == super::Engine::Postgres {
        sqlx::query("SELECT id FROM orders WHERE tenant_id = $1 AND id = $2 FOR UPDATE")
            .bind(tenant)
            .bind(order)
            .fetch_optional(conn)
            .await?;
    }
    Ok(())
}

//! Figures about financings for limits, risk flags and the financier's home page: sums and
//! counts, never rows.

use super::Conn;
use crate::domain::ids::{OrderId, OrgId, TenantId};

/// The face amounts a program holds live (requested to disbursed): (of this supplier, in all).
pub async fn outstanding(
    conn: &mut Conn,
    tenant: TenantId,
    program: &str,
    supplier: OrgId,
) -> Result<(i64, i64), sqlx::Error> {
    let (mine, all): (Option<i64>, Option<i64>) = sqlx::query_as(
        "SELECT CAST(SUM(CASE WHEN supplier_org_id = $3 THEN face_minor ELSE 0 END) AS BIGINT), \
           CAST(SUM(face_minor) AS BIGINT) \
         FROM financings WHERE tenant_id = $1 AND program_id = $2 \
           AND state IN ('requested', 'offered', 'offer_accepted', 'awaiting_second_approval', \
                         'disbursed')",
    )
    .bind(tenant)
    .bind(program)
    .bind(supplier)
    .fetch_one(conn)
    .await?;
    Ok((mine.unwrap_or(0), all.unwrap_or(0)))
}

/// The supplier's finished clocks with the brand since `since`: (met, late).
pub async fn sla_record(
    conn: &mut Conn,
    tenant: TenantId,
    supplier: OrgId,
    since: i64,
) -> Result<(i64, i64), sqlx::Error> {
    let (met, late): (Option<i64>, Option<i64>) = sqlx::query_as(
        "SELECT CAST(SUM(CASE WHEN outcome = 'met' THEN 1 ELSE 0 END) AS BIGINT), \
           CAST(SUM(CASE WHEN outcome = 'late' THEN 1 ELSE 0 END) AS BIGINT) \
         FROM sla_timers WHERE tenant_id = $1 AND partner_org_id = $2 AND state = 'stopped' \
           AND stopped_at >= $3",
    )
    .bind(tenant)
    .bind(supplier)
    .bind(since)
    .fetch_one(conn)
    .await?;
    Ok((met.unwrap_or(0), late.unwrap_or(0)))
}

/// Receipts on the order that did not match what was announced.
pub async fn receipt_discrepancies(
    conn: &mut Conn,
    tenant: TenantId,
    order: OrderId,
) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(DISTINCT r.asn_id) FROM receipt_lines r \
         JOIN asns a ON a.tenant_id = r.tenant_id AND a.id = r.asn_id \
         WHERE a.tenant_id = $1 AND a.order_id = $2 \
           AND r.reason <> ''",
    )
    .bind(tenant)
    .bind(order)
    .fetch_one(conn)
    .await?;
    Ok(n)
}

/// The supplier's invoices to the brand that the brand disputed.
pub async fn disputed_invoices(
    conn: &mut Conn,
    tenant: TenantId,
    supplier: OrgId,
) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM invoices WHERE tenant_id = $1 AND supplier_org_id = $2 \
           AND state = 'disputed'",
    )
    .bind(tenant)
    .bind(supplier)
    .fetch_one(conn)
    .await?;
    Ok(n)
}

/// A financier's financings with the brand in one of `states` (and, with `due_before`, due
/// before that date), for its home page.
pub async fn count_for_financier(
    conn: &mut Conn,
    tenant: TenantId,
    financier: OrgId,
    states: &[&str],
    due_before: Option<&str>,
) -> Result<i64, sqlx::Error> {
    let mut q = super::DynamicSql::default();
    let t = q.text(tenant.to_string());
    let f = q.text(financier.to_string());
    let s: Vec<String> = states.iter().map(|s| q.text((*s).to_owned())).collect();
    let due = match due_before {
        Some(d) => format!(" AND due_date < {}", q.text(d.to_owned())),
        None => String::new(),
    };
    q.sql = format!(
        "SELECT COUNT(*) FROM financings WHERE tenant_id = {t} AND financier_org_id = {f} \
         AND state IN ({}){due}",
        s.join(", ")
    );
    let rows: Vec<(i64,)> = q.fetch_all(conn).await?;
    Ok(rows.first().map_or(0, |(n,)| *n))
}

//! Partnerships between a brand (the tenant) and a partner organisation.

use sqlx::FromRow;

use super::Conn;
use crate::domain::ids::{OrgId, TenantId};
use crate::domain::org::OrgKind;
use crate::domain::partnership::PartnershipStatus;

/// A partnership seen from the brand: the partner org with its status.
#[derive(Clone, Debug, FromRow)]
pub struct PartnerRow {
    pub partner_org_id: OrgId,
    pub name: String,
    pub kind: OrgKind,
    pub status: PartnershipStatus,
    pub created_at: i64,
    pub user_count: i64,
}

/// A partnership seen from the partner: the brand it serves.
#[derive(Clone, Debug, FromRow)]
pub struct BrandRow {
    pub tenant_id: TenantId,
    pub name: String,
    pub status: PartnershipStatus,
}

pub async fn insert(
    conn: &mut Conn,
    tenant: TenantId,
    partner: OrgId,
    status: PartnershipStatus,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO partnerships (tenant_id, partner_org_id, status, created_at, updated_at, \
                                   partner_kind) \
         VALUES ($1, $2, $3, $4, $4, (SELECT kind FROM orgs WHERE id = $2))",
    )
    .bind(tenant)
    .bind(partner)
    .bind(status)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get(
    conn: &mut Conn,
    tenant: TenantId,
    partner: OrgId,
) -> Result<Option<PartnerRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.partner_org_id, o.name, o.kind, p.status, p.created_at, \
                (SELECT COUNT(*) FROM users u WHERE u.org_id = o.id) AS user_count \
         FROM partnerships p JOIN orgs o ON o.id = p.partner_org_id \
         WHERE p.tenant_id = $1 AND p.partner_org_id = $2",
    )
    .bind(tenant)
    .bind(partner)
    .fetch_optional(conn)
    .await
}

/// The brand's name when `partner` actively serves it, in one statement (an API call checks
/// this on every request).
pub async fn active_brand_name(
    conn: &mut Conn,
    tenant: TenantId,
    partner: OrgId,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT b.name FROM partnerships p JOIN orgs b ON b.id = p.tenant_id \
         WHERE p.tenant_id = $1 AND p.partner_org_id = $2 AND p.status = $3",
    )
    .bind(tenant)
    .bind(partner)
    .bind(PartnershipStatus::Active)
    .fetch_optional(conn)
    .await
}

pub async fn set_status(
    conn: &mut Conn,
    tenant: TenantId,
    partner: OrgId,
    status: PartnershipStatus,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE partnerships SET status = $3, updated_at = $4 \
         WHERE tenant_id = $1 AND partner_org_id = $2",
    )
    .bind(tenant)
    .bind(partner)
    .bind(status)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// The brand's partners, ordered by name; `after` is the (name, id) of the last row shown.
pub async fn list_for_tenant(
    conn: &mut Conn,
    tenant: TenantId,
    after: Option<(&str, OrgId)>,
    limit: i64,
) -> Result<Vec<PartnerRow>, sqlx::Error> {
    let (name, id) = after
        .map(|(n, i)| (n.to_owned(), i.to_string()))
        .unwrap_or_default();
    sqlx::query_as(
        "SELECT p.partner_org_id, o.name, o.kind, p.status, p.created_at, \
                (SELECT COUNT(*) FROM users u WHERE u.org_id = o.id) AS user_count \
         FROM partnerships p JOIN orgs o ON o.id = p.partner_org_id \
         WHERE p.tenant_id = $1 AND (o.name > $2 OR (o.name = $2 AND o.id > $3)) \
         ORDER BY o.name, o.id LIMIT $4",
    )
    .bind(tenant)
    .bind(name)
    .bind(id)
    .bind(limit)
    .fetch_all(conn)
    .await
}

pub async fn count_for_tenant(
    conn: &mut Conn,
    tenant: TenantId,
    status: PartnershipStatus,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM partnerships WHERE tenant_id = $1 AND status = $2")
        .bind(tenant)
        .bind(status)
        .fetch_one(conn)
        .await
}

/// Every brand a partner organisation works with, active ones first, then by name.
pub async fn brands_of_partner(
    conn: &mut Conn,
    partner: OrgId,
) -> Result<Vec<BrandRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.tenant_id, o.name, p.status \
         FROM partnerships p JOIN orgs o ON o.id = p.tenant_id \
         WHERE p.partner_org_id = $1 ORDER BY o.name, o.id",
    )
    .bind(partner)
    .fetch_all(conn)
    .await
}

/// Active partners of the given kinds, by name: the choices of an order form.
pub async fn active_of_kinds(
    conn: &mut Conn,
    tenant: TenantId,
    kinds: &[OrgKind],
) -> Result<Vec<(OrgId, String, OrgKind)>, sqlx::Error> {
    active_where(conn, tenant, kinds, None).await
}

/// `org` if it is an active partner of one of the given kinds (the ship-to an order names).
pub async fn active_one_of_kinds(
    conn: &mut Conn,
    tenant: TenantId,
    kinds: &[OrgKind],
    org: OrgId,
) -> Result<Vec<(OrgId, String, OrgKind)>, sqlx::Error> {
    active_where(conn, tenant, kinds, Some(org)).await
}

/// The kinds are filtered in SQL on the partnership's own copy of the partner's kind (migration
/// 0025): a large brand has thousands of suppliers and factories but a handful of warehouses,
/// and the warehouse choices must not cost what the supplier list costs.
async fn active_where(
    conn: &mut Conn,
    tenant: TenantId,
    kinds: &[OrgKind],
    org: Option<OrgId>,
) -> Result<Vec<(OrgId, String, OrgKind)>, sqlx::Error> {
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = super::DynamicSql::default();
    let t = q.text(tenant.to_string());
    let kinds: Vec<String> = kinds
        .iter()
        .map(|k| q.text(k.as_str().to_owned()))
        .collect();
    let only = org
        .map(|o| format!(" AND o.id = {}", q.text(o.to_string())))
        .unwrap_or_default();
    q.sql = format!(
        "SELECT o.id, o.name, o.kind FROM partnerships p JOIN orgs o ON o.id = p.partner_org_id \
         WHERE p.tenant_id = {t} AND p.partner_kind IN ({}) AND p.status = 'active'{only} \
         ORDER BY o.name, o.id",
        kinds.join(", ")
    );
    q.fetch_all(conn).await
}

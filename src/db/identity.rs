//! Who is asking, in one statement: the signed-in user with their organisation, the brands a
//! partner organisation actively serves, and the unread notifications in the brand the session
//! names. Every page needs all three; one round trip instead of three is most of what a light
//! page costs beyond its own query. It is one row however many brands a partner serves (they
//! come as one JSON array) and the count stops at `notifications::UNREAD_CAP`, so its cost does
//! not grow with a user's history.

use sqlx::FromRow;

use super::Conn;
use super::notifications::{UNREAD_CAP, capped_unread};
use super::users::{USER_WITH_ORG_COLUMNS, USER_WITH_ORG_FROM, UserWithOrg};
use crate::domain::ids::{TenantId, UserId};
use crate::domain::partnership::PartnershipStatus;

/// A brand a partner user can switch to.
#[derive(Clone, Debug)]
pub struct BrandChoice {
    pub tenant_id: TenantId,
    pub name: String,
}

#[derive(Clone, Debug)]
pub struct Identity {
    pub user: UserWithOrg,
    /// Active partnerships, by brand name (empty for brand and platform users).
    pub brands: Vec<BrandChoice>,
    /// Unread notifications of the user in `unread_in`: the tenant the session names, or for a
    /// session naming none the user's own organisation (a brand user's tenant).
    pub unread_in: TenantId,
    pub unread: i64,
}

#[derive(FromRow)]
struct IdentityRow {
    #[sqlx(flatten)]
    user: UserWithOrg,
    /// `[[tenant id, name], …]`, or NULL (PostgreSQL's `json_agg` of no rows).
    brands: Option<String>,
    unread_in: TenantId,
    unread: i64,
}

/// The brands array: `json_group_array` on SQLite, `json_agg` on PostgreSQL.
fn brands_array(conn: &Conn) -> &'static str {
    if conn.backend_name() == "PostgreSQL" {
        "json_agg(json_build_array(p.tenant_id, b.name))::text"
    } else {
        "json_group_array(json_array(p.tenant_id, b.name))"
    }
}

/// The identity of `user`; `session_tenant` is the brand the session last worked in.
pub async fn of_user(
    conn: &mut Conn,
    user: UserId,
    session_tenant: Option<TenantId>,
) -> Result<Option<Identity>, sqlx::Error> {
    let brands = brands_array(conn);
    let unread = capped_unread("COALESCE($2, u.org_id)", "$1", "$4");
    let row: Option<IdentityRow> = sqlx::query_as(&format!(
        "SELECT {USER_WITH_ORG_COLUMNS}, \
                (SELECT {brands} FROM partnerships p JOIN orgs b ON b.id = p.tenant_id \
                  WHERE p.partner_org_id = u.org_id AND p.status = $3) AS brands, \
                COALESCE($2, u.org_id) AS unread_in, {unread} AS unread \
         {USER_WITH_ORG_FROM} \
         WHERE u.id = $1"
    ))
    .bind(user)
    .bind(session_tenant)
    .bind(PartnershipStatus::Active)
    .bind(UNREAD_CAP)
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let listed: Vec<(TenantId, String)> = match row.brands.as_deref() {
        Some(json) => serde_json::from_str(json).map_err(|e| sqlx::Error::Decode(e.into()))?,
        None => Vec::new(),
    };
    let mut brands: Vec<BrandChoice> = listed
        .into_iter()
        .map(|(tenant_id, name)| BrandChoice { tenant_id, name })
        .collect();
    brands.sort_by(|a, b| (&a.name, a.tenant_id).cmp(&(&b.name, b.tenant_id)));
    Ok(Some(Identity {
        brands,
        unread_in: row.unread_in,
        unread: row.unread,
        user: row.user,
    }))
}

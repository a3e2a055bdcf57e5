//! Who is asking, in one statement: the signed-in user with their organisation, the brands a
//! partner organisation actively serves, and the unread notifications in the brand the session
//! names. Every page needs all three; one round trip instead of three is most of what a light
//! page costs beyond its own query.

use sqlx::FromRow;

use super::Conn;
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
    brand_tenant_id: Option<TenantId>,
    brand_name: Option<String>,
    unread_in: TenantId,
    unread: i64,
}

/// The identity of `user`; `session_tenant` is the brand the session last worked in. The count
/// names only parameters, so both engines run it once, not once per brand row.
pub async fn of_user(
    conn: &mut Conn,
    user: UserId,
    session_tenant: Option<TenantId>,
) -> Result<Option<Identity>, sqlx::Error> {
    let rows: Vec<IdentityRow> = sqlx::query_as(&format!(
        "SELECT {USER_WITH_ORG_COLUMNS}, \
                p.tenant_id AS brand_tenant_id, b.name AS brand_name, \
                COALESCE($2, u.org_id) AS unread_in, \
                (SELECT COUNT(*) FROM notifications n \
                  WHERE n.tenant_id = COALESCE($2, (SELECT x.org_id FROM users x WHERE x.id = $1)) \
                    AND n.user_id = $1 AND n.read_at IS NULL) AS unread \
         {USER_WITH_ORG_FROM} \
         LEFT JOIN partnerships p ON p.partner_org_id = u.org_id AND p.status = $3 \
         LEFT JOIN orgs b ON b.id = p.tenant_id \
         WHERE u.id = $1 \
         ORDER BY b.name, b.id"
    ))
    .bind(user)
    .bind(session_tenant)
    .bind(PartnershipStatus::Active)
    .fetch_all(conn)
    .await?;
    let mut rows = rows.into_iter();
    let Some(first) = rows.next() else {
        return Ok(None);
    };
    let brand = |row: &IdentityRow| {
        Some(BrandChoice {
            tenant_id: row.brand_tenant_id?,
            name: row.brand_name.clone()?,
        })
    };
    let mut brands: Vec<BrandChoice> = brand(&first).into_iter().collect();
    brands.extend(rows.filter_map(|row| brand(&row)));
    Ok(Some(Identity {
        brands,
        unread_in: first.unread_in,
        unread: first.unread,
        user: first.user,
    }))
}

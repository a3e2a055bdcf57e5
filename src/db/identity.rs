//! Who is asking, in one statement: the signed-in user with their organisation, the brands a
//! partner organisation actively serves, and the unread notifications in the brand the session
//! names. Every page needs all three; one round trip instead of three is most of what a light
//! page costs beyond its own query. It is one row however many brands a partner serves (they
//! come as one JSON array) and the count stops at `notifications::UNREAD_CAP`, so its cost does
//! not grow with a user's history.

use std::cell::RefCell;

use sqlx::FromRow;

use super::Conn;
use super::notifications::{UNREAD_CAP, capped_unread};
use super::scope::Scope;
use super::users::{USER_WITH_ORG_COLUMNS, USER_WITH_ORG_FROM, UserWithOrg};
use crate::domain::ids::{TenantId, UserId};
use crate::domain::org::OrgKind;
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

/// The identity select of a user with the notifications of a tenant, each given as SQL (a
/// parameter, or a column of the session row it is joined to).
fn identity_select(
    conn: &Conn,
    user: &str,
    session_tenant: &str,
    active: &str,
    cap: &str,
) -> String {
    let brands = brands_array(conn);
    let unread_in = format!("COALESCE({session_tenant}, u.org_id)");
    let unread = capped_unread(&unread_in, user, cap);
    format!(
        "SELECT {USER_WITH_ORG_COLUMNS}, \
                (SELECT {brands} FROM partnerships p JOIN orgs b ON b.id = p.tenant_id \
                  WHERE p.partner_org_id = u.org_id AND p.status = {active}) AS brands, \
                {unread_in} AS unread_in, {unread} AS unread \
         {USER_WITH_ORG_FROM} \
         WHERE u.id = {user}"
    )
}

/// The identity of `user`; `session_tenant` is the brand the session last worked in.
pub async fn of_user(
    conn: &mut Conn,
    user: UserId,
    session_tenant: Option<TenantId>,
) -> Result<Option<Identity>, sqlx::Error> {
    let sql = identity_select(conn, "$1", "$2", "$3", "$4");
    let row: Option<IdentityRow> = sqlx::query_as(&sql)
        .bind(user)
        .bind(session_tenant)
        .bind(PartnershipStatus::Active)
        .bind(UNREAD_CAP)
        .fetch_optional(conn)
        .await?;
    row.map(IdentityRow::into_identity).transpose()
}

impl IdentityRow {
    fn into_identity(self) -> Result<Identity, sqlx::Error> {
        let listed: Vec<(TenantId, String)> = match self.brands.as_deref() {
            Some(json) => serde_json::from_str(json).map_err(|e| sqlx::Error::Decode(e.into()))?,
            None => Vec::new(),
        };
        let mut brands: Vec<BrandChoice> = listed
            .into_iter()
            .map(|(tenant_id, name)| BrandChoice { tenant_id, name })
            .collect();
        brands.sort_by(|a, b| (&a.name, a.tenant_id).cmp(&(&b.name, b.tenant_id)));
        Ok(Identity {
            brands,
            unread_in: self.unread_in,
            unread: self.unread,
            user: self.user,
        })
    }
}

/// A session row read with the identity of the user it names (PostgreSQL's session store,
/// `pg_sessions.rs`): what every signed-in page reads first, in one round trip instead of two.
pub struct SessionRow {
    /// The record, as the session store encodes it.
    pub data: Vec<u8>,
    /// The scope the statement left the connection in (see [`session_with_identity`]).
    pub scope_now: Scope,
}

#[derive(FromRow)]
struct SessionColumns {
    session_data: Vec<u8>,
    session_tenant_id: Option<TenantId>,
    /// The user the session's column names, when that user exists.
    identity_user_id: Option<UserId>,
    scope_now: String,
}

/// The session `id` (unexpired) with the identity of the user its columns name, kept for the
/// request to take with [`prefetched`].
///
/// The statement ends by putting the connection in the brand scope the page will most likely
/// run in (a brand user's brand, the brand a partner's session names), so a page in that brand
/// does not switch its connection's scope in a round trip of its own. The identity is read
/// first, in the scope the caller set: the row is materialised before the last column, and the
/// policies' settings are read once per statement (migration 0021). The caller records the
/// scope it now has ([`SessionRow::scope_now`]); a page in another scope switches as before.
pub async fn session_with_identity(
    conn: &mut Conn,
    id: &str,
) -> Result<Option<SessionRow>, sqlx::Error> {
    let identity = identity_select(conn, "s.user_id", "s.active_tenant", "$2", "$3");
    let sql = format!(
        "WITH r AS MATERIALIZED ( \
             SELECT s.data AS session_data, s.active_tenant AS session_tenant_id, \
                    i.id AS identity_user_id, i.* \
             FROM tower_sessions.session s LEFT JOIN LATERAL ({identity}) i ON true \
             WHERE s.id = $1 AND s.expiry_date > now()) \
         SELECT r.*, set_config('portico.tenant_id', \
                    CASE WHEN r.org_kind = $4 THEN r.org_id \
                         WHEN r.identity_user_id IS NOT NULL THEN COALESCE(r.session_tenant_id, '*') \
                         ELSE '*' END, false) AS scope_now \
         FROM r"
    );
    let Some(row) = sqlx::query(&sql)
        .bind(id)
        .bind(PartnershipStatus::Active)
        .bind(UNREAD_CAP)
        .bind(OrgKind::Brand)
        .fetch_optional(conn)
        .await?
    else {
        return Ok(None);
    };
    let columns = SessionColumns::from_row(&row)?;
    if let Some(user) = columns.identity_user_id {
        let identity = IdentityRow::from_row(&row)?.into_identity()?;
        let _ = PREFETCHED.try_with(|slot| {
            *slot.borrow_mut() = Some(Prefetched {
                user,
                session_tenant: columns.session_tenant_id,
                identity,
            })
        });
    }
    let scope_now = Scope::of_setting(&columns.scope_now)
        .ok_or_else(|| sqlx::Error::Decode("scope set by the session read".into()))?;
    Ok(Some(SessionRow {
        data: columns.session_data,
        scope_now,
    }))
}

struct Prefetched {
    user: UserId,
    session_tenant: Option<TenantId>,
    identity: Identity,
}

tokio::task_local! {
    /// The identity read with the request's session, until the request takes it.
    static PREFETCHED: RefCell<Option<Prefetched>>;
}

/// Runs a request with room for the identity its session read brings along.
pub async fn within_request<F: std::future::Future>(request: F) -> F::Output {
    PREFETCHED.scope(RefCell::new(None), request).await
}

/// The identity read with the request's session, if it is of `user` with `session_tenant` (the
/// session as decoded; the columns it was joined on are written from the same record). Taken
/// once: a later question reads again.
pub fn prefetched(user: UserId, session_tenant: Option<TenantId>) -> Option<Identity> {
    PREFETCHED
        .try_with(|slot| slot.borrow_mut().take())
        .ok()
        .flatten()
        .filter(|p| p.user == user && p.session_tenant == session_tenant)
        .map(|p| p.identity)
}

//! Users. Every user belongs to exactly one organisation.

use sqlx::FromRow;

use super::Conn;
use crate::domain::ids::{OrgId, UserId};
use crate::domain::org::{OrgKind, Role};

#[derive(Clone, Debug, FromRow)]
pub struct User {
    pub id: UserId,
    pub org_id: OrgId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub locale: Option<String>,
    pub status: String,
    pub created_at: i64,
    pub credentials_changed_at: i64,
}

impl User {
    pub fn is_active(&self) -> bool {
        self.status == "active"
    }
}

/// A user with what sign-in and every request need to know about their organisation.
#[derive(Clone, Debug, FromRow)]
pub struct UserWithOrg {
    pub id: UserId,
    pub org_id: OrgId,
    pub org_kind: OrgKind,
    pub org_name: String,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub locale: Option<String>,
    pub status: String,
    pub password_hash: Option<String>,
    pub credentials_changed_at: i64,
}

impl UserWithOrg {
    pub fn is_active(&self) -> bool {
        self.status == "active"
    }
}

pub struct NewUser<'a> {
    pub id: UserId,
    pub org_id: OrgId,
    pub email: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub password_hash: Option<&'a str>,
    pub locale: Option<&'a str>,
    pub now: i64,
}

const USER_COLUMNS: &str =
    "id, org_id, email, display_name, role, locale, status, created_at, credentials_changed_at";

/// The columns of [`UserWithOrg`] over `users u JOIN orgs o` (also read by `db::identity`).
pub(super) const USER_WITH_ORG_COLUMNS: &str = "u.id, u.org_id, o.kind AS org_kind, \
     o.name AS org_name, u.email, u.display_name, u.role, u.locale, u.status, u.password_hash, \
     u.credentials_changed_at";

pub(super) const USER_WITH_ORG_FROM: &str = "FROM users u JOIN orgs o ON o.id = u.org_id";

pub async fn insert(conn: &mut Conn, user: &NewUser<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO users (id, org_id, email, display_name, role, password_hash, locale, status, \
                            created_at, credentials_changed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8, $8)",
    )
    .bind(user.id)
    .bind(user.org_id)
    .bind(user.email)
    .bind(user.display_name)
    .bind(user.role)
    .bind(user.password_hash)
    .bind(user.locale)
    .bind(user.now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn with_org_by_email(
    conn: &mut Conn,
    email: &str,
) -> Result<Option<UserWithOrg>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {USER_WITH_ORG_COLUMNS} {USER_WITH_ORG_FROM} WHERE u.email = $1"
    ))
    .bind(email)
    .fetch_optional(conn)
    .await
}

pub async fn with_org_by_id(
    conn: &mut Conn,
    id: UserId,
) -> Result<Option<UserWithOrg>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {USER_WITH_ORG_COLUMNS} {USER_WITH_ORG_FROM} WHERE u.id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn exists_with_email(conn: &mut Conn, email: &str) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(conn)
        .await?;
    Ok(n > 0)
}

/// A user of the given organisation; a user of any other organisation is `None`.
pub async fn get_in_org(
    conn: &mut Conn,
    org: OrgId,
    id: UserId,
) -> Result<Option<User>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE org_id = $1 AND id = $2"
    ))
    .bind(org)
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Users of one organisation ordered by e-mail; `after` is the last e-mail shown.
pub async fn list_in_org(
    conn: &mut Conn,
    org: OrgId,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<User>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE org_id = $1 AND email > $2 ORDER BY email LIMIT $3"
    ))
    .bind(org)
    .bind(after.unwrap_or(""))
    .bind(limit)
    .fetch_all(conn)
    .await
}

pub async fn count_in_org(conn: &mut Conn, org: OrgId) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE org_id = $1 AND status = 'active'")
        .bind(org)
        .fetch_one(conn)
        .await
}

pub async fn count_admins_in_org(conn: &mut Conn, org: OrgId) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE org_id = $1 AND role = 'admin' AND status = 'active'",
    )
    .bind(org)
    .fetch_one(conn)
    .await
}

pub async fn count_all(conn: &mut Conn) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(conn)
        .await
}

pub async fn set_role(
    conn: &mut Conn,
    org: OrgId,
    id: UserId,
    role: Role,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET role = $3 WHERE org_id = $1 AND id = $2")
        .bind(org)
        .bind(id)
        .bind(role)
        .execute(conn)
        .await?;
    Ok(())
}

/// Enables or disables a user. Disabling also ends their sessions, through the credentials
/// time every request checks.
pub async fn set_active(
    conn: &mut Conn,
    org: OrgId,
    id: UserId,
    active: bool,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET status = $3, credentials_changed_at = $4 WHERE org_id = $1 AND id = $2",
    )
    .bind(org)
    .bind(id)
    .bind(if active { "active" } else { "disabled" })
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Sets a new password hash; sessions that began before `now` stop being valid.
pub async fn set_password_hash(
    conn: &mut Conn,
    id: UserId,
    hash: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET password_hash = $2, credentials_changed_at = $3 WHERE id = $1")
        .bind(id)
        .bind(hash)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_locale(conn: &mut Conn, id: UserId, locale: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET locale = $2 WHERE id = $1")
        .bind(id)
        .bind(locale)
        .execute(conn)
        .await?;
    Ok(())
}

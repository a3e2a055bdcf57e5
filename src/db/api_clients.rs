//! API clients, Portico's token keys, and kept answers for `Idempotency-Key` replays.

use sqlx::FromRow;

use super::Conn;
use crate::domain::ids::{OrgId, TenantId, UserId};

#[derive(Clone, Debug, FromRow)]
pub struct ApiClient {
    pub id: String,
    pub org_id: OrgId,
    pub tenant_id: TenantId,
    pub user_id: UserId,
    pub name: String,
    pub secret_hash: String,
    pub scopes: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
    /// The technical user's role (joined in).
    pub role: String,
}

const CLIENT_COLUMNS: &str = "c.id, c.org_id, c.tenant_id, c.user_id, c.name, c.secret_hash, \
     c.scopes, c.created_at, c.last_used_at, c.revoked_at, u.role";

pub struct NewClient<'a> {
    pub id: &'a str,
    pub org_id: OrgId,
    pub tenant_id: TenantId,
    pub user_id: UserId,
    pub name: &'a str,
    pub secret_hash: &'a str,
    pub scopes: &'a str,
    pub created_by: UserId,
    pub now: i64,
}

pub async fn insert(conn: &mut Conn, c: &NewClient<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO api_clients (id, org_id, tenant_id, user_id, name, secret_hash, scopes, \
                                  created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(c.id)
    .bind(c.org_id)
    .bind(c.tenant_id)
    .bind(c.user_id)
    .bind(c.name)
    .bind(c.secret_hash)
    .bind(c.scopes)
    .bind(c.created_by)
    .bind(c.now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Any client by id (token requests and token checks).
pub async fn by_id(conn: &mut Conn, id: &str) -> Result<Option<ApiClient>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {CLIENT_COLUMNS} FROM api_clients c JOIN users u ON u.id = c.user_id \
         WHERE c.id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// The clients an organisation made in one brand, newest first.
pub async fn of_org(
    conn: &mut Conn,
    tenant: TenantId,
    org: OrgId,
) -> Result<Vec<ApiClient>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {CLIENT_COLUMNS} FROM api_clients c JOIN users u ON u.id = c.user_id \
         WHERE c.tenant_id = $1 AND c.org_id = $2 ORDER BY c.created_at DESC, c.id DESC"
    ))
    .bind(tenant)
    .bind(org)
    .fetch_all(conn)
    .await
}

pub async fn revoke(conn: &mut Conn, id: &str, by: UserId, now: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE api_clients SET revoked_at = $3, revoked_by = $2 \
         WHERE id = $1 AND revoked_at IS NULL",
    )
    .bind(id)
    .bind(by)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records use, at most once a minute per client so busy clients do not write on every call.
pub async fn touch(conn: &mut Conn, id: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE api_clients SET last_used_at = $2 \
         WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $3)",
    )
    .bind(id)
    .bind(now)
    .bind(now - 60_000)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Clone, Debug, FromRow)]
pub struct TokenKey {
    pub kid: String,
    pub public_x: String,
    pub sealed_private: Vec<u8>,
    pub created_at: i64,
}

/// Keys that verify tokens at `now` (not retired by then), newest first; the first one signs.
pub async fn token_keys(conn: &mut Conn, now: i64) -> Result<Vec<TokenKey>, sqlx::Error> {
    sqlx::query_as(
        "SELECT kid, public_x, sealed_private, created_at FROM api_token_keys \
         WHERE retired_at IS NULL OR retired_at > $1 ORDER BY created_at DESC, kid DESC",
    )
    .bind(now)
    .fetch_all(conn)
    .await
}

/// Retires, at `at`, every key not yet retired except `keep`.
pub async fn retire_token_keys(conn: &mut Conn, keep: &str, at: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE api_token_keys SET retired_at = $2 WHERE retired_at IS NULL AND kid <> $1",
    )
    .bind(keep)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// When the newest token key was made, if there is one.
pub async fn newest_token_key_at(conn: &mut Conn) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT MAX(created_at) FROM api_token_keys")
        .fetch_one(conn)
        .await
}

pub async fn insert_token_key(
    conn: &mut Conn,
    kid: &str,
    public_x: &str,
    sealed_private: &[u8],
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO api_token_keys (kid, public_x, sealed_private, created_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(kid)
    .bind(public_x)
    .bind(sealed_private.to_vec())
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Clone, Debug, FromRow)]
pub struct KeptAnswer {
    pub method_path: String,
    pub request_hash: String,
    pub status: i64,
    pub response: Option<String>,
}

pub async fn kept_answer(
    conn: &mut Conn,
    client: &str,
    key: &str,
) -> Result<Option<KeptAnswer>, sqlx::Error> {
    sqlx::query_as(
        "SELECT method_path, request_hash, status, response FROM api_idempotency \
         WHERE client_id = $1 AND idem_key = $2",
    )
    .bind(client)
    .bind(key)
    .fetch_optional(conn)
    .await
}

/// Claims a key for a request now running. False if the key was claimed before.
pub async fn claim_key(
    conn: &mut Conn,
    client: &str,
    key: &str,
    method_path: &str,
    request_hash: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO api_idempotency (client_id, idem_key, method_path, request_hash, status, \
                                      created_at) \
         VALUES ($1, $2, $3, $4, 0, $5) ON CONFLICT (client_id, idem_key) DO NOTHING",
    )
    .bind(client)
    .bind(key)
    .bind(method_path)
    .bind(request_hash)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn keep_answer(
    conn: &mut Conn,
    client: &str,
    key: &str,
    status: i64,
    response: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE api_idempotency SET status = $3, response = $4 WHERE client_id = $1 AND idem_key = $2")
        .bind(client)
        .bind(key)
        .bind(status)
        .bind(response)
        .execute(conn)
        .await?;
    Ok(())
}

/// Forgets a claimed key whose request failed before it had an answer worth keeping (a server
/// error), so the client's retry runs again.
pub async fn release_key(conn: &mut Conn, client: &str, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "DELETE FROM api_idempotency WHERE client_id = $1 AND idem_key = $2 AND status = 0",
    )
    .bind(client)
    .bind(key)
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets keys claimed before `before` (answered, or left running by a process that died);
/// returns how many.
pub async fn forget_answers_before(conn: &mut Conn, before: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM api_idempotency WHERE created_at < $1")
        .bind(before)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

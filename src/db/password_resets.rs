//! Password reset links, stored as token hashes.

use super::Conn;
use crate::domain::ids::UserId;

pub async fn insert(
    conn: &mut Conn,
    token_hash: &str,
    user: UserId,
    now: i64,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash)
    .bind(user)
    .bind(now)
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The user a still-valid link belongs to.
pub async fn valid_user(
    conn: &mut Conn,
    token_hash: &str,
    now: i64,
) -> Result<Option<UserId>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT user_id FROM password_resets \
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(conn)
    .await
}

/// Uses up every open link of the user, so an older e-mail cannot reset the password again.
pub async fn use_all_for_user(conn: &mut Conn, user: UserId, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE password_resets SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL")
        .bind(user)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

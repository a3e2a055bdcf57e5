//! Counters behind sign-in throttling, kept in the database so every replica sees them.

use super::Conn;

/// `(failures, locked_until)` of a key, if it has any recorded failure.
pub async fn get(conn: &mut Conn, key: &str) -> Result<Option<(i64, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT failures, locked_until FROM login_throttle WHERE throttle_key = $1")
        .bind(key)
        .fetch_optional(conn)
        .await
}

/// Counts one more failure and returns the new total. A key idle since `forget_before` starts
/// again from one.
pub async fn record_failure(
    conn: &mut Conn,
    key: &str,
    now: i64,
    forget_before: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query("DELETE FROM login_throttle WHERE throttle_key = $1 AND updated_at < $2")
        .bind(key)
        .bind(forget_before)
        .execute(&mut *conn)
        .await?;
    sqlx::query_scalar(
        "INSERT INTO login_throttle (throttle_key, failures, locked_until, updated_at) \
         VALUES ($1, 1, 0, $2) \
         ON CONFLICT (throttle_key) DO UPDATE \
         SET failures = login_throttle.failures + 1, updated_at = $2 \
         RETURNING failures",
    )
    .bind(key)
    .bind(now)
    .fetch_one(conn)
    .await
}

pub async fn lock_until(conn: &mut Conn, key: &str, until: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE login_throttle SET locked_until = $2 WHERE throttle_key = $1")
        .bind(key)
        .bind(until)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn clear(conn: &mut Conn, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_throttle WHERE throttle_key = $1")
        .bind(key)
        .execute(conn)
        .await?;
    Ok(())
}

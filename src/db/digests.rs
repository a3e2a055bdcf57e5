//! Per-user e-mail delivery settings and the items waiting for a user's daily digest.

use sqlx::FromRow;

use super::Conn;
use crate::domain::ids::UserId;

#[derive(Clone, Debug, FromRow)]
pub struct DeliverySettings {
    pub email_delivery: String,
    pub digest_time_zone: String,
    pub digest_due_at: Option<i64>,
}

pub async fn settings(conn: &mut Conn, user: UserId) -> Result<DeliverySettings, sqlx::Error> {
    sqlx::query_as(
        "SELECT email_delivery, digest_time_zone, digest_due_at FROM users WHERE id = $1",
    )
    .bind(user)
    .fetch_one(conn)
    .await
}

/// Stores the preference and when the waiting items (if any) go out: `due_at` None clears it.
pub async fn set_settings(
    conn: &mut Conn,
    user: UserId,
    delivery: &str,
    zone: &str,
    due_at: Option<i64>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET email_delivery = $2, digest_time_zone = $3, digest_due_at = $4 WHERE id = $1",
    )
    .bind(user)
    .bind(delivery)
    .bind(zone)
    .bind(due_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Queues one line of the user's next digest; the first item waiting sets when it goes out.
/// The update always takes the user's row (never `WHERE digest_due_at IS NULL`, which skips the
/// row while another replica's digest claims it and lets this item commit between the digest's
/// read and its delete): a digest being sent is finished first, then this item starts the next.
pub async fn add_item(
    conn: &mut Conn,
    user: UserId,
    subject: &str,
    link: &str,
    now: i64,
    due_at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO digest_items (id, user_id, subject, link, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(user)
    .bind(subject)
    .bind(link)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE users SET digest_due_at = COALESCE(digest_due_at, $2) WHERE id = $1")
        .bind(user)
        .bind(due_at)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn has_items(conn: &mut Conn, user: UserId) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM digest_items WHERE user_id = $1")
        .bind(user)
        .fetch_one(conn)
        .await?;
    Ok(n > 0)
}

pub async fn drop_items(conn: &mut Conn, user: UserId) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM digest_items WHERE user_id = $1")
        .bind(user)
        .execute(conn)
        .await?;
    Ok(())
}

/// Users whose digest is due, with the instant it was due (read from the partial index).
pub async fn due(conn: &mut Conn, now: i64, limit: i64) -> Result<Vec<(UserId, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, digest_due_at FROM users WHERE digest_due_at IS NOT NULL AND digest_due_at <= $1 \
         ORDER BY digest_due_at LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Takes a due digest for sending: only one replica wins (true).
pub async fn claim(conn: &mut Conn, user: UserId, due_at: i64) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("UPDATE users SET digest_due_at = NULL WHERE id = $1 AND digest_due_at = $2")
            .bind(user)
            .bind(due_at)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Clone, Debug, FromRow)]
pub struct DigestItem {
    pub subject: String,
    pub link: String,
    pub created_at: i64,
}

/// Removes and returns the user's waiting items, oldest first.
pub async fn take_items(conn: &mut Conn, user: UserId) -> Result<Vec<DigestItem>, sqlx::Error> {
    let items = sqlx::query_as(
        "SELECT subject, link, created_at FROM digest_items WHERE user_id = $1 ORDER BY created_at, id",
    )
    .bind(user)
    .fetch_all(&mut *conn)
    .await?;
    drop_items(conn, user).await?;
    Ok(items)
}

/// Who a digest goes to: address, language, and whether the account is still active.
#[derive(Clone, Debug, FromRow)]
pub struct DigestRecipient {
    pub email: String,
    pub locale: Option<String>,
    pub status: String,
    pub email_delivery: String,
}

pub async fn recipient(conn: &mut Conn, user: UserId) -> Result<DigestRecipient, sqlx::Error> {
    sqlx::query_as("SELECT email, locale, status, email_delivery FROM users WHERE id = $1")
        .bind(user)
        .fetch_one(conn)
        .await
}

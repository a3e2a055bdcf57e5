//! In-app notifications and the outbox of e-mails to send after commit.

use sqlx::FromRow;

use super::Conn;
use crate::domain::ids::{OrderId, OrgId, TenantId, UserId};

#[derive(Clone, Debug, FromRow)]
pub struct Notification {
    pub id: String,
    pub kind: String,
    pub order_id: Option<String>,
    /// Where it leads when not to the order page.
    pub link: Option<String>,
    pub po_number: Option<String>,
    pub actor_org_name: Option<String>,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

/// A recipient: user, address, language, how they want e-mail (`Delivery` stored form) and
/// the time zone of their daily digest.
#[derive(Clone, Debug, FromRow)]
pub struct Recipient {
    pub id: UserId,
    pub email: String,
    pub locale: Option<String>,
    pub email_delivery: String,
    pub digest_time_zone: String,
}

/// Active users of an organisation with one of the given roles (all roles when empty).
pub async fn recipients(
    conn: &mut Conn,
    org: OrgId,
    roles: &[&str],
) -> Result<Vec<Recipient>, sqlx::Error> {
    #[derive(FromRow)]
    struct Row {
        #[sqlx(flatten)]
        recipient: Recipient,
        role: String,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, email, locale, email_delivery, digest_time_zone, role FROM users \
         WHERE org_id = $1 AND status = 'active' ORDER BY email",
    )
    .bind(org)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter(|r| roles.is_empty() || roles.contains(&r.role.as_str()))
        .map(|r| r.recipient)
        .collect())
}

pub struct NewNotification<'a> {
    pub tenant: TenantId,
    pub user: UserId,
    pub kind: &'a str,
    pub order: Option<OrderId>,
    pub link: Option<&'a str>,
    pub po_number: Option<&'a str>,
    pub actor_org_name: Option<&'a str>,
    pub now: i64,
}

pub async fn insert(conn: &mut Conn, n: &NewNotification<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO notifications (tenant_id, id, user_id, kind, order_id, po_number, \
           actor_org_name, created_at, link) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(n.tenant)
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(n.user)
    .bind(n.kind)
    .bind(n.order)
    .bind(n.po_number)
    .bind(n.actor_org_name)
    .bind(n.now)
    .bind(n.link)
    .execute(conn)
    .await?;
    Ok(())
}

/// Unread notifications are counted up to this, so the count costs no more for a user with a
/// long unread history; the bell shows "99+" past it.
pub const UNREAD_CAP: i64 = 100;

/// The capped count of a user's unread notifications in a brand, as a scalar subquery over the
/// SQL expressions (parameters or columns) naming the brand, the user and the cap.
pub(super) fn capped_unread(tenant: &str, user: &str, cap: &str) -> String {
    format!(
        "(SELECT COUNT(*) FROM (SELECT 1 FROM notifications n \
           WHERE n.tenant_id = {tenant} AND n.user_id = {user} AND n.read_at IS NULL \
           LIMIT {cap}) AS capped)"
    )
}

/// Unread notifications, counted up to [`UNREAD_CAP`].
pub async fn unread_count(
    conn: &mut Conn,
    tenant: TenantId,
    user: UserId,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(&format!("SELECT {}", capped_unread("$1", "$2", "$3")))
        .bind(tenant)
        .bind(user)
        .bind(UNREAD_CAP)
        .fetch_one(conn)
        .await
}

/// The user's notifications in this brand, newest first; `before` is the last id shown.
pub async fn list(
    conn: &mut Conn,
    tenant: TenantId,
    user: UserId,
    before: Option<&str>,
    limit: i64,
) -> Result<Vec<Notification>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, kind, order_id, link, po_number, actor_org_name, created_at, read_at FROM notifications \
         WHERE tenant_id = $1 AND user_id = $2 AND id < $3 ORDER BY id DESC LIMIT $4",
    )
    .bind(tenant)
    .bind(user)
    .bind(before.unwrap_or("~"))
    .bind(limit)
    .fetch_all(conn)
    .await
}

pub async fn mark_all_read(
    conn: &mut Conn,
    tenant: TenantId,
    user: UserId,
    now: i64,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE notifications SET read_at = $3 WHERE tenant_id = $1 AND user_id = $2 AND read_at IS NULL",
    )
    .bind(tenant)
    .bind(user)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Queues an item for the outbox worker, due at once. The worker runs on the wall clock, so
/// the item is stamped with it too (not the injected clock use cases reason with, which tests
/// move ahead: an item stamped with a moved clock would wait until the wall clock caught up).
pub async fn enqueue(
    conn: &mut Conn,
    kind: &str,
    payload: &serde_json::Value,
) -> Result<(), sqlx::Error> {
    let now = crate::domain::time::UtcMillis::now().0;
    sqlx::query(
        "INSERT INTO outbox (id, kind, payload, created_at, due_at) VALUES ($1, $2, $3, $4, $4)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(kind)
    .bind(payload.to_string())
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Clone, Debug, FromRow)]
pub struct OutboxItem {
    pub id: String,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
}

pub async fn due_outbox(
    conn: &mut Conn,
    now: i64,
    limit: i64,
) -> Result<Vec<OutboxItem>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, kind, payload, attempts FROM outbox WHERE sent_at IS NULL AND due_at <= $1 ORDER BY due_at, id LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Takes an item for `lease_until`: only one worker (of several replicas) gets it; if that
/// worker dies, the lease runs out and another takes it.
pub async fn claim(
    conn: &mut Conn,
    id: &str,
    now: i64,
    lease_until: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE outbox SET due_at = $3 WHERE id = $1 AND sent_at IS NULL AND due_at <= $2",
    )
    .bind(id)
    .bind(now)
    .bind(lease_until)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks an item sent, unless another worker did first (false).
pub async fn mark_sent(conn: &mut Conn, id: &str, now: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE outbox SET sent_at = $2 WHERE id = $1 AND sent_at IS NULL")
        .bind(id)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn mark_failed(
    conn: &mut Conn,
    id: &str,
    error: &str,
    retry_at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE outbox SET attempts = attempts + 1, last_error = $2, due_at = $3 WHERE id = $1",
    )
    .bind(id)
    .bind(error)
    .bind(retry_at)
    .execute(conn)
    .await?;
    Ok(())
}

//! Webhook endpoints and their deliveries (one row per event and endpoint).

use sqlx::FromRow;

use super::Conn;
use crate::domain::ids::{OrgId, TenantId, UserId};

#[derive(Clone, Debug, FromRow)]
pub struct Endpoint {
    pub tenant_id: TenantId,
    pub id: String,
    pub org_id: OrgId,
    pub url: String,
    pub description: String,
    /// JSON array; empty = every type.
    pub event_types: String,
    pub sealed_secret: String,
    pub status: String,
    pub disabled_reason: Option<String>,
    pub created_by: UserId,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Endpoint {
    pub fn types(&self) -> Vec<String> {
        serde_json::from_str(&self.event_types).unwrap_or_default()
    }

    pub fn wants(&self, event_type: &str) -> bool {
        let types = self.types();
        types.is_empty() || types.iter().any(|t| t == event_type)
    }
}

const ENDPOINT: &str = "SELECT tenant_id, id, org_id, url, description, event_types, \
     sealed_secret, status, disabled_reason, created_by, created_at, updated_at \
     FROM webhook_endpoints";

pub async fn insert_endpoint(conn: &mut Conn, e: &Endpoint) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO webhook_endpoints (tenant_id, id, org_id, url, description, event_types, \
           sealed_secret, status, disabled_reason, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(e.tenant_id)
    .bind(&e.id)
    .bind(e.org_id)
    .bind(&e.url)
    .bind(&e.description)
    .bind(&e.event_types)
    .bind(&e.sealed_secret)
    .bind(&e.status)
    .bind(&e.disabled_reason)
    .bind(e.created_by)
    .bind(e.created_at)
    .bind(e.updated_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The organisation's endpoints in this brand, oldest first.
pub async fn endpoints_of(
    conn: &mut Conn,
    tenant: TenantId,
    org: OrgId,
) -> Result<Vec<Endpoint>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{ENDPOINT} WHERE tenant_id = $1 AND org_id = $2 ORDER BY id"
    ))
    .bind(tenant)
    .bind(org)
    .fetch_all(conn)
    .await
}

/// One endpoint, only if it belongs to `org` (foreign ones look missing).
pub async fn endpoint(
    conn: &mut Conn,
    tenant: TenantId,
    org: OrgId,
    id: &str,
) -> Result<Option<Endpoint>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{ENDPOINT} WHERE tenant_id = $1 AND org_id = $2 AND id = $3"
    ))
    .bind(tenant)
    .bind(org)
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn endpoint_by_id(
    conn: &mut Conn,
    tenant: TenantId,
    id: &str,
) -> Result<Option<Endpoint>, sqlx::Error> {
    sqlx::query_as(&format!("{ENDPOINT} WHERE tenant_id = $1 AND id = $2"))
        .bind(tenant)
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn set_status(
    conn: &mut Conn,
    tenant: TenantId,
    id: &str,
    status: &str,
    reason: Option<&str>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE webhook_endpoints SET status = $3, disabled_reason = $4, updated_at = $5 \
         WHERE tenant_id = $1 AND id = $2 AND status <> $3",
    )
    .bind(tenant)
    .bind(id)
    .bind(status)
    .bind(reason)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_secret(
    conn: &mut Conn,
    tenant: TenantId,
    id: &str,
    sealed: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE webhook_endpoints SET sealed_secret = $3, updated_at = $4 \
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant)
    .bind(id)
    .bind(sealed)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete_endpoint(
    conn: &mut Conn,
    tenant: TenantId,
    id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM webhook_deliveries WHERE tenant_id = $1 AND endpoint_id = $2")
        .bind(tenant)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2")
        .bind(tenant)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Queues the event for every active endpoint of the organisations that may see it and want
/// its type, due at once.
pub async fn enqueue_for_event(
    conn: &mut Conn,
    event: &super::events::EventRow,
    visible_to: &[OrgId],
    now: i64,
) -> Result<(), sqlx::Error> {
    let active: Vec<Endpoint> = sqlx::query_as(&format!(
        "{ENDPOINT} WHERE tenant_id = $1 AND status = 'active'"
    ))
    .bind(event.tenant_id)
    .fetch_all(&mut *conn)
    .await?;
    for endpoint in active {
        if !visible_to.contains(&endpoint.org_id) || !endpoint.wants(&event.r#type) {
            continue;
        }
        sqlx::query(
            "INSERT INTO webhook_deliveries (tenant_id, id, endpoint_id, event_id, event_type, \
               status, attempts, due_at, created_at) VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6)",
        )
        .bind(event.tenant_id)
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(&endpoint.id)
        .bind(&event.id)
        .bind(&event.r#type)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

#[derive(Clone, Debug, FromRow)]
pub struct Delivery {
    pub tenant_id: TenantId,
    pub id: String,
    pub endpoint_id: String,
    pub event_id: String,
    pub event_type: String,
    pub status: String,
    pub attempts: i64,
    pub due_at: i64,
    pub last_attempt_at: Option<i64>,
    pub last_status_code: Option<i64>,
    pub last_duration_ms: Option<i64>,
    pub last_response: Option<String>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub delivered_at: Option<i64>,
}

const DELIVERY: &str = "SELECT tenant_id, id, endpoint_id, event_id, event_type, status, \
     attempts, due_at, last_attempt_at, last_status_code, last_duration_ms, last_response, \
     last_error, created_at, delivered_at FROM webhook_deliveries";

/// Deliveries due by `now`, across tenants (the worker's scan of the due index).
pub async fn due(conn: &mut Conn, now: i64, limit: i64) -> Result<Vec<Delivery>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{DELIVERY} WHERE status = 'pending' AND due_at <= $1 ORDER BY due_at, id LIMIT $2"
    ))
    .bind(now)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Takes a delivery until `lease_until`; only one worker of several replicas gets it.
pub async fn claim(
    conn: &mut Conn,
    d: &Delivery,
    now: i64,
    lease_until: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE webhook_deliveries SET due_at = $4 \
         WHERE tenant_id = $1 AND id = $2 AND status = 'pending' AND due_at = $3 AND due_at <= $5",
    )
    .bind(d.tenant_id)
    .bind(&d.id)
    .bind(d.due_at)
    .bind(lease_until)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The outcome of one attempt.
pub struct Attempt<'a> {
    pub at: i64,
    pub status_code: Option<i64>,
    pub duration_ms: i64,
    pub response: Option<&'a str>,
    pub error: Option<&'a str>,
    /// `delivered`, `pending` (retry at `due_at`) or `failed` (given up).
    pub status: &'a str,
    pub due_at: i64,
}

pub async fn record_attempt(
    conn: &mut Conn,
    tenant: TenantId,
    id: &str,
    a: &Attempt<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE webhook_deliveries SET attempts = attempts + 1, last_attempt_at = $3, \
           last_status_code = $4, last_duration_ms = $5, last_response = $6, last_error = $7, \
           status = $8, due_at = $9, \
           delivered_at = CASE WHEN $8 = 'delivered' THEN $3 ELSE delivered_at END \
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant)
    .bind(id)
    .bind(a.at)
    .bind(a.status_code)
    .bind(a.duration_ms)
    .bind(a.response)
    .bind(a.error)
    .bind(a.status)
    .bind(a.due_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Puts a delivery back in the queue, due now, with a fresh retry budget.
pub async fn redeliver(
    conn: &mut Conn,
    tenant: TenantId,
    id: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, due_at = $3 \
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant)
    .bind(id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Gives up every pending delivery of an endpoint (it was disabled).
pub async fn fail_pending(
    conn: &mut Conn,
    tenant: TenantId,
    endpoint: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE webhook_deliveries SET status = 'failed' \
         WHERE tenant_id = $1 AND endpoint_id = $2 AND status = 'pending'",
    )
    .bind(tenant)
    .bind(endpoint)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delivery(
    conn: &mut Conn,
    tenant: TenantId,
    endpoint: &str,
    id: &str,
) -> Result<Option<Delivery>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{DELIVERY} WHERE tenant_id = $1 AND endpoint_id = $2 AND id = $3"
    ))
    .bind(tenant)
    .bind(endpoint)
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// An endpoint's deliveries, newest first, strictly before the delivery id `before`.
pub async fn deliveries(
    conn: &mut Conn,
    tenant: TenantId,
    endpoint: &str,
    before: Option<&str>,
    limit: i64,
) -> Result<Vec<Delivery>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{DELIVERY} WHERE tenant_id = $1 AND endpoint_id = $2 AND id < $3 ORDER BY id DESC LIMIT $4"
    ))
    .bind(tenant)
    .bind(endpoint)
    .bind(before.unwrap_or("~"))
    .bind(limit)
    .fetch_all(conn)
    .await
}

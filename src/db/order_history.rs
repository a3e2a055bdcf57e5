//! An order's timeline events and its chain of signed statements.

use sqlx::FromRow;

use super::Conn;
use crate::domain::ids::{OrderId, OrgId, StatementId, TenantId, UserId};

#[derive(Clone, Debug, FromRow)]
pub struct Event {
    pub seq: i64,
    pub kind: String,
    pub line_no: Option<i64>,
    pub actor_user_id: Option<String>,
    pub actor_name: Option<String>,
    pub actor_org_name: Option<String>,
    pub at: i64,
    pub detail: String,
}

pub struct NewEvent<'a> {
    pub kind: &'a str,
    pub line_no: Option<i64>,
    pub actor_user_id: Option<UserId>,
    pub actor_org_id: Option<OrgId>,
    pub at: i64,
    pub detail: serde_json::Value,
}

pub async fn append_event(
    conn: &mut Conn,
    tenant: TenantId,
    order: OrderId,
    event: &NewEvent<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO order_events (tenant_id, order_id, seq, kind, line_no, actor_user_id, actor_org_id, at, detail) \
         VALUES ($1, $2, (SELECT COALESCE(MAX(seq), 0) + 1 FROM order_events WHERE tenant_id = $1 AND order_id = $2), \
                 $3, $4, $5, $6, $7, $8)",
    )
    .bind(tenant)
    .bind(order)
    .bind(event.kind)
    .bind(event.line_no)
    .bind(event.actor_user_id)
    .bind(event.actor_org_id)
    .bind(event.at)
    .bind(event.detail.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn events(
    conn: &mut Conn,
    tenant: TenantId,
    order: OrderId,
) -> Result<Vec<Event>, sqlx::Error> {
    sqlx::query_as(
        "SELECT e.seq, e.kind, e.line_no, e.actor_user_id, u.display_name AS actor_name, \
                g.name AS actor_org_name, e.at, e.detail \
         FROM order_events e LEFT JOIN users u ON u.id = e.actor_user_id \
         LEFT JOIN orgs g ON g.id = e.actor_org_id \
         WHERE e.tenant_id = $1 AND e.order_id = $2 ORDER BY e.seq",
    )
    .bind(tenant)
    .bind(order)
    .fetch_all(conn)
    .await
}

#[derive(Clone, Debug, FromRow)]
pub struct Statement {
    pub seq: i64,
    pub id: StatementId,
    pub kind: String,
    pub org_id: OrgId,
    pub payload: String,
    pub payload_hash: String,
    pub signature: String,
    pub kid: String,
    pub at: i64,
}

/// The hash of the newest statement on the order, which the next one must name.
pub async fn last_statement_hash(
    conn: &mut Conn,
    tenant: TenantId,
    order: OrderId,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT payload_hash FROM statements WHERE tenant_id = $1 AND order_id = $2 ORDER BY seq DESC LIMIT 1",
    )
    .bind(tenant)
    .bind(order)
    .fetch_optional(conn)
    .await
}

pub async fn insert_statement(
    conn: &mut Conn,
    tenant: TenantId,
    order: OrderId,
    s: &Statement,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO statements (tenant_id, order_id, seq, id, kind, org_id, payload, payload_hash, signature, kid, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(tenant)
    .bind(order)
    .bind(s.seq)
    .bind(s.id)
    .bind(&s.kind)
    .bind(s.org_id)
    .bind(&s.payload)
    .bind(&s.payload_hash)
    .bind(&s.signature)
    .bind(&s.kid)
    .bind(s.at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn statements(
    conn: &mut Conn,
    tenant: TenantId,
    order: OrderId,
) -> Result<Vec<Statement>, sqlx::Error> {
    sqlx::query_as(
        "SELECT seq, id, kind, org_id, payload, payload_hash, signature, kid, at FROM statements \
         WHERE tenant_id = $1 AND order_id = $2 ORDER BY seq",
    )
    .bind(tenant)
    .bind(order)
    .fetch_all(conn)
    .await
}

pub async fn statement_count(
    conn: &mut Conn,
    tenant: TenantId,
    order: OrderId,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM statements WHERE tenant_id = $1 AND order_id = $2")
        .bind(tenant)
        .bind(order)
        .fetch_one(conn)
        .await
}

/// Records a form submission's one-time token. False: this submission was already applied.
/// `ON CONFLICT DO NOTHING` rather than catching the violation: on PostgreSQL a failed
/// statement would abort the whole transaction.
pub async fn claim_submission(
    conn: &mut Conn,
    tenant: TenantId,
    token: &str,
    user: UserId,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO submissions (tenant_id, token, user_id, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT DO NOTHING",
    )
    .bind(tenant)
    .bind(token)
    .bind(user)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

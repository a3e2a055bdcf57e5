//! The domain event outbox: events and who may see them.

use sqlx::FromRow;

use super::Conn;
use crate::domain::ids::{OrgId, TenantId};

#[derive(Clone, Debug, FromRow)]
pub struct EventRow {
    pub tenant_id: TenantId,
    pub id: String,
    pub r#type: String,
    pub subject: String,
    pub actor_org_id: OrgId,
    pub occurred_at: i64,
    pub data: String,
}

/// Records an event, giving it its id here. Readers page by id, so ids must appear in commit
/// order: on PostgreSQL the event-writing transactions of one brand take turns (a transaction
/// lock held to commit) and the id is made once the turn is ours. A later writer's id is then
/// always greater than every id a reader could already have seen. SQLite has one writer anyway.
pub async fn insert(
    conn: &mut Conn,
    e: &mut EventRow,
    visible_to: &[OrgId],
) -> Result<(), sqlx::Error> {
    if conn.backend_name() == "PostgreSQL" {
        sqlx::query("SELECT CAST(pg_advisory_xact_lock(hashtext($1)) AS TEXT)")
            .bind(format!("events:{}", e.tenant_id))
            .execute(&mut *conn)
            .await?;
    }
    e.id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO events (tenant_id, id, type, subject, actor_org_id, occurred_at, data) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(e.tenant_id)
    .bind(&e.id)
    .bind(&e.r#type)
    .bind(&e.subject)
    .bind(e.actor_org_id)
    .bind(e.occurred_at)
    .bind(&e.data)
    .execute(&mut *conn)
    .await?;
    let mut seen: Vec<OrgId> = Vec::new();
    for org in visible_to {
        if seen.contains(org) {
            continue;
        }
        seen.push(*org);
        sqlx::query(
            "INSERT INTO event_visibility (tenant_id, org_id, event_id) VALUES ($1, $2, $3)",
        )
        .bind(e.tenant_id)
        .bind(*org)
        .bind(&e.id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

const COLUMNS: &str = "e.tenant_id, e.id, e.type, e.subject, e.actor_org_id, e.occurred_at, e.data";

/// Events `org` may see in `tenant`, oldest first, strictly after the event id `after`.
pub async fn visible(
    conn: &mut Conn,
    tenant: TenantId,
    org: OrgId,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<EventRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM event_visibility v \
         JOIN events e ON e.tenant_id = v.tenant_id AND e.id = v.event_id \
         WHERE v.tenant_id = $1 AND v.org_id = $2 AND v.event_id > $3 \
         ORDER BY v.event_id LIMIT $4"
    ))
    .bind(tenant)
    .bind(org)
    .bind(after.unwrap_or(""))
    .bind(limit)
    .fetch_all(conn)
    .await
}

pub async fn get(
    conn: &mut Conn,
    tenant: TenantId,
    id: &str,
) -> Result<Option<EventRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM events e WHERE e.tenant_id = $1 AND e.id = $2"
    ))
    .bind(tenant)
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Events of one order (newest last), for tests and the order's own views.
pub async fn of_subject(
    conn: &mut Conn,
    tenant: TenantId,
    subject: &str,
) -> Result<Vec<EventRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM events e WHERE e.tenant_id = $1 AND e.subject = $2 ORDER BY e.id"
    ))
    .bind(tenant)
    .bind(subject)
    .fetch_all(conn)
    .await
}

//! The audit log: append-only (the schema refuses updates and deletes).

use sqlx::FromRow;

use super::Conn;
use crate::domain::ids::{AuditId, OrgId, TenantId, UserId};

pub struct NewEntry<'a> {
    pub tenant_id: Option<TenantId>,
    pub actor_user_id: Option<UserId>,
    pub actor_org_id: Option<OrgId>,
    pub action: &'a str,
    pub subject_type: &'a str,
    pub subject_id: Option<String>,
    pub detail: serde_json::Value,
    pub client_addr: Option<&'a str>,
    pub at: i64,
}

#[derive(Clone, Debug, FromRow)]
pub struct Entry {
    pub id: AuditId,
    pub tenant_id: Option<String>,
    pub actor_user_id: Option<String>,
    pub action: String,
    pub subject_type: String,
    pub subject_id: Option<String>,
    pub detail: String,
    pub at: i64,
}

pub async fn append(conn: &mut Conn, entry: &NewEntry<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (id, tenant_id, actor_user_id, actor_org_id, action, subject_type, \
                                subject_id, detail, client_addr, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(AuditId::new())
    .bind(entry.tenant_id)
    .bind(entry.actor_user_id)
    .bind(entry.actor_org_id)
    .bind(entry.action)
    .bind(entry.subject_type)
    .bind(entry.subject_id.as_deref())
    .bind(entry.detail.to_string())
    .bind(entry.client_addr)
    .bind(entry.at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The newest entries with a given action, for tests and the admin's activity view.
pub async fn recent_with_action(
    conn: &mut Conn,
    action: &str,
    limit: i64,
) -> Result<Vec<Entry>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, tenant_id, actor_user_id, action, subject_type, subject_id, detail, at \
         FROM audit_log WHERE action = $1 ORDER BY seq DESC LIMIT $2",
    )
    .bind(action)
    .bind(limit)
    .fetch_all(conn)
    .await
}

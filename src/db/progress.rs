//! Progress posts on orders and the files attached to them.

use sqlx::FromRow;

use super::Conn;
use crate::domain::ids::{OrderId, OrgId, TenantId, UserId};

pub struct NewPost<'a> {
    pub tenant: TenantId,
    pub order: OrderId,
    pub id: &'a str,
    pub line_no: Option<i64>,
    pub milestone: &'a str,
    pub quantity_produced: Option<&'a str>,
    pub planned_completion: Option<&'a str>,
    pub expected_completion: Option<&'a str>,
    pub note: &'a str,
    pub user: UserId,
    pub org: OrgId,
    pub now: i64,
}

pub async fn insert_post(conn: &mut Conn, p: &NewPost<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO progress_posts (tenant_id, order_id, id, line_no, milestone, quantity_produced, \
             planned_completion, expected_completion, note, actor_user_id, actor_org_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(p.tenant)
    .bind(p.order)
    .bind(p.id)
    .bind(p.line_no)
    .bind(p.milestone)
    .bind(p.quantity_produced)
    .bind(p.planned_completion)
    .bind(p.expected_completion)
    .bind(p.note)
    .bind(p.user)
    .bind(p.org)
    .bind(p.now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records a stored blob once (the same content may be attached many times).
pub async fn upsert_file(
    conn: &mut Conn,
    sha256: &str,
    size: i64,
    content_type: &str,
    has_thumb: bool,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO stored_files (sha256, size, content_type, has_thumb, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(sha256)
    .bind(size)
    .bind(content_type)
    .bind(i64::from(has_thumb))
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_attachment(
    conn: &mut Conn,
    tenant: TenantId,
    id: &str,
    order: OrderId,
    post: &str,
    sha256: &str,
    file_name: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO attachments (tenant_id, id, order_id, post_id, sha256, file_name, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(tenant)
    .bind(id)
    .bind(order)
    .bind(post)
    .bind(sha256)
    .bind(file_name)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Clone, Debug, FromRow)]
pub struct Post {
    pub id: String,
    pub line_no: Option<i64>,
    pub milestone: String,
    pub quantity_produced: Option<String>,
    pub planned_completion: Option<String>,
    pub expected_completion: Option<String>,
    pub note: String,
    pub actor_name: String,
    pub actor_org_name: String,
    pub created_at: i64,
}

pub async fn posts(
    conn: &mut Conn,
    tenant: TenantId,
    order: OrderId,
) -> Result<Vec<Post>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.id, p.line_no, p.milestone, p.quantity_produced, p.planned_completion, \
                p.expected_completion, p.note, u.display_name AS actor_name, g.name AS actor_org_name, p.created_at \
         FROM progress_posts p JOIN users u ON u.id = p.actor_user_id JOIN orgs g ON g.id = p.actor_org_id \
         WHERE p.tenant_id = $1 AND p.order_id = $2 ORDER BY p.created_at DESC, p.id DESC",
    )
    .bind(tenant)
    .bind(order)
    .fetch_all(conn)
    .await
}

#[derive(Clone, Debug, FromRow)]
pub struct Attachment {
    pub id: String,
    pub post_id: String,
    pub sha256: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub has_thumb: i64,
}

const ATTACHMENT: &str = "SELECT a.id, a.post_id, a.sha256, a.file_name, f.content_type, f.size, f.has_thumb \
     FROM attachments a JOIN stored_files f ON f.sha256 = a.sha256";

pub async fn attachments_of_order(
    conn: &mut Conn,
    tenant: TenantId,
    order: OrderId,
) -> Result<Vec<Attachment>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{ATTACHMENT} WHERE a.tenant_id = $1 AND a.order_id = $2 ORDER BY a.created_at, a.id"
    ))
    .bind(tenant)
    .bind(order)
    .fetch_all(conn)
    .await
}

/// An attachment of this order; one of another order or brand is `None`.
pub async fn attachment(
    conn: &mut Conn,
    tenant: TenantId,
    order: OrderId,
    id: &str,
) -> Result<Option<Attachment>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{ATTACHMENT} WHERE a.tenant_id = $1 AND a.order_id = $2 AND a.id = $3"
    ))
    .bind(tenant)
    .bind(order)
    .bind(id)
    .fetch_optional(conn)
    .await
}

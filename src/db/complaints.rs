//! Complaints and the holds they place.

use sqlx::FromRow;

use super::{Conn, DynamicSql};
use crate::domain::ids::{OrderId, OrgId, TenantId, UserId};

#[derive(Clone, Debug, FromRow)]
pub struct Complaint {
    pub id: String,
    pub number: String,
    pub subject_kind: String,
    pub subject_id: String,
    pub order_id: OrderId,
    pub po_number: String,
    pub description: String,
    /// The reverse trace when opened (JSON links).
    pub reverse_trace: String,
    pub root_kind: Option<String>,
    pub root_id: Option<String>,
    pub status: String,
    pub created_by_name: String,
    pub created_at: i64,
    pub held_at: Option<i64>,
    /// The orders the hold was signed on (JSON array of ids), when it recorded them.
    pub held_orders: Option<String>,
    pub closed_at: Option<i64>,
    pub closed_by_name: Option<String>,
    /// What was found and done, given when closing.
    pub resolution: Option<String>,
}

const COMPLAINT: &str = "SELECT c.id, c.number, c.subject_kind, c.subject_id, c.order_id, \
     o.po_number, c.description, c.reverse_trace, c.root_kind, c.root_id, c.status, \
     u.display_name AS created_by_name, c.created_at, c.held_at, c.held_orders, c.closed_at, \
     cu.display_name AS closed_by_name, c.resolution \
     FROM complaints c JOIN orders o ON o.tenant_id = c.tenant_id AND o.id = c.order_id \
     JOIN users u ON u.id = c.created_by LEFT JOIN users cu ON cu.id = c.closed_by";

pub struct NewComplaint<'a> {
    pub tenant: TenantId,
    pub id: &'a str,
    pub subject: (&'a str, &'a str),
    pub order: OrderId,
    pub description: &'a str,
    pub reverse_trace: &'a str,
    pub by: UserId,
    pub now: i64,
}

/// Records a complaint under the brand's next number (`CMP-00001`, …); returns the number. On
/// SQLite the write transaction serialises numbering; on PostgreSQL two openings may count
/// alike, and the later one, waiting on the unique number, takes the next one.
pub async fn insert(conn: &mut Conn, c: &NewComplaint<'_>) -> Result<String, sqlx::Error> {
    let mut next = 0;
    loop {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM complaints WHERE tenant_id = $1")
            .bind(c.tenant)
            .fetch_one(&mut *conn)
            .await?;
        next = (count + 1).max(next + 1);
        let number = format!("CMP-{next:05}");
        let done = sqlx::query(
            "INSERT INTO complaints (tenant_id, id, number, subject_kind, subject_id, order_id, \
               description, reverse_trace, status, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9, $10) ON CONFLICT DO NOTHING",
        )
        .bind(c.tenant)
        .bind(c.id)
        .bind(&number)
        .bind(c.subject.0)
        .bind(c.subject.1)
        .bind(c.order)
        .bind(c.description)
        .bind(c.reverse_trace)
        .bind(c.by)
        .bind(c.now)
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() == 1 {
            return Ok(number);
        }
    }
}

pub async fn get(
    conn: &mut Conn,
    tenant: TenantId,
    id: &str,
) -> Result<Option<Complaint>, sqlx::Error> {
    sqlx::query_as(&format!("{COMPLAINT} WHERE c.tenant_id = $1 AND c.id = $2"))
        .bind(tenant)
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// The brand's complaints, newest first, a page after `before` (created_at, id).
pub async fn list(
    conn: &mut Conn,
    tenant: TenantId,
    before: Option<(i64, &str)>,
    limit: i64,
) -> Result<Vec<Complaint>, sqlx::Error> {
    let mut q = DynamicSql::default();
    let t = q.text(tenant.to_string());
    let page = q.newest_first(("c.created_at", "c.id"), before, limit);
    q.sql = format!("{COMPLAINT} WHERE c.tenant_id = {t}{page}");
    q.fetch_all(conn).await
}

/// What a complaint number names: (subject kind, subject id).
pub async fn subject_by_number(
    conn: &mut Conn,
    tenant: TenantId,
    number: &str,
) -> Result<Option<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT subject_kind, subject_id FROM complaints WHERE tenant_id = $1 AND number = $2",
    )
    .bind(tenant)
    .bind(number.to_uppercase())
    .fetch_optional(conn)
    .await
}

pub async fn set_root(
    conn: &mut Conn,
    tenant: TenantId,
    id: &str,
    (kind, root): (&str, &str),
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE complaints SET root_kind = $3, root_id = $4 WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant)
    .bind(id)
    .bind(kind)
    .bind(root)
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks the complaint held, with the orders the hold is signed on (JSON array); false when it
/// was held already (a second click).
pub async fn mark_held(
    conn: &mut Conn,
    tenant: TenantId,
    id: &str,
    by: UserId,
    now: i64,
    orders: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE complaints SET status = 'held', held_by = $3, held_at = $4, held_orders = $5 \
         WHERE tenant_id = $1 AND id = $2 AND status = 'open'",
    )
    .bind(tenant)
    .bind(id)
    .bind(by)
    .bind(now)
    .bind(orders)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Closes an open or held complaint with its resolution; false when it was closed already.
pub async fn mark_closed(
    conn: &mut Conn,
    tenant: TenantId,
    id: &str,
    by: UserId,
    now: i64,
    resolution: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE complaints SET status = 'closed', closed_by = $3, closed_at = $4, \
           resolution = $5 WHERE tenant_id = $1 AND id = $2 AND status IN ('open', 'held')",
    )
    .bind(tenant)
    .bind(id)
    .bind(by)
    .bind(now)
    .bind(resolution)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A hold released by closing its complaint.
#[derive(Debug, FromRow)]
pub struct ReleasedHold {
    pub node_kind: String,
    pub node_id: String,
    pub owner_org_id: OrgId,
}

/// Releases the complaint's holds still in force and returns them. Goods another complaint
/// also holds stay held by that one.
pub async fn release_holds(
    conn: &mut Conn,
    tenant: TenantId,
    complaint: &str,
    now: i64,
) -> Result<Vec<ReleasedHold>, sqlx::Error> {
    let held: Vec<ReleasedHold> = sqlx::query_as(
        "SELECT node_kind, node_id, owner_org_id FROM trace_holds \
         WHERE tenant_id = $1 AND complaint_id = $2 AND released_at IS NULL \
         ORDER BY node_kind, node_id",
    )
    .bind(tenant)
    .bind(complaint)
    .fetch_all(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE trace_holds SET released_at = $3 \
         WHERE tenant_id = $1 AND complaint_id = $2 AND released_at IS NULL",
    )
    .bind(tenant)
    .bind(complaint)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(held)
}

pub struct NewHold<'a> {
    pub tenant: TenantId,
    pub complaint: &'a str,
    pub node: (&'a str, &'a str),
    pub owner: OrgId,
    pub by: UserId,
    pub now: i64,
}

pub async fn insert_hold(conn: &mut Conn, h: &NewHold<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO trace_holds (tenant_id, complaint_id, node_kind, node_id, owner_org_id, \
           placed_by, placed_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
    )
    .bind(h.tenant)
    .bind(h.complaint)
    .bind(h.node.0)
    .bind(h.node.1)
    .bind(h.owner)
    .bind(h.by)
    .bind(h.now)
    .execute(conn)
    .await?;
    Ok(())
}

/// The complaint's holds still in force: (node kind, node id).
pub async fn holds(
    conn: &mut Conn,
    tenant: TenantId,
    complaint: &str,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT node_kind, node_id FROM trace_holds WHERE tenant_id = $1 AND complaint_id = $2 \
           AND released_at IS NULL ORDER BY node_kind, node_id",
    )
    .bind(tenant)
    .bind(complaint)
    .fetch_all(conn)
    .await
}

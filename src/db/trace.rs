//! The traceability chain's links and the two walks over them. Each walk is one recursive
//! query over every brand's links (`trace_edges_all_brands`), by depth and without paths: it touches the links it returns (a
//! few times at most when a diamond or cycle reaches a node again before `max_depth`), so its
//! cost follows the size of the answer, not of the whole graph.

use sqlx::FromRow;

use super::Conn;
use crate::domain::ids::{OrgId, TenantId};
use crate::domain::trace::{NodeKind, TraceRow};

/// A link to record.
pub struct NewLink<'a> {
    pub owner: OrgId,
    pub from: (NodeKind, &'a str),
    pub to: (NodeKind, &'a str),
    pub quantity: &'a str,
    pub unit: &'a str,
    pub tenant: Option<TenantId>,
    pub now: i64,
}

/// Records a link; false when it exists already.
pub async fn insert_link(conn: &mut Conn, l: &NewLink<'_>) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO trace_edges (owner_org_id, from_kind, from_id, to_kind, to_id, quantity, \
           unit, tenant_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
    )
    .bind(l.owner)
    .bind(l.from.0.code())
    .bind(l.from.1)
    .bind(l.to.0.code())
    .bind(l.to.1)
    .bind(l.quantity)
    .bind(l.unit)
    .bind(l.tenant.map(|t| t.to_string()))
    .bind(l.now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether this link is recorded already.
pub async fn link_exists(
    conn: &mut Conn,
    from: (NodeKind, &str),
    to: (NodeKind, &str),
) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM trace_edges \
         WHERE from_kind = $1 AND from_id = $2 AND to_kind = $3 AND to_id = $4",
    )
    .bind(from.0.code())
    .bind(from.1)
    .bind(to.0.code())
    .bind(to.1)
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}

#[derive(FromRow)]
struct Row {
    depth: i64,
    from_kind: String,
    from_id: String,
    to_kind: String,
    to_id: String,
    quantity: String,
    unit: String,
    owner_org_id: String,
    tenant_id: Option<String>,
}

/// Every link downstream of the start (what it went into, and on), up to `max_depth` links away.
pub async fn forward(
    conn: &mut Conn,
    start: (NodeKind, &str),
    max_depth: i64,
) -> Result<Vec<TraceRow>, sqlx::Error> {
    walk(conn, start, max_depth, false).await
}

/// Every link upstream of the start (what went into it, and before), up to `max_depth` away.
pub async fn reverse(
    conn: &mut Conn,
    start: (NodeKind, &str),
    max_depth: i64,
) -> Result<Vec<TraceRow>, sqlx::Error> {
    walk(conn, start, max_depth, true).await
}

async fn walk(
    conn: &mut Conn,
    start: (NodeKind, &str),
    max_depth: i64,
    reverse: bool,
) -> Result<Vec<TraceRow>, sqlx::Error> {
    // Forward follows from → to; reverse follows to → from. `UNION` (not `UNION ALL`) drops a
    // link met again at the same depth; the depth bound ends cycles.
    let (near, far) = if reverse {
        ("to", "from")
    } else {
        ("from", "to")
    };
    let sql = format!(
        "WITH RECURSIVE walk (depth, from_kind, from_id, to_kind, to_id, quantity, unit, \
             owner_org_id, tenant_id) AS ( \
           SELECT CAST(1 AS BIGINT), e.from_kind, e.from_id, e.to_kind, e.to_id, e.quantity, \
             e.unit, e.owner_org_id, e.tenant_id \
           FROM trace_edges_all_brands e WHERE e.{near}_kind = $1 AND e.{near}_id = $2 \
           UNION \
           SELECT w.depth + 1, e.from_kind, e.from_id, e.to_kind, e.to_id, e.quantity, e.unit, \
             e.owner_org_id, e.tenant_id \
           FROM walk w JOIN trace_edges_all_brands e \
             ON e.{near}_kind = w.{far}_kind AND e.{near}_id = w.{far}_id \
           WHERE w.depth < $3 \
         ) \
         SELECT depth, from_kind, from_id, to_kind, to_id, quantity, unit, owner_org_id, \
           tenant_id FROM walk \
         ORDER BY depth, from_kind, from_id, to_kind, to_id"
    );
    // The graph crosses brands by design (the view answers in every scope): a factory's lot
    // reaches several brands' orders, and the caller counts the links it may not show ("other
    // customers affected").
    let rows = sqlx::query_as::<_, Row>(&sql)
        .bind(start.0.code())
        .bind(start.1)
        .bind(max_depth)
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(TraceRow {
                depth: r.depth,
                from: (NodeKind::parse(&r.from_kind)?, r.from_id),
                to: (NodeKind::parse(&r.to_kind)?, r.to_id),
                quantity: r.quantity,
                unit: r.unit,
                owner: r.owner_org_id,
                tenant: r.tenant_id,
            })
        })
        .collect())
}

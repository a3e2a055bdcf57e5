//! Organisations.

use sqlx::FromRow;

use super::Conn;
use crate::domain::ids::OrgId;
use crate::domain::org::OrgKind;

#[derive(Clone, Debug, FromRow)]
pub struct Org {
    pub id: OrgId,
    pub kind: OrgKind,
    pub name: String,
    pub created_at: i64,
}

pub async fn insert(conn: &mut Conn, org: &Org) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO orgs (id, kind, name, created_at) VALUES ($1, $2, $3, $4)")
        .bind(org.id)
        .bind(org.kind)
        .bind(&org.name)
        .bind(org.created_at)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn get(conn: &mut Conn, id: OrgId) -> Result<Option<Org>, sqlx::Error> {
    sqlx::query_as("SELECT id, kind, name, created_at FROM orgs WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn find_by_kind_and_name(
    conn: &mut Conn,
    kind: OrgKind,
    name: &str,
) -> Result<Option<Org>, sqlx::Error> {
    sqlx::query_as("SELECT id, kind, name, created_at FROM orgs WHERE kind = $1 AND name = $2")
        .bind(kind)
        .bind(name)
        .fetch_optional(conn)
        .await
}

pub async fn count_all(conn: &mut Conn) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM orgs")
        .fetch_one(conn)
        .await
}

pub async fn count_by_kind(conn: &mut Conn, kind: OrgKind) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM orgs WHERE kind = $1")
        .bind(kind)
        .fetch_one(conn)
        .await
}

/// One page of organisations ordered by (kind, name, id), after the given key.
pub async fn list_page(
    conn: &mut Conn,
    after: Option<(&str, &str, OrgId)>,
    limit: i64,
) -> Result<Vec<Org>, sqlx::Error> {
    match after {
        None => {
            sqlx::query_as(
                "SELECT id, kind, name, created_at FROM orgs ORDER BY kind, name, id LIMIT $1",
            )
            .bind(limit)
            .fetch_all(conn)
            .await
        }
        Some((kind, name, id)) => {
            sqlx::query_as(
                "SELECT id, kind, name, created_at FROM orgs \
                 WHERE (kind > $1) OR (kind = $1 AND name > $2) OR (kind = $1 AND name = $2 AND id > $3) \
                 ORDER BY kind, name, id LIMIT $4",
            )
            .bind(kind.to_owned())
            .bind(name.to_owned())
            .bind(id)
            .bind(limit)
            .fetch_all(conn)
            .await
        }
    }
}

pub async fn find_by_name(conn: &mut Conn, name: &str) -> Result<Vec<Org>, sqlx::Error> {
    sqlx::query_as("SELECT id, kind, name, created_at FROM orgs WHERE name = $1 ORDER BY id")
        .bind(name)
        .fetch_all(conn)
        .await
}

pub async fn first_of_kind(conn: &mut Conn, kind: OrgKind) -> Result<Option<Org>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, kind, name, created_at FROM orgs WHERE kind = $1 ORDER BY id LIMIT 1",
    )
    .bind(kind)
    .fetch_optional(conn)
    .await
}

/// Organisations with no signing key at all.
pub async fn without_keys(conn: &mut Conn) -> Result<Vec<OrgId>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT o.id FROM orgs o WHERE NOT EXISTS (SELECT 1 FROM org_keys k WHERE k.org_id = o.id) \
         ORDER BY o.id",
    )
    .fetch_all(conn)
    .await
}

/// One page of organisations of one kind ordered by (name, id), after the given key.
pub async fn list_kind_page(
    conn: &mut Conn,
    kind: OrgKind,
    after: Option<(&str, OrgId)>,
    limit: i64,
) -> Result<Vec<Org>, sqlx::Error> {
    let (name, id) = after
        .map(|(n, i)| (n.to_owned(), i.to_string()))
        .unwrap_or_default();
    sqlx::query_as(
        "SELECT id, kind, name, created_at FROM orgs \
         WHERE kind = $1 AND (name > $2 OR (name = $2 AND id > $3)) ORDER BY name, id LIMIT $4",
    )
    .bind(kind)
    .bind(name)
    .bind(id)
    .bind(limit)
    .fetch_all(conn)
    .await
}

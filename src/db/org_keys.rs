//! Organisations' signing keys: public part, private part sealed under the master key, and the
//! period each key is valid for. Retired keys stay, so old statements keep verifying.

use sqlx::FromRow;

use super::{Conn, DynamicSql};
use crate::domain::ids::OrgId;

#[derive(Clone, Debug, FromRow)]
pub struct OrgKey {
    pub kid: String,
    pub org_id: OrgId,
    pub public_x: String,
    pub valid_from: i64,
    pub valid_until: Option<i64>,
}

pub async fn insert(
    conn: &mut Conn,
    org: OrgId,
    kid: &str,
    public_x: &str,
    sealed_private: &[u8],
    valid_from: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO org_keys (kid, org_id, public_x, sealed_private, valid_from) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(kid)
    .bind(org)
    .bind(public_x)
    .bind(sealed_private.to_vec())
    .bind(valid_from)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(FromRow)]
struct KeyWithSecret {
    kid: String,
    org_id: OrgId,
    public_x: String,
    valid_from: i64,
    valid_until: Option<i64>,
    sealed_private: Vec<u8>,
}

/// The key an organisation signs with now: its newest unretired key, with its sealed secret.
pub async fn current(
    conn: &mut Conn,
    org: OrgId,
) -> Result<Option<(OrgKey, Vec<u8>)>, sqlx::Error> {
    let row: Option<KeyWithSecret> = sqlx::query_as(
        "SELECT kid, org_id, public_x, valid_from, valid_until, sealed_private FROM org_keys \
         WHERE org_id = $1 AND valid_until IS NULL ORDER BY valid_from DESC LIMIT 1",
    )
    .bind(org)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|k| {
        let key = OrgKey {
            kid: k.kid,
            org_id: k.org_id,
            public_x: k.public_x,
            valid_from: k.valid_from,
            valid_until: k.valid_until,
        };
        (key, k.sealed_private)
    }))
}

/// Ends the validity of every current key of the organisation.
pub async fn retire_current(conn: &mut Conn, org: OrgId, at: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE org_keys SET valid_until = $2 WHERE org_id = $1 AND valid_until IS NULL",
    )
    .bind(org)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Every public key, for the JWKS. Ordered so the document is stable between requests.
pub async fn all_public(conn: &mut Conn) -> Result<Vec<OrgKey>, sqlx::Error> {
    sqlx::query_as(
        "SELECT kid, org_id, public_x, valid_from, valid_until FROM org_keys ORDER BY org_id, valid_from, kid",
    )
    .fetch_all(conn)
    .await
}

pub async fn of_org(conn: &mut Conn, org: OrgId) -> Result<Vec<OrgKey>, sqlx::Error> {
    sqlx::query_as(
        "SELECT kid, org_id, public_x, valid_from, valid_until FROM org_keys WHERE org_id = $1 \
         ORDER BY valid_from, kid",
    )
    .bind(org)
    .fetch_all(conn)
    .await
}

/// The keys with these ids, in one query (an order's statements name a few).
pub async fn by_kids(conn: &mut Conn, kids: &[&str]) -> Result<Vec<OrgKey>, sqlx::Error> {
    if kids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = DynamicSql::default();
    let marks: Vec<String> = kids.iter().map(|k| q.text((*k).to_owned())).collect();
    q.sql = format!(
        "SELECT kid, org_id, public_x, valid_from, valid_until FROM org_keys \
         WHERE kid IN ({}) ORDER BY kid",
        marks.join(", ")
    );
    q.fetch_all(conn).await
}

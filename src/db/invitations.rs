//! Invitation links. Only the SHA-256 of the token is stored, so a database copy holds no
//! usable links.

use sqlx::FromRow;

use super::Conn;
use crate::domain::ids::{InvitationId, OrgId, UserId};

#[derive(Clone, Debug, FromRow)]
pub struct Invitation {
    pub id: InvitationId,
    pub kind: String,
    pub inviting_org_id: OrgId,
    pub target_org_id: Option<OrgId>,
    pub org_name: Option<String>,
    pub org_kind: Option<String>,
    pub email: String,
    pub role: String,
    pub invited_by: UserId,
    pub created_at: i64,
    pub expires_at: i64,
    pub accepted_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

const COLUMNS: &str = "id, kind, inviting_org_id, target_org_id, org_name, org_kind, email, role, \
                       invited_by, created_at, expires_at, accepted_at, revoked_at";

pub struct NewInvitation<'a> {
    pub id: InvitationId,
    pub token_hash: &'a str,
    pub kind: &'a str,
    pub inviting_org_id: OrgId,
    pub target_org_id: Option<OrgId>,
    pub org_name: Option<&'a str>,
    pub org_kind: Option<&'a str>,
    pub email: &'a str,
    pub role: &'a str,
    pub invited_by: UserId,
    pub created_at: i64,
    pub expires_at: i64,
}

pub async fn insert(conn: &mut Conn, inv: &NewInvitation<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO invitations (id, token_hash, kind, inviting_org_id, target_org_id, org_name, \
                                  org_kind, email, role, invited_by, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(inv.id)
    .bind(inv.token_hash)
    .bind(inv.kind)
    .bind(inv.inviting_org_id)
    .bind(inv.target_org_id)
    .bind(inv.org_name)
    .bind(inv.org_kind)
    .bind(inv.email)
    .bind(inv.role)
    .bind(inv.invited_by)
    .bind(inv.created_at)
    .bind(inv.expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn by_token_hash(
    conn: &mut Conn,
    token_hash: &str,
) -> Result<Option<Invitation>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM invitations WHERE token_hash = $1"
    ))
    .bind(token_hash)
    .fetch_optional(conn)
    .await
}

/// An invitation sent by the given organisation; another organisation's is `None`.
pub async fn get_sent_by(
    conn: &mut Conn,
    inviting_org: OrgId,
    id: InvitationId,
) -> Result<Option<Invitation>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM invitations WHERE inviting_org_id = $1 AND id = $2"
    ))
    .bind(inviting_org)
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Invitations the organisation sent, newest first; `before` is the last id shown.
pub async fn list_sent_by(
    conn: &mut Conn,
    inviting_org: OrgId,
    before: Option<InvitationId>,
    limit: i64,
) -> Result<Vec<Invitation>, sqlx::Error> {
    let before = before
        .map(|b| b.to_string())
        .unwrap_or_else(|| "~".to_owned());
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM invitations WHERE inviting_org_id = $1 AND id < $2 \
         ORDER BY id DESC LIMIT $3"
    ))
    .bind(inviting_org)
    .bind(before)
    .bind(limit)
    .fetch_all(conn)
    .await
}

pub async fn count_pending_sent_by(
    conn: &mut Conn,
    inviting_org: OrgId,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM invitations WHERE inviting_org_id = $1 AND accepted_at IS NULL \
         AND revoked_at IS NULL AND expires_at > $2",
    )
    .bind(inviting_org)
    .bind(now)
    .fetch_one(conn)
    .await
}

/// Marks the invitation used. Returns false when someone else used or revoked it first, which
/// is what makes a link single-use under concurrent clicks.
pub async fn mark_accepted(
    conn: &mut Conn,
    id: InvitationId,
    user: UserId,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE invitations SET accepted_at = $3, accepted_by = $2 \
         WHERE id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $3",
    )
    .bind(id)
    .bind(user)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn mark_revoked(
    conn: &mut Conn,
    inviting_org: OrgId,
    id: InvitationId,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE invitations SET revoked_at = $3 \
         WHERE inviting_org_id = $1 AND id = $2 AND accepted_at IS NULL AND revoked_at IS NULL",
    )
    .bind(inviting_org)
    .bind(id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

//! Organisations' single sign-on settings and the e-mail domains that route to them. Not
//! tenant data: each row belongs to one organisation and only its admins read it.

use sqlx::FromRow;

use super::Conn;
use crate::domain::ids::{OrgId, UserId};

#[derive(Clone, Debug, FromRow)]
pub struct SsoConfig {
    pub org_id: OrgId,
    pub issuer: String,
    pub client_id: String,
    pub sealed_secret: Vec<u8>,
    pub link_mode: String,
    pub default_role: String,
    pub enabled: i64,
    pub required: i64,
    pub updated_at: i64,
}

impl SsoConfig {
    pub fn is_enabled(&self) -> bool {
        self.enabled != 0
    }

    /// Password sign-in is refused for the organisation's users.
    pub fn is_required(&self) -> bool {
        self.enabled != 0 && self.required != 0
    }
}

const COLUMNS: &str = "org_id, issuer, client_id, sealed_secret, link_mode, default_role, \
                       enabled, required, updated_at";

pub async fn get(conn: &mut Conn, org: OrgId) -> Result<Option<SsoConfig>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM sso_configs WHERE org_id = $1"
    ))
    .bind(org)
    .fetch_optional(conn)
    .await
}

pub struct SaveConfig<'a> {
    pub org_id: OrgId,
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub sealed_secret: &'a [u8],
    pub link_mode: &'a str,
    pub default_role: &'a str,
    pub enabled: bool,
    pub required: bool,
    pub by: UserId,
    pub at: i64,
}

/// Inserts or replaces the organisation's settings.
pub async fn save(conn: &mut Conn, c: &SaveConfig<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sso_configs (org_id, issuer, client_id, sealed_secret, link_mode, \
                                  default_role, enabled, required, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (org_id) DO UPDATE SET issuer = excluded.issuer, \
             client_id = excluded.client_id, sealed_secret = excluded.sealed_secret, \
             link_mode = excluded.link_mode, default_role = excluded.default_role, \
             enabled = excluded.enabled, required = excluded.required, \
             updated_by = excluded.updated_by, updated_at = excluded.updated_at",
    )
    .bind(c.org_id)
    .bind(c.issuer)
    .bind(c.client_id)
    .bind(c.sealed_secret.to_vec())
    .bind(c.link_mode)
    .bind(c.default_role)
    .bind(i64::from(c.enabled))
    .bind(i64::from(c.required))
    .bind(c.by)
    .bind(c.at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn domains(conn: &mut Conn, org: OrgId) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT domain FROM sso_domains WHERE org_id = $1 ORDER BY domain")
        .bind(org)
        .fetch_all(conn)
        .await
}

/// The organisation that claimed `domain`, if any.
pub async fn org_of_domain(conn: &mut Conn, domain: &str) -> Result<Option<OrgId>, sqlx::Error> {
    sqlx::query_scalar("SELECT org_id FROM sso_domains WHERE domain = $1")
        .bind(domain)
        .fetch_optional(conn)
        .await
}

/// Replaces the organisation's domains. A domain another organisation holds stays theirs:
/// the caller checks first, and the primary key refuses a race.
pub async fn set_domains(
    conn: &mut Conn,
    org: OrgId,
    domains: &[String],
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sso_domains WHERE org_id = $1")
        .bind(org)
        .execute(&mut *conn)
        .await?;
    for domain in domains {
        sqlx::query("INSERT INTO sso_domains (domain, org_id) VALUES ($1, $2)")
            .bind(domain)
            .bind(org)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

//! The callback: the pending request must match (`state`, one use, not stale), the code is
//! exchanged with the PKCE verifier, the ID token is checked (one JWKS refetch on an unknown
//! key), and the verified address is linked to a Portico user of the organisation.

use serde_json::json;

use super::config::LINK_VERIFIED_DOMAIN;
use super::login::{PENDING_TTL_SECS, Pending, client, exchange};
use crate::app::AppState;
use crate::auth::oidc::id_token::{self, Expected, IdClaims, IdTokenError};
use crate::auth::tokens;
use crate::db;
use crate::db::sso::SsoConfig;
use crate::domain::email::EmailAddress;
use crate::domain::ids::{OrgId, UserId};
use crate::domain::org::Role;
use crate::domain::time::UtcMillis;
use crate::i18n::Lang;
use crate::service::{AuditEvent, ServiceError, actions, audit_unauthenticated};

pub struct SsoSignedIn {
    pub user_id: UserId,
    pub org_id: OrgId,
    pub locale: Option<Lang>,
    /// Kept for the provider's logout (`id_token_hint`).
    pub id_token: String,
}

/// Why an SSO sign-in failed, as the message key shown on the login page (and the reason
/// recorded in the audit log). Internal errors stay internal.
#[derive(Debug)]
pub enum SsoFailure {
    Refused(&'static str),
    Internal(ServiceError),
}

impl From<sqlx::Error> for SsoFailure {
    fn from(err: sqlx::Error) -> Self {
        SsoFailure::Internal(err.into())
    }
}

/// What the provider sent back on the callback URL.
pub struct Callback<'a> {
    pub code: Option<&'a str>,
    pub state: Option<&'a str>,
    pub error: Option<&'a str>,
}

fn token_failure(err: IdTokenError) -> &'static str {
    match err {
        IdTokenError::Expired | IdTokenError::IssuedInFuture => "sso.error.expired",
        IdTokenError::WrongAudience => "sso.error.audience",
        IdTokenError::NonceMismatch | IdTokenError::MissingNonce => "sso.error.nonce",
        IdTokenError::WrongIssuer => "sso.error.issuer",
        _ => "sso.error.token",
    }
}

/// Finishes a sign-in. `pending` is what the session held (already taken out of it). A refusal
/// is audited with its reason before it is returned.
pub async fn finish(
    state: &AppState,
    pending: Option<Pending>,
    callback: Callback<'_>,
    client_addr: Option<&str>,
) -> Result<SsoSignedIn, SsoFailure> {
    let org = pending.as_ref().map(|p| p.org_id);
    let result = match verify(state, pending, callback).await {
        Ok((config, claims, id_token)) => {
            link(state, &config, &claims, id_token, client_addr).await
        }
        Err(failure) => Err(failure),
    };
    if let Err(SsoFailure::Refused(reason)) = &result {
        audit_failure(state, org, reason, client_addr)
            .await
            .map_err(SsoFailure::Internal)?;
    }
    result
}

async fn verify(
    state: &AppState,
    pending: Option<Pending>,
    callback: Callback<'_>,
) -> Result<(SsoConfig, IdClaims, String), SsoFailure> {
    let refused = SsoFailure::Refused;
    let Some(pending) = pending else {
        return Err(refused("sso.error.state"));
    };
    let fresh = UtcMillis::now().0 < pending.started_at + PENDING_TTL_SECS * 1000;
    let state_ok = callback
        .state
        .is_some_and(|s| tokens::secrets_equal(s, &pending.state));
    if !state_ok || !fresh {
        return Err(refused("sso.error.state"));
    }
    if callback.error.is_some() {
        return Err(refused("sso.error.provider_refused"));
    }
    let code = callback.code.ok_or(refused("sso.error.code"))?;
    let mut conn = state.db.read().await?;
    let config = db::sso::get(&mut conn, pending.org_id)
        .await?
        .filter(SsoConfig::is_enabled)
        .ok_or(refused("sso.error.not_configured"))?;
    drop(conn);
    // The provider may take seconds to answer: the request's reading connection (and on
    // SQLite its read transaction) goes back to the pool meanwhile.
    db::request_reader::release();
    let doc = state
        .oidc
        .discovery(&config.issuer)
        .await
        .map_err(|_| refused("sso.error.provider"))?;
    let client = client(state, &config, &doc).map_err(SsoFailure::Internal)?;
    let id_token = exchange(state, &client, code, &pending.pkce_verifier)
        .await
        .map_err(|()| refused("sso.error.code"))?
        .ok_or(refused("sso.error.token"))?;
    let expected = Expected {
        issuer: &config.issuer,
        client_id: &config.client_id,
        nonce: &pending.nonce,
        allowed_algs: &doc.id_token_signing_alg_values_supported,
        now_secs: UtcMillis::now().0 / 1000,
    };
    let keys = state
        .oidc
        .jwks(&doc.jwks_uri, false)
        .await
        .map_err(|_| refused("sso.error.provider"))?;
    let claims = match id_token::check(&id_token, &keys, &expected) {
        // The provider may have rotated its keys since they were cached: refetch once.
        Err(IdTokenError::UnknownKey) => {
            let keys = state
                .oidc
                .jwks(&doc.jwks_uri, true)
                .await
                .map_err(|_| refused("sso.error.provider"))?;
            id_token::check(&id_token, &keys, &expected)
        }
        other => other,
    }
    .map_err(|err| refused(token_failure(err)))?;
    Ok((config, claims, id_token))
}

/// Links the verified address to a user of the organisation (creating one when the settings
/// allow it), audits the sign-in, and returns who signed in.
async fn link(
    state: &AppState,
    config: &SsoConfig,
    claims: &IdClaims,
    id_token: String,
    client_addr: Option<&str>,
) -> Result<SsoSignedIn, SsoFailure> {
    let refused = SsoFailure::Refused;
    let email = claims
        .email
        .as_deref()
        .and_then(|e| EmailAddress::parse(e).ok())
        .map(|e| e.to_string());
    let Some(email) = email.filter(|_| claims.email_verified) else {
        return Err(refused("sso.error.unverified"));
    };
    let mut tx = state.db.begin().await?;
    let domain = email.rsplit_once('@').map(|(_, d)| d).unwrap_or_default();
    let domains = db::sso::domains(&mut tx, config.org_id).await?;
    if !domains.iter().any(|d| d == domain) {
        return Err(refused("sso.error.domain"));
    }
    let now = UtcMillis::now().0;
    let (user_id, locale) = match db::users::with_org_by_email(&mut tx, &email).await? {
        Some(user) if user.org_id != config.org_id => {
            return Err(refused("sso.error.unknown_user"));
        }
        Some(user) if !user.is_active() => return Err(refused("sso.error.disabled")),
        Some(user) => (user.id, user.locale.as_deref().and_then(Lang::parse)),
        None if config.link_mode == LINK_VERIFIED_DOMAIN => {
            let org = db::orgs::get(&mut tx, config.org_id)
                .await?
                .ok_or(refused("sso.error.not_configured"))?;
            let role = Role::parse_for(org.kind, &config.default_role)
                .ok_or(refused("sso.error.not_configured"))?;
            let user_id = UserId::new();
            let local = email.split('@').next().unwrap_or_default();
            let name = claims.name.as_deref().unwrap_or(local);
            db::users::insert(
                &mut tx,
                &db::users::NewUser {
                    id: user_id,
                    org_id: config.org_id,
                    email: &email,
                    display_name: name,
                    role,
                    password_hash: None,
                    locale: None,
                    now,
                },
            )
            .await?;
            audit_unauthenticated(
                &mut tx,
                Some((user_id, config.org_id)),
                None,
                AuditEvent::new(actions::SSO_USER_JOINED, "user", user_id)
                    .detail(json!({ "email": email, "role": role.as_str() })),
                client_addr,
            )
            .await?;
            (user_id, None)
        }
        None => return Err(refused("sso.error.unknown_user")),
    };
    audit_unauthenticated(
        &mut tx,
        Some((user_id, config.org_id)),
        None,
        AuditEvent::new(actions::SSO_SIGN_IN, "user", user_id)
            .detail(json!({ "issuer": config.issuer, "subject": claims.subject })),
        client_addr,
    )
    .await?;
    tx.commit().await?;
    Ok(SsoSignedIn {
        user_id,
        org_id: config.org_id,
        locale,
        id_token,
    })
}

/// Records a failed attempt (the reason key, the organisation when known).
pub async fn audit_failure(
    state: &AppState,
    org: Option<OrgId>,
    reason: &str,
    client_addr: Option<&str>,
) -> Result<(), ServiceError> {
    let mut tx = state.db.begin().await?;
    let event = AuditEvent {
        action: actions::SSO_SIGN_IN_FAILED,
        subject_type: "org",
        subject_id: org.map(|o| o.to_string()),
        detail: json!({ "reason": reason }),
    };
    audit_unauthenticated(&mut tx, None, None, event, client_addr).await?;
    tx.commit().await?;
    Ok(())
}

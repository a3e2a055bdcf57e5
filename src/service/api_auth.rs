//! The client-credentials grant and the check of every API request: a client proves its secret
//! for a short-lived token; each request's token is verified, and the client behind it must
//! still exist, be unrevoked, belong to the organisation and brand the token names, and (for a
//! partner) still have an active partnership with that brand.

use serde::Serialize;

use crate::app::AppState;
use crate::auth::actor::{Actor, TenantScope};
use crate::auth::api_token::{self, ApiClaims, TOKEN_TTL_SECS, TokenRefusal};
use crate::auth::tokens::{hash_token, secrets_equal};
use crate::db::api_clients::ApiClient;
use crate::db::{self, Conn};
use crate::domain::org::OrgKind;
use crate::domain::time::UtcMillis;
use crate::i18n::Lang;
use crate::signing::keys;

/// The token endpoint's answer (RFC 6749 §5.1).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IssuedToken {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub scope: String,
}

/// RFC 6749 §5.2 error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantError {
    InvalidClient,
    InvalidScope,
}

/// Who an API request acts as.
#[derive(Clone, Debug)]
pub struct ApiCaller {
    pub actor: Actor,
    pub claims: ApiClaims,
}

#[derive(Debug, thiserror::Error)]
pub enum CallerError {
    #[error("token refused: {0}")]
    Token(#[from] TokenRefusal),
    #[error("client revoked or unknown")]
    Client,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// The `iss` of Portico's tokens.
pub fn issuer(state: &AppState) -> String {
    state.config.public_url.trim_end_matches('/').to_owned()
}

/// The `aud` of Portico's tokens: the API itself.
pub fn audience(state: &AppState) -> String {
    format!("{}/api/v1", issuer(state))
}

/// Portico's current token key, made on first use. Several replicas may race to make one; the
/// newest wins for signing and all of them verify.
async fn signing_key(state: &AppState) -> anyhow::Result<db::api_clients::TokenKey> {
    let mut conn = state.db.read().await?;
    let now = UtcMillis::now().0;
    if let Some(key) = db::api_clients::token_keys(&mut conn, now)
        .await?
        .into_iter()
        .next()
    {
        return Ok(key);
    }
    drop(conn);
    let new = keys::generate(&state.master);
    let mut tx = state.db.begin().await?;
    let now = UtcMillis::now().0;
    db::api_clients::insert_token_key(
        &mut tx,
        &new.public.kid,
        &new.public.x,
        &new.sealed_private,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(db::api_clients::TokenKey {
        kid: new.public.kid,
        public_x: new.public.x,
        sealed_private: new.sealed_private,
        created_at: now,
    })
}

/// Makes a new token key, which signs from now on; the keys before it keep verifying for one
/// token lifetime (tokens they signed stay good until they expire), then retire. Returns the
/// new kid and how many keys retire.
pub async fn rotate_token_key(
    db: &crate::db::Db,
    master: &crate::signing::master_key::MasterKey,
) -> anyhow::Result<(String, u64)> {
    let new = keys::generate(master);
    let mut tx = db.begin().await?;
    // The newest key signs, so the new one must be newer than every other even when the key it
    // replaces was made within the same millisecond.
    let newest = db::api_clients::newest_token_key_at(&mut tx).await?;
    let now = UtcMillis::now().0.max(newest.map_or(0, |at| at + 1));
    db::api_clients::insert_token_key(
        &mut tx,
        &new.public.kid,
        &new.public.x,
        &new.sealed_private,
        now,
    )
    .await?;
    let retired =
        db::api_clients::retire_token_keys(&mut tx, &new.public.kid, now + TOKEN_TTL_SECS * 1000)
            .await?;
    tx.commit().await?;
    Ok((new.public.kid, retired))
}

/// The published key set (`/.well-known/jwks.json`), OKP keys per RFC 8037.
pub async fn jwks(state: &AppState) -> anyhow::Result<serde_json::Value> {
    signing_key(state).await?;
    let mut conn = state.db.read().await?;
    let keys: Vec<_> = db::api_clients::token_keys(&mut conn, UtcMillis::now().0)
        .await?
        .into_iter()
        .map(|k| {
            serde_json::json!({
                "kty": "OKP", "crv": "Ed25519", "x": k.public_x, "kid": k.kid,
                "use": "sig", "alg": "EdDSA",
            })
        })
        .collect();
    Ok(serde_json::json!({ "keys": keys }))
}

/// The client-credentials grant. `requested` narrows the client's scopes (all when absent).
pub async fn grant(
    state: &AppState,
    client_id: &str,
    secret: &str,
    requested: Option<&str>,
) -> Result<Result<IssuedToken, GrantError>, anyhow::Error> {
    let mut conn = state.db.read().await?;
    let client = db::api_clients::by_id(&mut conn, client_id).await?;
    // Hash before looking at the result, so an unknown id takes as long as a wrong secret.
    let offered = hash_token(secret);
    let Some(client) = client.filter(|c| secrets_equal(&c.secret_hash, &offered)) else {
        return Ok(Err(GrantError::InvalidClient));
    };
    if client.revoked_at.is_some() || acting_actor(&mut conn, &client).await?.is_none() {
        return Ok(Err(GrantError::InvalidClient));
    }
    let granted: Vec<&str> = client.scopes.split(' ').collect();
    let scope = match requested.map(str::trim).filter(|s| !s.is_empty()) {
        None => client.scopes.clone(),
        Some(wanted) => {
            let wanted: Vec<&str> = wanted.split_whitespace().collect();
            if wanted.iter().any(|w| !granted.contains(w)) {
                return Ok(Err(GrantError::InvalidScope));
            }
            wanted.join(" ")
        }
    };
    let key = signing_key(state).await?;
    let now = UtcMillis::now().0 / 1000;
    let claims = ApiClaims {
        iss: issuer(state),
        aud: audience(state),
        sub: client.id.clone(),
        org: client.org_id.to_string(),
        tenant: client.tenant_id.to_string(),
        scope: scope.clone(),
        iat: now,
        nbf: now,
        exp: now + TOKEN_TTL_SECS,
        jti: uuid::Uuid::new_v4().to_string(),
    };
    let token = api_token::issue(&state.master, &key.kid, &key.sealed_private, &claims)
        .map_err(|e| anyhow::anyhow!("signing an access token failed: {e}"))?;
    Ok(Ok(IssuedToken {
        access_token: token,
        token_type: "Bearer",
        expires_in: TOKEN_TTL_SECS,
        scope,
    }))
}

/// Verifies a bearer token and resolves the caller.
pub async fn caller(state: &AppState, token: &str) -> Result<ApiCaller, CallerError> {
    // One connection for every read of the check: an acquire is a round trip of its own.
    let mut conn = state.db.read().await.map_err(anyhow::Error::from)?;
    let keys = db::api_clients::token_keys(&mut conn, UtcMillis::now().0)
        .await
        .map_err(anyhow::Error::from)?;
    let claims = api_token::verify(
        token,
        |kid| {
            keys.iter()
                .find(|k| k.kid == kid)
                .map(|k| k.public_x.clone())
        },
        &issuer(state),
        &audience(state),
    )?;
    let client = db::api_clients::by_id(&mut conn, &claims.sub)
        .await
        .map_err(anyhow::Error::from)?;
    let client = client
        .filter(|c| c.revoked_at.is_none())
        .filter(|c| c.org_id.to_string() == claims.org && c.tenant_id.to_string() == claims.tenant)
        .ok_or(CallerError::Client)?;
    let actor = acting_actor(&mut conn, &client)
        .await?
        .ok_or(CallerError::Client)?;
    drop(conn);
    // Last use is shown to the minute; writing it on every call would take the (SQLite) write
    // lock per request.
    let now = UtcMillis::now().0;
    if client.last_used_at.is_none_or(|at| at < now - 60_000) {
        let mut tx = state.db.begin().await.map_err(anyhow::Error::from)?;
        db::api_clients::touch(&mut tx, &client.id, now)
            .await
            .map_err(anyhow::Error::from)?;
        tx.commit().await.map_err(anyhow::Error::from)?;
    }
    Ok(ApiCaller { actor, claims })
}

/// The actor a client acts as, or `None` when its user is disabled or its organisation no
/// longer actively serves the brand.
async fn acting_actor(conn: &mut Conn, client: &ApiClient) -> anyhow::Result<Option<Actor>> {
    let Some(user) = db::users::with_org_by_id(conn, client.user_id).await? else {
        return Ok(None);
    };
    if !user.is_active() || user.org_id != client.org_id {
        return Ok(None);
    }
    let scope = match user.org_kind {
        OrgKind::Brand => {
            if crate::domain::ids::TenantId::of_brand(user.org_id) != client.tenant_id {
                return Ok(None);
            }
            TenantScope {
                tenant_id: client.tenant_id,
                tenant_name: user.org_name.clone(),
                partner_org_id: None,
            }
        }
        OrgKind::Platform => return Ok(None),
        _ => {
            let Some(brand) =
                db::partnerships::active_brand_name(conn, client.tenant_id, user.org_id).await?
            else {
                return Ok(None);
            };
            TenantScope {
                tenant_id: client.tenant_id,
                tenant_name: brand,
                partner_org_id: Some(user.org_id),
            }
        }
    };
    Ok(Some(Actor {
        user_id: user.id,
        org_id: user.org_id,
        org_kind: user.org_kind,
        org_name: user.org_name,
        role: user.role,
        email: user.email,
        display_name: user.display_name,
        locale: Some(Lang::En),
        scope: Some(scope),
        brands: Vec::new(),
        client_addr: None,
        authenticated_at: UtcMillis::now(),
        unread_notifications: None,
    }))
}

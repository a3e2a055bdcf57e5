//! Signing in through the organisation's provider: routing an e-mail to it, the authorization
//! request (PKCE S256, `state`, `nonce`), and the callback (code exchange, ID-token check,
//! linking the address to a Portico user). Every outcome is audited.

use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet,
    ExtraTokenFields, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    StandardRevocableToken, StandardTokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};

use super::config::secret_context;
use crate::app::AppState;
use crate::auth::oidc::Discovery;
use crate::auth::tokens;
use crate::db;
use crate::db::sso::SsoConfig;
use crate::domain::email::EmailAddress;
use crate::domain::ids::OrgId;
use crate::domain::time::UtcMillis;
use crate::service::ServiceError;

pub use super::finish::{SsoFailure, SsoSignedIn, finish};

/// A started sign-in waits this long for the provider to send the user back.
pub const PENDING_TTL_SECS: i64 = 600;

/// What the pre-login session keeps between the redirect to the provider and the callback.
/// Taken out (one use) when the callback arrives.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Pending {
    pub org_id: OrgId,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub next: String,
    pub started_at: i64,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct IdTokenFields {
    #[serde(default)]
    pub id_token: Option<String>,
}

impl ExtraTokenFields for IdTokenFields {}

pub type OidcTokenResponse = StandardTokenResponse<IdTokenFields, BasicTokenType>;

pub type OidcClient = oauth2::Client<
    BasicErrorResponse,
    OidcTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// The organisation whose provider signs this e-mail in, if any: an existing user's own
/// organisation (never another's, whatever domains it claims), else the organisation that
/// claimed the address's domain.
pub async fn route_email(state: &AppState, email: &str) -> Result<Option<OrgId>, sqlx::Error> {
    let Ok(email) = EmailAddress::parse(email) else {
        return Ok(None);
    };
    let email = email.to_string();
    let mut conn = state.db.read().await?;
    let org = match db::users::with_org_by_email(&mut conn, &email).await? {
        Some(user) => Some(user.org_id),
        None => match email.rsplit_once('@') {
            Some((_, domain)) => db::sso::org_of_domain(&mut conn, domain).await?,
            None => None,
        },
    };
    let Some(org) = org else {
        return Ok(None);
    };
    let config = db::sso::get(&mut conn, org).await?;
    Ok(config.filter(SsoConfig::is_enabled).map(|c| c.org_id))
}

/// Whether the organisation requires SSO (password sign-in is refused for its users).
pub async fn required_for(conn: &mut db::Conn, org: OrgId) -> Result<bool, sqlx::Error> {
    Ok(db::sso::get(conn, org)
        .await?
        .is_some_and(|c| c.is_required()))
}

pub fn redirect_uri(state: &AppState) -> String {
    format!("{}/login/sso/callback", state.config.public_url)
}

pub(super) fn client(
    state: &AppState,
    config: &SsoConfig,
    doc: &Discovery,
) -> Result<OidcClient, ServiceError> {
    let secret = state
        .master
        .open(&config.sealed_secret, &secret_context(config.org_id))
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("client secret: {e}")))?;
    let secret = String::from_utf8(secret.to_vec())
        .map_err(|_| ServiceError::Internal(anyhow::anyhow!("client secret is not text")))?;
    let bad = |e: url::ParseError| ServiceError::Internal(e.into());
    Ok(oauth2::Client::new(ClientId::new(config.client_id.clone()))
        .set_client_secret(ClientSecret::new(secret))
        .set_auth_uri(AuthUrl::new(doc.authorization_endpoint.clone()).map_err(bad)?)
        .set_token_uri(TokenUrl::new(doc.token_endpoint.clone()).map_err(bad)?)
        .set_redirect_uri(RedirectUrl::new(redirect_uri(state)).map_err(bad)?))
}

/// Builds the provider's authorization URL for `org` and what the session must keep.
pub async fn start(
    state: &AppState,
    org: OrgId,
    login_hint: &str,
    next: &str,
) -> Result<(String, Pending), ServiceError> {
    let mut conn = state.db.read().await?;
    let config = db::sso::get(&mut conn, org)
        .await?
        .filter(SsoConfig::is_enabled)
        .ok_or(ServiceError::Refused("sso.error.not_configured"))?;
    drop(conn);
    // The provider may take seconds to answer: the request's reading connection (and on
    // SQLite its read transaction) goes back to the pool meanwhile.
    db::request_reader::release();
    let doc = state
        .oidc
        .discovery(&config.issuer)
        .await
        .map_err(|_| ServiceError::Refused("sso.error.provider"))?;
    let client = client(state, &config, &doc)?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let csrf_state = tokens::new_token();
    let nonce = tokens::new_token();
    let for_state = csrf_state.clone();
    let mut request = client
        .authorize_url(move || CsrfToken::new(for_state))
        .add_scope(Scope::new("openid".into()))
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .add_extra_param("nonce", nonce.clone());
    if !login_hint.trim().is_empty() {
        request = request.add_extra_param("login_hint", login_hint.trim().to_owned());
    }
    let (url, _) = request.url();
    Ok((
        url.to_string(),
        Pending {
            org_id: org,
            state: csrf_state,
            nonce,
            pkce_verifier: verifier.secret().clone(),
            next: next.to_owned(),
            started_at: UtcMillis::now().0,
        },
    ))
}

/// Exchanges the code for tokens (PKCE verifier attached); the raw ID token, if any.
pub(super) async fn exchange(
    state: &AppState,
    client: &OidcClient,
    code: &str,
    verifier: &str,
) -> Result<Option<String>, ()> {
    let response = client
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_owned()))
        .request_async(&state.oidc.http)
        .await
        .map_err(|err| {
            tracing::info!(error = %err, "OIDC code exchange refused");
        })?;
    Ok(response.extra_fields().id_token.clone())
}

/// The provider's logout URL for a user who signed in through `org`'s provider, when its
/// discovery offers an `end_session_endpoint`.
pub async fn end_session_url(state: &AppState, org: OrgId, id_token: &str) -> Option<String> {
    let mut conn = state.db.read().await.ok()?;
    let config = db::sso::get(&mut conn, org).await.ok()??;
    drop(conn);
    // The provider may take seconds to answer: the request's reading connection (and on
    // SQLite its read transaction) goes back to the pool meanwhile.
    db::request_reader::release();
    let doc = state.oidc.discovery(&config.issuer).await.ok()?;
    let mut url = url::Url::parse(doc.end_session_endpoint.as_deref()?).ok()?;
    url.query_pairs_mut()
        .append_pair("id_token_hint", id_token)
        .append_pair("client_id", &config.client_id)
        .append_pair(
            "post_logout_redirect_uri",
            &format!("{}/login", state.config.public_url),
        );
    Some(url.to_string())
}

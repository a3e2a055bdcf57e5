//! Portico's API access tokens: short-lived JWTs signed with Ed25519 (`alg: EdDSA`), issued by
//! `POST /oauth/token` to a client of one organisation acting in one brand, and checked on every
//! API request. The checks are strict and pinned: EdDSA only, a known `kid`, no key-location
//! headers (`jku`, `x5u`, `jwk`, `x5c`), exact `iss` and `aud`, numeric `exp`/`nbf`/`iat`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};

use crate::signing::keys::{self, KeyError};
use crate::signing::master_key::MasterKey;

/// How long an access token lives.
pub const TOKEN_TTL_SECS: i64 = 600;
/// Clock skew tolerated on `exp` and `nbf`.
pub const LEEWAY_SECS: u64 = 30;
/// The `typ` header of access tokens (RFC 9068).
pub const TOKEN_TYPE: &str = "at+jwt";

/// The scopes a client may be granted.
pub const SCOPES: [&str; 7] = [
    "orders:read",
    "orders:write",
    "production:write",
    "shipments:write",
    "receipts:write",
    "invoices:write",
    "events:read",
];

/// What an access token says. Times are numbers; a token with a string `exp` does not parse.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ApiClaims {
    pub iss: String,
    pub aud: String,
    /// The client id.
    pub sub: String,
    /// The organisation the client belongs to.
    pub org: String,
    /// The brand it acts in.
    pub tenant: String,
    /// Space-separated scopes.
    pub scope: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub jti: String,
}

impl ApiClaims {
    pub fn has_scope(&self, wanted: &str) -> bool {
        self.scope.split(' ').any(|s| s == wanted)
    }
}

/// Why a token was refused. Callers answer all of them with the same 401; the reason is logged.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenRefusal {
    #[error("not a JWT")]
    Malformed,
    #[error("algorithm not allowed")]
    Algorithm,
    #[error("key location headers are not accepted")]
    KeyHeaders,
    #[error("unknown key id")]
    UnknownKey,
    #[error("signature does not verify")]
    Signature,
    #[error("wrong issuer")]
    Issuer,
    #[error("wrong audience")]
    Audience,
    #[error("expired")]
    Expired,
    #[error("not yet valid")]
    NotYetValid,
    #[error("claims missing or of the wrong type")]
    Claims,
}

/// Signs `claims` with Portico's current token key.
pub fn issue(
    master: &MasterKey,
    kid: &str,
    sealed_private: &[u8],
    claims: &ApiClaims,
) -> Result<String, KeyError> {
    let header = serde_json::json!({ "alg": "EdDSA", "typ": TOKEN_TYPE, "kid": kid });
    let claims = serde_json::to_value(claims).map_err(|_| KeyError::Unseal)?;
    sign_compact(master, kid, sealed_private, &header, &claims)
}

/// A compact JWS of any header and claims, signed with a token key. `issue` is the only caller
/// in the server; the tests use it to forge tokens Portico must refuse.
pub fn sign_compact(
    master: &MasterKey,
    kid: &str,
    sealed_private: &[u8],
    header: &serde_json::Value,
    claims: &serde_json::Value,
) -> Result<String, KeyError> {
    let encode = |value: &serde_json::Value| URL_SAFE_NO_PAD.encode(value.to_string());
    let signing_input = format!("{}.{}", encode(header), encode(claims));
    let signature = keys::sign(master, kid, sealed_private, signing_input.as_bytes())?;
    Ok(format!("{signing_input}.{signature}"))
}

/// Checks `token` against Portico's published keys (`key_x` finds a key's public `x` by kid).
pub fn verify(
    token: &str,
    key_x: impl Fn(&str) -> Option<String>,
    issuer: &str,
    audience: &str,
) -> Result<ApiClaims, TokenRefusal> {
    ensure_crypto_provider();
    let header = jsonwebtoken::decode_header(token).map_err(|_| TokenRefusal::Malformed)?;
    if header.alg != Algorithm::EdDSA {
        return Err(TokenRefusal::Algorithm);
    }
    if header.jku.is_some() || header.x5u.is_some() || header.jwk.is_some() || header.x5c.is_some()
    {
        return Err(TokenRefusal::KeyHeaders);
    }
    let kid = header.kid.ok_or(TokenRefusal::UnknownKey)?;
    let x = key_x(&kid).ok_or(TokenRefusal::UnknownKey)?;
    let key = DecodingKey::from_ed_components(&x).map_err(|_| TokenRefusal::UnknownKey)?;
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud", "sub"]);
    validation.validate_nbf = true;
    validation.leeway = LEEWAY_SECS;
    use jsonwebtoken::errors::ErrorKind;
    jsonwebtoken::decode::<ApiClaims>(token, &key, &validation)
        .map(|data| data.claims)
        .map_err(|err| match err.kind() {
            ErrorKind::InvalidSignature => TokenRefusal::Signature,
            ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
                TokenRefusal::Algorithm
            }
            ErrorKind::InvalidIssuer => TokenRefusal::Issuer,
            ErrorKind::InvalidAudience => TokenRefusal::Audience,
            ErrorKind::ExpiredSignature => TokenRefusal::Expired,
            ErrorKind::ImmatureSignature => TokenRefusal::NotYetValid,
            ErrorKind::InvalidToken | ErrorKind::Base64(_) | ErrorKind::Utf8(_) => {
                TokenRefusal::Malformed
            }
            _ => TokenRefusal::Claims,
        })
}

/// jsonwebtoken picks its crypto backend from features; installing it explicitly keeps that
/// choice from depending on which other crate in the graph touched jsonwebtoken first.
pub fn ensure_crypto_provider() {
    let _ = jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER.install_default();
}

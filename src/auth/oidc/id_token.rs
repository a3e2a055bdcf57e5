//! The ID-token check: signature against the provider's JWKS with the algorithm pinned twice
//! (to what discovery announces and to the key's type), then `iss`, `aud`/`azp`, `exp`, `iat`
//! and `nonce`. Pure apart from the signature maths, so it is tested with keys made in tests.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::Value;

/// Clock skew tolerated on `exp` and `iat`, in seconds.
pub const LEEWAY_SECS: i64 = 60;

/// Why an ID token was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdTokenError {
    Malformed,
    /// `none`, HS*, not announced by the provider, or not matching the key's type.
    AlgorithmNotAllowed,
    /// No key of the JWKS has the token's `kid` (the caller refetches the JWKS once).
    UnknownKey,
    BadSignature,
    WrongIssuer,
    WrongAudience,
    Expired,
    IssuedInFuture,
    MissingNonce,
    NonceMismatch,
}

/// What the token must match.
pub struct Expected<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub nonce: &'a str,
    /// `id_token_signing_alg_values_supported` from discovery.
    pub allowed_algs: &'a [String],
    /// Now, in seconds since the epoch.
    pub now_secs: i64,
}

/// The claims Portico uses once the token is valid.
#[derive(Clone, Debug)]
pub struct IdClaims {
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
}

#[derive(Deserialize)]
struct RawHeader {
    alg: Option<String>,
    kid: Option<String>,
}

/// Checks `token` against `jwks` and what is `expected`.
pub fn check(
    token: &str,
    jwks: &JwkSet,
    expected: &Expected<'_>,
) -> Result<IdClaims, IdTokenError> {
    let header = raw_header(token)?;
    let alg_name = header.alg.ok_or(IdTokenError::Malformed)?;
    let alg = allowed_algorithm(&alg_name, expected.allowed_algs)?;
    let jwk = select_key(jwks, header.kid.as_deref(), alg)?;
    if !key_fits(jwk, alg) {
        return Err(IdTokenError::AlgorithmNotAllowed);
    }
    let key = DecodingKey::from_jwk(jwk).map_err(|_| IdTokenError::UnknownKey)?;
    // Only the signature here: the claims are checked below against `now_secs`.
    let mut validation = Validation::new(alg);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_aud = false;
    let data = jsonwebtoken::decode::<Value>(token, &key, &validation).map_err(|err| {
        use jsonwebtoken::errors::ErrorKind;
        match err.kind() {
            ErrorKind::InvalidSignature => IdTokenError::BadSignature,
            ErrorKind::InvalidAlgorithm => IdTokenError::AlgorithmNotAllowed,
            _ => IdTokenError::Malformed,
        }
    })?;
    check_claims(&data.claims, expected)
}

fn raw_header(token: &str) -> Result<RawHeader, IdTokenError> {
    let first = token.split('.').next().ok_or(IdTokenError::Malformed)?;
    let bytes = URL_SAFE_NO_PAD
        .decode(first)
        .map_err(|_| IdTokenError::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| IdTokenError::Malformed)
}

/// Asymmetric algorithms only, and only those the provider announced.
fn allowed_algorithm(name: &str, announced: &[String]) -> Result<Algorithm, IdTokenError> {
    if name.eq_ignore_ascii_case("none") || name.starts_with("HS") {
        return Err(IdTokenError::AlgorithmNotAllowed);
    }
    if !announced.iter().any(|a| a == name) {
        return Err(IdTokenError::AlgorithmNotAllowed);
    }
    name.parse::<Algorithm>()
        .map_err(|_| IdTokenError::AlgorithmNotAllowed)
}

fn select_key<'a>(
    jwks: &'a JwkSet,
    kid: Option<&str>,
    alg: Algorithm,
) -> Result<&'a Jwk, IdTokenError> {
    match kid {
        Some(kid) => jwks.find(kid).ok_or(IdTokenError::UnknownKey),
        // Without a kid only an unambiguous key will do.
        None => {
            let mut fitting = jwks.keys.iter().filter(|k| key_fits(k, alg));
            match (fitting.next(), fitting.next()) {
                (Some(key), None) => Ok(key),
                _ => Err(IdTokenError::UnknownKey),
            }
        }
    }
}

/// The key's type (and its `alg`, when it names one) must match the token's algorithm.
fn key_fits(jwk: &Jwk, alg: Algorithm) -> bool {
    let kind_fits = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => matches!(
            alg,
            Algorithm::RS256
                | Algorithm::RS384
                | Algorithm::RS512
                | Algorithm::PS256
                | Algorithm::PS384
                | Algorithm::PS512
        ),
        AlgorithmParameters::EllipticCurve(_) => {
            matches!(alg, Algorithm::ES256 | Algorithm::ES384)
        }
        AlgorithmParameters::OctetKeyPair(_) => alg == Algorithm::EdDSA,
        _ => false,
    };
    let named_fits = match jwk.common.key_algorithm {
        None => true,
        Some(named) => key_algorithm_is(named, alg),
    };
    kind_fits && named_fits
}

/// Both enums name the signing algorithms the same way (`RS256`…); encryption algorithms of a
/// key never match a signing one.
fn key_algorithm_is(named: KeyAlgorithm, alg: Algorithm) -> bool {
    format!("{named:?}") == format!("{alg:?}")
}

fn check_claims(claims: &Value, expected: &Expected<'_>) -> Result<IdClaims, IdTokenError> {
    let text = |name: &str| claims.get(name).and_then(Value::as_str);
    if text("iss") != Some(expected.issuer) {
        return Err(IdTokenError::WrongIssuer);
    }
    let audiences: Vec<&str> = match claims.get("aud") {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !audiences.contains(&expected.client_id) {
        return Err(IdTokenError::WrongAudience);
    }
    // Several audiences: the token must have been issued to us (OIDC Core 3.1.3.7).
    if audiences.len() > 1 && text("azp") != Some(expected.client_id) {
        return Err(IdTokenError::WrongAudience);
    }
    if let Some(azp) = text("azp")
        && azp != expected.client_id
    {
        return Err(IdTokenError::WrongAudience);
    }
    let number = |name: &str| claims.get(name).and_then(Value::as_i64);
    let exp = number("exp").ok_or(IdTokenError::Malformed)?;
    if expected.now_secs >= exp + LEEWAY_SECS {
        return Err(IdTokenError::Expired);
    }
    let iat = number("iat").ok_or(IdTokenError::Malformed)?;
    if iat > expected.now_secs + LEEWAY_SECS {
        return Err(IdTokenError::IssuedInFuture);
    }
    match text("nonce") {
        None => return Err(IdTokenError::MissingNonce),
        Some(nonce) if !crate::auth::tokens::secrets_equal(nonce, expected.nonce) => {
            return Err(IdTokenError::NonceMismatch);
        }
        Some(_) => {}
    }
    let subject = text("sub").ok_or(IdTokenError::Malformed)?.to_owned();
    let email_verified = match claims.get("email_verified") {
        Some(Value::Bool(b)) => *b,
        // Some providers send the string form.
        Some(Value::String(s)) => s == "true",
        _ => false,
    };
    Ok(IdClaims {
        subject,
        email: text("email").map(str::to_owned),
        email_verified,
        name: text("name").map(str::to_owned),
    })
}

#[cfg(test)]
#[path = "id_token_tests.rs"]
mod tests;

//! The ID-token checker against tokens signed in the test with a freshly made RSA key.

use std::sync::LazyLock;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};

use super::*;

const ISSUER: &str = "https://idp.example.com";
const CLIENT: &str = "portico";
const NONCE: &str = "n-0S6_WzA2Mj";
const NOW: i64 = 1_800_000_000;
const KID: &str = "key-1";

struct TestKey {
    private_pem: String,
    public_pem: String,
    jwks: JwkSet,
}

static KEY: LazyLock<TestKey> = LazyLock::new(|| {
    let _ = jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER.install_default();
    let private = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048).expect("rsa key");
    let public = private.to_public_key();
    let jwks: JwkSet = serde_json::from_value(json!({ "keys": [{
        "kty": "RSA", "use": "sig", "alg": "RS256", "kid": KID,
        "n": URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
        "e": URL_SAFE_NO_PAD.encode(public.e().to_bytes_be()),
    }]}))
    .expect("jwks");
    TestKey {
        private_pem: private
            .to_pkcs8_pem(LineEnding::LF)
            .expect("pem")
            .to_string(),
        public_pem: public.to_public_key_pem(LineEnding::LF).expect("pem"),
        jwks,
    }
});

fn claims() -> Value {
    json!({
        "iss": ISSUER, "aud": CLIENT, "sub": "lin", "nonce": NONCE,
        "iat": NOW - 5, "exp": NOW + 300,
        "email": "lin@sunrise.test", "email_verified": true, "name": "Lin",
    })
}

fn signed(claims: &Value, kid: &str) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_owned());
    let key = EncodingKey::from_rsa_pem(KEY.private_pem.as_bytes()).expect("encoding key");
    jsonwebtoken::encode(&header, claims, &key).expect("token")
}

fn with(change: impl FnOnce(&mut serde_json::Map<String, Value>)) -> String {
    let mut c = claims();
    change(c.as_object_mut().expect("object"));
    signed(&c, KID)
}

fn checked(token: &str) -> Result<IdClaims, IdTokenError> {
    let algs = vec!["RS256".to_owned()];
    check(
        token,
        &KEY.jwks,
        &Expected {
            issuer: ISSUER,
            client_id: CLIENT,
            nonce: NONCE,
            allowed_algs: &algs,
            now_secs: NOW,
        },
    )
}

fn segment(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).expect("json"))
}

#[test]
fn a_valid_token_gives_its_claims() {
    let claims = checked(&signed(&claims(), KID)).expect("valid");
    assert_eq!(claims.subject, "lin");
    assert_eq!(claims.email.as_deref(), Some("lin@sunrise.test"));
    assert!(claims.email_verified);
}

#[test]
fn an_unsigned_token_is_refused() {
    let token = format!(
        "{}.{}.",
        segment(&json!({ "alg": "none", "kid": KID })),
        segment(&claims())
    );
    assert_eq!(
        checked(&token).unwrap_err(),
        IdTokenError::AlgorithmNotAllowed
    );
}

#[test]
fn a_token_signed_with_hmac_over_the_public_key_is_refused() {
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(KID.to_owned());
    let key = EncodingKey::from_secret(KEY.public_pem.as_bytes());
    let token = jsonwebtoken::encode(&header, &claims(), &key).expect("token");
    assert_eq!(
        checked(&token).unwrap_err(),
        IdTokenError::AlgorithmNotAllowed
    );
}

#[test]
fn an_algorithm_the_provider_did_not_announce_is_refused() {
    let algs = vec!["ES256".to_owned()];
    let token = signed(&claims(), KID);
    let expected = Expected {
        issuer: ISSUER,
        client_id: CLIENT,
        nonce: NONCE,
        allowed_algs: &algs,
        now_secs: NOW,
    };
    assert_eq!(
        check(&token, &KEY.jwks, &expected).unwrap_err(),
        IdTokenError::AlgorithmNotAllowed
    );
}

#[test]
fn a_token_naming_an_unknown_key_is_refused() {
    let token = signed(&claims(), "rotated-key");
    assert_eq!(checked(&token).unwrap_err(), IdTokenError::UnknownKey);
}

#[test]
fn a_tampered_payload_fails_the_signature() {
    let token = signed(&claims(), KID);
    let parts: Vec<&str> = token.split('.').collect();
    let mut changed = claims();
    changed["email"] = json!("admin@acme.test");
    let forged = format!("{}.{}.{}", parts[0], segment(&changed), parts[2]);
    assert_eq!(checked(&forged).unwrap_err(), IdTokenError::BadSignature);
}

#[test]
fn a_token_from_another_issuer_is_refused() {
    let token = with(|c| {
        c.insert("iss".into(), json!("https://evil.example.com"));
    });
    assert_eq!(checked(&token).unwrap_err(), IdTokenError::WrongIssuer);
}

#[test]
fn a_token_for_another_audience_is_refused() {
    let token = with(|c| {
        c.insert("aud".into(), json!("other-app"));
    });
    assert_eq!(checked(&token).unwrap_err(), IdTokenError::WrongAudience);
    let shared = with(|c| {
        c.insert("aud".into(), json!([CLIENT, "other-app"]));
        c.insert("azp".into(), json!("other-app"));
    });
    assert_eq!(checked(&shared).unwrap_err(), IdTokenError::WrongAudience);
    let ours = with(|c| {
        c.insert("aud".into(), json!([CLIENT, "other-app"]));
        c.insert("azp".into(), json!(CLIENT));
    });
    assert!(checked(&ours).is_ok(), "several audiences with azp = us");
}

#[test]
fn an_expired_token_is_refused_beyond_the_leeway() {
    let token = with(|c| {
        c.insert("exp".into(), json!(NOW - LEEWAY_SECS - 1));
    });
    assert_eq!(checked(&token).unwrap_err(), IdTokenError::Expired);
    let within = with(|c| {
        c.insert("exp".into(), json!(NOW - 10));
    });
    assert!(checked(&within).is_ok(), "small clock skew is tolerated");
}

#[test]
fn a_token_issued_in_the_future_is_refused() {
    let token = with(|c| {
        c.insert("iat".into(), json!(NOW + LEEWAY_SECS + 30));
    });
    assert_eq!(checked(&token).unwrap_err(), IdTokenError::IssuedInFuture);
}

#[test]
fn a_token_with_another_nonce_is_refused() {
    let token = with(|c| {
        c.insert("nonce".into(), json!("someone-elses-nonce"));
    });
    assert_eq!(checked(&token).unwrap_err(), IdTokenError::NonceMismatch);
}

#[test]
fn a_token_without_a_nonce_is_refused() {
    let token = with(|c| {
        c.remove("nonce");
    });
    assert_eq!(checked(&token).unwrap_err(), IdTokenError::MissingNonce);
}

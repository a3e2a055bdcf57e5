//! The SSO callback end to end against a scripted provider on loopback: discovery, a JWKS with
//! a key made in the test, and a token endpoint that hands out the ID token the test signed.
//! What the browser journey cannot reach easily lives here: linking rules, disabled users,
//! domains, unverified addresses and key rotation.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use axum::Json;
use axum::extract::State;
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rsa::pkcs8::{EncodePrivateKey, LineEnding};
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};

use crate::support::{Options, TestApp, TestClient};

struct Key {
    pem: String,
    jwk: Value,
}

fn make_key(kid: &str) -> Key {
    let private = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048).expect("rsa");
    let public = private.to_public_key();
    Key {
        pem: private
            .to_pkcs8_pem(LineEnding::LF)
            .expect("pem")
            .to_string(),
        jwk: json!({
            "kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
            "n": URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
            "e": URL_SAFE_NO_PAD.encode(public.e().to_bytes_be()),
        }),
    }
}

static KEYS: LazyLock<(Key, Key)> = LazyLock::new(|| (make_key("k1"), make_key("k2")));

#[derive(Default)]
struct ProviderState {
    /// The JWKS the provider publishes now.
    published: Vec<Value>,
    /// code -> ID token
    tokens: HashMap<String, String>,
}

struct Provider {
    issuer: String,
    state: Arc<Mutex<ProviderState>>,
}

async fn provider() -> Provider {
    let _ = jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER.install_default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let issuer = format!("http://{}", listener.local_addr().expect("addr"));
    let state = Arc::new(Mutex::new(ProviderState {
        published: vec![KEYS.0.jwk.clone()],
        ..ProviderState::default()
    }));
    let doc = json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/auth"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "end_session_endpoint": format!("{issuer}/session/end"),
        "id_token_signing_alg_values_supported": ["RS256"],
    });
    let router = axum::Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(move || async move { Json(doc) }),
        )
        .route(
            "/jwks",
            get(|State(s): State<Arc<Mutex<ProviderState>>>| async move {
                Json(json!({ "keys": s.lock().expect("lock").published.clone() }))
            }),
        )
        .route(
            "/token",
            post(
                |State(s): State<Arc<Mutex<ProviderState>>>, body: String| async move {
                    let form: HashMap<String, String> =
                        serde_urlencoded::from_str(&body).unwrap_or_default();
                    assert!(form.contains_key("code_verifier"), "PKCE verifier sent");
                    // One use per code, like a real provider.
                    let token = form
                        .get("code")
                        .and_then(|c| s.lock().expect("lock").tokens.remove(c));
                    match token {
                        Some(id_token) => (
                            axum::http::StatusCode::OK,
                            Json(json!({
                                "access_token": "at", "token_type": "Bearer",
                                "expires_in": 60, "id_token": id_token,
                            })),
                        ),
                        None => (
                            axum::http::StatusCode::BAD_REQUEST,
                            Json(json!({ "error": "invalid_grant" })),
                        ),
                    }
                },
            ),
        )
        .with_state(state.clone());
    tokio::spawn(async move { axum::serve(listener, router).await });
    Provider { issuer, state }
}

async fn app_with_sso(issuer: &str, link_mode: &str) -> TestApp {
    let app = TestApp::spawn_configured(Options::default(), |c| c.oidc_allow_http = true).await;
    let admin = app.login("sales@sunrise.test").await;
    let form = admin.get("/admin/sso").await;
    let saved = admin
        .submit(
            &form,
            "form[action='/admin/sso']",
            &[
                ("issuer", issuer),
                ("client_id", "portico"),
                ("client_secret", "secret"),
                ("domains", "sunrise.test"),
                ("link_mode", link_mode),
                ("default_role", "viewer"),
                ("enabled", "on"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text(".field-error"));
    app
}

/// Starts a sign-in for `email` and returns the client with its `state` and `nonce`.
async fn start(app: &TestApp, email: &str) -> (TestClient, String, String) {
    let client = app.client();
    let leaving = client.login(email, "").await;
    let href = leaving
        .attr("#sso-continue", "href")
        .expect("provider link");
    let query: HashMap<String, String> = url::Url::parse(&href)
        .expect("url")
        .query_pairs()
        .into_owned()
        .collect();
    (client, query["state"].clone(), query["nonce"].clone())
}

fn id_token(p: &Provider, key: &Key, kid: &str, claims: Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_owned());
    let mut all = json!({
        "iss": p.issuer, "aud": "portico", "sub": "s-1",
        "iat": now(), "exp": now() + 300, "email_verified": true,
    });
    for (k, v) in claims.as_object().expect("object") {
        all[k] = v.clone();
    }
    let key = EncodingKey::from_rsa_pem(key.pem.as_bytes()).expect("key");
    jsonwebtoken::encode(&header, &all, &key).expect("token")
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_secs() as i64
}

/// Runs one sign-in whose ID token carries `claims` (the nonce is filled in when absent).
async fn sign_in_with(
    app: &TestApp,
    p: &Provider,
    email: &str,
    claims: Value,
) -> (TestClient, crate::support::Page) {
    let (client, state, nonce) = start(app, email).await;
    let mut claims = claims;
    if claims.get("nonce").is_none() {
        claims["nonce"] = json!(nonce);
    }
    let token = id_token(p, &KEYS.0, "k1", claims);
    p.state
        .lock()
        .expect("lock")
        .tokens
        .insert("code-1".into(), token);
    let page = client
        .get(&format!("/login/sso/callback?code=code-1&state={state}"))
        .await;
    (client, page)
}

#[tokio::test]
async fn a_verified_address_of_an_allowed_domain_joins_with_the_default_role() {
    let p = provider().await;
    let app = app_with_sso(&p.issuer, "verified_domain").await;
    let (client, page) = sign_in_with(
        &app,
        &p,
        "lin@sunrise.test",
        json!({
            "email": "lin@sunrise.test", "name": "Lin Sunrise",
        }),
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.text("#login-error"));
    let home = client.follow(&page).await;
    assert_eq!(home.text("h1"), "Hello, Lin Sunrise");
    let mut conn = app.db.reader().acquire().await.expect("conn");
    let role: String =
        sqlx::query_scalar("SELECT role FROM users WHERE email = 'lin@sunrise.test'")
            .fetch_one(&mut *conn)
            .await
            .expect("joined");
    assert_eq!(role, "viewer");
    let audited: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action IN ('auth.sso_sign_in', 'user.joined_by_sso')",
    )
    .fetch_one(&mut *conn)
    .await
    .expect("audit");
    assert_eq!(audited, 2);

    // The same code and state again: the pending sign-in is gone.
    let again = client.get(&page.path).await;
    assert_eq!(again.status, 400);

    // Logout ends Portico's session and sends the browser to the provider's logout.
    let (client, page) = sign_in_with(
        &app,
        &p,
        "lin@sunrise.test",
        json!({
            "email": "lin@sunrise.test",
        }),
    )
    .await;
    assert_eq!(page.status, 303);
    let leaving = client.post("/logout", &[]).await;
    assert_eq!(leaving.status, 200);
    let href = leaving
        .attr("#sso-continue", "href")
        .expect("provider logout");
    let url = url::Url::parse(&href).expect("url");
    assert_eq!(url.path(), "/session/end");
    let query: HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert!(query["id_token_hint"].split('.').count() == 3);
    assert_eq!(
        query["post_logout_redirect_uri"],
        format!("{}/login", app.base_url)
    );
    assert_eq!(client.get("/").await.status, 303, "signed out of Portico");
    assert!(
        client
            .get("/login")
            .await
            .text(".flashes")
            .contains("signed out")
    );
}

#[tokio::test]
async fn linking_refuses_unknown_disabled_unverified_and_foreign_addresses() {
    let p = provider().await;
    let app = app_with_sso(&p.issuer, "existing").await;
    let cases = [
        (json!({ "email": "new@sunrise.test" }), "no Portico account"),
        (
            json!({ "email": "lin@gmail.test" }),
            "domain is not allowed",
        ),
        (
            json!({ "email": "sales@sunrise.test", "email_verified": false }),
            "did not confirm",
        ),
        (
            json!({ "email": "sales@sunrise.test", "nonce": "other" }),
            "does not belong",
        ),
        (
            json!({ "email": "sales@sunrise.test", "aud": "another-app" }),
            "another application",
        ),
        (
            json!({ "email": "sales@sunrise.test", "exp": now() - 600 }),
            "has expired",
        ),
    ];
    for (claims, message) in cases {
        let (client, page) = sign_in_with(&app, &p, "sales@sunrise.test", claims.clone()).await;
        assert_eq!(page.status, 400, "{claims}");
        assert!(
            page.text("#login-error").contains(message),
            "{claims}: {}",
            page.text("#login-error")
        );
        assert_eq!(client.get("/").await.status, 303, "not signed in");
    }
    // A disabled user cannot sign in either.
    let mut conn = app.db.begin().await.expect("tx");
    sqlx::query("UPDATE users SET status = 'disabled' WHERE email = 'sales@sunrise.test'")
        .execute(&mut *conn)
        .await
        .expect("disable");
    conn.commit().await.expect("commit");
    let (_, page) = sign_in_with(
        &app,
        &p,
        "sales@sunrise.test",
        json!({ "email": "sales@sunrise.test" }),
    )
    .await;
    assert!(page.text("#login-error").contains("disabled"));
}

#[tokio::test]
async fn a_rotated_provider_key_is_fetched_once_and_accepted() {
    let p = provider().await;
    let app = app_with_sso(&p.issuer, "existing").await;
    // A first sign-in caches the JWKS holding k1.
    let (_, first) = sign_in_with(
        &app,
        &p,
        "sales@sunrise.test",
        json!({ "email": "sales@sunrise.test" }),
    )
    .await;
    assert_eq!(first.status, 303);
    // The provider rotates to k2.
    p.state.lock().expect("lock").published = vec![KEYS.1.jwk.clone()];
    let (client, state, nonce) = start(&app, "sales@sunrise.test").await;
    let token = id_token(
        &p,
        &KEYS.1,
        "k2",
        json!({ "email": "sales@sunrise.test", "nonce": nonce }),
    );
    p.state
        .lock()
        .expect("lock")
        .tokens
        .insert("code-2".into(), token);
    let page = client
        .get(&format!("/login/sso/callback?code=code-2&state={state}"))
        .await;
    assert_eq!(page.status, 303, "{}", page.text("#login-error"));
}

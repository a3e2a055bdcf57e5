//! A negative corpus for API access tokens: every forged, stale, misdirected or overreaching
//! token is refused with 401 (or 403 for a missing scope), and none reads anything.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use portico::domain::time::UtcMillis;

use crate::support::TestApp;
use crate::support::api::{self, create_client, token};
use crate::support::orders::order;

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

fn claims_of(token: &str) -> Value {
    let part = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

/// Signs any header and claims with Portico's real token key (so only the check under test can
/// refuse them).
async fn forge(app: &TestApp, header: Value, claims: Value) -> String {
    let mut conn = app.db.reader().acquire().await.unwrap();
    let key = portico::db::api_clients::token_keys(&mut conn, UtcMillis::now().0)
        .await
        .unwrap()
        .remove(0);
    let mut header = header;
    if header.get("kid").is_none() {
        header["kid"] = json!(key.kid);
    }
    portico::auth::api_token::sign_compact(
        &app.fixture_state().master,
        &key.kid,
        &key.sealed_private,
        &header,
        &claims,
    )
    .unwrap()
}

fn header() -> Value {
    json!({ "alg": "EdDSA", "typ": "at+jwt" })
}

#[tokio::test]
async fn forged_stale_and_misdirected_tokens_are_refused() {
    let app = TestApp::spawn().await;
    order(
        &app,
        "ops@acme.test",
        "Acme Apparel",
        "PO-NEG-1",
        "Delta Garment Works",
        None,
        true,
    )
    .await;
    let (client, secret) =
        create_client(&app, "planner@delta.test", "member", &["orders:read"]).await;
    let good = token(&app, &client, &secret).await;
    assert_eq!(api::get(&app, &good, "/api/v1/orders").await.status, 200);
    let claims = claims_of(&good);
    let now = claims["iat"].as_i64().unwrap();
    let with = |changes: Value| {
        let mut c = claims.clone();
        for (k, v) in changes.as_object().unwrap() {
            c[k] = v.clone();
        }
        c
    };
    let mut jwks: Value = api::http()
        .get(format!("{}/.well-known/jwks.json", app.base_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let public_x = jwks["keys"][0]["x"].as_str().unwrap().to_owned();
    let kid = jwks["keys"][0]["kid"].as_str().unwrap().to_owned();

    let mut corpus: Vec<(&str, String)> = Vec::new();
    // alg none: no signature at all.
    corpus.push((
        "alg none",
        format!(
            "{}.{}.",
            b64(&json!({ "alg": "none", "typ": "at+jwt", "kid": kid })),
            b64(&claims)
        ),
    ));
    // HS256 keyed with the public key (the classic algorithm confusion).
    let input = format!(
        "{}.{}",
        b64(&json!({ "alg": "HS256", "kid": kid })),
        b64(&claims)
    );
    for secret in [
        public_x.as_bytes().to_vec(),
        URL_SAFE_NO_PAD.decode(&public_x).unwrap(),
    ] {
        let mut mac = Hmac::<Sha256>::new_from_slice(&secret).unwrap();
        mac.update(input.as_bytes());
        let sig = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        corpus.push(("HS256 with the public key", format!("{input}.{sig}")));
    }
    // A key Portico never published, and a signature by it.
    let stranger = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
    let input = format!(
        "{}.{}",
        b64(&json!({ "alg": "EdDSA", "kid": "not-ours" })),
        b64(&claims)
    );
    use ed25519_dalek::Signer;
    let sig = URL_SAFE_NO_PAD.encode(stranger.sign(input.as_bytes()).to_bytes());
    corpus.push(("unknown kid", format!("{input}.{sig}")));
    let input = format!(
        "{}.{}",
        b64(&json!({ "alg": "EdDSA", "kid": kid })),
        b64(&claims)
    );
    let sig = URL_SAFE_NO_PAD.encode(stranger.sign(input.as_bytes()).to_bytes());
    corpus.push(("our kid, another key's signature", format!("{input}.{sig}")));
    // Headers pointing at keys elsewhere, even when the signature is ours.
    jwks["keys"][0]["x"] = json!(URL_SAFE_NO_PAD.encode(stranger.verifying_key().as_bytes()));
    for extra in [
        json!({ "jku": "https://attacker.example/jwks.json" }),
        json!({ "x5u": "https://attacker.example/cert.pem" }),
        json!({ "jwk": jwks["keys"][0] }),
    ] {
        let mut h = header();
        for (k, v) in extra.as_object().unwrap() {
            h[k] = v.clone();
        }
        corpus.push(("key location header", forge(&app, h, claims.clone()).await));
    }
    for (why, changes) in [
        (
            "wrong audience",
            json!({ "aud": "https://other.example/api" }),
        ),
        ("wrong issuer", json!({ "iss": "https://issuer.example" })),
        (
            "expired",
            json!({ "exp": now - 3600, "iat": now - 4200, "nbf": now - 4200 }),
        ),
        (
            "not yet valid",
            json!({ "nbf": now + 3600, "exp": now + 4200 }),
        ),
        ("string exp", json!({ "exp": (now + 600).to_string() })),
        ("string nbf", json!({ "nbf": now.to_string() })),
    ] {
        corpus.push((why, forge(&app, header(), with(changes)).await));
    }
    let mut no_exp = claims.clone();
    no_exp.as_object_mut().unwrap().remove("exp");
    corpus.push(("no exp", forge(&app, header(), no_exp).await));
    // A token naming another organisation (or brand) than its client's.
    let sunrise = app.org_id("Sunrise Textiles").await.to_string();
    corpus.push((
        "another org",
        forge(&app, header(), with(json!({ "org": sunrise }))).await,
    ));
    let blue = app.org_id("Blue Harbor Home").await.to_string();
    corpus.push((
        "another brand",
        forge(&app, header(), with(json!({ "tenant": blue }))).await,
    ));
    corpus.push(("a tampered payload", {
        let parts: Vec<&str> = good.split('.').collect();
        format!(
            "{}.{}.{}",
            parts[0],
            b64(&with(json!({ "scope": "orders:read orders:write" }))),
            parts[2]
        )
    }));
    corpus.push(("garbage", "not.a.jwt".to_owned()));

    for (why, token) in &corpus {
        let answer = api::get(&app, token, "/api/v1/orders").await;
        assert_eq!(answer.status, 401, "{why} must be refused: {}", answer.body);
        assert_eq!(answer.content_type, "application/problem+json", "{why}");
        assert!(
            answer.headers["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Bearer"),
            "{why}"
        );
    }
    // The genuine token still works after all that.
    assert_eq!(api::get(&app, &good, "/api/v1/orders").await.status, 200);
}

#[tokio::test]
async fn a_missing_scope_is_forbidden_and_a_revoked_client_is_refused() {
    let app = TestApp::spawn().await;
    let id = order(
        &app,
        "ops@acme.test",
        "Acme Apparel",
        "PO-NEG-2",
        "Delta Garment Works",
        None,
        true,
    )
    .await;
    let (client, secret) =
        create_client(&app, "planner@delta.test", "member", &["orders:read"]).await;
    let reader = token(&app, &client, &secret).await;
    let write = api::post(
        &app,
        &reader,
        &format!("/api/v1/orders/{id}/decisions"),
        None,
        &json!({ "order_version": 2, "decisions": [{ "line_no": 1, "action": "accept" }] }),
    )
    .await;
    assert_eq!(write.status, 403, "{}", write.body);
    assert_eq!(write.body["code"], "insufficient_scope");

    let web = app.login("planner@delta.test").await;
    let confirm = web
        .get(&format!("/admin/api-clients/{client}/revoke"))
        .await;
    web.submit(&confirm, "form[action$='/revoke']", &[]).await;
    assert_eq!(api::get(&app, &reader, "/api/v1/orders").await.status, 401);
}

#[tokio::test]
async fn a_client_of_one_organisation_never_reads_or_writes_anothers_orders() {
    let app = TestApp::spawn().await;
    // Sunrise's order with Acme, and Delta's client.
    let theirs = order(
        &app,
        "ops@acme.test",
        "Acme Apparel",
        "PO-SUN-1",
        "Sunrise Textiles",
        None,
        true,
    )
    .await;
    let blue = order(
        &app,
        "ops@blueharbor.test",
        "Blue Harbor Home",
        "PO-BH-1",
        "Sunrise Textiles",
        None,
        true,
    )
    .await;
    let (client, secret) = create_client(
        &app,
        "planner@delta.test",
        "member",
        &["orders:read", "orders:write"],
    )
    .await;
    let delta = token(&app, &client, &secret).await;
    let before = app.fingerprint().await;
    for id in [theirs, blue] {
        let read = api::get(&app, &delta, &format!("/api/v1/orders/{id}")).await;
        assert_eq!(read.status, 404, "{}", read.body);
        let evidence = api::get(&app, &delta, &format!("/api/v1/orders/{id}/evidence")).await;
        assert_eq!(evidence.status, 404);
        let write = api::post(
            &app,
            &delta,
            &format!("/api/v1/orders/{id}/decisions"),
            None,
            &json!({ "order_version": 2, "decisions": [{ "line_no": 1, "action": "accept" }] }),
        )
        .await;
        assert_eq!(write.status, 404, "{}", write.body);
    }
    let list = api::get(&app, &delta, "/api/v1/orders").await;
    let text = list.body.to_string();
    assert!(!text.contains("PO-SUN-1") && !text.contains("PO-BH-1"));
    assert_eq!(
        app.fingerprint().await,
        before,
        "nothing written for foreign orders"
    );

    // Sunrise's client made in Acme's context sees nothing of Blue Harbor.
    let (sun_client, sun_secret) =
        create_client(&app, "sales@sunrise.test", "member", &["orders:read"]).await;
    let sunrise = token(&app, &sun_client, &sun_secret).await;
    let own = api::get(&app, &sunrise, "/api/v1/orders")
        .await
        .body
        .to_string();
    assert!(
        own.contains("PO-SUN-1") != own.contains("PO-BH-1"),
        "one brand only: {own}"
    );
}

#[tokio::test]
async fn a_rotated_token_key_signs_new_tokens_while_the_old_one_verifies_until_its_tokens_expire() {
    let app = TestApp::spawn().await;
    let (client, secret) =
        create_client(&app, "planner@delta.test", "member", &["orders:read"]).await;
    let before = token(&app, &client, &secret).await;
    let old_kid = jsonwebtoken::decode_header(&before).unwrap().kid.unwrap();
    let master = app.fixture_state().master.clone();
    let (new_kid, retiring) = portico::service::api_auth::rotate_token_key(&app.db, &master)
        .await
        .unwrap();
    assert_eq!(retiring, 1);
    assert_ne!(new_kid, old_kid);

    let after = token(&app, &client, &secret).await;
    assert_eq!(
        jsonwebtoken::decode_header(&after).unwrap().kid.unwrap(),
        new_kid
    );
    // Both verify now, and both keys are published.
    assert_eq!(api::get(&app, &before, "/api/v1/orders").await.status, 200);
    assert_eq!(api::get(&app, &after, "/api/v1/orders").await.status, 200);
    let jwks: Value = api::http()
        .get(format!("{}/.well-known/jwks.json", app.base_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert!(kids.contains(&old_kid.as_str()) && kids.contains(&new_kid.as_str()));
    // Once the old key's tokens have all expired, it no longer verifies.
    let later = UtcMillis::now().0 + 601_000;
    let mut conn = app.db.reader().acquire().await.unwrap();
    let keys = portico::db::api_clients::token_keys(&mut conn, later)
        .await
        .unwrap();
    let kids: Vec<&str> = keys.iter().map(|k| k.kid.as_str()).collect();
    assert_eq!(kids, [new_kid.as_str()]);
}

#[tokio::test]
async fn a_partners_client_is_refused_while_the_brand_suspends_the_partnership() {
    let app = TestApp::spawn().await;
    let (client, secret) =
        create_client(&app, "planner@delta.test", "member", &["orders:read"]).await;
    let reader = token(&app, &client, &secret).await;
    assert_eq!(api::get(&app, &reader, "/api/v1/orders").await.status, 200);

    let admin = app.login("admin@acme.test").await;
    let delta = app.org_id("Delta Garment Works").await;
    let suspended = admin
        .post(&format!("/admin/partners/{delta}/suspend"), &[])
        .await;
    assert_eq!(suspended.status, 303);
    assert_eq!(api::get(&app, &reader, "/api/v1/orders").await.status, 401);

    let reactivated = admin
        .post(&format!("/admin/partners/{delta}/reactivate"), &[])
        .await;
    assert_eq!(reactivated.status, 303);
    assert_eq!(api::get(&app, &reader, "/api/v1/orders").await.status, 200);
}

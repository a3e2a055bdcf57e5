//! Single sign-on settings, e-mail-first routing and SSO-required organisations. The provider
//! here is a discovery document served on loopback (the full browser flow against a real
//! provider is in tests/e2e/sso.test.mjs).

use axum::Json;
use axum::routing::get;
use portico::service::sso::config::secret_context;
use serde_json::json;

use crate::support::{DEMO_PASSWORD, Options, TestApp, TestClient};

const SECRET: &str = "s3cret-client-value-never-shown";

/// A discovery document (and an empty JWKS) on a free loopback port; returns the issuer.
async fn fake_provider() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let issuer = format!("http://{}", listener.local_addr().expect("addr"));
    let doc = json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/auth"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "end_session_endpoint": format!("{issuer}/session/end"),
        "id_token_signing_alg_values_supported": ["RS256", "HS256", "none"],
    });
    let router = axum::Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(move || async move { Json(doc) }),
        )
        .route("/jwks", get(|| async { Json(json!({ "keys": [] })) }));
    tokio::spawn(async move { axum::serve(listener, router).await });
    issuer
}

async fn app_allowing_http() -> TestApp {
    TestApp::spawn_configured(Options::default(), |c| c.oidc_allow_http = true).await
}

async fn save_settings(client: &TestClient, fields: &[(&str, &str)]) -> crate::support::Page {
    let form = client.get("/admin/sso").await;
    assert_eq!(form.status, 200, "{}", form.body);
    client
        .submit(&form, "form[action='/admin/sso']", fields)
        .await
}

async fn configure_sunrise(app: &TestApp, issuer: &str, required: bool) -> TestClient {
    let admin = app.login("sales@sunrise.test").await;
    let mut fields = vec![
        ("issuer", issuer),
        ("client_id", "portico"),
        ("client_secret", SECRET),
        ("domains", "Sunrise.test"),
        ("link_mode", "verified_domain"),
        ("default_role", "member"),
        ("enabled", "on"),
    ];
    if required {
        fields.push(("required", "on"));
    }
    let saved = save_settings(&admin, &fields).await;
    assert_eq!(saved.status, 303, "{}", saved.text(".field-error"));
    admin
}

async fn audit_count(app: &TestApp, action: &str) -> i64 {
    let mut conn = app.db.reader().acquire().await.expect("conn");
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1")
        .bind(action)
        .fetch_one(&mut *conn)
        .await
        .expect("count")
}

#[tokio::test]
async fn an_admin_saves_sso_settings_and_the_secret_is_sealed_and_never_shown_again() {
    let app = app_allowing_http().await;
    let issuer = fake_provider().await;
    let admin = app.login("sales@sunrise.test").await;

    let empty = save_settings(&admin, &[("issuer", ""), ("domains", "not a domain")]).await;
    assert_eq!(empty.status, 422);
    for field in ["issuer", "client_id", "client_secret", "domains"] {
        assert!(
            empty.has(&format!("#f-{field}-error")),
            "{field} has its error"
        );
    }
    assert_eq!(
        empty.attr("#f-domains", "value").as_deref(),
        Some("not a domain")
    );

    let admin = configure_sunrise(&app, &issuer, false).await;
    let page = admin.get("/admin/sso").await;
    assert!(
        page.text(".flashes")
            .contains("Single sign-on settings saved")
    );
    assert_eq!(page.attr("#f-issuer", "value").as_deref(), Some(&*issuer));
    assert_eq!(
        page.attr("#f-domains", "value").as_deref(),
        Some("sunrise.test")
    );
    assert_eq!(page.attr("#f-client_secret", "value").as_deref(), Some(""));
    assert!(!page.body.contains(SECRET), "the secret is never sent back");

    let mut conn = app.db.reader().acquire().await.expect("conn");
    let (org, sealed): (String, Vec<u8>) =
        sqlx::query_as("SELECT org_id, sealed_secret FROM sso_configs")
            .fetch_one(&mut *conn)
            .await
            .expect("saved");
    assert!(!sealed.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()));
    let org = org.parse().expect("org id");
    let opened = app
        .fixture_state()
        .master
        .open(&sealed, &secret_context(org))
        .expect("opens with the master key");
    assert_eq!(opened.as_slice(), SECRET.as_bytes());
    let details: Vec<String> =
        sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'sso.config_saved'")
            .fetch_all(&mut *conn)
            .await
            .expect("audit");
    assert_eq!(details.len(), 1, "one audited change");
    assert!(details[0].contains("\"secret_changed\":true") && !details[0].contains(SECRET));

    // Saving again without a secret keeps the stored one.
    let again = save_settings(
        &admin,
        &[
            ("client_secret", ""),
            ("link_mode", "verified_domain"),
            ("enabled", "on"),
            ("required", "on"),
        ],
    )
    .await;
    assert_eq!(again.status, 303);
    let kept: Vec<u8> = sqlx::query_scalar("SELECT sealed_secret FROM sso_configs")
        .fetch_one(&mut *conn)
        .await
        .expect("kept");
    assert_eq!(kept, sealed);
    assert_eq!(audit_count(&app, "sso.config_saved").await, 2);
}

#[tokio::test]
async fn a_plain_http_issuer_is_refused_unless_the_server_allows_it() {
    let app = TestApp::spawn().await;
    let issuer = fake_provider().await;
    let admin = app.login("sales@sunrise.test").await;
    let page = save_settings(
        &admin,
        &[
            ("issuer", &issuer),
            ("client_id", "portico"),
            ("client_secret", SECRET),
            ("domains", "sunrise.test"),
        ],
    )
    .await;
    assert_eq!(page.status, 422);
    assert!(page.text("#f-issuer-error").contains("https issuer URL"));
}

#[tokio::test]
async fn the_login_page_sends_sso_users_to_their_provider_and_asks_others_for_a_password() {
    let app = app_allowing_http().await;
    let issuer = fake_provider().await;
    configure_sunrise(&app, &issuer, false).await;

    let visitor = app.client();
    let leaving = visitor.login("lin@sunrise.test", "").await;
    assert_eq!(leaving.status, 200);
    let target = leaving
        .attr("#sso-continue", "href")
        .expect("provider link");
    let url = url::Url::parse(&target).expect("url");
    assert_eq!(
        format!("{}{}", url.origin().ascii_serialization(), url.path()),
        format!("{issuer}/auth")
    );
    let query: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(query["client_id"], "portico");
    assert_eq!(query["response_type"], "code");
    assert_eq!(query["code_challenge_method"], "S256");
    assert_eq!(query["login_hint"], "lin@sunrise.test");
    assert_eq!(
        query["redirect_uri"],
        format!("{}/login/sso/callback", app.base_url)
    );
    assert!(query["scope"].split(' ').any(|s| s == "openid"));
    for fresh in ["state", "nonce", "code_challenge"] {
        assert!(query[fresh].len() >= 32, "{fresh} is random");
    }

    // Someone of an organisation without SSO is asked for the password.
    let other = app.client().login("ops@acme.test", "").await;
    assert_eq!(other.status, 422);
    assert!(other.text("#login-error").contains("Enter your password"));
    assert_eq!(
        other.attr("#f-email", "value").as_deref(),
        Some("ops@acme.test")
    );
    // …and Sunrise's admin may still use a password while SSO is not required.
    assert_eq!(
        app.client()
            .login("sales@sunrise.test", DEMO_PASSWORD)
            .await
            .status,
        303
    );
}

#[tokio::test]
async fn an_organisation_that_requires_sso_refuses_password_sign_in_with_a_clear_message() {
    let app = app_allowing_http().await;
    let issuer = fake_provider().await;
    configure_sunrise(&app, &issuer, true).await;

    let client = app.client();
    let refused = client.login("sales@sunrise.test", DEMO_PASSWORD).await;
    assert_eq!(refused.status, 403);
    assert!(
        refused
            .text("#login-error")
            .contains("requires single sign-on")
    );
    assert!(refused.has("form#sso-offer"), "offers the provider instead");
    assert_eq!(client.get("/").await.status, 303, "not signed in");
    assert_eq!(
        audit_count(&app, "auth.password_refused_sso_required").await,
        1
    );
    let continued = client.submit(&refused, "form#sso-offer", &[]).await;
    assert_eq!(continued.status, 200);
    assert!(
        continued
            .attr("#sso-continue", "href")
            .unwrap_or_default()
            .starts_with(&issuer)
    );

    // Other organisations keep their passwords.
    assert_eq!(
        app.client()
            .login("admin@acme.test", DEMO_PASSWORD)
            .await
            .status,
        303
    );
}

#[tokio::test]
async fn a_callback_without_a_started_sign_in_is_refused_and_audited() {
    let app = app_allowing_http().await;
    let page = app
        .client()
        .get("/login/sso/callback?code=stolen-code&state=guessed")
        .await;
    assert_eq!(page.status, 400);
    assert!(
        page.text("#login-error")
            .contains("expired or was already used")
    );
    assert_eq!(audit_count(&app, "auth.sso_sign_in_failed").await, 1);
}

#[tokio::test]
async fn sso_settings_belong_to_the_admins_own_organisation_only() {
    let app = app_allowing_http().await;
    let issuer = fake_provider().await;
    configure_sunrise(&app, &issuer, false).await;

    let acme = app.login("admin@acme.test").await;
    let page = acme.get("/admin/sso").await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.attr("#f-issuer", "value").as_deref(),
        Some(""),
        "not Sunrise's"
    );
    assert!(!page.body.contains("sunrise.test"));
    let grab = save_settings(
        &acme,
        &[
            ("issuer", &issuer),
            ("client_id", "acme"),
            ("client_secret", "acme-secret"),
            ("domains", "acme.test, sunrise.test"),
            ("link_mode", "existing"),
        ],
    )
    .await;
    assert_eq!(grab.status, 422);
    assert!(
        grab.text("#f-domains-error")
            .contains("another organisation")
    );

    let ops = app.login("ops@acme.test").await;
    assert_eq!(ops.get("/admin/sso").await.status, 403, "admins only");
    let mut conn = app.db.reader().acquire().await.expect("conn");
    let configs: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sso_configs")
        .fetch_one(&mut *conn)
        .await
        .expect("count");
    assert_eq!(configs, 1, "only Sunrise's");
}

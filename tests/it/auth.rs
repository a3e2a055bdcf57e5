//! Signing in and out, throttling, CSRF, redirects and the session cookie.

use crate::support::{DEMO_PASSWORD, Options, TestApp};

#[tokio::test]
async fn a_demo_user_signs_in_and_lands_on_their_home_page() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let response = client.login("ops@acme.test", DEMO_PASSWORD).await;
    assert_eq!(response.status, 303);
    assert_eq!(response.location().as_deref(), Some("/"));
    let home = client.get("/").await;
    assert_eq!(home.status, 200);
    assert_eq!(home.text("h1"), "Hello, Oscar Ops");
    assert!(home.text(".muted").contains("Acme Apparel"));
}

#[tokio::test]
async fn a_wrong_password_is_refused_with_a_clear_message_and_the_email_kept() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let response = client.login("ops@acme.test", "not-the-password").await;
    assert_eq!(response.status, 401);
    assert!(
        response
            .text("#login-error")
            .contains("e-mail address or password is not right")
    );
    assert_eq!(
        response.attr("#f-email", "value").as_deref(),
        Some("ops@acme.test")
    );
    assert_eq!(client.get("/").await.status, 303, "still signed out");
}

#[tokio::test]
async fn an_unknown_address_gets_the_same_answer_as_a_wrong_password() {
    let app = TestApp::spawn().await;
    let unknown = app.client().login("nobody@acme.test", DEMO_PASSWORD).await;
    let wrong = app
        .client()
        .login("ops@acme.test", "not-the-password")
        .await;
    assert_eq!(unknown.status, wrong.status);
    assert_eq!(unknown.text("#login-error"), wrong.text("#login-error"));
}

#[tokio::test]
async fn the_session_id_is_renewed_at_sign_in() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let form = client.get("/login").await;
    let before = client
        .cookie("__Host-portico")
        .expect("anonymous session for the CSRF token");
    let response = client
        .submit(
            &form,
            "form[action='/login']",
            &[("email", "ops@acme.test"), ("password", DEMO_PASSWORD)],
        )
        .await;
    assert_eq!(response.status, 303);
    let after = client.cookie("__Host-portico").expect("session cookie");
    assert_ne!(
        before, after,
        "a fixated session id must not survive sign-in"
    );
    assert_eq!(client.get("/").await.status, 200);
}

#[tokio::test]
async fn repeated_failures_lock_the_account_with_growing_delays() {
    let app = TestApp::spawn().await;
    let client = app.client();
    for attempt in 1..=5 {
        let response = client.login("finance@acme.test", "wrong-password").await;
        assert_eq!(response.status, 401, "attempt {attempt} is only refused");
    }
    // The sixth failure locks the account for 30 seconds…
    assert_eq!(
        client
            .login("finance@acme.test", "wrong-password")
            .await
            .status,
        401
    );
    // …so even the right password now waits, with a message that says how long.
    let locked = client.login("finance@acme.test", DEMO_PASSWORD).await;
    assert_eq!(locked.status, 429);
    let message = locked.text("#login-error");
    assert!(message.contains("Too many sign-in attempts"), "{message}");
    assert!(
        message.contains("30 seconds") || message.contains("29 seconds"),
        "{message}"
    );

    // When the lock has passed, one more failure locks for twice as long.
    expire_locks(&app).await;
    assert_eq!(
        client
            .login("finance@acme.test", "wrong-password")
            .await
            .status,
        401
    );
    let longer = client.login("finance@acme.test", DEMO_PASSWORD).await;
    assert_eq!(longer.status, 429);
    assert!(
        longer.text("#login-error").contains("60 seconds")
            || longer.text("#login-error").contains("59 seconds")
    );

    // Other accounts are unaffected, and a success after the lock clears the count.
    assert_eq!(
        app.client()
            .login("ops@acme.test", DEMO_PASSWORD)
            .await
            .status,
        303
    );
    expire_locks(&app).await;
    assert_eq!(
        client
            .login("finance@acme.test", DEMO_PASSWORD)
            .await
            .status,
        303
    );
}

#[tokio::test]
async fn many_failures_from_one_address_lock_that_address() {
    let app = TestApp::spawn().await;
    for n in 0..21 {
        let response = app
            .client()
            .login(&format!("guess{n}@acme.test"), "wrong-password")
            .await;
        assert_eq!(response.status, 401);
    }
    let response = app.client().login("ops@acme.test", DEMO_PASSWORD).await;
    assert_eq!(
        response.status, 429,
        "the address is locked, whichever account it tries"
    );
}

async fn expire_locks(app: &TestApp) {
    let mut tx = app.db.begin().await.unwrap();
    sqlx::query("UPDATE login_throttle SET locked_until = 0")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn a_post_without_the_right_csrf_token_is_refused() {
    let app = TestApp::spawn().await;
    let client = app.client();
    client.get("/login").await;
    let missing = client
        .post_raw(
            "/login",
            &[("email", "ops@acme.test"), ("password", DEMO_PASSWORD)],
        )
        .await;
    assert_eq!(missing.status, 403);
    assert_eq!(missing.text("h1"), "Form expired");
    let wrong = client
        .post_raw(
            "/login",
            &[
                ("_csrf", "forged"),
                ("email", "ops@acme.test"),
                ("password", DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(wrong.status, 403);
    assert_eq!(client.get("/").await.status, 303, "nobody got signed in");

    // A signed-in user's state change without the token is refused too.
    let signed_in = app.login("admin@acme.test").await;
    let partner = app.org_id("Delta Garment Works").await;
    let before = app.fingerprint().await;
    let forged = signed_in
        .post_raw(&format!("/admin/partners/{partner}/suspend"), &[])
        .await;
    assert_eq!(forged.status, 403);
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn a_request_the_browser_marks_cross_site_is_refused_even_with_a_token() {
    let app = TestApp::spawn().await;
    let client = app.client().with_header("Sec-Fetch-Site", "cross-site");
    let form = client.get("/login").await;
    let response = client
        .submit(
            &form,
            "form[action='/login']",
            &[("email", "ops@acme.test"), ("password", DEMO_PASSWORD)],
        )
        .await;
    assert_eq!(response.status, 403);
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = TestApp::spawn().await;
    let client = app.login("ops@acme.test").await;
    let old_cookie = client.cookie("__Host-portico").unwrap();
    let response = client.post("/logout", &[]).await;
    assert_eq!(response.status, 303);
    assert_eq!(response.location().as_deref(), Some("/login"));
    let login = client.follow(&response).await;
    assert!(login.text(".flash").contains("You have signed out"));
    assert_eq!(client.get("/").await.status, 303);

    // The old session id is dead on the server, not just forgotten by the browser.
    let replay = app.client();
    replay.forget_cookies();
    let page = replay_with_cookie(&app, &old_cookie).await;
    assert_eq!(page, 303);
}

async fn replay_with_cookie(app: &TestApp, value: &str) -> u16 {
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/", app.base_url))
        .header("Cookie", format!("__Host-portico={value}"))
        .send()
        .await
        .unwrap();
    response.status().as_u16()
}

#[tokio::test]
async fn next_only_ever_redirects_inside_portico() {
    let app = TestApp::spawn().await;
    for (next, expected) in [
        ("/admin/users", "/admin/users"),
        ("//evil.test/x", "/"),
        ("https://evil.test", "/"),
        ("/\\evil.test", "/"),
        ("javascript:alert(1)", "/"),
    ] {
        let client = app.client();
        let form = client
            .get(&format!("/login?next={}", urlencode(next)))
            .await;
        assert_eq!(
            form.attr("main input[name='next']", "value").as_deref(),
            Some(expected)
        );
        let response = client
            .submit(
                &form,
                "form[action='/login']",
                &[
                    ("email", "admin@acme.test"),
                    ("password", DEMO_PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(response.status, 303);
        assert_eq!(
            response.location().as_deref(),
            Some(expected),
            "next={next}"
        );
    }
}

#[tokio::test]
async fn a_signed_out_visitor_is_sent_to_sign_in_and_back() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let response = client.get("/admin/users?after=x").await;
    assert_eq!(response.status, 303);
    assert_eq!(
        response.location().as_deref(),
        Some("/login?next=%2Fadmin%2Fusers%3Fafter%3Dx")
    );
    let form = client.follow(&response).await;
    let signed_in = client
        .submit(
            &form,
            "form[action='/login']",
            &[("email", "admin@acme.test"), ("password", DEMO_PASSWORD)],
        )
        .await;
    assert_eq!(
        signed_in.location().as_deref(),
        Some("/admin/users?after=x")
    );
}

fn urlencode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[tokio::test]
async fn the_session_cookie_is_host_prefixed_secure_http_only_and_lax() {
    let app = TestApp::spawn().await;
    let page = app.client().get("/login").await;
    let cookie = page.header("set-cookie").expect("session cookie");
    assert!(cookie.starts_with("__Host-portico="), "{cookie}");
    for attribute in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(
            cookie.contains(attribute),
            "{attribute} missing from {cookie}"
        );
    }
    assert!(
        !cookie.contains("Domain="),
        "__Host- cookies carry no Domain"
    );
}

#[tokio::test]
async fn dev_mode_drops_secure_and_the_host_prefix_for_plain_http() {
    let app = TestApp::spawn_with(Options {
        dev: true,
        ..Options::default()
    })
    .await;
    let page = app.client().get("/login").await;
    let cookie = page.header("set-cookie").expect("session cookie");
    assert!(cookie.starts_with("portico="), "{cookie}");
    assert!(!cookie.contains("Secure"));
    assert!(cookie.contains("HttpOnly"));
}

#[tokio::test]
async fn security_headers_are_on_every_response() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let login = client.get("/login").await;
    let stylesheet = login.attr("link[rel='stylesheet']", "href").unwrap();
    for path in [
        "/login",
        "/healthz",
        "/no-such-page",
        stylesheet.as_str(),
        "/",
    ] {
        let page = client.get(path).await;
        let csp = page.header("content-security-policy").unwrap_or_default();
        assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
            "{path}: {csp}"
        );
        assert_eq!(
            page.header("x-content-type-options").as_deref(),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(
            page.header("x-frame-options").as_deref(),
            Some("DENY"),
            "{path}"
        );
        assert!(page.header("referrer-policy").is_some(), "{path}");
        assert!(page.header("x-request-id").is_some(), "{path}");
    }
    assert!(!login.body.contains("<script>"), "no inline script");
    assert!(!login.body.contains("style="), "no inline style");
}

#[tokio::test]
async fn a_disabled_user_cannot_sign_in_and_loses_open_sessions() {
    let app = TestApp::spawn().await;
    let victim = app.login("quality@acme.test").await;
    let admin = app.login("admin@acme.test").await;
    let id = app.user_id("quality@acme.test").await;
    let response = admin.post(&format!("/admin/users/{id}/disable"), &[]).await;
    assert_eq!(response.status, 303);
    assert_eq!(victim.get("/").await.status, 303, "open session ended");
    let again = app.client().login("quality@acme.test", DEMO_PASSWORD).await;
    assert_eq!(again.status, 401);
}

#[tokio::test]
async fn an_htmx_request_after_the_session_ended_redirects_the_whole_page() {
    let app = TestApp::spawn().await;
    let client = app.client().with_header("HX-Request", "true");
    let response = client.get("/admin/partners").await;
    assert_eq!(response.status, 401);
    assert_eq!(
        response.header("hx-redirect").as_deref(),
        Some("/login?next=%2Fadmin%2Fpartners")
    );
}

//! The shell: languages, brand switching, home counts, error pages, assets, health.

use crate::support::{Options, TestApp};

#[tokio::test]
async fn the_language_follows_setting_then_session_then_accept_language() {
    let app = TestApp::spawn().await;
    let chinese_browser = app
        .client()
        .with_header("Accept-Language", "zh-CN,zh;q=0.9,en;q=0.5");
    let login = chinese_browser.get("/login").await;
    assert_eq!(login.attr("html", "lang").as_deref(), Some("zh-CN"));
    assert_eq!(login.text("h1"), "登录 Portico");

    // Switching to English for the session wins over the browser.
    let switched = chinese_browser
        .post("/lang", &[("lang", "en"), ("next", "/login")])
        .await;
    assert_eq!(switched.location().as_deref(), Some("/login"));
    assert_eq!(
        chinese_browser.get("/login").await.text("h1"),
        "Sign in to Portico"
    );

    // A signed-in user's choice is saved as their setting and follows them to a new browser.
    let ops = app.login("ops@acme.test").await;
    ops.post("/lang", &[("lang", "zh-CN"), ("next", "/")]).await;
    assert_eq!(ops.get("/").await.text("h1"), "您好，Oscar Ops");
    let english_browser = app.client().with_header("Accept-Language", "en");
    english_browser
        .login("ops@acme.test", crate::support::DEMO_PASSWORD)
        .await;
    let home = english_browser.get("/").await;
    assert_eq!(home.attr("html", "lang").as_deref(), Some("zh-CN"));
    assert!(home.texts("nav.mainnav a").contains(&"首页".to_owned()));
}

#[tokio::test]
async fn an_unsupported_language_is_refused_and_the_next_target_stays_inside() {
    let app = TestApp::spawn().await;
    let client = app.client();
    assert_eq!(
        client
            .post("/lang", &[("lang", "fr"), ("next", "/")])
            .await
            .status,
        400
    );
    let outside = client
        .post("/lang", &[("lang", "en"), ("next", "https://evil.test")])
        .await;
    assert_eq!(outside.location().as_deref(), Some("/"));
}

#[tokio::test]
async fn a_partner_serving_two_brands_switches_between_them() {
    let app = TestApp::spawn().await;
    let sales = app.login("sales@sunrise.test").await;
    let home = sales.get("/").await;
    assert_eq!(
        home.texts("#brand-select option"),
        vec!["Acme Apparel", "Blue Harbor Home"]
    );
    assert_eq!(home.text("#brand-select option[selected]"), "Acme Apparel");
    let switched = sales
        .submit(
            &home,
            "form.brand-switcher",
            &[("tenant", &app.org_id("Blue Harbor Home").await.to_string())],
        )
        .await;
    assert_eq!(switched.status, 303);
    let home = sales.follow(&switched).await;
    assert_eq!(
        home.text("#brand-select option[selected]"),
        "Blue Harbor Home"
    );
    assert!(
        home.text(".flash-info")
            .contains("now working with Blue Harbor Home")
    );
    assert!(
        home.text(".muted")
            .contains("working with Blue Harbor Home")
    );

    // A brand the supplier does not serve cannot be chosen: 404, and nothing changes.
    let planner = app.login("planner@delta.test").await;
    let blue = app.org_id("Blue Harbor Home").await;
    let refused = planner
        .post(
            "/context/brand",
            &[("tenant", &blue.to_string()), ("next", "/")],
        )
        .await;
    assert_eq!(refused.status, 404);
    assert!(
        planner
            .get("/")
            .await
            .text(".muted")
            .contains("Acme Apparel")
    );
}

#[tokio::test]
async fn each_role_sees_its_own_real_counts_on_home() {
    let app = TestApp::spawn().await;
    let brand_orders = [
        "Proposals to answer",
        "Waiting for partners",
        "Receipt discrepancies",
        "Drafts",
    ];
    let cases = [
        (
            "admin@acme.test",
            [
                &brand_orders[..],
                &[
                    "Active partners",
                    "Suspended partners",
                    "Open invitations",
                    "Active users",
                ],
            ]
            .concat(),
            vec!["0", "0", "0", "0", "4", "0", "0", "4"],
        ),
        (
            "ops@acme.test",
            [
                &brand_orders[..],
                &["Active partners", "Suspended partners"],
            ]
            .concat(),
            vec!["0", "0", "0", "0", "4", "0"],
        ),
        (
            "sales@sunrise.test",
            vec![
                "Orders waiting for you",
                "Brands you serve",
                "Open invitations",
                "Active users",
            ],
            vec!["0", "2", "0", "1"],
        ),
        (
            "analyst@jade.test",
            vec![
                "Financing requests to decide",
                "Disbursements to approve",
                "Overdue repayments",
                "Brands you serve",
            ],
            vec!["0", "0", "0", "1"],
        ),
        (
            "root@portico.test",
            vec!["Brands", "Organisations", "Users"],
            vec!["2", "7", "12"],
        ),
    ];
    for (email, labels, counts) in cases {
        let home = app.login(email).await.get("/").await;
        assert_eq!(home.texts(".count-label"), labels, "{email}");
        assert_eq!(home.texts(".count"), counts, "{email}");
    }
}

#[tokio::test]
async fn navigation_follows_the_role() {
    let app = TestApp::spawn().await;
    let nav = |page: crate::support::Page| page.texts("nav.mainnav a");
    assert_eq!(
        nav(app.login("admin@acme.test").await.get("/").await),
        vec![
            "Home",
            "Orders",
            "Invoices",
            "Financing requests",
            "Deadlines",
            "Traceability",
            "Complaints",
            "Partners",
            "Audit log",
            "Settings",
            "Users",
            "Invitations",
            "API clients",
            "Webhooks"
        ]
    );
    assert_eq!(
        nav(app.login("ops@acme.test").await.get("/").await),
        vec![
            "Home",
            "Orders",
            "Invoices",
            "Deadlines",
            "Traceability",
            "Complaints",
            "Partners"
        ]
    );
    assert_eq!(
        nav(app.login("finance@acme.test").await.get("/").await),
        vec![
            "Home",
            "Orders",
            "Invoices",
            "Financing requests",
            "Deadlines",
            "Traceability",
            "Complaints",
            "Partners"
        ]
    );
    assert_eq!(
        nav(app.login("analyst@jade.test").await.get("/").await),
        vec!["Home", "Financing requests"]
    );
    assert_eq!(
        nav(app.login("sales@sunrise.test").await.get("/").await),
        vec![
            "Home",
            "Orders",
            "Invoices",
            "Financing",
            "Financing requests",
            "Traceability",
            "Our record",
            "Users",
            "Invitations",
            "API clients",
            "Webhooks"
        ]
    );
    assert_eq!(
        nav(app.login("root@portico.test").await.get("/").await),
        vec!["Home", "Brands", "Organisations"]
    );
}

#[tokio::test]
async fn error_pages_speak_the_users_language_and_carry_the_request_id() {
    let app = TestApp::spawn().await;
    let english = app.client().get("/no/such/page").await;
    assert_eq!(english.status, 404);
    assert_eq!(english.text("h1"), "Page not found");
    let request_id = english.header("x-request-id").unwrap();
    assert!(english.text("main code").contains(&request_id));

    let chinese = app
        .client()
        .with_header("Accept-Language", "zh-CN")
        .get("/no/such/page")
        .await;
    assert_eq!(chinese.text("h1"), "页面不存在");

    let ops = app.login("ops@acme.test").await;
    let forbidden = ops.get("/admin/users").await;
    assert_eq!(forbidden.status, 403);
    assert_eq!(forbidden.text("h1"), "Not allowed");

    let not_operator = ops.get("/platform/brands").await;
    assert_eq!(
        not_operator.status, 404,
        "platform pages do not exist for other users"
    );
}

#[tokio::test]
async fn too_many_requests_has_its_own_page_for_htmx_and_a_retry_after() {
    let app = TestApp::spawn().await;
    for _ in 0..6 {
        app.client().login("ops@acme.test", "wrong-password").await;
    }
    let page = app.client().login("ops@acme.test", "wrong-password").await;
    assert_eq!(page.status, 429);
    assert!(page.text("#login-error").contains("seconds"));
}

#[tokio::test]
async fn an_internal_failure_shows_no_internal_details() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@acme.test").await;
    let mut tx = app.db.begin().await.unwrap();
    sqlx::query("ALTER TABLE invitations RENAME TO invitations_gone")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let page = admin.get("/admin/invitations").await;
    assert_eq!(page.status, 500);
    assert_eq!(page.text("h1"), "Something went wrong");
    for leak in ["invitations", "sqlx", "SELECT", "relation", "no such table"] {
        assert!(
            !page.text("main").contains(leak),
            "page leaks {leak:?}: {}",
            page.text("main")
        );
    }
    assert!(
        page.text("main code")
            .contains(&page.header("x-request-id").unwrap())
    );

    let htmx = admin
        .clone()
        .with_header("HX-Request", "true")
        .get("/admin/invitations")
        .await;
    assert_eq!(htmx.status, 500);
    assert!(!htmx.body.contains("<html"), "htmx gets a fragment");
    assert!(htmx.body.contains("Something went wrong"));
}

#[tokio::test]
async fn assets_are_served_under_hashed_names_with_long_cache_lifetimes() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let login = client.get("/login").await;
    for selector in [
        "link[rel='stylesheet']",
        "script[src*='htmx']",
        "script[src*='app.']",
    ] {
        let href = login
            .attr(selector, "href")
            .or_else(|| login.attr(selector, "src"))
            .unwrap_or_else(|| panic!("{selector}"));
        assert!(href.starts_with("/assets/"));
        let asset = client.get(&href).await;
        assert_eq!(asset.status, 200, "{href}");
        assert_eq!(
            asset.header("cache-control").as_deref(),
            Some("public, max-age=31536000, immutable")
        );
        assert!(
            asset
                .header("content-type")
                .unwrap()
                .starts_with(if href.ends_with(".css") {
                    "text/css"
                } else {
                    "text/javascript"
                })
        );
    }
    assert_eq!(
        client.get("/assets/app.css").await.status,
        404,
        "only hashed names are served"
    );
}

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = TestApp::spawn_with(Options {
        demo: false,
        ..Options::default()
    })
    .await;
    let client = app.client();
    let health = client.get("/healthz").await;
    assert_eq!((health.status, health.body.as_str()), (200, "ok"));
    let ready = client.get("/readyz").await;
    assert_eq!((ready.status, ready.body.as_str()), (200, "ready"));
}

#[tokio::test]
async fn pages_work_on_a_phone_and_by_keyboard() {
    let app = TestApp::spawn().await;
    let page = app
        .login("admin@acme.test")
        .await
        .get("/admin/partners/invite")
        .await;
    assert!(
        page.attr("meta[name='viewport']", "content")
            .unwrap()
            .contains("width=device-width")
    );
    assert!(page.has("a.skip-link[href='#main']"));
    // Every visible form control has a label.
    for id in ["f-org_name", "f-org_kind", "f-email"] {
        assert!(page.has(&format!("label[for='{id}']")), "{id} has no label");
    }
}

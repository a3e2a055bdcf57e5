//! Password reset by e-mailed link, and password change.

use crate::support::{DEMO_PASSWORD, TestApp};

const NEW_PASSWORD: &str = "a brand new passphrase";

#[tokio::test]
async fn a_forgotten_password_is_reset_through_the_emailed_link_once() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let form = client.get("/password/forgot").await;
    let sent = client
        .submit(&form, "main form", &[("email", "Planner@Delta.test")])
        .await;
    assert_eq!(sent.status, 200);
    assert!(
        sent.text(".flash-success")
            .contains("reset link is on its way")
    );

    let mails = app.mails();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, "planner@delta.test");
    let link = mails[0]
        .link_starting(&format!("{}/password/reset/", app.base_url))
        .expect("link");
    let path = link.strip_prefix(&app.base_url).unwrap().to_owned();

    let reset_form = client.get(&path).await;
    assert_eq!(reset_form.status, 200);
    let mismatch = client
        .submit(
            &reset_form,
            "main form",
            &[("password", NEW_PASSWORD), ("confirm", "something else")],
        )
        .await;
    assert_eq!(mismatch.status, 422);
    assert_eq!(
        mismatch.text(".field-error"),
        "The two passwords do not match."
    );

    let done = client
        .submit(
            &reset_form,
            "main form",
            &[("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(done.status, 303);
    assert_eq!(done.location().as_deref(), Some("/login"));

    assert_eq!(
        app.client()
            .login("planner@delta.test", DEMO_PASSWORD)
            .await
            .status,
        401
    );
    assert_eq!(
        app.client()
            .login("planner@delta.test", NEW_PASSWORD)
            .await
            .status,
        303
    );

    let reused = app.client().get(&path).await;
    assert_eq!(reused.status, 410);
    assert!(
        reused
            .text(".flash-error")
            .contains("expired or has already been used")
    );
}

#[tokio::test]
async fn asking_for_an_unknown_address_answers_the_same_and_sends_nothing() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let form = client.get("/password/forgot").await;
    let sent = client
        .submit(&form, "main form", &[("email", "nobody@nowhere.test")])
        .await;
    assert_eq!(sent.status, 200);
    assert!(
        sent.text(".flash-success")
            .contains("reset link is on its way")
    );
    assert!(app.mails().is_empty());

    let invalid = client
        .submit(&form, "main form", &[("email", "not an address")])
        .await;
    assert_eq!(invalid.status, 422);
    assert!(invalid.text(".field-error").contains("e-mail address"));
    assert_eq!(
        invalid.attr("#f-email", "value").as_deref(),
        Some("not an address")
    );
}

#[tokio::test]
async fn an_expired_reset_link_is_refused() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let form = client.get("/password/forgot").await;
    client
        .submit(&form, "main form", &[("email", "ops@acme.test")])
        .await;
    let link = app.mails()[0].link_starting(&app.base_url).unwrap();
    let mut tx = app.db.begin().await.unwrap();
    sqlx::query("UPDATE password_resets SET expires_at = 0")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let page = client.get(link.strip_prefix(&app.base_url).unwrap()).await;
    assert_eq!(page.status, 410);
    assert!(!page.has("input[name='password']"));
}

#[tokio::test]
async fn changing_the_password_keeps_this_session_and_ends_the_others() {
    let app = TestApp::spawn().await;
    let here = app.login("ops@acme.test").await;
    let elsewhere = app.login("ops@acme.test").await;

    let form = here.get("/account/password").await;
    let wrong = here
        .submit(
            &form,
            "main form",
            &[
                ("current", "wrong"),
                ("password", NEW_PASSWORD),
                ("confirm", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert_eq!(
        wrong.text("#f-current-error"),
        "The current password is not right."
    );

    let short = here
        .submit(
            &form,
            "main form",
            &[
                ("current", DEMO_PASSWORD),
                ("password", "short"),
                ("confirm", "short"),
            ],
        )
        .await;
    assert_eq!(short.status, 422);
    assert_eq!(
        short.text("#f-password-error"),
        "Use at least 10 characters."
    );

    let done = here
        .submit(
            &form,
            "main form",
            &[
                ("current", DEMO_PASSWORD),
                ("password", NEW_PASSWORD),
                ("confirm", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(done.status, 303);
    let account = here.follow(&done).await;
    assert_eq!(account.status, 200);
    assert!(
        account
            .text(".flash-success")
            .contains("password has been changed")
    );
    assert_eq!(
        elsewhere.get("/").await.status,
        303,
        "the other session was signed out"
    );
    assert_eq!(
        app.client()
            .login("ops@acme.test", NEW_PASSWORD)
            .await
            .status,
        303
    );
}

#[tokio::test]
async fn reset_requests_are_limited_so_the_form_cannot_flood_an_inbox() {
    let app = TestApp::spawn().await;
    let client = app.client();
    for _ in 0..5 {
        let page = client
            .post("/password/forgot", &[("email", "ops@acme.test")])
            .await;
        assert_eq!(page.status, 200);
    }
    let refused = client
        .post("/password/forgot", &[("email", "ops@acme.test")])
        .await;
    assert_eq!(refused.status, 429);
    assert_eq!(refused.text("h1"), "Too many requests");
    assert!(
        refused.text("main").contains("300 seconds")
            || refused.text("main").contains("299 seconds")
    );
    assert!(refused.header("retry-after").is_some());
    assert_eq!(app.mails().len(), 5);

    let chinese = client.clone().with_header("Accept-Language", "zh-CN");
    let page = chinese
        .post("/password/forgot", &[("email", "ops@acme.test")])
        .await;
    assert_eq!(page.status, 429);
    assert_eq!(page.text("h1"), "请求过于频繁");
}

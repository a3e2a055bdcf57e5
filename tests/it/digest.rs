//! E-mail delivery per user: a daily digest gathers a day's notifications into one e-mail sent
//! at 08:00 in the user's time zone; switching away from it never loses what waits; a refused
//! choice keeps what was entered and changes nothing.

use portico::domain::time::UtcMillis;
use portico::jobs::outbox::deliver_due;
use portico::service::digests::send_due;

use crate::support::orders::order;
use crate::support::{TestApp, TestClient};

/// Wednesday 3 March 2027, 10:00 UTC (18:00 in Shanghai).
const WED_10_UTC: i64 = 1_804_068_000_000;
const HOUR: i64 = 3_600_000;

async fn choose(client: &TestClient, delivery: &str, zone: &str) -> crate::support::Page {
    let account = client.get("/account").await;
    client
        .submit(
            &account,
            "form[action='/account/notifications']",
            &[("delivery", delivery), ("time_zone", zone)],
        )
        .await
}

async fn issue(app: &TestApp, po: &str) {
    order(
        app,
        "ops@acme.test",
        "Acme Apparel",
        po,
        "Sunrise Textiles",
        None,
        true,
    )
    .await;
}

fn mails_to(app: &TestApp, to: &str) -> Vec<crate::support::SentMail> {
    app.mails().into_iter().filter(|m| m.to == to).collect()
}

/// Delivers what is due and the mails `to` has once every queued one is sent (the app's own
/// outbox worker may be sending one when `deliver_due` returns).
async fn delivered_to(app: &TestApp, to: &str, _expected: usize) -> Vec<crate::support::SentMail> {
    app.outbox_settled().await;
    mails_to(app, to)
}

#[tokio::test]
async fn a_daily_digest_sends_the_days_notifications_in_one_mail_at_eight_local_time() {
    let app = TestApp::spawn().await;
    app.fixture_state().clock.jump_to(UtcMillis(WED_10_UTC));
    let sales = app.login("sales@sunrise.test").await;
    let saved = choose(&sales, "daily", "Asia/Shanghai").await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let account = sales.follow(&saved).await;
    assert!(account.has("input[name='delivery'][value='daily'][checked]"));
    assert_eq!(
        account.attr("#f-time_zone", "value").as_deref(),
        Some("Asia/Shanghai")
    );
    assert!(!account.has("#next-digest"), "nothing waits yet");

    issue(&app, "4500911").await;
    app.fixture_state().clock.advance(HOUR);
    issue(&app, "4500912").await;
    deliver_due(app.state()).await.unwrap();
    assert!(
        mails_to(&app, "sales@sunrise.test").is_empty(),
        "no e-mail per event"
    );
    let bell = sales.get("/notifications").await;
    assert!(bell.text(".notification-list").contains("4500911"));
    assert!(bell.text(".notification-list").contains("4500912"));
    assert_eq!(
        sales.get("/account").await.text("#next-digest"),
        "Waiting items go out at 2027-03-04 08:00 CST."
    );

    // Not before 08:00 in Shanghai (00:00 UTC)...
    app.fixture_state()
        .clock
        .jump_to(UtcMillis(WED_10_UTC + 14 * HOUR - 60_000));
    assert_eq!(send_due(app.state()).await.unwrap(), 0);
    // ...and exactly once from then on.
    app.fixture_state().clock.advance(60_000);
    assert_eq!(send_due(app.state()).await.unwrap(), 1);
    assert_eq!(send_due(app.state()).await.unwrap(), 0, "sent once");
    let mails = delivered_to(&app, "sales@sunrise.test", 1).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].subject, "Portico daily digest (2 new)");
    let body = &mails[0].body;
    let first = body.find("4500911").expect("first order listed");
    let second = body.find("4500912").expect("second order listed");
    assert!(first < second, "oldest first: {body}");
    assert!(
        body.contains("2027-03-03 18:00"),
        "times in the user's zone: {body}"
    );
    assert!(
        body.contains("/orders/"),
        "each item links to its order: {body}"
    );
    assert!(!sales.get("/account").await.has("#next-digest"));

    // The next day's items wait for the next morning.
    issue(&app, "4500913").await;
    assert_eq!(send_due(app.state()).await.unwrap(), 0);
    app.fixture_state().clock.advance(24 * HOUR);
    assert_eq!(send_due(app.state()).await.unwrap(), 1);
    let mails = delivered_to(&app, "sales@sunrise.test", 2).await;
    assert_eq!(mails.len(), 2);
    assert_eq!(mails[1].subject, "Portico daily digest (1 new)");
    assert!(mails[1].body.contains("4500913") && !mails[1].body.contains("4500911"));
}

#[tokio::test]
async fn leaving_the_digest_sends_what_waits_at_once_or_drops_it_when_e_mail_is_turned_off() {
    let app = TestApp::spawn().await;
    app.fixture_state().clock.jump_to(UtcMillis(WED_10_UTC));
    let sales = app.login("sales@sunrise.test").await;
    assert_eq!(
        choose(&sales, "daily", "Europe/Amsterdam").await.status,
        303
    );
    issue(&app, "4500921").await;

    // Back to immediate: what waited goes out at the next pass, not tomorrow.
    assert_eq!(
        choose(&sales, "immediate", "Europe/Amsterdam").await.status,
        303
    );
    assert_eq!(send_due(app.state()).await.unwrap(), 1);
    issue(&app, "4500922").await;
    let mails = delivered_to(&app, "sales@sunrise.test", 2).await;
    assert_eq!(
        mails.len(),
        2,
        "the waiting digest and one immediate e-mail"
    );
    assert!(mails.iter().any(|m| m.body.contains("4500921")));
    assert!(mails.iter().any(|m| m.body.contains("4500922")));

    // Daily again, then off: the waiting item is dropped from e-mail, kept in the bell.
    assert_eq!(
        choose(&sales, "daily", "Europe/Amsterdam").await.status,
        303
    );
    issue(&app, "4500923").await;
    assert!(sales.get("/account").await.has("#next-digest"));
    assert_eq!(choose(&sales, "off", "Europe/Amsterdam").await.status, 303);
    assert!(!sales.get("/account").await.has("#next-digest"));
    app.fixture_state().clock.advance(48 * HOUR);
    assert_eq!(send_due(app.state()).await.unwrap(), 0);
    assert_eq!(delivered_to(&app, "sales@sunrise.test", 2).await.len(), 2);
    assert!(
        sales
            .get("/notifications")
            .await
            .text(".notification-list")
            .contains("4500923")
    );
}

#[tokio::test]
async fn a_refused_choice_says_why_keeps_the_entries_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let sales = app.login("sales@sunrise.test").await;
    let before = app.fingerprint().await;

    let refused = choose(&sales, "daily", "Mars/Olympus").await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.text("#f-time_zone-error"),
        "Choose a time zone from the list, e.g. Asia/Shanghai or Europe/Amsterdam."
    );
    assert_eq!(
        refused.attr("#f-time_zone", "value").as_deref(),
        Some("Mars/Olympus")
    );
    assert!(refused.has("input[name='delivery'][value='daily'][checked]"));

    let refused = sales
        .post(
            "/account/notifications",
            &[("delivery", "weekly"), ("time_zone", "UTC")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .text(".choices .field-error")
            .contains("Choose how e-mail")
    );
    assert_eq!(app.fingerprint().await, before, "nothing stored");

    let account = sales.get("/account").await;
    assert!(account.has("input[name='delivery'][value='immediate'][checked]"));
}

#[tokio::test]
async fn saving_the_choice_is_audited() {
    let app = TestApp::spawn().await;
    let sales = app.login("sales@sunrise.test").await;
    assert_eq!(choose(&sales, "daily", "Asia/Shanghai").await.status, 303);
    let mut conn = app.fixture_state().db.reader().acquire().await.unwrap();
    let detail: String = sqlx::query_scalar(
        "SELECT detail FROM audit_log WHERE action = 'account.notifications_set' ORDER BY seq DESC LIMIT 1",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    assert!(
        detail.contains("\"daily\"") && detail.contains("Asia/Shanghai"),
        "{detail}"
    );
}

//! The bell in the page header counts the user's unread notifications in the active brand: it
//! is read with the user at the start of each request, so it must follow brand switches and
//! mark-as-read like the notifications page itself.

use portico::db::{self, notifications::NewNotification};
use portico::domain::ids::TenantId;

use crate::support::orders::order;
use crate::support::{TestApp, client::Page};

const BLUE_BUYER: &str = "admin@blueharbor.test";

/// The header's count: the badge's number, or 0 when no badge is shown.
fn badge(page: &Page) -> usize {
    if !page.has("#unread-count") {
        return 0;
    }
    page.text("#unread-count").trim().parse().expect("a number")
}

#[tokio::test]
async fn the_bell_counts_unread_notifications_of_the_active_brand_only() {
    let app = TestApp::spawn().await;
    let sales = app.login("sales@sunrise.test").await;
    // Issuing tells the supplier: two unread notices more in Acme, one more in Blue Harbor.
    let before = sales.get("/notifications").await;
    let before = before.texts(".notification-list li.unread").len();
    for po in ["BELL-1", "BELL-2"] {
        order(
            &app,
            "admin@acme.test",
            "Acme Apparel",
            po,
            "Sunrise Textiles",
            None,
            true,
        )
        .await;
    }
    order(
        &app,
        BLUE_BUYER,
        "Blue Harbor Home",
        "BELL-3",
        "Sunrise Textiles",
        None,
        true,
    )
    .await;

    let acme_list = sales.get("/notifications").await;
    let acme_unread = acme_list.texts(".notification-list li.unread").len();
    assert_eq!(acme_unread, before + 2);
    assert_eq!(badge(&acme_list), acme_unread);

    let blue = app.org_id("Blue Harbor Home").await.to_string();
    let switched = sales
        .post(
            "/context/brand",
            &[("tenant", blue.as_str()), ("next", "/")],
        )
        .await;
    assert_eq!(switched.status, 303);
    let blue_list = sales.get("/notifications").await;
    let blue_unread = blue_list.texts(".notification-list li.unread").len();
    assert_eq!(badge(&blue_list), blue_unread);
    assert!(blue_unread > 0);

    // Marking Blue Harbor's read leaves Acme's unread.
    let read = sales.post("/notifications/read", &[]).await;
    assert_eq!(read.status, 303);
    assert_eq!(badge(&sales.get("/").await), 0);
    let acme = app.org_id("Acme Apparel").await.to_string();
    sales
        .post(
            "/context/brand",
            &[("tenant", acme.as_str()), ("next", "/")],
        )
        .await;
    assert_eq!(badge(&sales.get("/").await), acme_unread);
}

/// Adds `n` unread notifications for the user in Acme.
async fn notify(app: &TestApp, email: &str, n: usize) {
    let acme = TenantId::of_brand(app.org_id("Acme Apparel").await);
    let user = app.user_id(email).await;
    let mut tx = app.fixture_state().db.begin().await.unwrap();
    for _ in 0..n {
        let note = NewNotification {
            tenant: acme,
            user,
            kind: "trace_hold",
            order: None,
            link: Some("/trace"),
            po_number: None,
            actor_org_name: Some("Acme Apparel"),
            now: 1,
        };
        db::notifications::insert(&mut tx, &note).await.unwrap();
    }
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn a_brand_user_sees_their_own_unread_count() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@acme.test").await;
    let before = badge(&admin.get("/").await);
    notify(&app, "admin@acme.test", 3).await;

    let list = admin.get("/notifications").await;
    let unread = list.texts(".notification-list li.unread").len();
    assert_eq!(unread, before + 3);
    assert_eq!(badge(&list), unread);
}

/// The count stops at a hundred, so a user with a long unread history costs every page no more
/// than one with a short one; the bell says "99+".
#[tokio::test]
async fn past_ninety_nine_unread_the_bell_says_99_plus() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@acme.test").await;
    let before = badge(&admin.get("/").await);
    notify(&app, "admin@acme.test", 99 - before).await;
    assert_eq!(admin.get("/").await.text("#unread-count").trim(), "99");

    notify(&app, "admin@acme.test", 150).await;
    let page = admin.get("/").await;
    assert_eq!(page.text("#unread-count").trim(), "99+");
    assert_eq!(
        page.attr("a.bell", "aria-label").as_deref(),
        Some("Notifications: 99+ unread")
    );
}

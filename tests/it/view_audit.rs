//! Views of an order are audited durably before the page is shown. On SQLite they are committed
//! to a file of their own and join the audit chain in bulk, so the main file (and with it every
//! reading connection's page cache) does not change with each view.

use portico::db::pending_views::{self, PendingView};
use portico::service::view_audit::fold_pending;
use sqlx::Row;

use crate::support::TestApp;

async fn order_viewed(app: &TestApp, order: &str) -> (i64, i64) {
    let in_chain: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'order.viewed' AND subject_id = $1",
    )
    .bind(order)
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    let waiting = match app.db.views_file() {
        Some(_) => {
            let mut conn = app.db.writer().acquire().await.unwrap();
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM views.pending_views \
                 WHERE action = 'order.viewed' AND subject_id = $1",
            )
            .bind(order)
            .fetch_one(&mut *conn)
            .await
            .unwrap()
        }
        None => 0,
    };
    (in_chain, waiting)
}

/// How many times the main database changed, as one reading connection sees it.
async fn data_version(conn: &mut sqlx::AnyConnection) -> i64 {
    sqlx::query("PRAGMA data_version")
        .fetch_one(conn)
        .await
        .unwrap()
        .get::<i64, _>(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_view_is_committed_before_its_page_shows_and_joins_the_chain_exactly_once() {
    let app = TestApp::spawn().await;
    let id = crate::support::orders::order(
        &app,
        "admin@acme.test",
        "Acme Apparel",
        "PO-VIEW-FILE-1",
        "Delta Garment Works",
        None,
        true,
    )
    .await
    .to_string();
    let planner = app.login("planner@delta.test").await;
    // Nothing else writes meanwhile: the first page after sign-in has stored the session's form
    // token, the issued order's e-mail has gone, earlier views have moved.
    assert_eq!(planner.get("/orders").await.status, 200);
    app.outbox_settled().await;
    fold_pending(&app.db).await.unwrap();
    let mut reader = app.db.reader().acquire().await.unwrap();
    let sqlite = app.db.views_file().is_some();
    let version_before = if sqlite {
        Some(data_version(&mut reader).await)
    } else {
        None
    };

    assert_eq!(planner.get(&format!("/orders/{id}")).await.status, 200);

    // Committed before the page came back: in the chain, or waiting in its file to join it.
    let (in_chain, waiting) = order_viewed(&app, &id).await;
    assert_eq!(in_chain + waiting, 1, "chain {in_chain}, waiting {waiting}");
    if let Some(before) = version_before {
        assert_eq!(
            data_version(&mut reader).await,
            before,
            "a view must not change the main database"
        );
    }
    drop(reader);

    assert_eq!(fold_pending(&app.db).await.unwrap() as i64, waiting);
    assert_eq!(order_viewed(&app, &id).await, (1, 0));
    assert_eq!(
        fold_pending(&app.db).await.unwrap(),
        0,
        "nothing moves twice"
    );
    let report = portico::service::audit_check::verify_audit_log(&app.db)
        .await
        .unwrap();
    assert!(report.intact());
}

/// A fold writes the chain and then forgets the views it moved, two files SQLite does not commit
/// atomically together: after a crash between them a view can be in both. It joins once.
#[tokio::test]
async fn a_view_already_in_the_chain_is_not_entered_again_after_an_interrupted_fold() {
    let app = TestApp::spawn().await;
    if app.db.views_file().is_none() {
        return; // PostgreSQL appends views to the chain at once.
    }
    let ops = app.login("ops@acme.test").await;
    let id = crate::support::orders::order(
        &app,
        "admin@acme.test",
        "Acme Apparel",
        "PO-VIEW-FILE-2",
        "Delta Garment Works",
        None,
        true,
    )
    .await
    .to_string();
    assert_eq!(ops.get(&format!("/orders/{id}")).await.status, 200);
    fold_pending(&app.db).await.unwrap();
    let folded: (String, Option<String>, String, i64) = sqlx::query_as(
        "SELECT id, tenant_id, detail, at FROM audit_log \
         WHERE action = 'order.viewed' AND subject_id = $1",
    )
    .bind(&id)
    .fetch_one(app.db.reader())
    .await
    .unwrap();

    // The view again in its file, as a crash after the chain's commit would leave it.
    let mut conn = app.db.writer().acquire().await.unwrap();
    let again = PendingView {
        n: 0,
        id: folded.0.clone(),
        tenant_id: folded.1.clone(),
        actor_user_id: None,
        actor_org_id: None,
        action: "order.viewed".into(),
        subject_type: "order".into(),
        subject_id: Some(id.clone()),
        detail: folded.2.clone(),
        client_addr: None,
        at: folded.3,
    };
    pending_views::stage(&mut conn, &[again]).await.unwrap();
    drop(conn);

    assert_eq!(fold_pending(&app.db).await.unwrap(), 0);
    assert_eq!(order_viewed(&app, &id).await, (1, 0));
    let report = portico::service::audit_check::verify_audit_log(&app.db)
        .await
        .unwrap();
    assert!(report.intact());
}

/// The brand admin's audit page lists a view recorded a moment ago, before its fold is due.
#[tokio::test]
async fn the_audit_page_lists_a_view_that_has_not_joined_the_chain_yet() {
    let app = TestApp::spawn().await;
    let id = crate::support::orders::order(
        &app,
        "admin@acme.test",
        "Acme Apparel",
        "PO-VIEW-FILE-3",
        "Delta Garment Works",
        None,
        true,
    )
    .await;
    let planner = app.login("planner@delta.test").await;
    assert_eq!(planner.get(&format!("/orders/{id}")).await.status, 200);

    let admin = app.login("admin@acme.test").await;
    let page = admin
        .get(&format!("/admin/audit?action=order.viewed&object={id}"))
        .await;
    assert_eq!(page.status, 200);
    assert_eq!(page.texts("table.audit tbody tr").len(), 1);
    assert_eq!(order_viewed(&app, &id.to_string()).await, (1, 0));
}

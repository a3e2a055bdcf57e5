//! The brand admin's audit page and its CSV export; date-change feedback after confirmation;
//! key rotation in the middle of an order; e-mail preferences.

use std::process::Command;

use crate::support::TestApp;
use crate::support::orders::{decide, order};

#[tokio::test]
async fn the_audit_page_filters_and_its_export_is_itself_audited() {
    let app = TestApp::spawn().await;
    let id = order(
        &app,
        "ops@acme.test",
        "Acme Apparel",
        "4500901",
        "Sunrise Textiles",
        None,
        true,
    )
    .await;
    let sales = app.login("sales@sunrise.test").await;
    let page = sales.get(&format!("/orders/{id}")).await;
    decide(&sales, &page, "form.accept-all", &[]).await;

    let admin = app.login("admin@acme.test").await;
    let all = admin.get("/admin/audit").await;
    assert_eq!(all.status, 200);
    let actions = all.texts("table.audit tbody td:nth-child(3)");
    for action in [
        "order.created",
        "order.issued",
        "order.lines_decided",
        "order.viewed",
    ] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} missing: {actions:?}"
        );
    }
    let by_user = admin
        .get("/admin/audit?actor=sales%40sunrise.test&action=order.lines_decided")
        .await;
    assert_eq!(by_user.texts("table.audit tbody tr").len(), 1);
    let by_po = admin
        .get("/admin/audit?object=4500901&action=order.issued")
        .await;
    assert_eq!(by_po.texts("table.audit tbody tr").len(), 1);
    let future = admin.get("/admin/audit?from=2099-01-01").await;
    assert!(future.has(".empty"));

    let export = admin
        .get("/admin/audit/export.csv?action=order.issued")
        .await;
    assert_eq!(export.status, 200);
    assert!(
        export
            .header("content-disposition")
            .unwrap()
            .contains("portico-audit.csv")
    );
    let mut lines = export.body.lines();
    assert_eq!(
        lines.next().unwrap(),
        "seq,time_utc,actor,actor_org,action,object_type,object_id,client_addr,detail"
    );
    assert_eq!(lines.filter(|l| l.contains("order.issued")).count(), 1);
    let again = admin.get("/admin/audit?action=audit.exported").await;
    assert_eq!(
        again.texts("table.audit tbody tr").len(),
        1,
        "the export was recorded"
    );

    // Only brand admins see the log.
    assert_eq!(
        app.login("ops@acme.test")
            .await
            .get("/admin/audit")
            .await
            .status,
        404
    );
    assert_eq!(sales.get("/admin/audit").await.status, 404);
}

#[tokio::test]
async fn after_confirmation_the_partner_asks_for_a_new_date_and_the_brand_decides() {
    let app = TestApp::spawn().await;
    let id = order(
        &app,
        "ops@acme.test",
        "Acme Apparel",
        "4500902",
        "Sunrise Textiles",
        None,
        true,
    )
    .await;
    let sales = app.login("sales@sunrise.test").await;
    let page = decide(
        &sales,
        &sales.get(&format!("/orders/{id}")).await,
        "form.accept-all",
        &[],
    )
    .await;
    assert_eq!(page.text("#order-state"), "Confirmed");
    let page = decide(
        &sales,
        &page,
        "#line-2 form.decide-date",
        &[("date", "2027-08-01"), ("comment", "Port congestion")],
    )
    .await;
    assert_eq!(page.text("#line-2 .line-state"), "New date proposed");
    assert_eq!(page.text("#order-state"), "Changes proposed");

    let ops = app.login("ops@acme.test").await;
    let page = ops.get(&format!("/orders/{id}")).await;
    let page = decide(
        &ops,
        &page,
        "#line-2 form.decide-brand-decline",
        &[("comment", "Keep the date, air freight")],
    )
    .await;
    assert_eq!(page.text("#line-2 .line-state"), "Accepted");
    assert!(
        page.text("#line-2").contains("2027-06-30"),
        "the original date stays"
    );
    assert_eq!(page.text("#order-state"), "Confirmed");

    let page = decide(
        &sales,
        &sales.get(&format!("/orders/{id}")).await,
        "#line-2 form.decide-date",
        &[("date", "2027-07-10")],
    )
    .await;
    assert_eq!(page.text("#line-2 .line-state"), "New date proposed");
    let page = decide(
        &ops,
        &ops.get(&format!("/orders/{id}")).await,
        "#line-2 form.decide-brand-accept",
        &[("action", "accept_date")],
    )
    .await;
    assert!(page.text("#line-2").contains("2027-07-10"));
    assert!(
        page.text(".verify-panel")
            .contains("Every statement verifies")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statements_signed_before_a_key_rotation_keep_verifying() {
    let app = TestApp::spawn().await;
    let id = order(
        &app,
        "ops@acme.test",
        "Acme Apparel",
        "4500903",
        "Sunrise Textiles",
        None,
        true,
    )
    .await;
    let sales = app.login("sales@sunrise.test").await;
    let page = sales.get(&format!("/orders/{id}")).await;
    let page = decide(
        &sales,
        &page,
        "#line-1 form.decide-accept",
        &[("action", "accept")],
    )
    .await;
    let rotate = Command::new(env!("CARGO_BIN_EXE_portico"))
        .args(["keys", "rotate", "--org", "Sunrise Textiles"])
        .env("DATABASE_URL", app.db.url())
        .env("PORTICO_DATA_DIR", app.data_dir.path())
        .output()
        .unwrap();
    assert!(
        rotate.status.success(),
        "{}",
        String::from_utf8_lossy(&rotate.stderr)
    );
    let page = decide(
        &sales,
        &page,
        "#line-2 form.decide-accept",
        &[("action", "accept")],
    )
    .await;
    assert_eq!(page.texts(".statements li").len(), 3);
    assert!(
        page.text(".verify-panel")
            .contains("Every statement verifies"),
        "{}",
        page.text(".verify-panel")
    );

    let bundle: portico::signing::bundle::Bundle =
        serde_json::from_str(&sales.get(&format!("/orders/{id}/evidence.json")).await.body)
            .unwrap();
    let kids: std::collections::BTreeSet<&str> =
        bundle.statements.iter().map(|s| s.kid.as_str()).collect();
    assert_eq!(kids.len(), 3, "brand key, old and new Sunrise keys");
}

#[tokio::test]
async fn users_who_turn_email_off_get_only_in_app_notifications() {
    let app = TestApp::spawn().await;
    let sales = app.login("sales@sunrise.test").await;
    let account = sales.get("/account").await;
    assert!(account.has("input[name='delivery'][value='immediate'][checked]"));
    let saved = sales
        .submit(
            &account,
            "form[action='/account/notifications']",
            &[("delivery", "off")],
        )
        .await;
    assert_eq!(saved.status, 303);
    assert!(
        sales
            .follow(&saved)
            .await
            .has("input[name='delivery'][value='off'][checked]")
    );

    order(
        &app,
        "ops@acme.test",
        "Acme Apparel",
        "4500904",
        "Sunrise Textiles",
        None,
        true,
    )
    .await;
    portico::jobs::outbox::deliver_due(app.state())
        .await
        .unwrap();
    assert!(
        app.mails().iter().all(|m| m.to != "sales@sunrise.test"),
        "no e-mail after opting out"
    );
    let bell = sales.get("/notifications").await;
    assert!(bell.text(".notification-list").contains("4500904"));
    assert_eq!(bell.text("#unread-count"), "1");
    let read = sales
        .submit(&bell, "main form[action='/notifications/read']", &[])
        .await;
    assert!(!sales.follow(&read).await.has("#unread-count"));
}

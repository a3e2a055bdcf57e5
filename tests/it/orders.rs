//! Purchase orders end to end over HTTP: create and issue, line decisions by the partner,
//! proposals decided by the brand, stale pages, double submits, refusals, evidence.

use std::time::Duration;

use crate::support::orders::{decide, order};
use crate::support::{Page, TestApp, TestClient};

async fn open(client: &TestClient, id: &str) -> Page {
    let page = client.get(&format!("/orders/{id}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    page
}

fn line_state(page: &Page, line: u32) -> String {
    page.text(&format!("#line-{line} .line-state"))
}

#[tokio::test]
async fn a_brand_creates_and_issues_an_order_through_the_form() {
    let app = TestApp::spawn().await;
    let ops = app.login("ops@acme.test").await;
    let form = ops.get("/orders/new").await;
    assert_eq!(form.status, 200);
    let sunrise = app.org_id("Sunrise Textiles").await.to_string();
    // Mistakes are shown beside their fields and everything typed stays.
    let wrong = ops
        .submit(
            &form,
            "form.order-form",
            &[
                ("po_number", "PO 1"),
                ("partner", &sunrise),
                ("requested_delivery", "2027-05-31"),
                ("line_sku", "TS-1"),
                ("line_description", "Tee"),
                ("line_hs_code", "61"),
                ("line_quantity", "-3"),
                ("line_unit_price", "1.234"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert_eq!(
        wrong.text("#f-po_number-error"),
        "Use letters, digits and - _ / . only, at most 40 characters."
    );
    let errors = wrong.texts("table.line-inputs .field-error");
    assert_eq!(
        errors,
        vec![
            "An HS code has 6 to 10 digits (dots allowed).",
            "The quantity must be more than zero.",
            "This currency has fewer decimals."
        ]
    );
    assert_eq!(
        wrong.attr("input[name='line_sku']", "value").as_deref(),
        Some("TS-1")
    );

    let created = ops
        .submit(
            &wrong,
            "form.order-form",
            &[
                ("po_number", "4509001"),
                ("line_hs_code", "6109.10"),
                ("line_quantity", "1200"),
                ("line_unit_price", "3.85"),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let page = ops.follow(&created).await;
    assert_eq!(page.text("h1"), "PO 4509001");
    assert_eq!(page.text("#order-state"), "Draft");
    assert!(page.text(".facts").contains("4620.00 USD"));

    let issued = decide(&ops, &page, "form.issue", &[]).await;
    assert_eq!(issued.text("#order-state"), "Waiting for confirmation");
    assert!(
        issued
            .text(".verify-panel")
            .contains("Every statement verifies")
    );

    // The same PO number cannot be used twice in a brand (a new form, not a resubmission).
    let fresh_form = ops.get("/orders/new").await;
    let again = ops
        .submit(
            &fresh_form,
            "form.order-form",
            &[
                ("po_number", "4509001"),
                ("partner", &sunrise),
                ("requested_delivery", "2027-05-31"),
                ("line_sku", "X"),
                ("line_description", "X"),
                ("line_hs_code", "610910"),
                ("line_quantity", "1"),
                ("line_unit_price", "1"),
            ],
        )
        .await;
    assert_eq!(again.status, 422);
    assert_eq!(
        again.text("#f-po_number-error"),
        "This PO number is already used in your brand."
    );
}

#[tokio::test]
async fn the_partner_decides_line_by_line_and_the_brand_accepts_a_proposal() {
    let app = TestApp::spawn().await;
    let id = order(
        &app,
        "ops@acme.test",
        "Acme Apparel",
        "4500777",
        "Sunrise Textiles",
        None,
        true,
    )
    .await
    .to_string();
    let sales = app.login("sales@sunrise.test").await;

    let inbox = sales.get("/orders").await;
    assert!(
        inbox.text("tbody").contains("4500777"),
        "the issued order is in the inbox"
    );

    let page = open(&sales, &id).await;
    let page = decide(
        &sales,
        &page,
        "#line-1 form.decide-accept",
        &[("action", "accept")],
    )
    .await;
    assert_eq!(line_state(&page, 1), "Accepted");
    assert_eq!(page.text("#order-state"), "Partially confirmed");

    // A rejection needs a reason; the form says so and keeps the page.
    let refused = sales
        .submit(&page, "#line-2 form.decide-reject", &[("reason", "")])
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.text("#line-2 .field-error"),
        "This field is required."
    );
    let page = decide(
        &sales,
        &page,
        "#line-2 form.decide-reject",
        &[("reason", "Yarn not available")],
    )
    .await;
    assert_eq!(line_state(&page, 2), "Rejected");

    let page = decide(
        &sales,
        &page,
        "#line-3 form.decide-propose",
        &[
            ("quantity", "250"),
            ("date", "2027-07-15"),
            ("comment", "Dye lot limits"),
        ],
    )
    .await;
    assert_eq!(line_state(&page, 3), "Change proposed");
    assert_eq!(page.text("#order-state"), "Changes proposed");
    assert!(page.text("#line-3 .proposal").contains("250 pcs"));

    // The brand sees the proposal and accepts it: the line takes the new terms.
    let ops = app.login("ops@acme.test").await;
    let waiting = ops.get("/orders").await;
    assert!(
        waiting.text("tbody").contains("4500777"),
        "proposals wait for the brand"
    );
    let page = open(&ops, &id).await;
    let page = decide(
        &ops,
        &page,
        "#line-3 form.decide-brand-accept",
        &[("action", "accept_proposal")],
    )
    .await;
    assert_eq!(line_state(&page, 3), "Accepted");
    assert!(page.text("#line-3").contains("250 pcs"));
    assert!(page.text("#line-3").contains("2027-07-15"));
    assert_eq!(page.text("#order-state"), "Partially confirmed");

    // Every step is a verified statement, and the timeline tells the story.
    let statements = page.texts(".statements li");
    assert_eq!(statements.len(), 5, "{statements:?}");
    assert!(
        page.text(".verify-panel")
            .contains("Every statement verifies")
    );
    let timeline = page.text(".timeline");
    for event in [
        "Draft created",
        "Issued",
        "Line accepted",
        "Line rejected",
        "Change proposed",
        "Proposal accepted",
    ] {
        assert!(
            timeline.contains(event),
            "timeline lacks {event}: {timeline}"
        );
    }

    // Each side was told.
    let bell = sales.get("/notifications").await;
    assert!(
        bell.text(".notification-list")
            .contains("Acme Apparel issued PO 4500777")
    );
    assert!(
        bell.text(".notification-list")
            .contains("Acme Apparel decided on your proposals for PO 4500777")
    );
}

#[tokio::test]
async fn a_decision_made_on_a_stale_page_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let id = order(
        &app,
        "ops@acme.test",
        "Acme Apparel",
        "4500778",
        "Sunrise Textiles",
        None,
        true,
    )
    .await
    .to_string();
    let sales = app.login("sales@sunrise.test").await;
    let colleague = app.login("sales@sunrise.test").await;
    let old_page = open(&sales, &id).await;
    let fresh = open(&colleague, &id).await;
    decide(
        &colleague,
        &fresh,
        "#line-1 form.decide-accept",
        &[("action", "accept")],
    )
    .await;

    let before = app.fingerprint().await;
    let response = sales
        .submit(
            &old_page,
            "#line-2 form.decide-reject",
            &[("reason", "Too late")],
        )
        .await;
    assert_eq!(response.status, 303);
    let page = sales.follow(&response).await;
    assert!(
        page.text(".flash-error")
            .contains("This order changed since you opened it")
    );
    assert_eq!(
        line_state(&page, 2),
        "Open",
        "the stale decision was not applied"
    );
    assert_eq!(page.texts(".statements li").len(), 2);
    let after = app.fingerprint().await;
    assert_eq!(count_lines(&before, "|"), count_lines(&after, "|"));
}

fn count_lines(text: &str, needle: &str) -> usize {
    text.lines().filter(|l| l.contains(needle)).count()
}

#[tokio::test]
async fn twenty_identical_submits_at_once_have_one_effect() {
    let app = TestApp::spawn().await;
    let id = order(
        &app,
        "ops@acme.test",
        "Acme Apparel",
        "4500779",
        "Sunrise Textiles",
        None,
        true,
    )
    .await
    .to_string();
    let sales = app.login("sales@sunrise.test").await;
    let page = open(&sales, &id).await;
    let (action, fields) = page.form("form.accept-all");
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let client = sales.clone();
        let action = action.clone();
        let fields = fields.clone();
        tasks.push(tokio::spawn(async move {
            let pairs: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            client.post_raw(&action, &pairs).await.status
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), 303, "every submit answers calmly");
    }
    let page = open(&sales, &id).await;
    assert_eq!(page.text("#order-state"), "Confirmed");
    assert_eq!(
        page.texts(".statements li").len(),
        2,
        "issued + one acceptance, not twenty"
    );
    assert_eq!(
        page.text(".timeline").matches("Line accepted").count(),
        3,
        "three lines, once each"
    );
}

#[tokio::test]
async fn who_may_do_what_on_an_order() {
    let app = TestApp::spawn().await;
    let draft = order(
        &app,
        "ops@acme.test",
        "Acme Apparel",
        "4500780",
        "Sunrise Textiles",
        Some("Harbor Logistics"),
        false,
    )
    .await
    .to_string();
    let issued = order(
        &app,
        "ops@acme.test",
        "Acme Apparel",
        "4500781",
        "Sunrise Textiles",
        Some("Harbor Logistics"),
        true,
    )
    .await
    .to_string();

    // A quality user reads orders but cannot issue them.
    let quality = app.login("quality@acme.test").await;
    let page = open(&quality, &draft).await;
    assert!(!page.has("form.issue"));
    let before = app.fingerprint().await;
    let forced = quality
        .post(
            &format!("/orders/{draft}/issue"),
            &[
                ("version", "1"),
                ("submission", "forced-submission-token-0000001"),
            ],
        )
        .await;
    assert_eq!(forced.status, 403);
    assert_eq!(app.fingerprint().await, before);

    // The partner does not see drafts, and cannot take the brand's steps.
    let sales = app.login("sales@sunrise.test").await;
    assert_eq!(sales.get(&format!("/orders/{draft}")).await.status, 404);
    let cancel = sales
        .post(
            &format!("/orders/{issued}/cancel"),
            &[
                ("version", "2"),
                ("submission", "forced-submission-token-0000002"),
                ("reason", "x"),
            ],
        )
        .await;
    assert_eq!(cancel.status, 403);

    // The warehouse the goods ship to reads the order, decides nothing.
    let dock = app.login("dock@harborlog.test").await;
    let page = open(&dock, &issued).await;
    assert!(!page.has("form.decide-accept") && !page.has("form.accept-all"));
    let decide = dock
        .post(
            &format!("/orders/{issued}/decide"),
            &[
                ("version", "2"),
                ("submission", "forced-submission-token-0000003"),
                ("line", "1"),
                ("action", "accept"),
            ],
        )
        .await;
    assert_eq!(decide.status, 403);
    assert_eq!(
        app.fingerprint().await.lines().count(),
        app.fingerprint().await.lines().count()
    );

    // Cancelling needs a reason and is final.
    let ops = app.login("ops@acme.test").await;
    let confirm = ops.get(&format!("/orders/{issued}/cancel")).await;
    let no_reason = ops.submit(&confirm, "main form", &[("reason", " ")]).await;
    assert!(
        ops.follow(&no_reason)
            .await
            .text(".flash-error")
            .contains("Please give a reason")
    );
    let confirm = ops.get(&format!("/orders/{issued}/cancel")).await;
    let done = ops
        .submit(&confirm, "main form", &[("reason", "Collection dropped")])
        .await;
    let page = ops.follow(&done).await;
    assert_eq!(page.text("#order-state"), "Cancelled");
    assert!(page.text(".facts").contains("Collection dropped"));
    let page = open(&sales, &issued).await;
    assert!(!page.has("form.decide-accept"), "nothing left to decide");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_evidence_bundle_verifies_offline_and_its_download_is_audited() {
    let app = TestApp::spawn().await;
    let id = order(
        &app,
        "ops@acme.test",
        "Acme Apparel",
        "4500782",
        "Sunrise Textiles",
        None,
        true,
    )
    .await
    .to_string();
    let sales = app.login("sales@sunrise.test").await;
    let page = open(&sales, &id).await;
    decide(&sales, &page, "form.accept-all", &[]).await;

    let download = sales.get(&format!("/orders/{id}/evidence.json")).await;
    assert_eq!(download.status, 200);
    assert!(
        download
            .header("content-disposition")
            .unwrap()
            .contains("attachment")
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("evidence.json");
    std::fs::write(&path, &download.body).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_portico"))
        .arg("verify")
        .arg(&path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{text}");
    assert!(
        text.contains("po.issued") && text.contains("po.partner_decisions"),
        "{text}"
    );
    assert!(text.contains("accept line 1, 2, 3 on PO 4500782"), "{text}");

    portico::service::view_audit::fold_pending(&app.db)
        .await
        .unwrap();
    let mut conn = app.db.reader().acquire().await.unwrap();
    let audited = portico::db::audit::recent_with_action(&mut conn, "order.evidence_exported", 5)
        .await
        .unwrap();
    assert_eq!(audited.len(), 1);
    assert!(
        !portico::db::audit::recent_with_action(&mut conn, "order.viewed", 5)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn issuing_emails_the_partner_after_commit() {
    let app = TestApp::spawn().await;
    order(
        &app,
        "ops@acme.test",
        "Acme Apparel",
        "4500783",
        "Sunrise Textiles",
        None,
        true,
    )
    .await;
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        if app
            .mails()
            .iter()
            .any(|m| m.to == "sales@sunrise.test" && m.subject.contains("4500783"))
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no e-mail to the partner"
        );
        // Poll interval while waiting for the outbox worker's delivery.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_inbox_filters_by_state_and_text_and_pages_by_key() {
    let app = TestApp::spawn().await;
    for n in 0..55 {
        order(
            &app,
            "ops@acme.test",
            "Acme Apparel",
            &format!("5{n:05}"),
            "Sunrise Textiles",
            None,
            true,
        )
        .await;
    }
    order(
        &app,
        "ops@acme.test",
        "Acme Apparel",
        "9-DELTA",
        "Delta Garment Works",
        None,
        true,
    )
    .await;
    let sales = app.login("sales@sunrise.test").await;
    let first = sales.get("/orders").await;
    let mut seen = first.texts("tbody tr td:first-child");
    assert_eq!(seen.len(), 50);
    let next = first.attr("a[rel='next']", "href").expect("next page");
    let second = sales.get(&next).await;
    seen.extend(second.texts("tbody tr td:first-child"));
    assert_eq!(seen.len(), 55, "Delta's order is not Sunrise's");
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 55);

    let found = sales.get("/orders?view=all&q=500012").await;
    assert_eq!(found.texts("tbody tr td:first-child"), vec!["500012"]);
    let by_sku = sales.get("/orders?view=all&q=SKU-3").await;
    assert_eq!(
        by_sku.texts("tbody tr").len(),
        50,
        "SKU search matches lines"
    );
    let confirmed = sales.get("/orders?view=confirmed").await;
    assert!(confirmed.has(".empty"));
}

#[tokio::test]
async fn a_double_submitted_new_order_form_makes_one_draft() {
    let app = TestApp::spawn().await;
    let ops = app.login("ops@acme.test").await;
    let form = ops.get("/orders/new").await;
    let sunrise = app.org_id("Sunrise Textiles").await.to_string();
    let fields = [
        ("po_number", "4509100"),
        ("partner", sunrise.as_str()),
        ("requested_delivery", "2027-05-31"),
        ("line_sku", "TS-1"),
        ("line_description", "Tee"),
        ("line_hs_code", "610910"),
        ("line_quantity", "10"),
        ("line_unit_price", "1"),
    ];
    let first = ops.submit(&form, "form.order-form", &fields).await;
    let second = ops.submit(&form, "form.order-form", &fields).await;
    assert_eq!(first.status, 303);
    assert_eq!(
        second.status, 303,
        "the repeat lands on the same draft: {}",
        second.body
    );
    assert_eq!(first.location(), second.location());
    let list = ops.get("/orders?view=draft").await;
    assert_eq!(list.texts("tbody tr").len(), 1);
}

//! First-sample approval and the production gate it opens.

use crate::support::orders::{decide, order, png};
use crate::support::{Page, TestApp, TestClient};

async fn confirmed(app: &TestApp, po: &str) -> String {
    let id = order(
        app,
        "ops@acme.test",
        "Acme Apparel",
        po,
        "Delta Garment Works",
        None,
        true,
    )
    .await
    .to_string();
    let planner = app.login("planner@delta.test").await;
    decide(
        &planner,
        &planner.get(&format!("/orders/{id}")).await,
        "form.accept-all",
        &[],
    )
    .await;
    id
}

async fn multipart(
    client: &TestClient,
    path: &str,
    fields: &[(&str, &str)],
    photos: usize,
) -> Page {
    let mut form = reqwest::multipart::Form::new().text("_csrf", client.csrf().await);
    for (k, v) in fields {
        form = form.text((*k).to_owned(), (*v).to_owned());
    }
    for n in 0..photos {
        form = form.part(
            "files",
            reqwest::multipart::Part::bytes(png(n as u8)).file_name(format!("s{n}.png")),
        );
    }
    client.send_multipart(path, form).await
}

async fn report(client: &TestClient, id: &str, milestone: &str, token: &str) -> Page {
    let response = multipart(
        client,
        &format!("/orders/{id}/progress"),
        &[("milestone", milestone), ("submission", token)],
        0,
    )
    .await;
    client.follow(&response).await
}

#[tokio::test]
async fn production_waits_for_quality_to_approve_the_first_sample() {
    let app = TestApp::spawn().await;
    let id = confirmed(&app, "4507001").await;
    let planner = app.login("planner@delta.test").await;

    let refused = report(
        &planner,
        &id,
        "production_started",
        "sample-test-token-0000000001",
    )
    .await;
    assert!(
        refused
            .text(".flash-error")
            .contains("after brand quality approves the first sample")
    );
    let kitted = report(
        &planner,
        &id,
        "materials_kitted",
        "sample-test-token-0000000002",
    )
    .await;
    assert!(
        kitted.text(".flash-success").contains("Progress posted"),
        "kitting comes before production"
    );

    // A sample needs photos and measurements.
    let empty = multipart(
        &planner,
        &format!("/orders/{id}/samples"),
        &[
            ("measurements", ""),
            ("submission", "sample-test-token-0000000003"),
        ],
        0,
    )
    .await;
    assert_eq!(empty.status, 422);
    assert!(empty.text("#s-files-error").contains("at least one photo"));
    assert!(empty.text("#s-measurements-error").contains("required"));

    let sent = multipart(
        &planner,
        &format!("/orders/{id}/samples"),
        &[
            ("measurements", "chest 52 cm\nlength 71 cm"),
            ("note", "Wash test passed"),
            ("submission", "sample-test-token-0000000004"),
        ],
        2,
    )
    .await;
    let page = planner.follow(&sent).await;
    assert!(page.text("#samples").contains("Waiting for approval"));
    assert_eq!(page.texts("#samples img").len(), 2);
    assert!(
        !page.has("form[action$='/samples']"),
        "one sample at a time"
    );

    // Ops may not approve; quality may, and a rejection needs a comment.
    let ops = app.login("ops@acme.test").await;
    let ops_page = ops.get(&format!("/orders/{id}")).await;
    assert!(!ops_page.has("form.sample-decision"));
    let quality = app.login("quality@acme.test").await;
    let q_page = quality.get(&format!("/orders/{id}")).await;
    let no_reason = quality
        .submit(
            &q_page,
            "form.sample-decision",
            &[("decision", "reject"), ("comment", "")],
        )
        .await;
    assert!(
        quality
            .follow(&no_reason)
            .await
            .text(".flash-error")
            .contains("Say why")
    );
    let q_page = quality.get(&format!("/orders/{id}")).await;
    let approved = decide(
        &quality,
        &q_page,
        "form.sample-decision",
        &[("decision", "approve"), ("comment", "Good hand feel")],
    )
    .await;
    assert!(
        approved
            .text(".flash-success")
            .contains("Production may start")
    );
    assert!(approved.text("#samples").contains("Approved"));
    assert!(
        approved
            .text(".verify-panel")
            .contains("Every statement verifies")
    );
    let kinds = approved.texts(".statements li strong");
    assert!(
        kinds.contains(&"po.sample_submitted".to_owned())
            && kinds.contains(&"po.sample_decided".to_owned())
    );

    let started = report(
        &planner,
        &id,
        "production_started",
        "sample-test-token-0000000005",
    )
    .await;
    assert!(started.text(".flash-success").contains("Progress posted"));
    assert!(
        planner
            .get("/notifications")
            .await
            .text(".notification-list")
            .contains("approved the first sample of PO 4507001")
    );
}

#[tokio::test]
async fn a_rejected_sample_is_followed_by_a_new_one() {
    let app = TestApp::spawn().await;
    let id = confirmed(&app, "4507002").await;
    let planner = app.login("planner@delta.test").await;
    let first = multipart(
        &planner,
        &format!("/orders/{id}/samples"),
        &[
            ("measurements", "chest 50"),
            ("submission", "sample-test-token-0000000011"),
        ],
        1,
    )
    .await;
    assert_eq!(first.status, 303);
    let quality = app.login("quality@acme.test").await;
    let page = quality.get(&format!("/orders/{id}")).await;
    decide(
        &quality,
        &page,
        "form.sample-decision",
        &[("decision", "reject"), ("comment", "Seams uneven")],
    )
    .await;
    let page = planner.get(&format!("/orders/{id}")).await;
    assert!(page.text("#samples").contains("Seams uneven"));
    assert!(
        page.has("form[action$='/samples']"),
        "a new sample can follow a rejection"
    );
    let second = multipart(
        &planner,
        &format!("/orders/{id}/samples"),
        &[
            ("measurements", "chest 52"),
            ("submission", "sample-test-token-0000000012"),
        ],
        1,
    )
    .await;
    assert_eq!(
        planner
            .follow(&second)
            .await
            .texts("#samples li.sample")
            .len(),
        2
    );
}

#[tokio::test]
async fn a_brand_that_does_not_require_samples_lets_production_start() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@acme.test").await;
    let settings = admin.get("/admin/settings").await;
    assert!(
        settings.has("input[name='production_requires_sample'][checked]"),
        "required by default"
    );
    let saved = admin.submit(&settings, "main form", &[]).await;
    assert!(
        !admin
            .follow(&saved)
            .await
            .has("input[name='production_requires_sample'][checked]")
    );
    assert_eq!(
        app.login("ops@acme.test")
            .await
            .get("/admin/settings")
            .await
            .status,
        404
    );

    let id = confirmed(&app, "4507003").await;
    let planner = app.login("planner@delta.test").await;
    let started = report(
        &planner,
        &id,
        "production_started",
        "sample-test-token-0000000021",
    )
    .await;
    assert!(started.text(".flash-success").contains("Progress posted"));
}

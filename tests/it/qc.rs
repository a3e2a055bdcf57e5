//! QC inspections: recorded with photos and signed; a failure holds shipment until a passing
//! re-inspection or brand quality's signed waiver.

use crate::support::orders::{decide, order, png};
use crate::support::{Page, TestApp, TestClient};

async fn accepted(app: &TestApp, po: &str) -> String {
    let id = order(
        app,
        "ops@acme.test",
        "Acme Apparel",
        po,
        "Delta Garment Works",
        Some("Harbor Logistics"),
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

async fn inspect(client: &TestClient, id: &str, fields: &[(&str, &str)], photos: usize) -> Page {
    let mut form = reqwest::multipart::Form::new()
        .text("_csrf", client.csrf().await)
        .text("submission", portico::auth::tokens::new_token());
    for (k, v) in fields {
        form = form.text((*k).to_owned(), (*v).to_owned());
    }
    for n in 0..photos {
        form = form.part(
            "files",
            reqwest::multipart::Part::bytes(png(n as u8)).file_name(format!("qc{n}.png")),
        );
    }
    client
        .send_multipart(&format!("/orders/{id}/qc"), form)
        .await
}

const FAILED: &[(&str, &str)] = &[
    ("inspector", "Li Wei (QIMA)"),
    ("sample_size", "125"),
    ("aql", "2.5"),
    ("critical", "0"),
    ("major", "9"),
    ("minor", "4"),
    ("defects_note", "6 × open seam, 3 × shade variation"),
    ("result", "fail"),
];

const PASSED: &[(&str, &str)] = &[
    ("inspector", "Li Wei (QIMA)"),
    ("sample_size", "125"),
    ("aql", "2.5"),
    ("critical", "0"),
    ("major", "2"),
    ("minor", "3"),
    ("result", "pass"),
];

fn with<'a>(
    base: &[(&'a str, &'a str)],
    changes: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    base.iter()
        .map(|(k, v)| {
            let changed = changes.iter().find(|(c, _)| c == k).map(|(_, v)| *v);
            (*k, changed.unwrap_or(*v))
        })
        .collect()
}

async fn asn_form_post(client: &TestClient, id: &str) -> Page {
    client
        .post_raw(
            &format!("/orders/{id}/asns"),
            &[
                ("_csrf", &client.csrf().await),
                ("submission", &portico::auth::tokens::new_token()),
                ("carrier", "Maersk"),
                ("tracking", "MSKU1"),
                ("ship_date", "2027-06-01"),
                ("eta", "2027-06-20"),
                ("cartons", "3"),
                ("line_no", "1"),
                ("line_qty", "100"),
            ],
        )
        .await
}

#[tokio::test]
async fn a_failed_inspection_holds_the_goods_until_a_reinspection_passes() {
    let app = TestApp::spawn().await;
    let id = accepted(&app, "4509001").await;
    let planner = app.login("planner@delta.test").await;
    let page = planner.get(&format!("/orders/{id}")).await;
    assert!(page.text("#qc").contains("No QC inspection recorded yet"));
    assert_eq!(
        page.attr("#q-aql option[selected]", "value").as_deref(),
        Some("2.5")
    );

    // Bad reports are refused field by field, keeping what was typed.
    let empty = inspect(&planner, &id, &[("aql", "2.5")], 0).await;
    assert_eq!(empty.status, 422);
    assert!(empty.text("#q-inspector-error").contains("required"));
    assert!(
        empty
            .text("#q-sample_size-error")
            .contains("from 1 to 2000")
    );
    assert!(empty.text("#q-result-error").contains("pass or fail"));
    let critical = inspect(&planner, &id, &with(PASSED, &[("critical", "1")]), 0).await;
    assert_eq!(critical.status, 422);
    assert!(
        critical
            .text("#q-result-error")
            .contains("critical defect cannot pass")
    );
    assert_eq!(
        critical.attr("#q-inspector", "value").as_deref(),
        Some("Li Wei (QIMA)")
    );
    let too_many = inspect(&planner, &id, &with(FAILED, &[("sample_size", "10")]), 0).await;
    assert_eq!(too_many.status, 422);
    assert!(
        too_many
            .text("#q-critical-error")
            .contains("More defects than pieces")
    );
    let aql = inspect(&planner, &id, &with(FAILED, &[("aql", "3.3")]), 0).await;
    assert!(aql.text("#q-aql-error").contains("Choose an AQL"));

    let failed = inspect(&planner, &id, FAILED, 2).await;
    assert_eq!(failed.status, 303, "{}", failed.body);
    let page = planner.follow(&failed).await;
    assert!(
        page.text(".flash-success")
            .contains("inspection is recorded")
    );
    assert!(page.text("#qc .inspection").contains("Failed"));
    assert!(page.text("#qc .inspection").contains("6 × open seam"));
    assert_eq!(page.texts("#qc .inspection img").len(), 2);
    assert!(page.text("#qc-hold").contains("Shipment is on hold"));
    assert!(!page.has("#shipping form"), "no ASN form while held");
    let forced = asn_form_post(&planner, &id).await;
    let page = planner.follow(&forced).await;
    assert!(
        page.text(".flash-error")
            .contains("failed QC inspection holds")
    );
    assert!(page.text("#shipping").contains("Nothing shipped yet"));

    // The brand hears of it.
    let ops = app.login("ops@acme.test").await;
    assert!(
        ops.get("/notifications")
            .await
            .text(".notification-list")
            .contains("Delta Garment Works recorded a FAILED QC inspection of PO 4509001")
    );

    let passed = inspect(&planner, &id, PASSED, 0).await;
    let page = planner.follow(&passed).await;
    assert!(!page.has("#qc-hold"));
    assert!(page.has("#shipping form"));
    assert_eq!(page.texts("#qc .inspection").len(), 2);
    let shipped = planner
        .submit(
            &page,
            "#shipping form",
            &[
                ("carrier", "Maersk"),
                ("tracking", "MSKU1"),
                ("ship_date", "2027-06-01"),
                ("eta", "2027-06-20"),
                ("cartons", "3"),
            ],
        )
        .await;
    let page = planner.follow(&shipped).await;
    assert!(
        page.text(".flash-success").contains("ASN is sent"),
        "{}",
        page.text("main")
    );

    let story = ops.get(&format!("/orders/{id}")).await;
    let timeline = story.text(".timeline");
    assert!(timeline.contains("QC inspection failed"));
    assert!(timeline.contains("QC inspection passed"));
    let evidence = ops.get(&format!("/orders/{id}/evidence.json")).await;
    assert_eq!(evidence.body.matches("po.qc_inspected").count(), 2);
}

#[tokio::test]
async fn brand_quality_waives_a_failure_with_a_signed_reason() {
    let app = TestApp::spawn().await;
    let id = accepted(&app, "4509002").await;
    let planner = app.login("planner@delta.test").await;
    assert_eq!(inspect(&planner, &id, FAILED, 0).await.status, 303);
    let inspection: String = {
        let mut conn = app.db.reader().acquire().await.unwrap();
        sqlx::query_scalar("SELECT id FROM qc_inspections WHERE order_id = $1")
            .bind(&id)
            .fetch_one(&mut *conn)
            .await
            .unwrap()
    };
    let waive_path = format!("/orders/{id}/qc/{inspection}/waive");

    // Neither the factory nor brand ops may waive; the warehouse may not even inspect.
    let ops = app.login("ops@acme.test").await;
    assert!(
        !ops.get(&format!("/orders/{id}"))
            .await
            .has("form.qc-waiver")
    );
    let token = portico::auth::tokens::new_token();
    for client in [&planner, &ops] {
        let refused = client
            .post_raw(
                &waive_path,
                &[("submission", &token), ("reason", "ship it")],
            )
            .await;
        assert_eq!(refused.status, 403);
    }
    let dock = app.login("dock@harborlog.test").await;
    let dock_page = dock.get(&format!("/orders/{id}")).await;
    assert!(
        dock_page.text("#qc").contains("Failed"),
        "the warehouse sees QC results"
    );
    assert!(!dock_page.has("#qc form"));
    assert_eq!(inspect(&dock, &id, PASSED, 0).await.status, 403);

    let quality = app.login("quality@acme.test").await;
    let page = quality.get(&format!("/orders/{id}")).await;
    assert!(page.has("form.qc-waiver"));
    let no_reason = quality
        .submit(&page, "form.qc-waiver", &[("reason", " ")])
        .await;
    let page = quality.follow(&no_reason).await;
    assert!(page.text(".flash-error").contains("Give a reason"));
    let waived = quality
        .submit(
            &page,
            "form.qc-waiver",
            &[("reason", "Shade within the customer's approved band")],
        )
        .await;
    let page = quality.follow(&waived).await;
    assert!(page.text(".flash-success").contains("may ship"));
    assert!(
        page.text("#qc .waiver")
            .contains("Shade within the customer's approved band")
    );
    assert!(!page.has("form.qc-waiver"));
    let again = quality
        .post_raw(
            &waive_path,
            &[
                ("_csrf", &quality.csrf().await),
                ("submission", &portico::auth::tokens::new_token()),
                ("reason", "again"),
            ],
        )
        .await;
    let page = quality.follow(&again).await;
    assert!(page.text(".flash-error").contains("Nothing to waive"));

    let page = planner.get(&format!("/orders/{id}")).await;
    assert!(!page.has("#qc-hold"));
    assert!(page.has("#shipping form"));
    assert!(
        planner
            .get("/notifications")
            .await
            .text(".notification-list")
            .contains("Acme Apparel waived the failed QC of PO 4509002")
    );
    let evidence = quality.get(&format!("/orders/{id}/evidence.json")).await;
    assert!(evidence.body.contains("po.qc_waived"));
    assert!(evidence.body.contains("Shade within the customer"));
}

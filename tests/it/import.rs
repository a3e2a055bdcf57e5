//! Importing purchase orders from CSV: all or nothing, every problem by row and column.

use crate::support::TestApp;

const HEADER: &str = "po_number,partner,ship_to,currency,incoterms,payment_terms,requested_delivery,sku,description,hs_code,quantity,unit,unit_price,delivery_date";

fn row(po: &str, currency: &str, hs: &str, qty: &str) -> String {
    format!(
        "{po},Sunrise Textiles,Harbor Logistics,{currency},FOB,Net 60,2027-03-15,TS-1,Tee,{hs},{qty},pcs,3.85,"
    )
}

async fn order_count(app: &TestApp) -> i64 {
    let mut conn = app.db.reader().acquire().await.unwrap();
    sqlx::query_scalar("SELECT COUNT(*) FROM orders")
        .fetch_one(&mut *conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_good_file_imports_every_order_as_a_draft() {
    let app = TestApp::spawn().await;
    let ops = app.login("ops@acme.test").await;
    let template = ops.get("/orders/import/template.csv").await;
    assert_eq!(template.status, 200);
    assert!(
        template
            .header("content-type")
            .unwrap()
            .starts_with("text/csv")
    );
    let response = ops
        .upload(
            "/orders/import",
            "file",
            "orders.csv",
            template.body.into_bytes(),
        )
        .await;
    assert_eq!(response.status, 303, "{}", response.body);
    let list = ops.follow(&response).await;
    assert!(list.text(".flash-success").contains("1 order(s) imported"));
    assert_eq!(list.texts("tbody tr td:first-child"), vec!["4500100"]);
    let page = ops.get(&list.attr("tbody a", "href").unwrap()).await;
    assert_eq!(page.texts("table.lines tbody tr").len(), 2);
}

#[tokio::test]
async fn a_file_with_bad_rows_imports_nothing_and_names_each_problem() {
    let app = TestApp::spawn().await;
    let ops = app.login("ops@acme.test").await;
    // An existing order takes PO number 4500200.
    let existing = format!("{HEADER}\n{}\n", row("4500200", "USD", "610910", "10"));
    assert_eq!(
        ops.upload("/orders/import", "file", "a.csv", existing.into_bytes())
            .await
            .status,
        303
    );
    let before = order_count(&app).await;

    let file = [
        HEADER.to_owned(),
        row("4500201", "USD", "610910", "-5"), // row 2: negative quantity
        row("4500202", "XYZ", "610910", "10"), // row 3: unknown currency
        row("4500203", "USD", "61-09", "10"),  // row 4: bad HS code
        row("4500200", "USD", "610910", "10"), // row 5: PO number already used
        row("4500204", "USD", "610910", "10"), // row 6: fine on its own
    ]
    .join("\n");
    let response = ops
        .upload("/orders/import", "file", "bad.csv", file.into_bytes())
        .await;
    assert_eq!(response.status, 422);
    assert!(
        response
            .text(".flash-error")
            .contains("bad.csv has problems")
    );
    let problems: Vec<String> = response.texts("table.problems tbody tr");
    let expect = [
        ("2", "quantity", "The quantity must be more than zero."),
        ("3", "currency", "Choose a currency from the list"),
        ("4", "hs_code", "An HS code has 6 to 10 digits"),
        (
            "5",
            "po_number",
            "This PO number is already used in your brand.",
        ),
    ];
    for (row, column, message) in expect {
        assert!(
            problems
                .iter()
                .any(|p| p.contains(row) && p.contains(column) && p.contains(message)),
            "missing {row}/{column}/{message} in {problems:?}"
        );
    }
    assert_eq!(
        order_count(&app).await,
        before,
        "nothing imported, not even the good row"
    );
}

#[tokio::test]
async fn missing_columns_are_named() {
    let app = TestApp::spawn().await;
    let ops = app.login("ops@acme.test").await;
    let file = "po_number,partner,sku\n4500300,Sunrise Textiles,TS-1\n";
    let response = ops
        .upload(
            "/orders/import",
            "file",
            "short.csv",
            file.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(response.status, 422);
    let problems = response.text("table.problems");
    for column in [
        "currency",
        "hs_code",
        "quantity",
        "unit_price",
        "requested_delivery",
    ] {
        assert!(
            problems.contains(column),
            "{column} not reported: {problems}"
        );
    }
    assert!(problems.contains("This column is missing from the header row."));
}

#[tokio::test]
async fn ten_megabytes_of_junk_are_refused_clearly() {
    let app = TestApp::spawn().await;
    let ops = app.login("ops@acme.test").await;
    let mut junk = Vec::with_capacity(10 * 1024 * 1024);
    let mut x: u32 = 7;
    while junk.len() < 10 * 1024 * 1024 - 1024 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        junk.push((x >> 16) as u8);
    }
    let response = ops.upload("/orders/import", "file", "junk.bin", junk).await;
    assert_eq!(response.status, 422);
    assert!(response.text("table.problems").contains("not UTF-8"));
    assert_eq!(order_count(&app).await, 0);

    let too_big = vec![b'a'; 10 * 1024 * 1024 + 10];
    let response = ops
        .upload("/orders/import", "file", "big.csv", too_big)
        .await;
    assert!(matches!(response.status, 413 | 422), "{}", response.status);
    assert_eq!(order_count(&app).await, 0);
}

#[tokio::test]
async fn an_upload_without_the_csrf_token_is_refused() {
    let app = TestApp::spawn().await;
    let ops = app.login("ops@acme.test").await;
    let part = reqwest::multipart::Part::bytes(b"x".to_vec()).file_name("a.csv");
    let form = reqwest::multipart::Form::new().part("file", part);
    let cookie = ops.cookie("__Host-portico").unwrap();
    let response = reqwest::Client::new()
        .post(format!("{}/orders/import", app.base_url))
        .header("Cookie", format!("__Host-portico={cookie}"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 403);
}

#[tokio::test]
async fn demo_orders_exist_in_every_state_with_valid_statements() {
    let app = TestApp::spawn_with(crate::support::Options {
        demo_orders: true,
        ..Default::default()
    })
    .await;
    let ops = app.login("ops@acme.test").await;
    let all = ops.get("/orders?view=all").await;
    let states: std::collections::BTreeSet<String> =
        all.texts("tbody .status").into_iter().collect();
    for state in [
        "Draft",
        "Waiting for confirmation",
        "Partially confirmed",
        "Changes proposed",
        "Confirmed",
        "Rejected",
        "Cancelled",
    ] {
        assert!(states.contains(state), "no demo order {state}: {states:?}");
    }
    // After confirmation: samples both ways, shipments in transit and received, a discrepancy.
    let mut conn = app.db.reader().acquire().await.unwrap();
    for (what, sql) in [
        (
            "an approved sample",
            "SELECT COUNT(*) FROM samples WHERE status = 'approved'",
        ),
        (
            "a rejected sample",
            "SELECT COUNT(*) FROM samples WHERE status = 'rejected'",
        ),
        (
            "a failed QC inspection",
            "SELECT COUNT(*) FROM qc_inspections WHERE result = 'fail'",
        ),
        (
            "a passed QC inspection",
            "SELECT COUNT(*) FROM qc_inspections WHERE result = 'pass'",
        ),
        (
            "an ASN in transit",
            "SELECT COUNT(*) FROM asns WHERE status = 'in_transit'",
        ),
        (
            "a received ASN",
            "SELECT COUNT(*) FROM asns WHERE status = 'received'",
        ),
        (
            "a receipt discrepancy",
            "SELECT COUNT(*) FROM receipt_lines WHERE reason <> ''",
        ),
    ] {
        let n: i64 = sqlx::query_scalar(sql).fetch_one(&mut *conn).await.unwrap();
        assert!(n > 0, "no demo {what}");
    }
    drop(conn);
    let delta = app
        .login("planner@delta.test")
        .await
        .get("/orders?view=all")
        .await;
    let kitting = delta.texts("table.orders tbody td[data-label='Materials']");
    assert!(
        kitting.iter().any(|k| k == "Short of materials"),
        "{kitting:?}"
    );
    assert!(kitting.iter().any(|k| k == "Kitted"), "{kitting:?}");
    let dock = app.login("dock@harborlog.test").await;
    assert!(dock.get("/inbound").await.texts(".inbound tbody tr").len() >= 2);
    let home = ops.get("/").await;
    assert!(home.text("main").contains("Receipt discrepancies"));
    let report = portico::service::audit_check::verify_audit_log(&app.db)
        .await
        .unwrap();
    assert!(report.intact());
    // Every statement of every demo order verifies.
    let mut conn = app.db.reader().acquire().await.unwrap();
    let orders: Vec<(String, String)> = sqlx::query_as("SELECT tenant_id, id FROM orders")
        .fetch_all(&mut *conn)
        .await
        .unwrap();
    assert!(orders.len() >= 50);
    for (tenant, id) in orders {
        let order =
            portico::db::orders::get(&mut conn, tenant.parse().unwrap(), id.parse().unwrap())
                .await
                .unwrap()
                .unwrap();
        let checks = portico::service::orders::evidence::verify(&mut conn, &order)
            .await
            .unwrap();
        assert!(checks.iter().all(|c| c.result.is_ok()), "{id}: {checks:?}");
    }
}

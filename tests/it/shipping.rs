//! Shipping (ASN) and receipt at the 3PL, through the pages partners and warehouses use.

use crate::support::invite::new_partner;
use crate::support::orders::{decide, order, png};
use crate::support::{Page, TestApp, TestClient};

/// An Acme order with Delta, shipping to Harbor Logistics, every line accepted by Delta.
async fn accepted(app: &TestApp, po: &str) -> String {
    accepted_to(app, po, Some("Harbor Logistics")).await
}

async fn accepted_to(app: &TestApp, po: &str, ship_to: Option<&str>) -> String {
    let id = order(
        app,
        "ops@acme.test",
        "Acme Apparel",
        po,
        "Delta Garment Works",
        ship_to,
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

const HEADER: &[(&str, &str)] = &[
    ("carrier", "Maersk"),
    ("tracking", "MSKU7654321"),
    ("ship_date", "2027-06-01"),
    ("eta", "2027-06-20"),
    ("cartons", "14"),
];

/// Sends the ASN form of the order page with `header`, changing the quantity of some lines.
async fn ship(
    client: &TestClient,
    page: &Page,
    header: &[(&str, &str)],
    quantities: &[(&str, &str)],
) -> Page {
    let (action, mut fields) = page.form("#shipping form");
    let mut line = String::new();
    for (name, value) in fields.iter_mut() {
        match name.as_str() {
            "line_no" => line = value.clone(),
            "line_qty" => {
                if let Some((_, q)) = quantities.iter().find(|(n, _)| *n == line) {
                    *value = (*q).to_owned();
                }
            }
            _ => {
                if let Some((_, v)) = header.iter().find(|(n, _)| n == name) {
                    *value = (*v).to_owned();
                }
            }
        }
    }
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    client.post_raw(&action, &pairs).await
}

/// Posts a receipt: (line, received, damaged, reason) per line, with photos.
async fn receive(
    client: &TestClient,
    asn: &str,
    lines: &[(i64, &str, &str, &str)],
    photos: usize,
) -> Page {
    let mut form = reqwest::multipart::Form::new()
        .text("_csrf", client.csrf().await)
        .text("submission", portico::auth::tokens::new_token());
    for (n, received, damaged, reason) in lines {
        form = form
            .text("line_no", n.to_string())
            .text("received", (*received).to_owned())
            .text("damaged", (*damaged).to_owned())
            .text("reason", (*reason).to_owned());
    }
    for n in 0..photos {
        form = form.part(
            "files",
            reqwest::multipart::Part::bytes(png(n as u8)).file_name(format!("dock{n}.png")),
        );
    }
    client
        .send_multipart(&format!("/inbound/{asn}/receipt"), form)
        .await
}

async fn only_asn(app: &TestApp, order: &str) -> String {
    let mut conn = app.db.reader().acquire().await.unwrap();
    sqlx::query_scalar("SELECT id FROM asns WHERE order_id = $1")
        .bind(order)
        .fetch_one(&mut *conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn delta_ships_and_harbor_receives_with_a_discrepancy_that_alerts_acme() {
    let app = TestApp::spawn().await;
    let id = accepted(&app, "4508001").await;
    let planner = app.login("planner@delta.test").await;
    let page = planner.get(&format!("/orders/{id}")).await;
    assert!(page.text("#shipping").contains("Nothing shipped yet"));
    assert_eq!(
        page.text("#a-warehouse option[selected]"),
        "Harbor Logistics",
        "the order's warehouse is the one offered"
    );
    assert_eq!(page.texts("#a-warehouse option").len(), 1);

    // A bad form loses nothing and says what is wrong.
    let refused = ship(
        &planner,
        &page,
        &[
            ("carrier", ""),
            ("eta", "2027-05-01"),
            ("ship_date", "2027-06-01"),
        ],
        &[("1", "150")],
    )
    .await;
    assert_eq!(refused.status, 422);
    assert!(refused.text("#a-carrier-error").contains("required"));
    assert!(
        refused
            .text("#a-eta-error")
            .contains("before the ship date")
    );
    assert!(
        refused
            .text("#ship-line-1")
            .contains("more than is still open")
    );
    assert_eq!(
        refused
            .attr("#ship-line-1 input[name='line_qty']", "value")
            .as_deref(),
        Some("150")
    );

    // Two lines now, the third later.
    let sent = ship(&planner, &page, HEADER, &[("3", "")]).await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let page = planner.follow(&sent).await;
    assert!(page.text(".flash-success").contains("ASN is sent"));
    assert!(page.text("#shipping").contains("In transit"));
    assert!(page.text("#shipping").contains("MSKU7654321"));
    assert_eq!(
        page.attr("#ship-line-1 input[name='line_qty']", "value")
            .as_deref(),
        Some("0"),
        "nothing left open on a fully shipped line"
    );
    assert_eq!(
        page.attr("#ship-line-3 input[name='line_qty']", "value")
            .as_deref(),
        Some("300")
    );
    let again = ship(&planner, &page, HEADER, &[("1", "1"), ("3", "")]).await;
    assert_eq!(again.status, 422, "line 1 is fully shipped");
    assert!(
        again
            .text("#ship-line-1")
            .contains("more than is still open")
    );

    // Harbor sees it inbound, without prices, and counts short on line 2.
    let dock = app.login("dock@harborlog.test").await;
    let home = dock.get("/").await;
    assert!(home.text("main").contains("Shipments on the way"));
    let inbound = dock.get("/inbound").await;
    assert!(inbound.text(".inbound").contains("4508001"));
    assert!(inbound.text(".inbound").contains("2027-06-20"));
    let asn = only_asn(&app, &id).await;
    let sheet = dock.get(&format!("/inbound/{asn}")).await;
    assert_eq!(sheet.status, 200);
    assert_eq!(sheet.texts(".receipt-lines tbody tr").len(), 2);

    let over = receive(&dock, &asn, &[(1, "101", "", ""), (2, "200", "", "")], 0).await;
    assert_eq!(over.status, 422);
    assert!(
        over.text("#receipt-line-1")
            .contains("More than the ASN announced")
    );
    let unexplained = receive(&dock, &asn, &[(1, "100", "", ""), (2, "190", "", "")], 0).await;
    assert_eq!(unexplained.status, 422);
    assert!(unexplained.text("#receipt-line-2").contains("Say why"));
    assert_eq!(
        unexplained
            .attr("#receipt-line-2 input[name='received']", "value")
            .as_deref(),
        Some("190"),
        "what was typed is kept"
    );

    let posted = receive(
        &dock,
        &asn,
        &[
            (1, "100", "2", "crushed carton"),
            (2, "190", "", "10 short"),
        ],
        2,
    )
    .await;
    assert_eq!(posted.status, 303, "{}", posted.body);
    let sheet = dock.follow(&posted).await;
    assert!(sheet.text(".flash-success").contains("receipt is posted"));
    assert_eq!(sheet.text("#asn-status"), "Received");
    assert!(!sheet.has("form.receipt-form"), "received once");
    assert_eq!(sheet.texts(".thumbs img").len(), 2, "the receipt's photos");
    assert!(sheet.has(&format!("a[href='/orders/{id}']")));
    assert!(
        dock.get("/inbound").await.has(".empty"),
        "received shipments leave the list of those on the way"
    );
    assert!(
        dock.get("/inbound?show=all")
            .await
            .text(".inbound")
            .contains("4508001")
    );
    let twice = receive(&dock, &asn, &[(1, "100", "", ""), (2, "200", "", "")], 0).await;
    let sheet = dock.follow(&twice).await;
    assert!(sheet.text(".flash-error").contains("already received"));

    // Acme ops: alert, home count, the story on the timeline.
    let ops = app.login("ops@acme.test").await;
    let bell = ops.get("/notifications").await;
    assert!(
        bell.text(".notification-list")
            .contains("Harbor Logistics found a discrepancy receiving PO 4508001")
    );
    assert!(
        app.delivered(|m| {
            m.to == "ops@acme.test"
                && m.subject
                    .contains("found a discrepancy receiving PO 4508001")
        })
        .await
    );
    let home = ops.get("/").await;
    assert!(home.text("main").contains("Receipt discrepancies"));
    let listed = ops.get("/orders?view=discrepancies").await;
    assert_eq!(listed.texts("table.orders tbody tr").len(), 1);
    assert!(listed.text("table.orders").contains("4508001"));
    let story = ops.get(&format!("/orders/{id}")).await;
    let timeline = story.text(".timeline");
    assert!(timeline.contains("Shipped (ASN)"));
    assert!(timeline.contains("Received with a discrepancy"));
    assert!(story.text("#shipping").contains("10 short"));
    assert!(story.text("#shipping").contains("crushed carton"));
    assert_eq!(
        story.texts("#shipping .thumbs img").len(),
        2,
        "Acme sees the damage"
    );
    assert!(story.text("dl.facts").contains("Harbor Logistics"));
    let evidence = ops.get(&format!("/orders/{id}/evidence.json")).await;
    assert!(evidence.body.contains("po.shipped"));
    assert!(evidence.body.contains("po.received"));
}

#[tokio::test]
async fn the_brands_tolerance_decides_how_far_a_line_may_over_ship() {
    let app = TestApp::spawn().await;
    let id = accepted(&app, "4508002").await;
    let planner = app.login("planner@delta.test").await;
    let page = planner.get(&format!("/orders/{id}")).await;
    let over = ship(&planner, &page, HEADER, &[("1", "105")]).await;
    assert_eq!(over.status, 422, "no tolerance by default");

    let admin = app.login("admin@acme.test").await;
    let settings = admin.get("/admin/settings").await;
    assert_eq!(
        settings.attr("#ship-tolerance", "value").as_deref(),
        Some("0")
    );
    let bad = admin
        .submit(
            &settings,
            "main form",
            &[
                ("production_requires_sample", "on"),
                ("ship_tolerance_pct", "80"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text("#ship-tolerance-error").contains("0 to 50"));
    assert_eq!(bad.attr("#ship-tolerance", "value").as_deref(), Some("80"));
    let saved = admin
        .submit(
            &settings,
            "main form",
            &[
                ("production_requires_sample", "on"),
                ("ship_tolerance_pct", "5"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303);
    let settings = admin.follow(&saved).await;
    assert_eq!(
        settings.attr("#ship-tolerance", "value").as_deref(),
        Some("5")
    );
    assert!(settings.has("input[name='production_requires_sample'][checked]"));

    let too_far = ship(&planner, &page, HEADER, &[("1", "106")]).await;
    assert_eq!(too_far.status, 422, "5 % of 100 is 105");
    let within = ship(&planner, &page, HEADER, &[("1", "105")]).await;
    assert_eq!(within.status, 303, "{}", within.body);
}

#[tokio::test]
async fn only_the_partner_ships_and_only_the_asns_warehouse_receives() {
    let app = TestApp::spawn().await;
    let id = accepted(&app, "4508003").await;
    // The brand and the warehouse see no ASN form; a forged post is refused.
    for email in ["ops@acme.test", "dock@harborlog.test"] {
        let client = app.login(email).await;
        let page = client.get(&format!("/orders/{id}")).await;
        assert_eq!(page.status, 200, "{email}");
        assert!(!page.has("#shipping form"), "{email}");
        let forged = client
            .post_raw(
                &format!("/orders/{id}/asns"),
                &[("carrier", "X"), ("line_no", "1"), ("line_qty", "1")],
            )
            .await;
        assert!(
            matches!(forged.status, 403 | 404),
            "{email}: {}",
            forged.status
        );
    }
    // A line not accepted does not ship.
    let fresh = order(
        &app,
        "ops@acme.test",
        "Acme Apparel",
        "4508004",
        "Delta Garment Works",
        Some("Harbor Logistics"),
        true,
    )
    .await;
    let planner = app.login("planner@delta.test").await;
    let page = planner.get(&format!("/orders/{fresh}")).await;
    assert!(!page.has("#shipping form"), "nothing accepted yet");

    let page = planner.get(&format!("/orders/{id}")).await;
    assert_eq!(ship(&planner, &page, HEADER, &[]).await.status, 303);
    let asn = only_asn(&app, &id).await;

    // Another warehouse of Acme's neither sees nor receives it.
    let pier = new_partner(
        &app,
        "admin@acme.test",
        "Pier Nine Storage",
        "warehouse",
        "dock@piernine.test",
    )
    .await;
    assert!(pier.get("/inbound").await.has(".empty"));
    assert_eq!(pier.get(&format!("/inbound/{asn}")).await.status, 404);
    let forged = receive(
        &pier,
        &asn,
        &[(1, "100", "", ""), (2, "200", "", ""), (3, "300", "", "")],
        0,
    )
    .await;
    assert_eq!(forged.status, 404);
    assert_eq!(pier.get(&format!("/orders/{id}")).await.status, 404);
    // Nor can the order's own partner post a receipt.
    let planner_post = receive(&planner, &asn, &[(1, "100", "", "")], 0).await;
    assert_eq!(planner_post.status, 404);
    let dock = app.login("dock@harborlog.test").await;
    assert!(
        dock.get(&format!("/inbound/{asn}"))
            .await
            .has("form.receipt-form")
    );
}

#[tokio::test]
async fn the_warehouse_never_receives_a_price() {
    let app = TestApp::spawn().await;
    // The order names no warehouse: the ASN's warehouse becomes a party to it.
    let id = accepted_to(&app, "4508005", None).await;
    let dock = app.login("dock@harborlog.test").await;
    assert_eq!(dock.get(&format!("/orders/{id}")).await.status, 404);
    let planner = app.login("planner@delta.test").await;
    let page = planner.get(&format!("/orders/{id}")).await;
    assert!(
        page.text("main").contains("2.50"),
        "the partner sees prices"
    );
    assert_eq!(page.texts("#a-warehouse option"), vec!["Harbor Logistics"]);
    assert_eq!(ship(&planner, &page, HEADER, &[]).await.status, 303);
    let asn = only_asn(&app, &id).await;

    let order_page = dock.get(&format!("/orders/{id}")).await;
    assert_eq!(order_page.status, 200);
    let export = dock.get("/inbound/export.csv").await;
    assert_eq!(export.status, 200);
    assert!(export.body.starts_with("asn,po_number,supplier,eta"));
    assert_eq!(export.body.lines().count(), 4, "a header and three lines");
    for (what, body) in [
        ("order page", &order_page.body),
        ("inbound list", &dock.get("/inbound").await.body),
        ("ASN page", &dock.get(&format!("/inbound/{asn}")).await.body),
        ("CSV", &export.body),
    ] {
        for price in [
            "2.50",
            "250.00",
            "500.00",
            "750.00",
            "1500.00",
            "Unit price",
            "USD",
        ] {
            assert!(!body.contains(price), "{what} shows {price}");
        }
    }
    assert_eq!(
        dock.get(&format!("/orders/{id}/evidence.json"))
            .await
            .status,
        404,
        "signed statements carry prices; the warehouse gets none"
    );
    let mut conn = app.db.reader().acquire().await.unwrap();
    let exported: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'asn.inbound_exported'")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
    assert_eq!(exported, 1, "exports are audited");
}

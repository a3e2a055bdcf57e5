//! Fulfilment through the API, end to end: the supplier's ERP confirms, posts progress with a
//! photo, ships; the warehouse's system receives; the supplier invoices. Each step is the page's
//! use case: signed, and refused the same way.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;

use crate::support::TestApp;
use crate::support::api::{self, create_client, token};
use crate::support::orders::{order, png};

#[tokio::test]
async fn an_order_goes_from_confirmation_to_invoice_through_the_api() {
    let app = TestApp::spawn().await;
    let id = order(
        &app,
        "ops@acme.test",
        "Acme Apparel",
        "PO-API-FUL",
        "Delta Garment Works",
        Some("Harbor Logistics"),
        true,
    )
    .await;
    let (client, secret) = create_client(
        &app,
        "planner@delta.test",
        "member",
        &[
            "orders:read",
            "orders:write",
            "production:write",
            "shipments:write",
            "invoices:write",
        ],
    )
    .await;
    let delta = token(&app, &client, &secret).await;
    let order_path = format!("/api/v1/orders/{id}");
    let version = |detail: &serde_json::Value| detail["order"]["version"].as_i64().unwrap();
    let now = api::get(&app, &delta, &order_path).await.body;
    let decisions: Vec<_> = (1..=3)
        .map(|n| json!({ "line_no": n, "action": "accept" }))
        .collect();
    let confirmed = api::post(
        &app,
        &delta,
        &format!("{order_path}/decisions"),
        None,
        &json!({ "order_version": version(&now), "decisions": decisions }),
    )
    .await;
    assert_eq!(
        confirmed.body["order"]["state"], "confirmed",
        "{}",
        confirmed.body
    );

    let photo = STANDARD.encode(png(3));
    let posted = api::post(
        &app,
        &delta,
        &format!("{order_path}/progress"),
        None,
        &json!({ "order_version": version(&confirmed.body), "milestone": "materials_kitted",
                 "note": "cutting started", "files": [{ "name": "floor.png", "content_base64": photo }] }),
    )
    .await;
    assert_eq!(posted.status, 201, "{}", posted.body);
    let unknown = api::post(
        &app,
        &delta,
        &format!("{order_path}/progress"),
        None,
        &json!({ "order_version": version(&confirmed.body), "milestone": "no-such-step" }),
    )
    .await;
    assert!(matches!(unknown.status, 409 | 422), "{}", unknown.body);

    // Bad input is named by field and records nothing.
    let unreadable = api::post(
        &app,
        &delta,
        &format!("{order_path}/progress"),
        None,
        &json!({ "order_version": version(&confirmed.body), "milestone": "materials_kitted",
                 "files": [{ "name": "floor.png", "content_base64": "%%% not base64" }] }),
    )
    .await;
    assert_eq!(unreadable.status, 422, "{}", unreadable.body);
    assert_eq!(
        unreadable.body["errors"][0]["field"],
        "files.0.content_base64"
    );
    let harbor = app.org_id("Harbor Logistics").await.to_string();
    let bad_asn = api::post(
        &app,
        &delta,
        &format!("{order_path}/asns"),
        None,
        &json!({ "order_version": 0, "warehouse": harbor, "carrier": "", "tracking": "T1",
                 "ship_date": "2027-13-40", "eta": "2027-06-20", "cartons": 1,
                 "lines": [{ "line_no": 1, "quantity": "100" }] }),
    )
    .await;
    assert_eq!(bad_asn.status, 422, "{}", bad_asn.body);
    let fields: Vec<&str> = bad_asn.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"carrier") && fields.contains(&"ship_date"),
        "{fields:?}"
    );

    let lines: Vec<_> = (1..=3)
        .map(|n| json!({ "line_no": n, "quantity": (100 * n).to_string(), "lots": "" }))
        .collect();
    let shipped = api::post(
        &app,
        &delta,
        &format!("{order_path}/asns"),
        Some("asn-1"),
        &json!({ "order_version": 0, "warehouse": harbor, "carrier": "Maersk",
                 "tracking": "MSKU7654321", "ship_date": "2027-06-01", "eta": "2027-06-20",
                 "cartons": 12, "lines": lines }),
    )
    .await;
    assert_eq!(shipped.status, 201, "{}", shipped.body);
    let asn = shipped.body[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(shipped.body[0]["tracking"], "MSKU7654321");

    // The warehouse's system receives; Delta's client cannot.
    let refused = api::post(
        &app,
        &delta,
        &format!("/api/v1/asns/{asn}/receipts"),
        None,
        &json!({ "lines": [] }),
    )
    .await;
    assert_eq!(
        refused.status, 403,
        "a client without receipts:write: {}",
        refused.body
    );
    let (dock_client, dock_secret) = create_client(
        &app,
        "dock@harborlog.test",
        "member",
        &["receipts:write", "orders:read"],
    )
    .await;
    let dock = token(&app, &dock_client, &dock_secret).await;
    let counted: Vec<_> = (1..=3)
        .map(|n| json!({ "line_no": n, "received": (100 * n).to_string() }))
        .collect();
    let received = api::post(
        &app,
        &dock,
        &format!("/api/v1/asns/{asn}/receipts"),
        None,
        &json!({ "lines": counted }),
    )
    .await;
    assert_eq!(received.status, 201, "{}", received.body);
    // The warehouse reads the order without prices.
    let seen_by_dock = api::get(&app, &dock, &order_path).await;
    assert_eq!(seen_by_dock.status, 200, "{}", seen_by_dock.body);
    assert!(seen_by_dock.body["lines"][0]["unit_price_minor"].is_null());
    assert!(seen_by_dock.body["order"]["total_minor"].is_null());

    let invoiced = api::post(
        &app,
        &delta,
        &format!("{order_path}/invoices"),
        None,
        &json!({ "number": "INV-API-1", "invoice_date": "2027-06-21", "due_date": "2027-08-31",
                 "lines": [{ "line_no": 1, "quantity": "100" }] }),
    )
    .await;
    assert_eq!(invoiced.status, 201, "{}", invoiced.body);
    assert!(invoiced.body["id"].as_str().is_some());

    let evidence = api::get(&app, &delta, &format!("{order_path}/evidence")).await;
    let text = evidence.body.to_string();
    for kind in ["po.progress", "po.shipped", "po.received", "po.invoiced"] {
        assert!(text.contains(kind), "{kind} signed");
    }
}

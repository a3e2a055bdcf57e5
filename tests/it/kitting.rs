//! Material kitting: bills of materials, the factory's signed stock counts, kitted/short on the
//! order and in lists, and reminders before a short line's production start.

use portico::service::orders::kitting_reminders::remind_due;

use crate::support::orders::{decide, order};
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

async fn add_material(client: &TestClient, id: &str, fields: &[(&str, &str)]) -> Page {
    let page = client.get(&format!("/orders/{id}")).await;
    client
        .submit(&page, "#kitting form[action$='/bom']", fields)
        .await
}

async fn component_id(app: &TestApp, name: &str) -> String {
    let mut conn = app.db.reader().acquire().await.unwrap();
    sqlx::query_scalar("SELECT id FROM bom_components WHERE component = $1")
        .bind(name)
        .fetch_one(&mut *conn)
        .await
        .unwrap()
}

async fn record(client: &TestClient, id: &str, component: &str, fields: &[(&str, &str)]) -> Page {
    let page = client.get(&format!("/orders/{id}")).await;
    client
        .submit(
            &page,
            &format!("form[action='/orders/{id}/bom/{component}/stock']"),
            fields,
        )
        .await
}

#[tokio::test]
async fn the_factory_counts_materials_and_the_order_shows_kitted_or_short() {
    let app = TestApp::spawn().await;
    let id = accepted(&app, "4511001").await;
    let ops = app.login("ops@acme.test").await;
    let page = ops.get(&format!("/orders/{id}")).await;
    assert_eq!(page.text("#kit-status"), "No bill of materials");

    // The brand lists the fabric; a bad form keeps what was typed.
    let bad = add_material(
        &ops,
        &id,
        &[
            ("component", ""),
            ("qty_per_unit", "0"),
            ("supplier", "Jiangsu Mill"),
        ],
    )
    .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text("#b-component-error").contains("required"));
    assert!(bad.text("#b-qty_per_unit-error").contains("more than zero"));
    assert_eq!(
        bad.attr("#b-supplier", "value").as_deref(),
        Some("Jiangsu Mill")
    );
    let added = add_material(
        &ops,
        &id,
        &[
            ("line", "1"),
            ("component", "Shell fabric"),
            ("qty_per_unit", "1.2"),
            ("unit", "m"),
            ("supplier", "Jiangsu Mill"),
        ],
    )
    .await;
    assert_eq!(added.status, 303, "{}", added.body);
    let fabric = component_id(&app, "Shell fabric").await;
    let page = ops.follow(&added).await;
    assert!(
        page.text(&format!("#component-{fabric}")).contains("120 m"),
        "100 pcs × 1.2 m"
    );
    assert_eq!(page.text("#kit-status"), "Short of materials");
    assert!(
        !page.has(".stock-form"),
        "the brand does not count the factory's stock"
    );
    let forged = ops
        .post(
            &format!("/orders/{id}/bom/{fabric}/stock"),
            &[
                ("submission", "kit-forged-000000000000001"),
                ("on_hand", "999"),
            ],
        )
        .await;
    assert_eq!(forged.status, 403);

    // Delta counts it: a negative count is refused, then enough arrives.
    let planner = app.login("planner@delta.test").await;
    let negative = record(&planner, &id, &fabric, &[("on_hand", "-5")]).await;
    assert_eq!(negative.status, 422);
    assert!(
        negative
            .text(&format!("#component-{fabric}"))
            .contains("0 or more")
    );
    let counted = record(
        &planner,
        &id,
        &fabric,
        &[
            ("on_hand", "100"),
            ("allocated", "20"),
            ("lot_codes", "DYE-2611-07"),
        ],
    )
    .await;
    assert_eq!(counted.status, 303, "{}", counted.body);
    let page = planner.follow(&counted).await;
    assert!(page.text(".flash-success").contains("stock is recorded"));
    assert_eq!(page.text("#kit-status"), "Kitted");
    assert!(
        page.text(&format!("#component-{fabric}"))
            .contains("DYE-2611-07")
    );

    // Buttons are missing: the line and the order are short, in the lists too.
    let buttons = add_material(
        &planner,
        &id,
        &[
            ("line", "1"),
            ("component", "Buttons 18L"),
            ("qty_per_unit", "6"),
            ("unit", "pcs"),
        ],
    )
    .await;
    let page = planner.follow(&buttons).await;
    assert_eq!(page.text("#kit-status"), "Short of materials");
    assert!(page.text("#kit-line-1").contains("600 pcs"));
    let inbox = planner.get("/orders?view=all&q=4511001").await;
    assert!(
        inbox
            .text("table.orders tbody tr")
            .contains("Short of materials")
    );
    let brand_list = ops.get("/orders?view=all&q=4511001").await;
    assert!(
        brand_list
            .text("table.orders tbody tr")
            .contains("Short of materials")
    );

    // Removing goes through a confirmation form; the order is kitted again.
    let page = ops.get(&format!("/orders/{id}")).await;
    let button_id = component_id(&app, "Buttons 18L").await;
    let removed = ops
        .submit(
            &page,
            &format!("form[action='/orders/{id}/bom/{button_id}/remove']"),
            &[],
        )
        .await;
    let page = ops.follow(&removed).await;
    assert!(page.text(".flash-success").contains("removed"));
    assert_eq!(page.text("#kit-status"), "Kitted");

    // The count is on the record, signed.
    assert!(page.text(".timeline").contains("Materials recorded"));
    let evidence = ops.get(&format!("/orders/{id}/evidence.json")).await;
    assert!(evidence.body.contains("po.materials_recorded"));
    assert!(evidence.body.contains("DYE-2611-07"));

    // The warehouse has no part in kitting.
    let dock = app.login("dock@harborlog.test").await;
    let dock_page = dock.get(&format!("/orders/{id}")).await;
    assert_eq!(dock_page.status, 200);
    assert!(!dock_page.body.contains("Shell fabric"));
    assert!(!dock_page.has("#kitting form"));
}

#[tokio::test]
async fn a_short_line_near_its_planned_start_is_reminded_once_per_date() {
    let app = TestApp::spawn().await;
    let id = accepted(&app, "4511002").await;
    let planner = app.login("planner@delta.test").await;
    let today = time::OffsetDateTime::now_utc().date();
    let day = |n: i64| (today + time::Duration::days(n)).to_string();

    let page = planner.get(&format!("/orders/{id}")).await;
    let bad = planner
        .submit(
            &page,
            &format!("form[action='/orders/{id}/lines/1/plan']"),
            &[("planned_start", "soon")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text("#plan-1-error").contains("date"));
    let planned = planner
        .submit(
            &page,
            &format!("form[action='/orders/{id}/lines/1/plan']"),
            &[("planned_start", &day(2))],
        )
        .await;
    assert_eq!(planned.status, 303, "{}", planned.body);
    // Line 2 starts later; line 3 is planned soon but kitted.
    for (line, start) in [(2, day(30)), (3, day(1))] {
        let page = planner.get(&format!("/orders/{id}")).await;
        planner
            .submit(
                &page,
                &format!("form[action='/orders/{id}/lines/{line}/plan']"),
                &[("planned_start", &start)],
            )
            .await;
    }
    assert_eq!(
        remind_due(app.state(), today).await.unwrap(),
        0,
        "no BOM, no shortage"
    );

    for (line, name) in [("1", "Zip 20 cm"), ("2", "Lining"), ("3", "Labels")] {
        add_material(
            &planner,
            &id,
            &[
                ("line", line),
                ("component", name),
                ("qty_per_unit", "1"),
                ("unit", "pcs"),
            ],
        )
        .await;
    }
    let labels = component_id(&app, "Labels").await;
    record(&planner, &id, &labels, &[("on_hand", "300")]).await;

    assert_eq!(
        remind_due(app.state(), today).await.unwrap(),
        1,
        "only line 1"
    );
    assert_eq!(
        remind_due(app.state(), today).await.unwrap(),
        0,
        "once per date"
    );
    let notice = "Delta Garment Works: materials for PO 4511002 are short";
    for email in ["planner@delta.test", "ops@acme.test"] {
        let bell = app.login(email).await.get("/notifications").await;
        assert_eq!(
            bell.texts(".notification-list li")
                .iter()
                .filter(|t| t.contains(notice))
                .count(),
            1,
            "{email}"
        );
    }
    // A new date is a new reminder when it comes near.
    let page = planner.get(&format!("/orders/{id}")).await;
    planner
        .submit(
            &page,
            &format!("form[action='/orders/{id}/lines/1/plan']"),
            &[("planned_start", &day(3))],
        )
        .await;
    assert_eq!(remind_due(app.state(), today).await.unwrap(), 1);
    assert_eq!(
        remind_due(app.state(), today + time::Duration::days(27))
            .await
            .unwrap(),
        1,
        "line 2 when its start nears"
    );
}

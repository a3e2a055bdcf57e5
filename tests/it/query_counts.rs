//! Statements per page: each main page runs the same number of SQL statements whether it shows
//! two rows or forty (no statement per row). Every page is counted with few rows and again with
//! many, through the statement counter in `support::query_count`; the counts are printed for
//! the benchmark notes.

use portico::domain::ids::OrderId;
use portico::domain::order::line::{LineAction, Side};
use portico::domain::time::UtcMillis;
use portico::service::demo_orders;
use portico::service::orders::create::{self, DraftInput};
use portico::service::orders::decide::{self, Seen};
use portico::service::orders::progress::{self, ProgressInput, Upload};
use portico::service::orders::shipping::{self, AsnInput};
use portico::service::sla::scheduler::run_due;

use crate::support::api::{create_client, token};
use crate::support::finance::{invoice, program};
use crate::support::orders::{actor, component_on, lines, order, png};
use crate::support::{TestApp, TestClient};

/// Monday 1 March 2027, 10:00 UTC (the demo brands' office calendar: weekdays 09:00-17:00).
const MONDAY_10: i64 = 1_803_895_200_000;
const HOUR: i64 = 3_600_000;
const ACME: &str = "Acme Apparel";
const DELTA: &str = "Delta Garment Works";

/// Statements the server runs to answer `path`, which must show `shown`. The first visit may
/// open pooled connections, so the second visit is the one counted.
async fn counted(app: &TestApp, client: &TestClient, path: &str, shown: &str) -> Vec<String> {
    let mut seen = Vec::new();
    for _ in 0..2 {
        let (page, statements) = client.get_counting(path, &app.state().db).await;
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        assert!(
            page.body.contains(shown),
            "{path} lacks {shown}: {}",
            page.body
        );
        seen = statements;
    }
    let writes: Vec<&String> = seen.iter().filter(|s| is_write(s)).collect();
    assert!(
        writes.is_empty(),
        "{path}: looking at a page again wrote to the database: {writes:?}"
    );
    seen
}

/// A statement that changes data. A page view must not run one on the request's path: on
/// SQLite every write is a turn on the one writer and an `fsync` (the view audit entries are
/// group-committed by their own task, outside the request).
fn is_write(statement: &str) -> bool {
    let verb = statement.trim_start().to_ascii_lowercase();
    ["insert", "update", "delete", "replace"]
        .iter()
        .any(|w| verb.starts_with(w))
}

/// Statements the API runs to answer `GET path` for a bearer token, which lists `items`.
async fn api_counted(app: &TestApp, token: &str, path: &str, items: usize) -> Vec<String> {
    let mut seen = Vec::new();
    for _ in 0..2 {
        let request_id = uuid::Uuid::new_v4().to_string();
        crate::support::query_count::watch(&request_id);
        let response = reqwest::Client::new()
            .get(format!("{}{path}", app.base_url))
            .bearer_auth(token)
            .header("x-request-id", &request_id)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "{path}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["items"].as_array().map(Vec::len), Some(items));
        crate::support::query_count::settle(&app.state().db).await;
        seen = crate::support::query_count::statements_of(&request_id);
    }
    seen
}

/// Prints and checks one page's counts: equal, whatever the number of rows (the statements of
/// both visits are shown when they differ).
fn same(
    page: &str,
    (few_rows, few): (usize, Vec<String>),
    (many_rows, many): (usize, Vec<String>),
) {
    eprintln!(
        "statements for {page}: {} with {few_rows} rows, {} with {many_rows} rows",
        few.len(),
        many.len()
    );
    assert_eq!(
        few.len(),
        many.len(),
        "{page}: statements grow with the rows shown\n{few_rows} rows:\n{}\n\n{many_rows} rows:\n{}",
        few.join("\n"),
        many.join("\n")
    );
}

/// `n` orders from Acme to Delta issued on the Monday of `week`, their confirmation clocks
/// warned and breached by Friday morning, then each given a bill of materials.
async fn breached_orders(app: &TestApp, week: i64, from: usize, n: usize) {
    let monday = MONDAY_10 + week * 7 * 24 * HOUR;
    app.state().clock.jump_to(UtcMillis(monday));
    let mut ids = Vec::new();
    for i in from..from + n {
        let po = format!("QC-{i:03}");
        ids.push(order(app, "ops@acme.test", ACME, &po, DELTA, None, true).await);
    }
    app.state().clock.jump_to(UtcMillis(monday + 95 * HOUR));
    run_due(app.state()).await.unwrap();
    for id in ids {
        with_bill_of_materials(app, id).await;
    }
}

/// The partner accepts line 1 (lines 2 and 3 stay late) and lists a component on it, which puts
/// the order's kitting status on the lists.
async fn with_bill_of_materials(app: &TestApp, id: OrderId) {
    let planner = actor(app, "planner@delta.test", ACME).await;
    let tenant = planner.scope.as_ref().unwrap().tenant_id;
    let state = app.fixture_state();
    let version = demo_orders::version(state, tenant, id).await.unwrap();
    let seen = Seen {
        order: id,
        version,
        submission: portico::auth::tokens::new_token(),
    };
    decide::decide_lines(
        state,
        &planner,
        &seen,
        Side::Partner,
        &[(1, LineAction::Accept)],
    )
    .await
    .unwrap();
    component_on(app, "planner@delta.test", ACME, id).await;
}

#[tokio::test]
async fn order_lists_and_the_sla_board_run_as_many_statements_for_forty_orders_as_for_two() {
    let app = TestApp::spawn().await;
    let (client_id, secret) = create_client(&app, "admin@acme.test", "ops", &["orders:read"]).await;
    let planner = app.login("planner@delta.test").await;
    let ops = app.login("ops@acme.test").await;
    let pages = [
        ("the supplier inbox", &planner, "/orders"),
        ("the brand order list", &ops, "/orders?view=all"),
        ("the ops SLA dashboard", &ops, "/sla"),
    ];
    let api = "/api/v1/orders";

    breached_orders(&app, 0, 0, 2).await;
    let mut few = Vec::new();
    for (_, client, path) in &pages {
        few.push(counted(&app, client, path, "QC-001").await);
    }
    let api_token = token(&app, &client_id, &secret).await;
    let api_few = api_counted(&app, &api_token, api, 2).await;

    breached_orders(&app, 1, 2, 38).await;
    for ((name, client, path), few) in pages.iter().zip(few) {
        same(
            name,
            (2, few),
            (40, counted(&app, client, path, "QC-039").await),
        );
    }
    let api_token = token(&app, &client_id, &secret).await;
    let api_many = api_counted(&app, &api_token, api, 40).await;
    same("GET /api/v1/orders", (2, api_few), (40, api_many));

    // Past fifty late orders the board shows the fifty most urgent and says there are more.
    breached_orders(&app, 2, 40, 12).await;
    let board = ops.get("/sla").await;
    assert_eq!(board.texts(".sla-board tbody tr").len(), 50);
    assert!(board.text("#board-truncated").contains("50 most urgent"));
}

/// An Acme order to Delta with `n` lines, issued, each line accepted in its own decision (one
/// signed statement each), then `posts` progress posts with a photo each and as many ASNs.
async fn decided_order(app: &TestApp, po: &str, n: usize, posts: usize) -> OrderId {
    let ops = actor(app, "ops@acme.test", ACME).await;
    let tenant = ops.scope.as_ref().unwrap().tenant_id;
    let planner = actor(app, "planner@delta.test", ACME).await;
    let partner = app.org_id(DELTA).await.to_string();
    // The use cases run in the brand's scope, as a request of these users would.
    portico::db::scope::in_tenant(tenant, async {
        decide_and_post(app, &ops, &planner, (po, partner), n, posts).await
    })
    .await
}

async fn decide_and_post(
    app: &TestApp,
    ops: &portico::auth::actor::Actor,
    planner: &portico::auth::actor::Actor,
    (po, partner): (&str, String),
    n: usize,
    posts: usize,
) -> OrderId {
    let input = DraftInput {
        submission: String::new(),
        po_number: po.into(),
        partner,
        ship_to: String::new(),
        currency: "USD".into(),
        incoterms: "FOB".into(),
        payment_terms: "Net 60".into(),
        requested_delivery: "2027-06-30".into(),
        lines: lines(n),
    };
    let state = app.state();
    let id = create::create_draft(state, ops, &input).await.unwrap();
    let tenant = ops.scope.as_ref().unwrap().tenant_id;
    let seen = |version| Seen {
        order: id,
        version,
        submission: portico::auth::tokens::new_token(),
    };
    let version = demo_orders::version(state, tenant, id).await.unwrap();
    decide::issue(state, ops, &seen(version)).await.unwrap();
    for line in 1..=n as i64 {
        let version = demo_orders::version(state, tenant, id).await.unwrap();
        let accept = [(line, LineAction::Accept)];
        decide::decide_lines(state, planner, &seen(version), Side::Partner, &accept)
            .await
            .unwrap();
    }
    for i in 0..posts {
        let input = ProgressInput {
            milestone: "materials_kitted".into(),
            note: format!("Update {i}"),
            ..Default::default()
        };
        let photo = Upload {
            name: format!("line-{i}.png"),
            bytes: png(i as u8),
        };
        progress::post_progress(state, planner, &seen(0), &input, vec![photo])
            .await
            .unwrap();
        // As many shipments as posts, one piece of line 1 each.
        let asn = AsnInput {
            warehouse: app.org_id("Harbor Logistics").await.to_string(),
            carrier: "Maersk".into(),
            tracking: format!("{po}-TRK-{i}"),
            ship_date: "2027-06-01".into(),
            eta: "2027-06-20".into(),
            cartons: "1".into(),
            lines: vec![(1, "1".into(), String::new())],
        };
        shipping::create_asn(state, planner, &seen(0), &asn)
            .await
            .unwrap();
    }
    id
}

#[tokio::test]
async fn the_order_page_runs_as_many_statements_for_thirty_lines_and_six_shipments_as_for_two() {
    let app = TestApp::spawn().await;
    let few = decided_order(&app, "QC-FEW", 2, 1).await;
    let many = decided_order(&app, "QC-MANY", 30, 6).await;
    let ops = app.login("ops@acme.test").await;
    let planner = app.login("planner@delta.test").await;
    for (name, client) in [
        ("the order page (brand)", &ops),
        ("the order page (supplier)", &planner),
    ] {
        let small = counted(&app, client, &format!("/orders/{few}"), "id=\"line-2\"").await;
        let large = counted(&app, client, &format!("/orders/{many}"), "id=\"line-30\"").await;
        same(name, (2, small), (30, large));
    }
}

#[tokio::test]
async fn the_financier_queue_and_trace_search_run_as_many_statements_for_eight_as_for_two() {
    let app = TestApp::spawn().await;
    // Auto-financing: every invoice Acme accepts is put to Jade at once.
    program(&app, "Acme early pay", "", true).await;
    let credit = app.login("credit@jade.test").await;
    let ops = app.login("ops@acme.test").await;
    // Every test shipment travels under the same tracking number: one hit per shipment.
    let pages = [
        ("the financier queue", &credit, "/financings", "SR-QF-1"),
        ("trace search", &ops, "/trace?q=MSKU1234567", "trace-hits"),
    ];
    for i in 0..2 {
        invoice(&app, &format!("QF-{i}"), &format!("SR-QF-{i}"), true).await;
    }
    let mut few = Vec::new();
    for (_, client, path, shown) in &pages {
        few.push(counted(&app, client, path, shown).await);
    }
    for i in 2..8 {
        invoice(&app, &format!("QF-{i}"), &format!("SR-QF-{i}"), true).await;
    }
    for ((name, client, path, shown), few) in pages.iter().zip(few) {
        let shown = shown.replace("SR-QF-1", "SR-QF-7");
        same(
            name,
            (2, few),
            (8, counted(&app, client, path, &shown).await),
        );
    }
    let hits = ops
        .get("/trace?q=MSKU1234567")
        .await
        .texts(".trace-hits li");
    assert_eq!(hits.len(), 8, "{hits:?}");
}

/// On PostgreSQL every connection taken from the pool first gets the task's tenant scope for
/// row-level security, a round trip of its own. A request's reads share one connection, and the
/// session is read with who is asking in one statement that leaves the connection in the brand
/// the page will run in, so a page in the user's brand sets the scope once (on taking the
/// connection) and the order page once more (its connection goes back while the view is
/// committed with others), however many sections read. SQLite has no scope to set.
#[tokio::test]
async fn a_page_sets_the_row_level_security_scope_once_per_change_of_scope() {
    let app = TestApp::spawn().await;
    let id = decided_order(&app, "PO-SCOPE-1", 3, 2).await;
    let planner = app.login("planner@delta.test").await;
    let ops = app.login("ops@acme.test").await;
    let order = format!("/orders/{id}");
    let pages = [
        (&planner, "/orders?view=all", 1),
        (&planner, order.as_str(), 2),
        (&ops, "/orders?view=all", 1),
    ];
    let postgres = app.state().db.engine() == portico::db::Engine::Postgres;
    for (client, path, most) in pages {
        let statements = counted(&app, client, path, "PO-SCOPE-1").await;
        let scopes = statements
            .iter()
            .filter(|s| {
                s.trim_start()
                    .starts_with("SELECT set_config('portico.tenant_id'")
            })
            .count();
        assert!(
            scopes <= most,
            "{path} set the scope {scopes} times: {statements:#?}"
        );
        if postgres {
            let identity_alone = statements
                .iter()
                .filter(|s| s.trim_start().starts_with("SELECT u.id, u.org_id"))
                .count();
            assert_eq!(
                identity_alone, 0,
                "{path} read who is asking apart from the session: {statements:#?}"
            );
        }
    }
}

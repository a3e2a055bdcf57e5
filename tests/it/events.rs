//! The domain event outbox: each use case records its CloudEvents in its own transaction, seen
//! by the brand, the order's partner and the third party involved, and by nobody else.

use portico::domain::ids::{OrderId, OrgId, TenantId};
use portico::domain::time::UtcMillis;
use portico::service::events::{EventView, cloud_event, list_visible};
use portico::service::orders::decide::{self, Seen};
use portico::service::sla::scheduler::run_due;

use crate::support::TestApp;
use crate::support::finance;
use crate::support::orders::{actor, order, progress_with_photo, sample_on};

const ACME: &str = "Acme Apparel";

async fn events_of(app: &TestApp, brand: &str, org: &str) -> Vec<EventView> {
    let tenant = TenantId::of_brand(app.org_id(brand).await);
    let org = app.org_id(org).await;
    list_visible(app.fixture_state(), tenant, org, None, 500)
        .await
        .unwrap()
}

fn types_on(events: &[EventView], order: OrderId) -> Vec<String> {
    events
        .iter()
        .filter(|e| e.subject == order.to_string())
        .map(|e| e.r#type.trim_start_matches("com.portico.").to_owned())
        .collect()
}

fn seen(order: OrderId, version: i64) -> Seen {
    Seen {
        order,
        version,
        submission: portico::auth::tokens::new_token(),
    }
}

#[tokio::test]
async fn an_order_from_issue_to_accepted_invoice_records_each_event_for_its_parties() {
    let app = TestApp::spawn().await;
    let (id, invoice) = finance::invoice(&app, "EV-1", "INV-EV-1", true).await;

    let all = [
        "order.issued",
        "order.confirmed",
        "shipment.created",
        "goods.received",
        "invoice.submitted",
        "invoice.accepted",
    ];
    assert_eq!(types_on(&events_of(&app, ACME, ACME).await, id), all);
    let sunrise = events_of(&app, ACME, "Sunrise Textiles").await;
    assert_eq!(types_on(&sunrise, id), all);
    // The warehouse sees the goods it handles, nothing else of the order.
    let harbor = events_of(&app, ACME, "Harbor Logistics").await;
    assert_eq!(
        types_on(&harbor, id),
        ["shipment.created", "goods.received"]
    );
    // Another brand's context and an uninvolved partner see none of it.
    assert!(
        types_on(
            &events_of(&app, "Blue Harbor Home", "Sunrise Textiles").await,
            id
        )
        .is_empty()
    );
    assert!(types_on(&events_of(&app, ACME, "Delta Garment Works").await, id).is_empty());

    let accepted = sunrise
        .iter()
        .find(|e| e.r#type.ends_with("invoice.accepted"))
        .unwrap();
    assert_eq!(accepted.data["po_number"], "EV-1");
    assert_eq!(accepted.data["invoice_id"], invoice.as_str());
    assert!(accepted.data["statement_id"].is_string());
    assert!(
        !accepted.data.to_string().contains("amount"),
        "no prices: {}",
        accepted.data
    );
    let shipped = harbor
        .iter()
        .find(|e| e.r#type.ends_with("shipment.created"))
        .unwrap();
    assert!(shipped.data["asn_id"].is_string());
    assert_eq!(shipped.data["line_numbers"], serde_json::json!([1, 2, 3]));

    let ce = cloud_event(accepted);
    assert_eq!(ce["specversion"], "1.0");
    assert_eq!(ce["datacontenttype"], "application/json");
    assert_eq!(ce["subject"], id.to_string());
    let tenant = app.org_id(ACME).await;
    assert!(
        ce["source"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/tenants/{tenant}"))
    );
    assert!(UtcMillis::parse_rfc3339(ce["time"].as_str().unwrap()).is_some());

    // Keyset reads: strictly after the given id, oldest first.
    let first = &sunrise[0];
    let tenant = TenantId::of_brand(tenant);
    let sunrise_id = app.org_id("Sunrise Textiles").await;
    let rest = list_visible(
        app.fixture_state(),
        tenant,
        sunrise_id,
        Some(&first.id),
        500,
    )
    .await
    .unwrap();
    assert_eq!(rest.len(), sunrise.len() - 1);
    assert!(rest.iter().all(|e| e.id > first.id));
}

#[tokio::test]
async fn proposals_progress_and_sample_decisions_are_events() {
    use portico::domain::order::line::Side;
    use portico::domain::order::line::{LineAction, Proposal};
    let app = TestApp::spawn().await;
    let delta = "Delta Garment Works";
    let proposed = order(&app, "ops@acme.test", ACME, "EV-2", delta, None, true).await;
    let planner = actor(&app, "planner@delta.test", ACME).await;
    let version = portico::service::demo_orders::version(
        app.fixture_state(),
        TenantId::of_brand(app.org_id(ACME).await),
        proposed,
    )
    .await
    .unwrap();
    let change = LineAction::ProposeChange(Proposal {
        quantity: Some("90".parse().unwrap()),
        delivery_date: None,
        unit_price_minor: None,
        comment: "Yarn shortage".into(),
    });
    let decisions = [
        (1, LineAction::Accept),
        (2, change),
        (3, LineAction::Accept),
    ];
    decide::decide_lines(
        app.fixture_state(),
        &planner,
        &seen(proposed, version),
        Side::Partner,
        &decisions,
    )
    .await
    .unwrap();

    let made = order(&app, "ops@acme.test", ACME, "EV-3", delta, None, true).await;
    progress_with_photo(&app, "planner@delta.test", ACME, made).await;
    let sample = sample_on(&app, "planner@delta.test", ACME, made).await;
    let quality = actor(&app, "quality@acme.test", ACME).await;
    portico::service::orders::samples::decide(
        app.fixture_state(),
        &quality,
        &seen(made, 0),
        &sample,
        true,
        "Good",
    )
    .await
    .unwrap();

    let delta_events = events_of(&app, ACME, delta).await;
    assert_eq!(
        types_on(&delta_events, proposed),
        ["order.issued", "order.confirmed", "order.change_proposed"]
    );
    let confirmed = delta_events
        .iter()
        .find(|e| e.subject == proposed.to_string() && e.r#type.ends_with("order.confirmed"))
        .unwrap();
    let lines: Vec<i64> = confirmed.data["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["line_no"].as_i64().unwrap())
        .collect();
    assert_eq!(lines, [1, 3], "one event listing both accepted lines");
    assert_eq!(
        types_on(&delta_events, made),
        [
            "order.issued",
            "order.confirmed",
            "production.progress_posted",
            "sample.submitted",
            "sample.approved"
        ]
    );
}

#[tokio::test]
async fn a_hold_is_an_event_on_the_order() {
    use crate::support::trace_chain::shared_lot;
    use portico::service::trace::complaints::{self, OpenInput};
    use portico::service::trace::holds;
    let app = TestApp::spawn().await;
    let chain = shared_lot(&app).await;
    let quality = actor(&app, "quality@acme.test", ACME).await;
    let input = OpenInput {
        subject_kind: "order".into(),
        subject_id: chain.acme_order.to_string(),
        description: "Seams open".into(),
    };
    let id = complaints::open(app.fixture_state(), &quality, &input, Vec::new())
        .await
        .unwrap();
    complaints::set_root(
        app.fixture_state(),
        &quality,
        &id,
        ("batch", &chain.batch_acme),
    )
    .await
    .unwrap();
    holds::place(app.fixture_state(), &quality, &id)
        .await
        .unwrap();
    let delta = events_of(&app, ACME, "Delta Garment Works").await;
    assert!(types_on(&delta, chain.acme_order).contains(&"hold.placed".to_owned()));
    let blue = events_of(&app, "Blue Harbor Home", "Delta Garment Works").await;
    assert!(!blue.iter().any(|e| e.r#type.ends_with("hold.placed")));
}

#[tokio::test]
async fn the_sla_scheduler_records_warning_and_breach_events() {
    const MONDAY_10: i64 = 1_803_895_200_000;
    const HOUR: i64 = 3_600_000;
    let app = TestApp::spawn().await;
    let clock = &app.fixture_state().clock;
    clock.jump_to(UtcMillis(MONDAY_10));
    let id = order(
        &app,
        "ops@acme.test",
        ACME,
        "EV-SLA",
        "Delta Garment Works",
        None,
        true,
    )
    .await;
    clock.jump_to(UtcMillis(MONDAY_10 + 52 * HOUR));
    assert_eq!(run_due(app.state()).await.unwrap(), 1);
    clock.jump_to(UtcMillis(MONDAY_10 + 96 * HOUR));
    assert_eq!(run_due(app.state()).await.unwrap(), 1);
    let delta = events_of(&app, ACME, "Delta Garment Works").await;
    assert_eq!(
        types_on(&delta, id),
        ["order.issued", "sla.warning", "sla.breach"]
    );
    let breach = delta
        .iter()
        .find(|e| e.r#type.ends_with("sla.breach"))
        .unwrap();
    assert_eq!(breach.data["clock"], "po_confirmation");
    assert_eq!(breach.data["po_number"], "EV-SLA");
}

#[tokio::test]
async fn a_refused_or_rolled_back_use_case_records_no_event() {
    let app = TestApp::spawn().await;
    let id = order(
        &app,
        "ops@acme.test",
        ACME,
        "EV-4",
        "Delta Garment Works",
        None,
        true,
    )
    .await;
    let before = events_of(&app, ACME, ACME).await.len();

    // Issuing again is refused: nothing recorded.
    let ops = actor(&app, "ops@acme.test", ACME).await;
    assert!(
        decide::issue(app.fixture_state(), &ops, &seen(id, 0))
            .await
            .is_err()
    );
    assert_eq!(events_of(&app, ACME, ACME).await.len(), before);

    // Events recorded in a transaction that rolls back are gone with it.
    let tenant = TenantId::of_brand(app.org_id(ACME).await);
    let mut tx = app.db.begin().await.unwrap();
    let order = portico::db::orders::get(&mut tx, tenant, id)
        .await
        .unwrap()
        .unwrap();
    portico::service::events::record_statement(
        &mut tx,
        &order,
        OrgId::from(tenant),
        "po.cancelled",
        portico::domain::ids::StatementId::new(),
        UtcMillis::now(),
        &serde_json::json!({}),
    )
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(events_of(&app, ACME, ACME).await.len(), before);
}

#[tokio::test]
async fn financing_events_reach_the_financier_and_never_carry_money() {
    use portico::service::financing::offers::{self, OfferInput};
    use portico::service::financing::{self, RequestInput};
    let app = TestApp::spawn().await;
    let program = finance::program(&app, "Acme early pay", "", false).await;
    let (id, invoice) = finance::invoice(&app, "EV-FIN", "SR-EV-FIN", true).await;
    let state = app.fixture_state();
    let sales = actor(&app, "sales@sunrise.test", ACME).await;
    let ask = RequestInput {
        program,
        password: String::new(),
    };
    let (financing, _) = financing::request(state, &sales, &invoice, &ask)
        .await
        .unwrap();
    let analyst = actor(&app, "analyst@jade.test", ACME).await;
    let offer = OfferInput {
        value_date: portico::service::sla::scorecards::today(state).to_string(),
        collection_account: "DE44 5001 0517 5407 3249 31".into(),
    };
    offers::offer(state, &analyst, &financing, &offer)
        .await
        .unwrap();

    // Jade sees the financing steps of the order, none of its other events.
    let jade = events_of(&app, ACME, "Jade Capital").await;
    assert_eq!(
        types_on(&jade, id),
        ["financing.requested", "financing.offered"]
    );
    for event in &jade {
        assert_eq!(event.data["financing_id"], financing.as_str());
        let text = event.data.to_string();
        assert!(!text.contains("minor") && !text.contains("DE44"), "{text}");
    }
    let sunrise = events_of(&app, ACME, "Sunrise Textiles").await;
    assert!(types_on(&sunrise, id).ends_with(&[
        "financing.requested".to_owned(),
        "financing.offered".to_owned()
    ]));
    assert!(
        types_on(&events_of(&app, ACME, "Harbor Logistics").await, id)
            .iter()
            .all(|t| !t.starts_with("financing."))
    );
}

/// An event row as a use case would write it, with its UUIDv7 made now.
fn event_row(tenant: TenantId, org: OrgId, kind: &str) -> portico::db::events::EventRow {
    portico::db::events::EventRow {
        tenant_id: tenant,
        id: uuid::Uuid::now_v7().to_string(),
        r#type: kind.to_owned(),
        subject: OrderId::new().to_string(),
        actor_org_id: org,
        occurred_at: UtcMillis::now().0,
        data: "{}".to_owned(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_never_moves_past_an_event_whose_transaction_commits_late() {
    let app = TestApp::spawn().await;
    if app.db.engine() != portico::db::Engine::Postgres {
        // One writer at a time on SQLite: commit order is id order.
        return;
    }
    let tenant = TenantId::of_brand(app.org_id(ACME).await);
    let org = OrgId::from(tenant);
    let mut early = event_row(tenant, org, "com.portico.test.early");
    // The early event's transaction is still running when another one records an event.
    let mut slow = app.db.begin().await.unwrap();
    portico::db::events::insert(&mut slow, &mut early, &[org])
        .await
        .unwrap();
    let db = app.db.clone();
    let fast = tokio::spawn(async move {
        let mut late = event_row(tenant, org, "com.portico.test.late");
        let mut tx = db.begin().await.unwrap();
        portico::db::events::insert(&mut tx, &mut late, &[org])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        late.id
    });
    let read = list_visible(app.fixture_state(), tenant, org, None, 500)
        .await
        .unwrap();
    assert!(
        read.iter()
            .all(|e| !e.r#type.starts_with("com.portico.test.")),
        "nothing of either transaction before they commit"
    );
    let cursor = read.last().map(|e| e.id.clone());
    slow.commit().await.unwrap();
    let late_id = fast.await.unwrap();
    let next = list_visible(app.fixture_state(), tenant, org, cursor.as_deref(), 500)
        .await
        .unwrap();
    let ids: Vec<&str> = next.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(
        ids,
        [early.id.as_str(), late_id.as_str()],
        "both, in order, none skipped"
    );
}

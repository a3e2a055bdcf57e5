//! The logistics clocks with a moved clock: the shipping notice is due the policy's lead (48
//! hours) before the goods are expected, moves when the delivery date moves and counts against
//! the ASN's own ETA; the warehouse's receipt clock runs from arrival at the dock to the posted
//! receipt on working hours, warns the warehouse, and shows in its inbound list.

use portico::domain::time::UtcMillis;
use portico::service::sla::scheduler::run_due;

use crate::support::orders::{asn_on, decide, order};
use crate::support::{TestApp, TestClient};

/// Monday 1 March 2027, 10:00 UTC (the demo brand's office calendar: UTC, Mon-Fri 09-17).
const MONDAY_10: i64 = 1_803_895_200_000;
const HOUR: i64 = 3_600_000;
/// 48 hours before the orders' requested delivery, 2027-06-30.
const JUNE_28: i64 = 1_814_140_800_000;
/// 48 hours before the test ASN's ETA, 2027-06-20.
const JUNE_18: i64 = 1_813_276_800_000;
/// 48 hours before 2027-07-20.
const JULY_18: i64 = 1_815_868_800_000;

#[derive(Debug, sqlx::FromRow)]
struct Clock {
    state: String,
    started_at: i64,
    warn_at: i64,
    deadline_at: i64,
    outcome: Option<String>,
    late_ms: Option<i64>,
    owed_by: String,
}

async fn clock(app: &TestApp, po: &str, kind: &str) -> Clock {
    let mut conn = app.db.reader().acquire().await.unwrap();
    sqlx::query_as(
        "SELECT t.state, t.started_at, t.warn_at, t.deadline_at, t.outcome, t.late_ms, \
           g.name AS owed_by \
         FROM sla_timers t JOIN orders o ON o.tenant_id = t.tenant_id AND o.id = t.order_id \
         JOIN orgs g ON g.id = t.partner_org_id \
         WHERE o.po_number = $1 AND t.kind = $2 ORDER BY t.started_at DESC LIMIT 1",
    )
    .bind(po)
    .bind(kind)
    .fetch_optional(&mut *conn)
    .await
    .unwrap()
    .unwrap_or_else(|| panic!("no {kind} clock on {po}"))
}

#[track_caller]
fn assert_near(actual: i64, expected: i64) {
    assert!(
        (actual - expected).abs() < 5_000,
        "{actual} is {} ms from {expected}",
        actual - expected
    );
}

/// An order to Delta, issued and fully accepted on Monday 10:00; returns (id, Delta's client).
async fn confirmed(app: &TestApp, po: &str) -> (String, TestClient) {
    app.fixture_state().clock.jump_to(UtcMillis(MONDAY_10));
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
    let page = planner.get(&format!("/orders/{id}")).await;
    decide(&planner, &page, "form.accept-all", &[]).await;
    (id, planner)
}

async fn ship(app: &TestApp, id: &str) -> String {
    asn_on(
        app,
        "planner@delta.test",
        "Acme Apparel",
        id.parse().unwrap(),
        "Harbor Logistics",
    )
    .await
}

#[tokio::test]
async fn the_shipping_notice_is_due_before_the_goods_and_met_by_an_early_asn() {
    let app = TestApp::spawn().await;
    let (id, _) = confirmed(&app, "LOG-1").await;
    let c = clock(&app, "LOG-1", "asn_before_eta").await;
    assert_eq!(
        (c.state.as_str(), c.owed_by.as_str()),
        ("running", "Delta Garment Works")
    );
    assert_near(c.started_at, MONDAY_10);
    assert_eq!(c.deadline_at, JUNE_28, "48 h before the delivery date");
    assert_near(c.warn_at, MONDAY_10 + (JUNE_28 - MONDAY_10) * 80 / 100);

    // In March the ASN (ETA 20 June) is early by any measure.
    ship(&app, &id).await;
    let c = clock(&app, "LOG-1", "asn_before_eta").await;
    assert_eq!(
        (c.state.as_str(), c.outcome.as_deref()),
        ("stopped", Some("met"))
    );
    assert_eq!(c.deadline_at, JUNE_18, "the ASN's own ETA came earlier");
}

#[tokio::test]
async fn a_notice_sent_a_day_before_the_eta_is_late_against_the_eta() {
    let app = TestApp::spawn().await;
    let (id, _) = confirmed(&app, "LOG-2").await;
    app.fixture_state()
        .clock
        .jump_to(UtcMillis(JUNE_18 + 34 * HOUR));
    // The warning and the breach of the order's own date are not due yet (28 June)...
    ship(&app, &id).await;
    let c = clock(&app, "LOG-2", "asn_before_eta").await;
    // ...but goods arriving on the 20th needed their notice by the 18th.
    assert_eq!(c.outcome.as_deref(), Some("late"));
    assert_near(c.late_ms.unwrap(), 34 * HOUR);
    run_due(app.state()).await.unwrap();
    let mut conn = app.db.reader().acquire().await.unwrap();
    let alerts: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sla_alerts a JOIN sla_timers t ON t.tenant_id = a.tenant_id \
         AND t.id = a.timer_id WHERE t.kind = 'asn_before_eta'",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    assert_eq!(alerts, 0, "a stopped clock raises nothing");
}

#[tokio::test]
async fn the_notice_deadline_moves_with_an_agreed_new_delivery_date() {
    let app = TestApp::spawn().await;
    let (id, planner) = confirmed(&app, "LOG-3").await;
    let ops = app.login("ops@acme.test").await;
    for line in 1..=3 {
        let page = planner.get(&format!("/orders/{id}")).await;
        decide(
            &planner,
            &page,
            &format!("#line-{line} form.decide-date"),
            &[("date", "2027-07-20"), ("comment", "Fabric late")],
        )
        .await;
    }
    // While every line waits on Acme, the notice clock keeps its date.
    assert_eq!(
        clock(&app, "LOG-3", "asn_before_eta").await.deadline_at,
        JUNE_28
    );
    for line in 1..=3 {
        let page = ops.get(&format!("/orders/{id}")).await;
        decide(
            &ops,
            &page,
            &format!("#line-{line} form.decide-brand-accept"),
            &[("action", "accept_date")],
        )
        .await;
    }
    let c = clock(&app, "LOG-3", "asn_before_eta").await;
    assert_eq!(c.state, "running");
    assert_eq!(c.deadline_at, JULY_18, "due 48 h before the new date");
    assert_near(c.warn_at, MONDAY_10 + (JULY_18 - MONDAY_10) * 80 / 100);
}

#[tokio::test]
async fn the_warehouse_receipt_clock_runs_from_arrival_on_working_hours() {
    let app = TestApp::spawn().await;
    let (id, _) = confirmed(&app, "LOG-4").await;
    let asn = ship(&app, &id).await;
    let dock = app.login("dock@harborlog.test").await;

    // Tuesday 15:00: the truck is at the dock.
    app.fixture_state()
        .clock
        .jump_to(UtcMillis(MONDAY_10 + 29 * HOUR));
    let sheet = dock.get(&format!("/inbound/{asn}")).await;
    let arrived = dock.submit(&sheet, "form.arrival-form", &[]).await;
    assert_eq!(arrived.status, 303);
    let sheet = dock.follow(&arrived).await;
    assert!(
        sheet.text(".flashes").contains("Arrival recorded"),
        "{}",
        sheet.text("main")
    );
    assert_eq!(sheet.text("#asn-status"), "At the dock");
    assert!(!sheet.has("form.arrival-form"), "arrival is recorded once");
    assert!(
        sheet.text("#arrived-at").contains("4 h left"),
        "{}",
        sheet.text("#arrived-at")
    );

    // Four working hours: 15:00-17:00 Tuesday and 09:00-11:00 Wednesday; owed by Harbor.
    let c = clock(&app, "LOG-4", "goods_receipt").await;
    assert_eq!(
        (c.state.as_str(), c.owed_by.as_str()),
        ("running", "Harbor Logistics")
    );
    assert_near(c.deadline_at, MONDAY_10 + 49 * HOUR);
    let row = dock
        .get("/inbound")
        .await
        .texts(".inbound tbody tr")
        .into_iter()
        .find(|r| r.contains("LOG-4"))
        .expect("the shipment in Harbor's inbound list");
    assert!(
        row.contains("At the dock") && row.contains("4 h left"),
        "{row}"
    );

    // Reporting the arrival again changes nothing.
    let again = dock.post(&format!("/inbound/{asn}/arrived"), &[]).await;
    assert_eq!(again.status, 303);
    assert!(
        dock.follow(&again)
            .await
            .text(".flashes")
            .contains("already recorded")
    );

    // Wednesday 12:00: the warning and the breach; Harbor hears of the warning.
    app.fixture_state()
        .clock
        .jump_to(UtcMillis(MONDAY_10 + 50 * HOUR));
    assert!(run_due(app.state()).await.unwrap() >= 2);
    let bell = dock.get("/notifications").await;
    assert!(
        bell.text(".notification-list").contains("LOG-4"),
        "{}",
        bell.text("main")
    );

    // The receipt stops it, an hour late in working time.
    let mut form = reqwest::multipart::Form::new()
        .text("_csrf", dock.csrf().await)
        .text("submission", portico::auth::tokens::new_token());
    for line in 1..=3 {
        form = form
            .text("line_no", line.to_string())
            .text("received", (100 * line).to_string());
    }
    let posted = dock
        .send_multipart(&format!("/inbound/{asn}/receipt"), form)
        .await;
    assert_eq!(posted.status, 303, "{}", posted.body);
    let c = clock(&app, "LOG-4", "goods_receipt").await;
    assert_eq!(
        (c.state.as_str(), c.outcome.as_deref()),
        ("stopped", Some("late"))
    );
    assert_near(c.late_ms.unwrap(), HOUR);

    // A received shipment cannot arrive again.
    let refused = dock.post(&format!("/inbound/{asn}/arrived"), &[]).await;
    assert!(
        dock.follow(&refused)
            .await
            .text(".flashes")
            .contains("already")
    );
}

#[tokio::test]
async fn a_shipment_received_without_a_reported_arrival_runs_no_clock() {
    let app = TestApp::spawn().await;
    let (id, _) = confirmed(&app, "LOG-5").await;
    let asn = ship(&app, &id).await;
    let dock = app.login("dock@harborlog.test").await;
    let mut form = reqwest::multipart::Form::new()
        .text("_csrf", dock.csrf().await)
        .text("submission", portico::auth::tokens::new_token());
    for line in 1..=3 {
        form = form
            .text("line_no", line.to_string())
            .text("received", (100 * line).to_string());
    }
    let posted = dock
        .send_multipart(&format!("/inbound/{asn}/receipt"), form)
        .await;
    assert_eq!(posted.status, 303, "{}", posted.body);
    let mut conn = app.db.reader().acquire().await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sla_timers WHERE kind = 'goods_receipt'")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(n, 0);
}

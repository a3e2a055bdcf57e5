//! SLA clocks end to end with a moved clock: started, paused, resumed and stopped by the order's
//! own transactions; warnings, breaches and escalations raised once by the scheduler's pass,
//! stamped when they really happened, and told to the people who must act.

use portico::domain::time::UtcMillis;
use portico::service::sla::scheduler::run_due;

use crate::support::TestApp;
use crate::support::orders::{decide, order};

/// Monday 1 March 2027, 10:00 UTC: the demo brand's default calendar is office hours in UTC,
/// Monday to Friday 09:00-17:00.
const MONDAY_10: i64 = 1_803_895_200_000;
const HOUR: i64 = 3_600_000;

#[derive(Debug, sqlx::FromRow)]
struct Clock {
    kind: String,
    line_no: i64,
    state: String,
    started_at: i64,
    warn_at: i64,
    deadline_at: i64,
    warned_at: Option<i64>,
    breached_at: Option<i64>,
    outcome: Option<String>,
    late_ms: Option<i64>,
}

async fn clocks(app: &TestApp, po: &str) -> Vec<Clock> {
    let mut conn = app.db.reader().acquire().await.unwrap();
    sqlx::query_as(
        "SELECT t.kind, t.line_no, t.state, t.started_at, t.warn_at, t.deadline_at, t.warned_at, \
           t.breached_at, t.outcome, t.late_ms \
         FROM sla_timers t JOIN orders o ON o.tenant_id = t.tenant_id AND o.id = t.order_id \
         WHERE o.po_number = $1 ORDER BY t.started_at, t.kind, t.line_no",
    )
    .bind(po)
    .fetch_all(&mut *conn)
    .await
    .unwrap()
}

async fn clock(app: &TestApp, po: &str, kind: &str) -> Clock {
    clocks(app, po)
        .await
        .into_iter()
        .rev()
        .find(|c| c.kind == kind)
        .unwrap_or_else(|| panic!("no {kind} clock on {po}"))
}

async fn alerts(app: &TestApp, po: &str) -> Vec<(String, String, i64)> {
    let mut conn = app.db.reader().acquire().await.unwrap();
    sqlx::query_as(
        "SELECT t.kind, a.level, a.happened_at FROM sla_alerts a \
         JOIN sla_timers t ON t.tenant_id = a.tenant_id AND t.id = a.timer_id \
         JOIN orders o ON o.tenant_id = t.tenant_id AND o.id = t.order_id \
         WHERE o.po_number = $1 ORDER BY a.happened_at, a.level",
    )
    .bind(po)
    .fetch_all(&mut *conn)
    .await
    .unwrap()
}

/// Asserts two instants agree to within a few seconds: the clock runs on while the test works,
/// so stored instants carry the milliseconds each step took.
#[track_caller]
fn assert_near(actual: i64, expected: i64) {
    assert!(
        (actual - expected).abs() < 5_000,
        "{actual} is {} ms from {expected}",
        actual - expected
    );
}

fn at(ms: i64) -> UtcMillis {
    UtcMillis(ms)
}

async fn issued_to_delta(app: &TestApp, po: &str) -> String {
    order(
        app,
        "ops@acme.test",
        "Acme Apparel",
        po,
        "Delta Garment Works",
        None,
        true,
    )
    .await
    .to_string()
}

#[tokio::test]
async fn a_confirmation_clock_warns_breaches_and_stops_late_on_business_hours() {
    let app = TestApp::spawn().await;
    let clock_now = &app.fixture_state().clock;
    clock_now.jump_to(at(MONDAY_10));
    let id = issued_to_delta(&app, "SLA-1").await;

    // 24 working hours of 8 a day from Monday 10:00: Thursday 10:00; the warning at 80 %
    // (19 h 12 min of work) on Wednesday 13:12.
    let c = clock(&app, "SLA-1", "po_confirmation").await;
    assert_eq!(c.state, "running");
    assert_near(c.started_at, MONDAY_10);
    assert_near(c.deadline_at, MONDAY_10 + 72 * HOUR);
    assert_near(c.warn_at, MONDAY_10 + 48 * HOUR + 3 * HOUR + 12 * 60_000);

    // Delta's inbox shows the time it has left, on working hours.
    let planner = app.login("planner@delta.test").await;
    let inbox = planner.get("/orders").await;
    let row = inbox
        .texts("tbody tr")
        .into_iter()
        .find(|r| r.contains("SLA-1"))
        .expect("the order in Delta's inbox");
    assert!(
        row.contains("24 h left") && row.contains("PO confirmation"),
        "{row}"
    );

    // Nothing is due on Tuesday.
    clock_now.jump_to(at(MONDAY_10 + 24 * HOUR));
    assert_eq!(run_due(app.state()).await.unwrap(), 0);

    // Wednesday afternoon: the warning, once, to Acme ops and to Delta.
    clock_now.jump_to(at(MONDAY_10 + 48 * HOUR + 4 * HOUR));
    assert_eq!(run_due(app.state()).await.unwrap(), 1);
    assert_eq!(run_due(app.state()).await.unwrap(), 0, "raised once");
    let ops = app.login("ops@acme.test").await;
    let bell = ops.get("/notifications").await;
    assert!(
        bell.text("main")
            .contains("Delta Garment Works: a deadline on PO SLA-1 is near"),
        "{}",
        bell.text("main")
    );
    assert!(
        planner
            .get("/notifications")
            .await
            .text("main")
            .contains("a deadline on PO SLA-1 is near")
    );

    // Friday: the breach, stamped Thursday 10:00 when it happened.
    clock_now.jump_to(at(MONDAY_10 + 96 * HOUR));
    assert_eq!(run_due(app.state()).await.unwrap(), 1);
    let c = clock(&app, "SLA-1", "po_confirmation").await;
    assert_eq!(c.breached_at, Some(c.deadline_at));
    assert!(
        ops.get("/notifications")
            .await
            .text("main")
            .contains("Delta Garment Works: a deadline on PO SLA-1 has passed")
    );

    // Delta confirms on Friday 10:00: late by Thursday 10:00-17:00 and Friday 09:00-10:00.
    let page = planner.get(&format!("/orders/{id}")).await;
    decide(&planner, &page, "form.accept-all", &[]).await;
    let c = clock(&app, "SLA-1", "po_confirmation").await;
    assert_eq!(
        (c.state.as_str(), c.outcome.as_deref()),
        ("stopped", Some("late"))
    );
    assert_near(c.late_ms.unwrap_or_default(), 8 * HOUR);
    assert!(c.warned_at.is_some());
}

#[tokio::test]
async fn confirmation_pauses_while_the_brand_decides_a_proposal_and_resumes_after() {
    let app = TestApp::spawn().await;
    let clock_now = &app.fixture_state().clock;
    clock_now.jump_to(at(MONDAY_10));
    let id = issued_to_delta(&app, "SLA-2").await;
    let planner = app.login("planner@delta.test").await;

    // Monday 12:00: lines 1 and 2 accepted, line 3 proposed: nothing is left for Delta.
    clock_now.jump_to(at(MONDAY_10 + 2 * HOUR));
    let page = planner.get(&format!("/orders/{id}")).await;
    let page = decide(
        &planner,
        &page,
        "#line-1 form.decide-accept",
        &[("action", "accept")],
    )
    .await;
    let page = decide(
        &planner,
        &page,
        "#line-2 form.decide-accept",
        &[("action", "accept")],
    )
    .await;
    decide(
        &planner,
        &page,
        "#line-3 form.decide-propose",
        &[
            ("quantity", "90"),
            ("date", "2027-07-15"),
            ("comment", "Dye lot limits"),
        ],
    )
    .await;
    let c = clock(&app, "SLA-2", "po_confirmation").await;
    assert_eq!(c.state, "paused", "Delta's clock waits while Acme decides");
    let brand = clock(&app, "SLA-2", "change_decision").await;
    assert_eq!((brand.line_no, brand.state.as_str()), (3, "running"));
    // Two working days from Monday 12:00: Wednesday 12:00.
    assert_near(brand.deadline_at, MONDAY_10 + 50 * HOUR);

    // A paused clock raises nothing, however long it waits.
    clock_now.jump_to(at(MONDAY_10 + 28 * HOUR));
    assert_eq!(run_due(app.state()).await.unwrap(), 0);

    // Tuesday 14:00: Acme declines the proposal in time, so line 3 is Delta's again and its
    // clock resumes with the 22 working hours it had left: Friday 12:00.
    let ops = app.login("ops@acme.test").await;
    let page = ops.get(&format!("/orders/{id}")).await;
    decide(
        &ops,
        &page,
        "#line-3 form.decide-brand-decline",
        &[("comment", "We need the full quantity")],
    )
    .await;
    let brand = clock(&app, "SLA-2", "change_decision").await;
    assert_eq!(
        (brand.state.as_str(), brand.outcome.as_deref()),
        ("stopped", Some("met"))
    );
    let c = clock(&app, "SLA-2", "po_confirmation").await;
    assert_eq!(c.state, "running");
    assert_near(c.deadline_at, MONDAY_10 + 98 * HOUR);

    // Delta accepts line 3 on Wednesday: met.
    clock_now.jump_to(at(MONDAY_10 + 48 * HOUR));
    let page = planner.get(&format!("/orders/{id}")).await;
    decide(
        &planner,
        &page,
        "#line-3 form.decide-accept",
        &[("action", "accept")],
    )
    .await;
    let c = clock(&app, "SLA-2", "po_confirmation").await;
    assert_eq!(
        (c.state.as_str(), c.outcome.as_deref()),
        ("stopped", Some("met"))
    );
    // The first-sample clock started with the first accepted line: 10 calendar days.
    let sample = clock(&app, "SLA-2", "first_sample").await;
    assert_eq!(sample.state, "running");
    assert_near(sample.deadline_at, MONDAY_10 + 2 * HOUR + 240 * HOUR);
}

#[tokio::test]
async fn after_downtime_the_scheduler_catches_up_with_the_real_times() {
    let app = TestApp::spawn().await;
    let clock_now = &app.fixture_state().clock;
    clock_now.jump_to(at(MONDAY_10));
    issued_to_delta(&app, "SLA-3").await;
    let c = clock(&app, "SLA-3", "po_confirmation").await;

    // Two weeks without a pass: the warning, the breach and the escalation 24 hours after it,
    // each stamped with the instant it happened.
    clock_now.jump_to(at(MONDAY_10 + 14 * 24 * HOUR));
    assert_eq!(run_due(app.state()).await.unwrap(), 3);
    let raised = alerts(&app, "SLA-3").await;
    let levels: Vec<_> = raised.iter().map(|(_, l, _)| l.as_str()).collect();
    assert_eq!(levels, ["warning", "breach", "escalation"]);
    assert_eq!(raised[0].2, c.warn_at);
    assert_eq!(raised[1].2, c.deadline_at);
    assert_eq!(raised[2].2, c.deadline_at + 24 * HOUR);
    assert_eq!(run_due(app.state()).await.unwrap(), 0, "nothing twice");
    let admin = app.login("admin@acme.test").await;
    assert!(
        admin
            .get("/notifications")
            .await
            .text("main")
            .contains("PO SLA-3 is still past its deadline")
    );
}

#[tokio::test]
async fn a_cancelled_order_voids_its_clocks_and_a_submitted_sample_stops_its_clock() {
    let app = TestApp::spawn().await;
    let clock_now = &app.fixture_state().clock;
    clock_now.jump_to(at(MONDAY_10));
    let id = issued_to_delta(&app, "SLA-4").await;
    let ops = app.login("ops@acme.test").await;
    let page = ops.get(&format!("/orders/{id}/cancel")).await;
    let done = ops
        .submit(&page, "main form", &[("reason", "Season dropped")])
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let c = clock(&app, "SLA-4", "po_confirmation").await;
    assert_eq!(
        (c.state.as_str(), c.outcome.as_deref()),
        ("stopped", Some("void"))
    );
    clock_now.jump_to(at(MONDAY_10 + 30 * 24 * HOUR));
    assert_eq!(run_due(app.state()).await.unwrap(), 0);

    clock_now.jump_to(at(MONDAY_10));
    let id = issued_to_delta(&app, "SLA-5").await;
    let planner = app.login("planner@delta.test").await;
    let page = planner.get(&format!("/orders/{id}")).await;
    decide(&planner, &page, "form.accept-all", &[]).await;
    assert_eq!(clock(&app, "SLA-5", "first_sample").await.state, "running");
    clock_now.jump_to(at(MONDAY_10 + 3 * 24 * HOUR));
    crate::support::orders::sample_on(
        &app,
        "planner@delta.test",
        "Acme Apparel",
        id.parse().unwrap(),
    )
    .await;
    let c = clock(&app, "SLA-5", "first_sample").await;
    assert_eq!(
        (c.state.as_str(), c.outcome.as_deref()),
        ("stopped", Some("met"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_schedulers_never_raise_the_same_alert_twice() {
    let app = TestApp::spawn().await;
    let clock_now = &app.fixture_state().clock;
    clock_now.jump_to(at(MONDAY_10));
    for n in 0..12 {
        issued_to_delta(&app, &format!("SLA-P{n}")).await;
    }
    clock_now.jump_to(at(MONDAY_10 + 7 * 24 * HOUR));
    // Two passes at once (on PostgreSQL they lease rows with SKIP LOCKED; on SQLite they queue
    // for the one writer).
    let (a, b) = tokio::join!(run_due(app.state()), run_due(app.state()));
    let total = a.unwrap() + b.unwrap() + run_due(app.state()).await.unwrap();
    assert!(
        total <= 36,
        "at most warning, breach, escalation per clock: {total}"
    );
    let mut conn = app.db.reader().acquire().await.unwrap();
    let (alerts, distinct): (i64, i64) =
        sqlx::query_as("SELECT COUNT(*), COUNT(DISTINCT timer_id || level) FROM sla_alerts")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
    assert_eq!(alerts, 36, "every clock warned, breached and escalated");
    assert_eq!(alerts, distinct);
    let notified: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications n JOIN users u ON u.id = n.user_id \
         WHERE u.email = 'ops@acme.test' AND n.kind LIKE 'sla_%'",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    assert_eq!(notified, 24, "ops hears each warning and breach once");
}

#[tokio::test]
async fn demo_orders_have_clocks_in_every_state_with_weeks_of_history() {
    let app = TestApp::spawn_with(crate::support::Options {
        demo_orders: true,
        ..Default::default()
    })
    .await;
    run_due(app.state()).await.unwrap();
    let mut conn = app.db.reader().acquire().await.unwrap();
    let states: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT state, CASE WHEN breached_at IS NOT NULL AND state <> 'stopped' THEN 'breached' \
           WHEN warned_at IS NOT NULL AND state <> 'stopped' THEN 'at risk' \
           ELSE COALESCE(outcome, '-') END AS how, COUNT(*) \
         FROM sla_timers GROUP BY 1, 2 ORDER BY 1, 2",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    let has = |state: &str, how: &str| {
        states
            .iter()
            .any(|(s, h, n)| s == state && h == how && *n > 0)
    };
    for (state, how) in [
        ("running", "breached"),
        ("running", "-"),
        ("paused", "-"),
        ("stopped", "met"),
        ("stopped", "late"),
        ("stopped", "void"),
    ] {
        assert!(has(state, how), "no {state}/{how} clock among {states:?}");
    }
    let oldest: i64 = sqlx::query_scalar("SELECT MIN(started_at) FROM sla_timers")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert!(
        UtcMillis::now().0 - oldest > 21 * 24 * HOUR,
        "history reaches back three weeks"
    );
    let breaches: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sla_alerts WHERE level = 'breach'")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
    assert!(breaches > 0);
    let breached_kinds: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT kind FROM sla_timers WHERE breached_at IS NOT NULL ORDER BY kind",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    assert_eq!(
        breached_kinds,
        [
            "change_decision",
            "financier_decision",
            "first_sample",
            "po_confirmation"
        ],
        "late partners, a late brand and a late financier"
    );
}

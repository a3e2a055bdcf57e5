//! Two replicas on one PostgreSQL, as behind a load balancer: a session made on one works on
//! the other, and with both replicas' schedulers and delivery workers running (and racing, woken
//! at the same moment) a deadline raises one alert, one event and one notification per person,
//! each e-mail goes out once and each event reaches a webhook endpoint once. SQLite is one
//! process by design, so these tests skip there.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use portico::app::AppState;
use portico::domain::time::UtcMillis;
use portico::jobs::webhooks::deliver_due;
use portico::service::sla::scheduler::run_due;

use crate::support::orders::order;
use crate::support::receiver::Receiver;
use crate::support::replica::on_postgres;
use crate::support::{Options, TestApp};

/// Monday 1 March 2027, 10:00 UTC (the demo brands' office calendar: weekdays 09:00-17:00).
const MONDAY_10: i64 = 1_803_895_200_000;
const HOUR: i64 = 3_600_000;

fn skipped(test: &str) -> bool {
    if on_postgres() {
        return false;
    }
    eprintln!("{test}: skipped, replicas need PostgreSQL (set PORTICO_TEST_DATABASE_URL)");
    true
}

/// The app with the jobs a production replica runs (SLA scheduler, digests, webhooks).
async fn app_with_jobs() -> TestApp {
    let options = Options {
        webhooks_allow_private: true,
        ..Options::default()
    };
    TestApp::spawn_configured(options, |config| config.timed_jobs = true).await
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let mut conn = app.db.reader().acquire().await.unwrap();
    sqlx::query_scalar(sql).fetch_one(&mut *conn).await.unwrap()
}

/// Polls `sql` (a count) until it is `wanted`, for up to 20 seconds.
async fn until_count(app: &TestApp, sql: &str, wanted: i64) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let n = count(app, sql).await;
        if n == wanted {
            return;
        }
        assert!(Instant::now() < deadline, "{sql}: {n}, waited for {wanted}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_session_made_on_one_replica_works_on_the_other() {
    if skipped("a_session_made_on_one_replica_works_on_the_other") {
        return;
    }
    let app = TestApp::spawn().await;
    let b = app.replica().await;
    let on_a = app.login("ops@acme.test").await;
    let on_b = on_a.towards(&b.base_url);

    let page = on_b.get("/orders").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Acme Apparel"), "{}", page.body);
    // A form from B's page posts on A: the CSRF token lives in the shared session.
    let token = page.csrf().expect("CSRF token");
    let read = on_a
        .post_raw("/notifications/read", &[("_csrf", &token)])
        .await;
    assert_eq!(read.status, 303, "{}", read.body);

    // Signing out on B ends the session on A as well, not just in this browser.
    let session = on_a.cookie("__Host-portico").expect("session cookie");
    assert_eq!(on_b.post("/logout", &[]).await.status, 303);
    let replayed = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/orders", app.base_url))
        .header("cookie", format!("__Host-portico={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(replayed.status().as_u16(), 303);
}

/// Orders issued now: Acme's to Delta and Blue Harbor's to Sunrise, two tenants racing.
async fn issue_round(app: &TestApp, round: usize, per_brand: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..per_brand {
        for (buyer, brand, partner) in [
            ("ops@acme.test", "Acme Apparel", "Delta Garment Works"),
            (
                "ops@blueharbor.test",
                "Blue Harbor Home",
                "Sunrise Textiles",
            ),
        ] {
            let po = format!("REP-{round}-{}-{i}", &brand[..4]);
            let id = order(app, buyer, brand, &po, partner, None, true).await;
            ids.push(id.to_string());
        }
    }
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_deadline_passing_raises_one_alert_though_both_replicas_schedulers_race() {
    if skipped("a_deadline_passing_raises_one_alert_though_both_replicas_schedulers_race") {
        return;
    }
    let app = app_with_jobs().await;
    let b = app.replica().await;
    let (a_state, b_state) = (app.state().clone(), b.state().clone());
    let clock = &a_state.clock;
    let mut raised_directly = 0;
    for round in 0..3 {
        // A new Monday each round; last round's breaches escalate meanwhile.
        let monday = MONDAY_10 + round as i64 * 7 * 24 * HOUR;
        clock.jump_to(UtcMillis(monday));
        let ids = issue_round(&app, round, 3).await;

        // Friday 09:00: warning and breach are due on every clock (the escalation a working
        // day after the breach is not yet). Both background schedulers wake at once, and each
        // replica also runs a pass of its own at the same moment.
        let friday = monday + 95 * HOUR;
        clock.jump_to(UtcMillis(friday));
        a_state.sla_wake.notify_one();
        b_state.sla_wake.notify_one();
        let (on_a, on_b) = tokio::join!(run_due(&a_state), run_due(&b_state));
        raised_directly += on_a.unwrap() + on_b.unwrap();
        let due = format!(
            "SELECT COUNT(*) FROM sla_timers WHERE next_due_at IS NOT NULL AND next_due_at <= {friday}"
        );
        until_count(&app, &due, 0).await;

        // Every clock of the round: one warning and one breach.
        let listed = ids
            .iter()
            .map(|id| format!("'{id}'"))
            .collect::<Vec<_>>()
            .join(",");
        for level in ["warning", "breach"] {
            let sql = format!(
                "SELECT COUNT(*) FROM events WHERE subject IN ({listed}) \
                 AND type = 'com.portico.sla.{level}'"
            );
            assert_eq!(count(&app, &sql).await, ids.len() as i64, "{level}s");
        }
    }
    let alerts = count(&app, "SELECT COUNT(*) FROM sla_alerts").await;
    // 3 rounds of 6 clocks warned and breached, and the first two rounds' escalations.
    assert_eq!(alerts, 3 * 6 * 2 + 2 * 6);
    assert!(raised_directly <= alerts as usize);
    let events = "SELECT COUNT(*) FROM events WHERE type LIKE 'com.portico.sla.%'";
    assert_eq!(count(&app, events).await, alerts, "one event per alert");
    let doubled = "SELECT COUNT(*) FROM (SELECT user_id, order_id, kind FROM notifications \
                   WHERE kind LIKE 'sla_%' GROUP BY user_id, order_id, kind \
                   HAVING COUNT(*) > 1) twice";
    assert_eq!(count(&app, doubled).await, 0, "nobody is told twice");

    // Both replicas' outbox workers send the e-mails: each queued mail exactly once.
    app.outbox_settled().await;
    let unsent = "SELECT COUNT(*) FROM outbox WHERE kind = 'email' AND sent_at IS NULL";
    until_count(&app, unsent, 0).await;
    let queued = count(&app, "SELECT COUNT(*) FROM outbox WHERE kind = 'email'").await;
    assert!(queued > 0);
    assert_eq!(app.mails().len() as i64, queued, "one file per queued mail");
}

/// Delivers what is due on both replicas at the same moment, over and over, until stopped.
fn race_deliveries(a: AppState, b: AppState, stop: Arc<AtomicBool>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        while !stop.load(Ordering::Relaxed) {
            let (x, y) = tokio::join!(deliver_due(&a), deliver_due(&b));
            x.expect("delivery on A");
            y.expect("delivery on B");
            tokio::task::yield_now().await;
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn each_event_reaches_a_webhook_endpoint_once_with_both_replicas_delivering() {
    if skipped("each_event_reaches_a_webhook_endpoint_once_with_both_replicas_delivering") {
        return;
    }
    let app = app_with_jobs().await;
    let b = app.replica().await;
    let receiver = Receiver::start().await;
    // Delta's admin adds the endpoint on replica B.
    let planner = app.login("planner@delta.test").await.towards(&b.base_url);
    let fields = [
        ("url", receiver.url.as_str()),
        ("description", "ERP"),
        ("all", "1"),
    ];
    let created = planner.post("/settings/webhooks", &fields).await;
    assert_eq!(created.status, 303, "{}", created.body);

    let stop = Arc::new(AtomicBool::new(false));
    let racer = race_deliveries(app.state().clone(), b.state().clone(), stop.clone());
    const ORDERS: usize = 12;
    for i in 0..ORDERS {
        let po = format!("REP-WH-{i}");
        order(
            &app,
            "ops@acme.test",
            "Acme Apparel",
            &po,
            "Delta Garment Works",
            None,
            true,
        )
        .await;
    }
    receiver.wait_for(ORDERS).await;
    let open = "SELECT COUNT(*) FROM webhook_deliveries WHERE status <> 'delivered'";
    until_count(&app, open, 0).await;
    stop.store(true, Ordering::Relaxed);
    racer.await.unwrap();
    // Nothing is left for anyone to send.
    assert_eq!(deliver_due(app.state()).await.unwrap(), 0);
    assert_eq!(deliver_due(b.state()).await.unwrap(), 0);

    let got = receiver.received();
    let ids: HashSet<String> = got.iter().map(|r| r.header("webhook-id")).collect();
    assert_eq!(ids.len(), ORDERS, "one event per issued order");
    assert_eq!(got.len(), ORDERS, "each event arrived once");
    let deliveries = count(&app, "SELECT COUNT(*) FROM webhook_deliveries").await;
    let once = "SELECT COUNT(*) FROM webhook_deliveries WHERE attempts = 1";
    assert_eq!(count(&app, once).await, deliveries);
    assert_eq!(deliveries, ORDERS as i64);
}

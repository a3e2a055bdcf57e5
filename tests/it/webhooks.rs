//! Webhooks end to end: an organisation admin adds an endpoint on the settings page, real use
//! cases announce their events to it as signed CloudEvents (checked with the independent
//! `standardwebhooks` verifier), failures are retried with the same id, a 410 or exhausted
//! retries turn the endpoint off and tell the admins, and internal targets are refused.

use portico::domain::ids::OrderId;
use portico::domain::time::UtcMillis;
use portico::jobs::webhooks::{deliver_due, deliver_due_as_of};

use crate::support::orders::{decide, order};
use crate::support::receiver::{Received, Receiver};
use crate::support::{Options, TestApp, TestClient};

const ACME: &str = "Acme Apparel";
const DELTA: &str = "Delta Garment Works";
const DAY_MS: i64 = 86_400_000;

async fn app_allowing_loopback() -> TestApp {
    TestApp::spawn_with(Options {
        webhooks_allow_private: true,
        ..Options::default()
    })
    .await
}

/// Adds an endpoint through the settings form (all events unless `types` are given); returns
/// its id and the secret the page shows once.
async fn add_endpoint(client: &TestClient, url: &str, types: &[&str]) -> (String, String) {
    let form = client.get("/settings/webhooks").await;
    assert_eq!(form.status, 200, "{}", form.body);
    let mut fields = vec![("url", url), ("description", "ERP integration")];
    if types.is_empty() {
        fields.push(("all", "1"));
    }
    fields.extend(types.iter().map(|t| ("type", *t)));
    let created = client.post("/settings/webhooks", &fields).await;
    assert_eq!(created.status, 303, "{}", created.body);
    let id = created
        .location()
        .unwrap()
        .trim_start_matches("/settings/webhooks/")
        .to_owned();
    let page = client.follow(&created).await;
    let secret = page.text(".webhook-secret");
    assert!(secret.starts_with("whsec_"), "{}", page.body);
    // Shown once: the next visit no longer carries it.
    let again = client.get(&format!("/settings/webhooks/{id}")).await;
    assert!(!again.has(".webhook-secret"));
    assert!(!again.body.contains(&secret));
    (id, secret)
}

/// Checks a request the way an integrator would: signature (independent verifier), content
/// type, and the CloudEvents attributes. Returns the event.
fn verified(request: &Received, secret: &str) -> serde_json::Value {
    standardwebhooks::Webhook::new(secret)
        .unwrap()
        .verify(&request.body, &request.headers)
        .expect("signature verifies");
    assert_eq!(
        request.header("content-type"),
        "application/cloudevents+json"
    );
    let event = request.json();
    assert_eq!(event["specversion"], "1.0");
    assert_eq!(event["id"].as_str().unwrap(), request.header("webhook-id"));
    assert_eq!(event["datacontenttype"], "application/json");
    assert!(event["source"].as_str().unwrap().contains("/tenants/"));
    assert!(UtcMillis::parse_rfc3339(event["time"].as_str().unwrap()).is_some());
    assert!(event["data"].is_object());
    event
}

async fn acme_order_to(app: &TestApp, po: &str, partner: &str) -> OrderId {
    order(app, "ops@acme.test", ACME, po, partner, None, true).await
}

async fn scalar(app: &TestApp, sql: &str, bind: &str) -> String {
    let mut conn = app.db.reader().acquire().await.unwrap();
    sqlx::query_scalar(sql)
        .bind(bind)
        .fetch_one(&mut *conn)
        .await
        .unwrap()
}

async fn endpoint_status(app: &TestApp, id: &str) -> String {
    scalar(
        app,
        "SELECT status FROM webhook_endpoints WHERE id = $1",
        id,
    )
    .await
}

#[tokio::test]
async fn a_line_confirmed_on_the_web_form_reaches_the_partners_endpoint_as_a_signed_cloud_event() {
    let app = app_allowing_loopback().await;
    let receiver = Receiver::start().await;
    let planner = app.login("planner@delta.test").await;
    let (endpoint, secret) = add_endpoint(&planner, &receiver.url, &[]).await;
    let id = acme_order_to(&app, "WH-1", DELTA).await;

    let page = planner.get(&format!("/orders/{id}")).await;
    decide(
        &planner,
        &page,
        "#line-1 form.decide-accept",
        &[("action", "accept")],
    )
    .await;
    deliver_due(app.state()).await.unwrap();
    let got = receiver.wait_for(2).await;

    let issued = verified(&got[0], &secret);
    assert_eq!(issued["type"], "com.portico.order.issued");
    let confirmed = verified(&got[1], &secret);
    assert_eq!(confirmed["type"], "com.portico.order.confirmed");
    assert_eq!(confirmed["subject"], id.to_string());
    assert_eq!(confirmed["data"]["order_id"], id.to_string());
    assert_eq!(confirmed["data"]["po_number"], "WH-1");
    assert_eq!(confirmed["data"]["lines"][0]["line_no"], 1);
    let acme = app.org_id(ACME).await;
    assert!(
        confirmed["source"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/tenants/{acme}"))
    );
    assert!(!confirmed.to_string().contains("price"), "{confirmed}");

    // The log shows both deliveries.
    let log = planner.get(&format!("/settings/webhooks/{endpoint}")).await;
    assert_eq!(log.texts("tr.delivery-delivered").len(), 2, "{}", log.body);
    assert!(
        log.text("table.deliveries")
            .contains("com.portico.order.confirmed")
    );
}

#[tokio::test]
async fn a_failed_delivery_is_retried_after_its_backoff_with_the_same_webhook_id() {
    let app = app_allowing_loopback().await;
    let receiver = Receiver::start().await;
    receiver.answer(&[500]);
    let planner = app.login("planner@delta.test").await;
    let (endpoint, secret) = add_endpoint(&planner, &receiver.url, &[]).await;
    acme_order_to(&app, "WH-2", DELTA).await;

    let before = UtcMillis::now().0;
    deliver_due(app.state()).await.unwrap();
    receiver.wait_for(1).await;
    let due: i64 = {
        let mut conn = app.db.reader().acquire().await.unwrap();
        sqlx::query_scalar("SELECT due_at FROM webhook_deliveries WHERE endpoint_id = $1")
            .bind(&endpoint)
            .fetch_one(&mut *conn)
            .await
            .unwrap()
    };
    assert!(
        due >= before + 5_000 && due < before + 60_000,
        "retry in 5 s"
    );
    let log = planner.get(&format!("/settings/webhooks/{endpoint}")).await;
    assert!(log.text("tr.delivery-pending .status-code").contains("500"));
    assert_eq!(log.text("tr.delivery-pending .delivery-attempts"), "1");
    assert!(!log.text("tr.delivery-pending .delivery-next").is_empty());

    // Not due yet: nothing is sent. Once due, the same event goes again under the same id.
    assert_eq!(deliver_due(app.state()).await.unwrap(), 0);
    deliver_due_as_of(app.state(), due).await.unwrap();
    let got = receiver.wait_for(2).await;
    assert_eq!(got[0].header("webhook-id"), got[1].header("webhook-id"));
    verified(&got[1], &secret);
    let log = planner.get(&format!("/settings/webhooks/{endpoint}")).await;
    assert_eq!(log.text("tr.delivery-delivered .delivery-attempts"), "2");
}

#[tokio::test]
async fn gone_disables_the_endpoint_at_once_and_tells_its_admins() {
    let app = app_allowing_loopback().await;
    let receiver = Receiver::start().await;
    receiver.answer(&[410]);
    let planner = app.login("planner@delta.test").await;
    let (endpoint, _) = add_endpoint(&planner, &receiver.url, &[]).await;
    acme_order_to(&app, "WH-3", DELTA).await;
    deliver_due(app.state()).await.unwrap();
    receiver.wait_for(1).await;

    assert_eq!(endpoint_status(&app, &endpoint).await, "disabled");
    let bell = planner.get("/notifications").await;
    assert!(
        bell.text("main")
            .contains("answered 410 Gone and was disabled"),
        "{}",
        bell.text("main")
    );
    assert!(
        app.delivered(|m| m.to == "planner@delta.test" && m.subject.contains("410 Gone"))
            .await
    );
    let page = planner.get(&format!("/settings/webhooks/{endpoint}")).await;
    assert!(page.text(".disabled-reason").contains("410 Gone"));

    // Later events are not queued for it.
    acme_order_to(&app, "WH-3B", DELTA).await;
    assert_eq!(deliver_due(app.state()).await.unwrap(), 0);
    assert_eq!(receiver.received().len(), 1);
}

#[tokio::test]
async fn an_endpoint_failing_until_its_retries_run_out_is_disabled() {
    let app = app_allowing_loopback().await;
    let receiver = Receiver::start().await;
    receiver.answer(&[503; 20]);
    let planner = app.login("planner@delta.test").await;
    let (endpoint, _) = add_endpoint(&planner, &receiver.url, &[]).await;
    acme_order_to(&app, "WH-4", DELTA).await;

    let mut at = UtcMillis::now().0;
    let mut attempts = 0;
    while endpoint_status(&app, &endpoint).await == "active" {
        attempts += deliver_due_as_of(app.state(), at).await.unwrap();
        at += DAY_MS;
        assert!(attempts <= 11, "gave up after the schedule");
    }
    let retries = portico::domain::webhook_delivery::RETRY_DELAYS_SECS.len();
    assert_eq!(attempts, retries + 1);
    assert_eq!(receiver.wait_for(retries + 1).await.len(), retries + 1);
    let delivery = scalar(
        &app,
        "SELECT status FROM webhook_deliveries WHERE endpoint_id = $1",
        &endpoint,
    )
    .await;
    assert_eq!(delivery, "failed");
    assert!(
        planner
            .get("/notifications")
            .await
            .text("main")
            .contains("kept failing")
    );
}

#[tokio::test]
async fn redeliver_sends_the_event_again_and_is_audited() {
    let app = app_allowing_loopback().await;
    let receiver = Receiver::start().await;
    let planner = app.login("planner@delta.test").await;
    let (endpoint, secret) = add_endpoint(&planner, &receiver.url, &[]).await;
    acme_order_to(&app, "WH-5", DELTA).await;
    deliver_due(app.state()).await.unwrap();
    receiver.wait_for(1).await;

    let page = planner.get(&format!("/settings/webhooks/{endpoint}")).await;
    let done = decide(&planner, &page, "form.redeliver", &[]).await;
    assert!(done.text(".flashes").contains("queued to be sent again"));
    deliver_due(app.state()).await.unwrap();
    let got = receiver.wait_for(2).await;
    assert_eq!(got[0].header("webhook-id"), got[1].header("webhook-id"));
    verified(&got[1], &secret);
    let audited = scalar(
        &app,
        "SELECT CAST(COUNT(*) AS TEXT) FROM audit_log WHERE action = $1",
        "webhook.redelivered",
    )
    .await;
    assert_eq!(audited, "1");
}

#[tokio::test]
async fn a_redirect_is_a_failed_delivery_and_its_location_is_never_requested() {
    let app = app_allowing_loopback().await;
    let receiver = Receiver::start().await;
    receiver.answer(&[302]);
    let planner = app.login("planner@delta.test").await;
    let (endpoint, _) = add_endpoint(&planner, &receiver.url, &[]).await;
    acme_order_to(&app, "WH-6", DELTA).await;
    deliver_due(app.state()).await.unwrap();
    receiver.wait_for(1).await;

    let paths: Vec<String> = receiver.received().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths, ["/hooks/portico"]);
    let log = planner.get(&format!("/settings/webhooks/{endpoint}")).await;
    assert!(log.text("tr.delivery-pending .status-code").contains("302"));
}

#[tokio::test]
async fn internal_and_plain_http_targets_are_refused_when_saved() {
    let app = TestApp::spawn().await;
    let receiver = Receiver::start().await;
    let planner = app.login("planner@delta.test").await;
    for (url, message) in [
        ("https://127.0.0.1/", "not allowed"),
        ("https://10.0.0.1/hooks", "not allowed"),
        ("https://169.254.169.254/latest/meta-data", "not allowed"),
        ("https://[::1]/", "not allowed"),
        ("https://[::ffff:127.0.0.1]/", "not allowed"),
        ("https://localhost/hooks", "not allowed"),
        ("https://erp.localhost/hooks", "not allowed"),
        ("http://hooks.example.com/", "must start with https://"),
        (receiver.url.as_str(), "must start with https://"),
        ("not a url", "full URL"),
    ] {
        let page = planner
            .post("/settings/webhooks", &[("url", url), ("all", "1")])
            .await;
        assert_eq!(page.status, 422, "{url}");
        assert!(
            page.text(".field-error").contains(message),
            "{url}: {}",
            page.text(".field-error")
        );
        // The form keeps what was typed.
        assert_eq!(page.attr("#f-url", "value").unwrap(), url);
    }
    let count = scalar(
        &app,
        "SELECT CAST(COUNT(*) AS TEXT) FROM webhook_endpoints WHERE url <> $1",
        "",
    )
    .await;
    assert_eq!(count, "0");
}

#[tokio::test]
async fn a_partners_endpoint_hears_only_its_own_orders_in_the_brand_it_was_made_in() {
    let app = app_allowing_loopback().await;
    let receiver = Receiver::start().await;
    let sales = app.login("sales@sunrise.test").await;
    let acme = app.org_id(ACME).await.to_string();
    let switched = sales
        .post("/context/brand", &[("tenant", &acme), ("next", "/")])
        .await;
    assert_eq!(switched.status, 303);
    let (_, secret) = add_endpoint(&sales, &receiver.url, &["com.portico.order.issued"]).await;

    acme_order_to(&app, "WH-DELTA", DELTA).await;
    let own = acme_order_to(&app, "WH-SUN", "Sunrise Textiles").await;
    order(
        &app,
        "ops@blueharbor.test",
        "Blue Harbor Home",
        "BH-SUN",
        "Sunrise Textiles",
        None,
        true,
    )
    .await;
    deliver_due(app.state()).await.unwrap();
    let got = receiver.wait_for(1).await;
    assert_eq!(got.len(), 1, "only Sunrise's own Acme order");
    let event = verified(&got[0], &secret);
    assert_eq!(event["subject"], own.to_string());
    assert_eq!(event["data"]["po_number"], "WH-SUN");
}

#[tokio::test]
async fn members_who_are_not_admins_cannot_manage_webhooks() {
    let app = TestApp::spawn().await;
    let ops = app.login("ops@acme.test").await;
    assert_eq!(ops.get("/settings/webhooks").await.status, 403);
    let refused = ops
        .post(
            "/settings/webhooks",
            &[("url", "https://example.com/"), ("all", "1")],
        )
        .await;
    assert_eq!(refused.status, 403);
}

#[tokio::test]
async fn rotating_disabling_and_deleting_an_endpoint_take_effect_and_are_audited() {
    let app = app_allowing_loopback().await;
    let receiver = Receiver::start().await;
    let planner = app.login("planner@delta.test").await;
    let (endpoint, old) = add_endpoint(&planner, &receiver.url, &[]).await;
    let path = format!("/settings/webhooks/{endpoint}");

    // A rotated secret is shown once and signs from then on; the old one no longer verifies.
    let page = planner.get(&path).await;
    let rotated = decide(&planner, &page, "form.rotate", &[]).await;
    let new = rotated.text(".webhook-secret");
    assert!(new.starts_with("whsec_") && new != old);
    acme_order_to(&app, "WH-7", DELTA).await;
    deliver_due(app.state()).await.unwrap();
    let got = receiver.wait_for(1).await;
    verified(&got[0], &new);
    assert!(
        standardwebhooks::Webhook::new(&old)
            .unwrap()
            .verify(&got[0].body, &got[0].headers)
            .is_err()
    );

    // Disabled: nothing is queued for it; enabled again: new events are.
    let page = decide(&planner, &rotated, "form.disable", &[]).await;
    assert_eq!(page.text(".endpoint-status"), "Disabled");
    acme_order_to(&app, "WH-8", DELTA).await;
    assert_eq!(deliver_due(app.state()).await.unwrap(), 0);
    let page = decide(&planner, &page, "form.enable", &[]).await;
    assert_eq!(page.text(".endpoint-status"), "Active");
    acme_order_to(&app, "WH-9", DELTA).await;
    assert_eq!(deliver_due(app.state()).await.unwrap(), 1);

    // Deleting asks first, then removes the endpoint and its log.
    let confirm = planner.get(&format!("{path}/delete")).await;
    assert!(confirm.text("main").contains(&receiver.url));
    let gone = planner
        .submit(&confirm, "form[action$='/delete']", &[])
        .await;
    assert_eq!(gone.status, 303);
    assert_eq!(planner.get(&path).await.status, 404);
    let left = scalar(
        &app,
        "SELECT CAST(COUNT(*) AS TEXT) FROM webhook_deliveries WHERE endpoint_id = $1",
        &endpoint,
    )
    .await;
    assert_eq!(left, "0");
    let audited = scalar(
        &app,
        "SELECT CAST(COUNT(*) AS TEXT) FROM audit_log WHERE subject_id = $1",
        &endpoint,
    )
    .await;
    assert_eq!(audited, "5", "created, rotated, disabled, enabled, deleted");
}

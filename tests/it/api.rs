//! The partner API as an ERP uses it: a client made in the UI gets a token, lists and reads its
//! orders, confirms lines (signed like on the page), and retries safely with Idempotency-Key.

use serde_json::json;

use crate::support::api::{self, create_client, token, token_response};
use crate::support::orders::order;
use crate::support::{Options, TestApp};

const ACME: &str = "Acme Apparel";
const DELTA: &str = "Delta Garment Works";

async fn delta_order(app: &TestApp, po: &str) -> String {
    order(app, "ops@acme.test", ACME, po, DELTA, None, true)
        .await
        .to_string()
}

#[tokio::test]
async fn a_suppliers_erp_lists_reads_and_confirms_its_orders_through_the_api() {
    let app = TestApp::spawn().await;
    let id = delta_order(&app, "PO-API-1").await;
    let (client, secret) = create_client(
        &app,
        "planner@delta.test",
        "member",
        &["orders:read", "orders:write"],
    )
    .await;
    let token = token(&app, &client, &secret).await;

    let list = api::get(&app, &token, "/api/v1/orders").await;
    assert_eq!(list.status, 200, "{}", list.body);
    let items = list.body["items"].as_array().unwrap();
    assert!(items.iter().any(|o| o["po_number"] == "PO-API-1"));
    assert!(items.iter().all(|o| o["partner"]["name"] == DELTA));

    let one = api::get(&app, &token, &format!("/api/v1/orders/{id}")).await;
    assert_eq!(one.status, 200, "{}", one.body);
    assert_eq!(one.body["order"]["state"], "issued");
    assert_eq!(one.body["lines"].as_array().unwrap().len(), 3);
    let version = one.body["order"]["version"].as_i64().unwrap();

    let confirmed = api::post(
        &app,
        &token,
        &format!("/api/v1/orders/{id}/decisions"),
        Some("confirm-po-api-1"),
        &json!({ "order_version": version, "decisions": [
            { "line_no": 1, "action": "accept" },
            { "line_no": 2, "action": "propose", "quantity": "150", "comment": "fabric short" },
            { "line_no": 3, "action": "reject", "reason": "discontinued" },
        ]}),
    )
    .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    let states: Vec<&str> = confirmed.body["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["accepted", "change_proposed", "rejected"]);

    // The decisions are a signed statement of Delta, in the order's evidence.
    let evidence = api::get(&app, &token, &format!("/api/v1/orders/{id}/evidence")).await;
    assert_eq!(evidence.status, 200);
    let kinds: Vec<String> = evidence.body["statements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let payload: serde_json::Value =
                serde_json::from_str(s["payload"].as_str().unwrap()).unwrap();
            payload["type"].as_str().unwrap().to_owned()
        })
        .collect();
    assert!(
        kinds.contains(&"po.partner_decisions".to_owned()),
        "{kinds:?}"
    );

    // The page shows the client was used.
    let web = app.login("planner@delta.test").await;
    let page = web.get("/admin/api-clients").await;
    assert!(page.text(".api-clients").contains(&client));
    assert!(!page.text(".api-clients").contains("Never"));
}

#[tokio::test]
async fn a_retried_post_with_the_same_idempotency_key_takes_effect_once() {
    let app = TestApp::spawn().await;
    let id = delta_order(&app, "PO-API-2").await;
    let (client, secret) = create_client(
        &app,
        "planner@delta.test",
        "member",
        &["orders:read", "orders:write"],
    )
    .await;
    let token = token(&app, &client, &secret).await;
    let path = format!("/api/v1/orders/{id}/decisions");
    let body = json!({ "order_version": 2, "decisions": [{ "line_no": 1, "action": "accept" }] });
    let version = api::get(&app, &token, &format!("/api/v1/orders/{id}"))
        .await
        .body["order"]["version"]
        .clone();
    let body = json!({ "order_version": version, "decisions": body["decisions"] });

    let first = api::post(&app, &token, &path, Some("key-1"), &body).await;
    assert_eq!(first.status, 200, "{}", first.body);
    let again = api::post(&app, &token, &path, Some("key-1"), &body).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body, first.body, "the first answer, again");
    assert_eq!(
        again
            .headers
            .get("idempotent-replayed")
            .and_then(|v| v.to_str().ok()),
        Some("true")
    );
    // One statement only: the replay did nothing.
    let evidence = api::get(&app, &token, &format!("/api/v1/orders/{id}/evidence")).await;
    let decisions = evidence.body["statements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| {
            s["payload"]
                .as_str()
                .unwrap()
                .contains("po.partner_decisions")
        })
        .count();
    assert_eq!(decisions, 1);

    let other =
        json!({ "order_version": version, "decisions": [{ "line_no": 2, "action": "accept" }] });
    let reused = api::post(&app, &token, &path, Some("key-1"), &other).await;
    assert_eq!(reused.status, 422, "{}", reused.body);
    assert_eq!(reused.content_type, "application/problem+json");
    assert_eq!(reused.body["status"], 422);

    // Without a key a stale version is refused as a conflict, with a problem document.
    let stale = api::post(&app, &token, &path, None, &other).await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert_eq!(stale.content_type, "application/problem+json");
    assert!(stale.body["detail"].as_str().is_some());
}

#[tokio::test]
async fn bad_input_gets_problem_documents_naming_the_fields() {
    let app = TestApp::spawn().await;
    let id = delta_order(&app, "PO-API-3").await;
    let (client, secret) = create_client(
        &app,
        "planner@delta.test",
        "member",
        &["orders:read", "orders:write"],
    )
    .await;
    let token = token(&app, &client, &secret).await;
    let path = format!("/api/v1/orders/{id}/decisions");
    let invalid = api::post(
        &app,
        &token,
        &path,
        None,
        &json!({ "order_version": 2, "decisions": [
            { "line_no": 1, "action": "reject" },
            { "line_no": 2, "action": "explode" },
        ]}),
    )
    .await;
    assert_eq!(invalid.status, 422, "{}", invalid.body);
    let fields: Vec<&str> = invalid.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["decisions.0.reason", "decisions.1.action"]);

    let malformed = api::post(&app, &token, &path, None, &json!({ "decisions": "yes" })).await;
    assert_eq!(malformed.status, 400);
    assert_eq!(malformed.content_type, "application/problem+json");

    let unknown = api::get(&app, &token, "/api/v1/orders/not-an-id").await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.content_type, "application/problem+json");
    let bad_cursor = api::get(&app, &token, "/api/v1/orders?cursor=%%%").await;
    assert_eq!(bad_cursor.status, 400);
    // A NUL in a search (schemathesis found PostgreSQL refusing it) is dropped, on both doors.
    let nul = api::get(&app, &token, "/api/v1/orders?q=PO-API%00-3").await;
    assert_eq!(nul.status, 200, "{}", nul.body);
    assert_eq!(nul.body["items"][0]["po_number"], "PO-API-3");
    let web = app.login("ops@acme.test").await;
    assert_eq!(web.get("/orders?view=all&q=%00%C2%80").await.status, 200);
    assert_eq!(web.get("/trace?q=%00FG").await.status, 200);
}

#[tokio::test]
async fn pages_of_orders_follow_the_cursor_without_gaps_or_repeats() {
    let app = TestApp::spawn().await;
    for n in 0..53 {
        delta_order(&app, &format!("PO-PAGE-{n:02}")).await;
    }
    let (client, secret) =
        create_client(&app, "planner@delta.test", "viewer", &["orders:read"]).await;
    let token = token(&app, &client, &secret).await;
    let mut seen = Vec::new();
    let mut path = "/api/v1/orders".to_owned();
    loop {
        let page = api::get(&app, &token, &path).await;
        assert_eq!(page.status, 200, "{}", page.body);
        seen.extend(
            page.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["po_number"].as_str().unwrap().to_owned()),
        );
        match page.body["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/orders?cursor={cursor}"),
            None => break,
        }
    }
    let pages: Vec<_> = seen.iter().filter(|p| p.starts_with("PO-PAGE-")).collect();
    assert_eq!(pages.len(), 53);
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "no order twice");
}

#[tokio::test]
async fn a_client_over_its_budget_is_told_when_to_come_back() {
    let app = TestApp::spawn_with(Options {
        api_rate_per_minute: 10,
        ..Options::default()
    })
    .await;
    let (client, secret) =
        create_client(&app, "planner@delta.test", "viewer", &["orders:read"]).await;
    let token = token(&app, &client, &secret).await;
    let mut statuses = Vec::new();
    for _ in 0..12 {
        statuses.push(api::get(&app, &token, "/api/v1/orders").await);
    }
    let limited = statuses.iter().find(|a| a.status == 429).expect("a 429");
    assert_eq!(limited.content_type, "application/problem+json");
    let retry: i64 = limited.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1);
    assert!(statuses[0].status == 200);
}

#[tokio::test]
async fn the_token_endpoint_refuses_wrong_secrets_unknown_grants_and_scopes_not_granted() {
    let app = TestApp::spawn().await;
    let (client, secret) =
        create_client(&app, "planner@delta.test", "viewer", &["orders:read"]).await;
    let (status, body) = token_response(&app, &client, "pcs_wrong", None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
    let (status, body) = token_response(&app, &client, &secret, Some("orders:write")).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_scope"))
    );
    let (status, body) = token_response(&app, &client, &secret, Some("orders:read")).await;
    assert_eq!(status, 200);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["scope"], "orders:read");
    assert!(body["expires_in"].as_i64().unwrap() <= 600);
    let password = api::http()
        .post(format!("{}/oauth/token", app.base_url))
        .form(&[
            ("grant_type", "password"),
            ("username", "x"),
            ("password", "y"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(password.status(), 400);

    // The published keys verify the token; no private part is published.
    let jwks: serde_json::Value = api::http()
        .get(format!("{}/.well-known/jwks.json", app.base_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = &jwks["keys"][0];
    assert_eq!(
        (key["kty"].as_str(), key["alg"].as_str()),
        (Some("OKP"), Some("EdDSA"))
    );
    assert!(key.get("d").is_none());
}

#[tokio::test]
async fn the_admin_page_validates_shows_the_secret_once_and_revokes_after_confirmation() {
    let app = TestApp::spawn().await;
    let web = app.login("planner@delta.test").await;
    let refused = web
        .post("/admin/api-clients", &[("name", ""), ("role", "admin")])
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.has("#f-name[aria-invalid=true]"));
    assert!(refused.body.contains("Choose a role."));
    assert!(
        refused
            .text("fieldset.field-invalid")
            .contains("at least one scope")
    );

    let (client, secret) =
        crate::support::api::create_client_as(&web, "member", &["orders:read"]).await;
    let again = web.get("/admin/api-clients/created").await;
    assert!(!again.body.contains(&secret), "shown once only");
    let mut conn = app.db.reader().acquire().await.unwrap();
    let stored = portico::db::api_clients::by_id(&mut conn, &client)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(stored.secret_hash, secret, "only a hash is kept");
    drop(conn);

    let token = token(&app, &client, &secret).await;
    let confirm = web
        .get(&format!("/admin/api-clients/{client}/revoke"))
        .await;
    assert_eq!(confirm.status, 200);
    let revoked = web.submit(&confirm, "form[action$='/revoke']", &[]).await;
    assert_eq!(revoked.status, 303);
    let after = api::get(&app, &token, "/api/v1/orders").await;
    assert_eq!(after.status, 401, "a revoked client's tokens stop at once");
    let (status, _) = token_response(&app, &client, &secret, None).await;
    assert_eq!(status, 401);
    let list = web.get("/admin/api-clients").await;
    assert!(list.text(".api-clients").contains("Revoked"));
}

#[tokio::test]
async fn clients_that_poll_read_the_events_their_organisation_may_see() {
    let app = TestApp::spawn().await;
    let id = delta_order(&app, "PO-API-EV").await;
    let (client, secret) = create_client(
        &app,
        "planner@delta.test",
        "member",
        &["orders:read", "orders:write", "events:read"],
    )
    .await;
    let delta = token(&app, &client, &secret).await;
    let version = api::get(&app, &delta, &format!("/api/v1/orders/{id}"))
        .await
        .body["order"]["version"]
        .clone();
    let confirmed = api::post(
        &app,
        &delta,
        &format!("/api/v1/orders/{id}/decisions"),
        None,
        &json!({ "order_version": version, "decisions": [{ "line_no": 1, "action": "accept" }] }),
    )
    .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);

    let page = api::get(&app, &delta, "/api/v1/events").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let items = page.body["items"].as_array().unwrap();
    let types: Vec<&str> = items.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert!(types.contains(&"com.portico.order.issued"), "{types:?}");
    assert!(types.contains(&"com.portico.order.confirmed"), "{types:?}");
    let confirmed_event = items
        .iter()
        .find(|e| e["type"] == "com.portico.order.confirmed")
        .unwrap();
    assert_eq!(confirmed_event["specversion"], "1.0");
    assert_eq!(confirmed_event["subject"], id.as_str());
    assert_eq!(confirmed_event["datacontenttype"], "application/json");

    // Reading on from the last one gives nothing new, and keeps the cursor.
    let after = page.body["next_after"].as_str().unwrap().to_owned();
    let later = api::get(&app, &delta, &format!("/api/v1/events?after={after}")).await;
    assert_eq!(later.body["items"].as_array().unwrap().len(), 0);
    assert_eq!(later.body["next_after"], after.as_str());

    // Sunrise, another supplier of Acme, sees none of Delta's events; without the scope, 403.
    let (sun, sun_secret) =
        create_client(&app, "sales@sunrise.test", "member", &["events:read"]).await;
    let sunrise = token(&app, &sun, &sun_secret).await;
    let theirs = api::get(&app, &sunrise, "/api/v1/events").await;
    assert_eq!(theirs.status, 200);
    assert!(!theirs.body.to_string().contains(id.as_str()));
    let (reader, reader_secret) =
        create_client(&app, "planner@delta.test", "viewer", &["orders:read"]).await;
    let no_scope = token(&app, &reader, &reader_secret).await;
    assert_eq!(
        api::get(&app, &no_scope, "/api/v1/events").await.status,
        403
    );
}

#[tokio::test]
async fn kept_answers_are_forgotten_after_two_days() {
    let app = TestApp::spawn().await;
    let id = delta_order(&app, "PO-API-OLD").await;
    let (client, secret) = create_client(
        &app,
        "planner@delta.test",
        "member",
        &["orders:read", "orders:write"],
    )
    .await;
    let token = token(&app, &client, &secret).await;
    let path = format!("/api/v1/orders/{id}/decisions");
    let body = json!({ "order_version": 1, "decisions": [{ "line_no": 1, "action": "accept" }] });
    let first = api::post(&app, &token, &path, Some("old-key"), &body).await;
    assert_eq!(
        first.status, 409,
        "a stale version, kept as the answer: {}",
        first.body
    );
    let state = app.fixture_state();
    let now = state.now();
    assert_eq!(
        portico::jobs::housekeeping::prune(state, now)
            .await
            .unwrap(),
        0
    );
    let later = portico::domain::time::UtcMillis(now.0 + 49 * 3600 * 1000);
    assert_eq!(
        portico::jobs::housekeeping::prune(state, later)
            .await
            .unwrap(),
        1
    );
    // The key is free again: another request under it runs instead of answering 422.
    let other = json!({ "order_version": 1, "decisions": [{ "line_no": 2, "action": "accept" }] });
    let again = api::post(&app, &token, &path, Some("old-key"), &other).await;
    assert_eq!(again.status, 409, "{}", again.body);
    assert!(again.headers.get("idempotent-replayed").is_none());
}

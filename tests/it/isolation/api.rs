//! The isolation harness for the JSON API: every actor kind gets an API client of its own
//! organisation in the brand its pages work in (with every scope), and aims each API route at
//! the same foreign orders and ASNs the page harness uses. Every answer must be 404, exactly like
//! an id that does not exist, with nothing written; the order list must not show foreign text.

use portico::domain::ids::TenantId;
use portico::domain::org::OrgKind;
use portico::domain::partnership::PartnershipStatus;
use portico::service::api_clients::{ClientInput, create};
use serde_json::{Value, json};

use super::targets::fingerprint;
use crate::support::TestApp;
use crate::support::api::{self, token};
use crate::support::fixtures::foreign_objects;
use crate::support::isolation::{Actor, actors};

const ALL_SCOPES: [&str; 7] = [
    "orders:read",
    "orders:write",
    "production:write",
    "shipments:write",
    "receipts:write",
    "invoices:write",
    "events:read",
];

/// A token of a client of the actor's organisation, in the brand its pages open in; `None`
/// for actors with no brand (platform operators have no API).
async fn token_for(app: &TestApp, actor: &Actor) -> Option<String> {
    let (user, admin) = {
        let mut conn = app.db.reader().acquire().await.unwrap();
        let user = portico::db::users::with_org_by_email(&mut conn, actor.email)
            .await
            .unwrap()
            .unwrap();
        // An admin of the actor's organisation makes the client.
        let admin: String = sqlx::query_scalar(
            "SELECT email FROM users WHERE org_id = $1 AND role = 'admin' AND status = 'active' \
             AND password_hash IS NOT NULL ORDER BY email LIMIT 1",
        )
        .bind(user.org_id.to_string())
        .fetch_optional(&mut *conn)
        .await
        .unwrap()?;
        (user, admin)
    };
    if user.org_kind == OrgKind::Platform {
        return None;
    }
    let tenant = if user.org_kind == OrgKind::Brand {
        TenantId::of_brand(user.org_id)
    } else {
        let mut conn = app.db.reader().acquire().await.unwrap();
        portico::db::partnerships::brands_of_partner(&mut conn, user.org_id)
            .await
            .unwrap()
            .into_iter()
            .find(|b| b.status == PartnershipStatus::Active)?
            .tenant_id
    };
    let state = app.fixture_state();
    let admin_actor = portico::service::demo_orders::actor(state, &admin, tenant)
        .await
        .unwrap();
    let role = if user.org_kind == OrgKind::Brand {
        "ops"
    } else {
        "member"
    };
    let created = create(
        state,
        &admin_actor,
        &ClientInput {
            name: format!("harness {}", actor.email),
            role: role.to_owned(),
            scopes: ALL_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
        },
    )
    .await
    .unwrap();
    Some(token(app, &created.client.id, &created.secret).await)
}

/// (method, path pattern, body) of every API route that names an object.
fn routes() -> Vec<(&'static str, &'static str, Value)> {
    let lines = json!([{ "line_no": 1, "quantity": "1", "lots": "" }]);
    vec![
        ("GET", "/api/v1/orders/{id}", Value::Null),
        ("GET", "/api/v1/orders/{id}/evidence", Value::Null),
        (
            "POST",
            "/api/v1/orders/{id}/decisions",
            json!({ "order_version": 2, "decisions": [{ "line_no": 1, "action": "accept" }] }),
        ),
        (
            "POST",
            "/api/v1/orders/{id}/progress",
            json!({ "order_version": 2, "milestone": "materials_kitted", "note": "leak" }),
        ),
        (
            "POST",
            "/api/v1/orders/{id}/asns",
            json!({ "order_version": 0, "warehouse": "{warehouse}", "carrier": "X",
                    "tracking": "LEAK1", "ship_date": "2027-06-01", "eta": "2027-06-20",
                    "cartons": 1, "lines": lines }),
        ),
        (
            "POST",
            "/api/v1/orders/{id}/invoices",
            json!({ "number": "LEAK-1", "invoice_date": "2027-06-21", "due_date": "2027-08-31",
                    "lines": [{ "line_no": 1, "quantity": "1" }] }),
        ),
        (
            "POST",
            "/api/v1/asns/{asn}/receipts",
            json!({ "lines": [{ "line_no": 1, "received": "1" }] }),
        ),
    ]
}

#[tokio::test]
async fn no_api_client_reaches_another_brands_or_partners_orders_or_shipments() {
    let app = TestApp::spawn().await;
    let foreign = foreign_objects(&app).await;
    let warehouse = app.org_id("Harbor Logistics").await.to_string();
    let mut failures = Vec::new();
    let mut checked = 0;
    for actor in actors(&app, &foreign).await {
        let Some(bearer) = token_for(&app, &actor).await else {
            continue;
        };
        for (method, pattern, body) in routes() {
            let ids = if pattern.contains("{asn}") {
                &actor.foreign_asns
            } else {
                &actor.foreign_orders
            };
            for id in ids {
                let path = pattern.replace("{id}", id).replace("{asn}", id);
                let body: Value =
                    serde_json::from_str(&body.to_string().replace("{warehouse}", &warehouse))
                        .unwrap();
                let before = fingerprint(&app).await;
                let answer = if method == "GET" {
                    api::get(&app, &bearer, &path).await
                } else {
                    api::post(&app, &bearer, &path, None, &body).await
                };
                checked += 1;
                if answer.status != 404 {
                    failures.push(format!(
                        "{} {method} {path}: {} instead of 404 ({})",
                        actor.email, answer.status, answer.body
                    ));
                }
                if fingerprint(&app).await != before {
                    failures.push(format!(
                        "{} {method} {path}: the database changed",
                        actor.email
                    ));
                }
            }
        }
        let list = api::get(&app, &bearer, "/api/v1/orders?view=all").await;
        if list.status == 200 {
            let text = list.body.to_string();
            for foreign_text in &actor.foreign_text {
                if text.contains(foreign_text) {
                    failures.push(format!(
                        "{}: the order list shows {foreign_text}",
                        actor.email
                    ));
                }
            }
        }
    }
    assert!(
        checked > 20,
        "the harness aimed at foreign objects ({checked} requests)"
    );
    assert!(
        failures.is_empty(),
        "API isolation broken:\n{}",
        failures.join("\n")
    );
}

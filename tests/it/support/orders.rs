//! Making purchase orders in tests through the real use cases.

use portico::auth::actor::Actor;
use portico::domain::ids::{OrderId, TenantId};
use portico::service::demo_orders;
use portico::service::orders::create::{self, DraftInput, LineInput};
use portico::service::orders::decide::{self, Seen};

use super::TestApp;

pub async fn actor(app: &TestApp, email: &str, brand: &str) -> Actor {
    let tenant = TenantId::of_brand(app.org_id(brand).await);
    demo_orders::actor(app.state(), email, tenant)
        .await
        .expect("actor")
}

pub fn lines(n: usize) -> Vec<LineInput> {
    (1..=n)
        .map(|i| LineInput {
            sku: format!("SKU-{i}"),
            description: format!("Article {i}"),
            hs_code: "610910".into(),
            quantity: (100 * i).to_string(),
            unit: "pcs".into(),
            unit_price: "2.50".into(),
            delivery_date: String::new(),
        })
        .collect()
}

/// A draft by `buyer` of `brand` with `partner` (and optionally a warehouse), issued if asked.
pub async fn order(
    app: &TestApp,
    buyer: &str,
    brand: &str,
    po: &str,
    partner: &str,
    ship_to: Option<&str>,
    issue: bool,
) -> OrderId {
    let actor = actor(app, buyer, brand).await;
    let input = DraftInput {
        submission: String::new(),
        po_number: po.into(),
        partner: app.org_id(partner).await.to_string(),
        ship_to: match ship_to {
            Some(name) => app.org_id(name).await.to_string(),
            None => String::new(),
        },
        currency: "USD".into(),
        incoterms: "FOB".into(),
        payment_terms: "Net 60".into(),
        requested_delivery: "2027-06-30".into(),
        lines: lines(3),
    };
    let id = create::create_draft(app.state(), &actor, &input)
        .await
        .expect("draft");
    if issue {
        let tenant = actor.scope.as_ref().unwrap().tenant_id;
        let version = demo_orders::version(app.state(), tenant, id).await.unwrap();
        let seen = Seen {
            order: id,
            version,
            submission: portico::auth::tokens::new_token(),
        };
        decide::issue(app.state(), &actor, &seen)
            .await
            .expect("issue");
    }
    id
}

/// Submits a form on an order page and follows back to the page.
pub async fn decide(
    client: &super::TestClient,
    page: &super::Page,
    selector: &str,
    values: &[(&str, &str)],
) -> super::Page {
    let response = client.submit(page, selector, values).await;
    assert_eq!(response.status, 303, "{}", response.body);
    client.follow(&response).await
}

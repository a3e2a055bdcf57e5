//! The orders (and their files, ASNs, invoices, samples, inspections and components) that the
//! isolation harness aims at, made through the real use cases.

use std::collections::HashMap;

use crate::support::TestApp;

/// Orders each actor must not reach: another brand's, another partner's, a draft.
pub struct ForeignOrders {
    /// Blue Harbor with Sunrise, issued.
    pub blue_sunrise: String,
    /// Acme with Delta, confirmed, with a photo; nothing shipped to Harbor Logistics.
    pub acme_delta: String,
    /// Acme with Sunrise, issued, shipped to Harbor Logistics.
    pub acme_sunrise: String,
    /// Acme's draft with Sunrise: the partner may not see it yet.
    pub acme_draft: String,
    /// (order, file) of a photo on the Blue Harbor order.
    pub blue_file: (String, String),
    /// (order, file) of a photo on Acme's order with Sunrise (shipped to Harbor Logistics by
    /// an ASN, which makes Harbor a party to it).
    pub acme_sunrise_file: (String, String),
    /// (order, file) of a photo on Acme's order with Delta.
    pub acme_delta_file: (String, String),
    /// ASNs to Harbor Logistics: on Blue Harbor's order, and on Acme's.
    pub blue_asn: String,
    pub acme_asn: String,
    /// Sunrise's invoices (after Harbor received both ASNs): to Blue Harbor, and to Acme.
    pub blue_invoice: String,
    pub acme_sunrise_invoice: String,
}

pub async fn foreign_orders(app: &TestApp) -> ForeignOrders {
    use crate::support::orders::{order, progress_with_photo};
    let id = |o: portico::domain::ids::OrderId| o.to_string();
    let blue = order(
        app,
        "ops@blueharbor.test",
        "Blue Harbor Home",
        "BH-FILE",
        "Sunrise Textiles",
        None,
        true,
    )
    .await;
    let blue_file = (
        blue.to_string(),
        progress_with_photo(app, "sales@sunrise.test", "Blue Harbor Home", blue).await,
    );
    let acme = order(
        app,
        "ops@acme.test",
        "Acme Apparel",
        "AC-FILE",
        "Sunrise Textiles",
        None,
        true,
    )
    .await;
    let acme_sunrise_file = (
        acme.to_string(),
        progress_with_photo(app, "sales@sunrise.test", "Acme Apparel", acme).await,
    );
    let blue_asn = crate::support::orders::asn_on(
        app,
        "sales@sunrise.test",
        "Blue Harbor Home",
        blue,
        "Harbor Logistics",
    )
    .await;
    let acme_asn = crate::support::orders::asn_on(
        app,
        "sales@sunrise.test",
        "Acme Apparel",
        acme,
        "Harbor Logistics",
    )
    .await;
    let acme_delta = order(
        app,
        "ops@acme.test",
        "Acme Apparel",
        "AC-DELTA",
        "Delta Garment Works",
        None,
        true,
    )
    .await;
    let acme_delta_file = (
        acme_delta.to_string(),
        progress_with_photo(app, "planner@delta.test", "Acme Apparel", acme_delta).await,
    );
    let blue_invoice = crate::support::orders::invoice_on(
        app,
        "sales@sunrise.test",
        "Blue Harbor Home",
        blue,
        &blue_asn,
        "BH-INV-1",
    )
    .await;
    let acme_sunrise_invoice = crate::support::orders::invoice_on(
        app,
        "sales@sunrise.test",
        "Acme Apparel",
        acme,
        &acme_asn,
        "AC-INV-1",
    )
    .await;
    ForeignOrders {
        blue_file,
        acme_sunrise_file,
        blue_asn,
        acme_asn,
        blue_invoice,
        acme_sunrise_invoice,
        blue_sunrise: id(order(
            app,
            "ops@blueharbor.test",
            "Blue Harbor Home",
            "BH-1",
            "Sunrise Textiles",
            None,
            true,
        )
        .await),
        acme_delta: acme_delta_file.0.clone(),
        acme_delta_file,
        acme_sunrise: id(order(
            app,
            "ops@acme.test",
            "Acme Apparel",
            "AC-SUN",
            "Sunrise Textiles",
            Some("Harbor Logistics"),
            true,
        )
        .await),
        acme_draft: id(order(
            app,
            "ops@acme.test",
            "Acme Apparel",
            "AC-DRAFT",
            "Sunrise Textiles",
            None,
            false,
        )
        .await),
    }
}

/// What else lives on an order whose files are foreign to someone.
pub struct OnSameOrder {
    pub sample: String,
    pub component: String,
    /// A failed QC inspection (so a waiver would be possible for the order's own brand).
    pub inspection: String,
}

/// A first sample, a QC inspection and a component on each order whose files are foreign to
/// someone, keyed by that file (so each foreign (order, file) pair has its sample).
pub async fn on_same_orders(app: &TestApp) -> HashMap<String, OnSameOrder> {
    let mut samples = HashMap::new();
    let mut conn = app.db.reader().acquire().await.unwrap();
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT o.id, g.name, a.id, o.po_number FROM orders o JOIN orgs g ON g.id = o.tenant_id \
         JOIN attachments a ON a.order_id = o.id \
         WHERE o.po_number IN ('BH-FILE', 'AC-FILE', 'AC-DELTA')",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    drop(conn);
    for (order, brand, file, po) in rows {
        let partner = if po == "AC-DELTA" {
            "planner@delta.test"
        } else {
            "sales@sunrise.test"
        };
        let id =
            crate::support::orders::sample_on(app, partner, &brand, order.parse().unwrap()).await;
        let inspection =
            crate::support::orders::qc_on(app, partner, &brand, order.parse().unwrap(), false)
                .await;
        let component =
            crate::support::orders::component_on(app, partner, &brand, order.parse().unwrap())
                .await;
        samples.insert(
            file,
            OnSameOrder {
                sample: id,
                component,
                inspection,
            },
        );
    }
    samples
}

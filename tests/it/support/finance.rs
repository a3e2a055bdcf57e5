//! Financing set-ups through the real use cases: Acme's program with Jade Capital, and invoices
//! Acme accepted.

use portico::domain::finance::program::TermsInput;
use portico::domain::ids::OrderId;
use portico::service::demo_orders;
use portico::service::finance_programs::{self, ProgramInput};
use portico::service::invoices::acceptance;
use portico::service::orders::decide::{self, Seen};

use super::TestApp;
use super::orders::{actor, asn_on, invoice_on, order};

/// Acme's program with Jade: 90 % advance, 6 % a year discount on ACT/360, a year's tenor,
/// limits of 1,000,000 per supplier and 5,000,000 in all, the default evidence, a second
/// financier approval above `second_above` whole dollars. Sunrise is eligible and joined (with
/// auto-financing if asked). Returns the program's id.
pub async fn program(app: &TestApp, name: &str, second_above: &str, auto: bool) -> String {
    let admin = actor(app, "admin@acme.test", "Acme Apparel").await;
    let input = ProgramInput {
        name: name.into(),
        financier: app.org_id("Jade Capital").await.to_string(),
        active: true,
        terms: TermsInput {
            currency: "USD".into(),
            advance_pct: "90".into(),
            pricing: "discount".into(),
            rate_pct: "6".into(),
            day_count: "act360".into(),
            max_tenor_days: "365".into(),
            supplier_limit: "1000000".into(),
            total_limit: "5000000".into(),
            evidence: vec![
                "order_confirmed".into(),
                "goods_received".into(),
                "buyer_accepted".into(),
            ],
            invoice_confirmed: false,
            disbursement_second_above: second_above.into(),
        },
    };
    let id = finance_programs::save(app.fixture_state(), &admin, None, &input)
        .await
        .expect("program");
    let sunrise = app.org_id("Sunrise Textiles").await.to_string();
    finance_programs::set_suppliers(app.fixture_state(), &admin, &id, &[sunrise])
        .await
        .expect("suppliers");
    let sales = actor(app, "sales@sunrise.test", "Acme Apparel").await;
    finance_programs::opt_in(app.fixture_state(), &sales, &id, true, auto)
        .await
        .expect("opt in");
    id
}

/// An Acme order to Sunrise (3 lines at 2.50: 1,500.00 USD), confirmed, shipped to Harbor,
/// received in full and invoiced as `number` (due 2027-05-31). Accepted by Acme finance if asked.
/// Returns the order and the invoice.
pub async fn invoice(app: &TestApp, po: &str, number: &str, accept: bool) -> (OrderId, String) {
    let id = order(
        app,
        "ops@acme.test",
        "Acme Apparel",
        po,
        "Sunrise Textiles",
        None,
        true,
    )
    .await;
    let sales = actor(app, "sales@sunrise.test", "Acme Apparel").await;
    let tenant = sales.scope.as_ref().unwrap().tenant_id;
    let version = demo_orders::version(app.fixture_state(), tenant, id)
        .await
        .unwrap();
    let seen = Seen {
        order: id,
        version,
        submission: portico::auth::tokens::new_token(),
    };
    decide::accept_all(app.fixture_state(), &sales, &seen)
        .await
        .expect("accept all");
    let asn = asn_on(
        app,
        "sales@sunrise.test",
        "Acme Apparel",
        id,
        "Harbor Logistics",
    )
    .await;
    let invoice = invoice_on(app, "sales@sunrise.test", "Acme Apparel", id, &asn, number).await;
    if accept {
        let finance = actor(app, "finance@acme.test", "Acme Apparel").await;
        acceptance::accept(app.fixture_state(), &finance, &invoice)
            .await
            .expect("accept");
    }
    (id, invoice)
}

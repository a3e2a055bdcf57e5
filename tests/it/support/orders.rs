//! Making purchase orders in tests through the real use cases.

use portico::auth::actor::Actor;
use portico::domain::ids::{OrderId, TenantId};
use portico::service::demo_orders;
use portico::service::orders::create::{self, DraftInput, LineInput};
use portico::service::orders::decide::{self, Seen};

use super::TestApp;

pub async fn actor(app: &TestApp, email: &str, brand: &str) -> Actor {
    let tenant = TenantId::of_brand(app.org_id(brand).await);
    demo_orders::actor(app.fixture_state(), email, tenant)
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
    let id = create::create_draft(app.fixture_state(), &actor, &input)
        .await
        .expect("draft");
    if issue {
        let tenant = actor.scope.as_ref().unwrap().tenant_id;
        let version = demo_orders::version(app.fixture_state(), tenant, id)
            .await
            .unwrap();
        let seen = Seen {
            order: id,
            version,
            submission: portico::auth::tokens::new_token(),
        };
        decide::issue(app.fixture_state(), &actor, &seen)
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

/// A small real PNG (a gradient), as a phone would send a photo.
pub fn png(seed: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(48, 32, |x, y| image::Rgb([x as u8 * 5, y as u8 * 7, seed]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// The partner accepts every line and posts progress with one photo; returns the file's id.
pub async fn progress_with_photo(
    app: &TestApp,
    partner_email: &str,
    brand: &str,
    order: OrderId,
) -> String {
    use portico::service::orders::progress::{self, ProgressInput, Upload};
    let partner = actor(app, partner_email, brand).await;
    let tenant = partner.scope.as_ref().unwrap().tenant_id;
    let version = demo_orders::version(app.fixture_state(), tenant, order)
        .await
        .unwrap();
    let seen = Seen {
        order,
        version,
        submission: portico::auth::tokens::new_token(),
    };
    decide::accept_all(app.fixture_state(), &partner, &seen)
        .await
        .expect("accept all");
    let seen = Seen {
        order,
        version: 0,
        submission: portico::auth::tokens::new_token(),
    };
    let input = ProgressInput {
        milestone: "materials_kitted".into(),
        ..Default::default()
    };
    let upload = Upload {
        name: "line.png".into(),
        bytes: png(1),
    };
    progress::post_progress(app.fixture_state(), &partner, &seen, &input, vec![upload])
        .await
        .expect("progress");
    let mut conn = app.db.reader().acquire().await.unwrap();
    sqlx::query_scalar("SELECT id FROM attachments WHERE order_id = $1")
        .bind(order.to_string())
        .fetch_one(&mut *conn)
        .await
        .unwrap()
}

/// The partner submits a first sample with one photo; returns the sample's id.
pub async fn sample_on(app: &TestApp, partner_email: &str, brand: &str, order: OrderId) -> String {
    use portico::service::orders::samples::{self, SampleInput};
    let partner = actor(app, partner_email, brand).await;
    let seen = Seen {
        order,
        version: 0,
        submission: portico::auth::tokens::new_token(),
    };
    let input = SampleInput {
        measurements: "chest 52 cm".into(),
        note: String::new(),
    };
    let photo = portico::service::orders::files::Upload {
        name: "first-sample.png".into(),
        bytes: png(2),
    };
    samples::submit(app.fixture_state(), &partner, &seen, &input, vec![photo])
        .await
        .expect("sample");
    let mut conn = app.db.reader().acquire().await.unwrap();
    sqlx::query_scalar("SELECT id FROM samples WHERE order_id = $1")
        .bind(order.to_string())
        .fetch_one(&mut *conn)
        .await
        .unwrap()
}

/// The partner ships every line of an accepted order to `warehouse`; returns the ASN's id.
pub async fn asn_on(
    app: &TestApp,
    partner_email: &str,
    brand: &str,
    order: OrderId,
    warehouse: &str,
) -> String {
    use portico::service::orders::shipping::{self, AsnInput};
    let partner = actor(app, partner_email, brand).await;
    let tenant = partner.scope.as_ref().unwrap().tenant_id;
    let lines = {
        let mut conn = app.db.reader().acquire().await.unwrap();
        portico::db::order_lines::of_order(&mut conn, tenant, order)
            .await
            .unwrap()
    };
    let input = AsnInput {
        warehouse: app.org_id(warehouse).await.to_string(),
        carrier: "Maersk".into(),
        tracking: "MSKU1234567".into(),
        ship_date: "2027-06-01".into(),
        eta: "2027-06-20".into(),
        cartons: "12".into(),
        lines: lines
            .iter()
            .map(|l| (l.line_no, l.quantity.clone(), "LOT-A".into()))
            .collect(),
    };
    let seen = Seen {
        order,
        version: 0,
        submission: portico::auth::tokens::new_token(),
    };
    shipping::create_asn(app.fixture_state(), &partner, &seen, &input)
        .await
        .expect("asn");
    let mut conn = app.db.reader().acquire().await.unwrap();
    sqlx::query_scalar("SELECT id FROM asns WHERE order_id = $1 ORDER BY created_at DESC LIMIT 1")
        .bind(order.to_string())
        .fetch_one(&mut *conn)
        .await
        .unwrap()
}

/// The partner records a QC inspection (passed or failed) without photos; returns its id.
pub async fn qc_on(
    app: &TestApp,
    partner_email: &str,
    brand: &str,
    order: OrderId,
    pass: bool,
) -> String {
    use portico::service::orders::qc::{self, QcInput};
    let partner = actor(app, partner_email, brand).await;
    let seen = Seen {
        order,
        version: 0,
        submission: portico::auth::tokens::new_token(),
    };
    let input = QcInput {
        inspector: "Li Wei".into(),
        sample_size: "125".into(),
        aql: "2.5".into(),
        critical: "0".into(),
        major: if pass { "1" } else { "9" }.into(),
        minor: "4".into(),
        defects_note: "open seams".into(),
        result: if pass { "pass" } else { "fail" }.into(),
    };
    qc::record(app.fixture_state(), &partner, &seen, &input, Vec::new())
        .await
        .expect("qc");
    let mut conn = app.db.reader().acquire().await.unwrap();
    sqlx::query_scalar(
        "SELECT id FROM qc_inspections WHERE order_id = $1 ORDER BY recorded_at DESC, id DESC LIMIT 1",
    )
    .bind(order.to_string())
    .fetch_one(&mut *conn)
    .await
    .unwrap()
}

/// The partner lists a component on line 1 of the order; returns its id.
pub async fn component_on(
    app: &TestApp,
    partner_email: &str,
    brand: &str,
    order: OrderId,
) -> String {
    use portico::service::orders::kitting::{self, ComponentInput};
    let partner = actor(app, partner_email, brand).await;
    let seen = Seen {
        order,
        version: 0,
        submission: portico::auth::tokens::new_token(),
    };
    let input = ComponentInput {
        line: "1".into(),
        component: "Shell fabric".into(),
        qty_per_unit: "1.2".into(),
        unit: "m".into(),
        supplier: "Mill".into(),
    };
    kitting::add_component(app.fixture_state(), &partner, &seen, &input)
        .await
        .expect("component");
    let mut conn = app.db.reader().acquire().await.unwrap();
    sqlx::query_scalar("SELECT id FROM bom_components WHERE order_id = $1 ORDER BY id DESC LIMIT 1")
        .bind(order.to_string())
        .fetch_one(&mut *conn)
        .await
        .unwrap()
}

/// Harbor Logistics receives the ASN in full, then the partner invoices every received line
/// (number `number`, dated 2027-03-01, due 2027-05-31); returns the invoice's id.
pub async fn invoice_on(
    app: &TestApp,
    partner_email: &str,
    brand: &str,
    order: OrderId,
    asn: &str,
    number: &str,
) -> String {
    use portico::service::invoices::{self, Created, InvoiceInput};
    use portico::service::orders::receiving::{self, ReceiptInput};
    let dock = actor(app, "dock@harborlog.test", brand).await;
    let tenant = dock.scope.as_ref().unwrap().tenant_id;
    let lines = {
        let mut conn = app.db.reader().acquire().await.unwrap();
        portico::db::shipping::lines(&mut conn, tenant, asn)
            .await
            .unwrap()
    };
    let receipt = ReceiptInput {
        lines: lines
            .iter()
            .map(|l| (l.line_no, l.quantity.clone(), String::new(), String::new()))
            .collect(),
    };
    let token = portico::auth::tokens::new_token();
    receiving::post_receipt(
        app.fixture_state(),
        &dock,
        asn,
        &token,
        &receipt,
        Vec::new(),
    )
    .await
    .expect("receipt");
    let partner = actor(app, partner_email, brand).await;
    let input = InvoiceInput {
        submission: portico::auth::tokens::new_token(),
        number: number.to_owned(),
        invoice_date: "2027-03-01".into(),
        due_date: "2027-05-31".into(),
        lines: lines
            .iter()
            .map(|l| (l.line_no, l.quantity.clone()))
            .collect(),
    };
    match invoices::create(app.fixture_state(), &partner, order, &input)
        .await
        .expect("invoice")
    {
        Created::Invoice(id) => id,
        Created::AlreadyApplied => panic!("a fresh submission"),
    }
}

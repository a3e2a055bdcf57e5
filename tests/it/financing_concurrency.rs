//! Financing under contention: many requests or approvals for one invoice have exactly one
//! effect, and a thousand invoices financed by twenty clients at once give a thousand
//! disbursements, each once.

use std::sync::Arc;

use portico::service::financing::offers::{self, OfferInput};
use portico::service::financing::settle::{self, Approved};
use portico::service::financing::{self, RequestInput};
use portico::service::invoices::acceptance;
use portico::service::invoices::{self, Created, InvoiceInput};
use tokio::sync::Mutex;

use crate::support::TestApp;
use crate::support::finance::{invoice, program};
use crate::support::orders::{actor, asn_on};

async fn count(app: &TestApp, sql: &str) -> i64 {
    let mut conn = app.fixture_state().db.reader().acquire().await.unwrap();
    sqlx::query_scalar(sql).fetch_one(&mut *conn).await.unwrap()
}

fn offer(app: &TestApp) -> OfferInput {
    OfferInput {
        value_date: portico::service::sla::scorecards::today(app.fixture_state()).to_string(),
        collection_account: "DE44 5001 0517 5407 3249 31".into(),
    }
}

#[tokio::test]
async fn twenty_concurrent_requests_or_disbursements_for_one_invoice_have_one_effect() {
    let app = TestApp::spawn().await;
    let program_id = program(&app, "Acme early pay", "", false).await;
    let (_, invoice_id) = invoice(&app, "FIN-C1", "SR-C-001", true).await;
    let sales = actor(&app, "sales@sunrise.test", "Acme Apparel").await;
    let ask = RequestInput {
        program: program_id,
        password: String::new(),
    };
    let requests = (0..20).map(|_| {
        let (state, sales, ask, invoice) = (
            app.fixture_state().clone(),
            sales.clone(),
            ask.clone(),
            invoice_id.clone(),
        );
        tokio::spawn(async move { financing::request(&state, &sales, &invoice, &ask).await })
    });
    let results = futures_util::future::join_all(requests).await;
    let opened: Vec<String> = results
        .into_iter()
        .filter_map(|r| r.unwrap().ok().map(|(id, _)| id))
        .collect();
    assert_eq!(opened.len(), 1, "exactly one request opens");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM financings").await, 1);
    let id = opened[0].clone();

    let analyst = actor(&app, "analyst@jade.test", "Acme Apparel").await;
    offers::offer(app.fixture_state(), &analyst, &id, &offer(&app))
        .await
        .unwrap();
    offers::accept(app.fixture_state(), &sales, &id, "")
        .await
        .unwrap();
    let approvals = (0..20).map(|_| {
        let (state, analyst, id) = (app.fixture_state().clone(), analyst.clone(), id.clone());
        tokio::spawn(async move { settle::approve(&state, &analyst, &id).await })
    });
    let done = futures_util::future::join_all(approvals)
        .await
        .into_iter()
        .filter(|r| matches!(r, Ok(Ok(Approved::Disbursed))))
        .count();
    assert_eq!(done, 1, "exactly one disbursement");
    let statements = "SELECT COUNT(*) FROM statements WHERE kind = 'po.financing_disbursed'";
    assert_eq!(count(&app, statements).await, 1);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM invoices WHERE state = 'financed'"
        )
        .await,
        1
    );
}

/// `orders` Acme orders to Sunrise of 50 lines of 1 pc each, received in full, each line
/// invoiced on its own and accepted: `orders × 50` accepted invoices.
async fn many_accepted_invoices(app: &TestApp, orders: usize) -> Vec<String> {
    use portico::service::orders::create::{self, DraftInput, LineInput};
    use portico::service::orders::decide::{self, Seen};
    use portico::service::orders::receiving::{self, ReceiptInput};
    let ops = actor(app, "ops@acme.test", "Acme Apparel").await;
    let sales = actor(app, "sales@sunrise.test", "Acme Apparel").await;
    let dock = actor(app, "dock@harborlog.test", "Acme Apparel").await;
    let finance = actor(app, "finance@acme.test", "Acme Apparel").await;
    let tenant = ops.scope.as_ref().unwrap().tenant_id;
    let state = app.fixture_state();
    let token = portico::auth::tokens::new_token;
    let mut ids = Vec::new();
    for o in 0..orders {
        let draft = DraftInput {
            po_number: format!("BULK-{o}"),
            partner: app.org_id("Sunrise Textiles").await.to_string(),
            currency: "USD".into(),
            incoterms: "FOB".into(),
            payment_terms: "Net 60".into(),
            requested_delivery: "2027-06-30".into(),
            lines: (1..=50)
                .map(|i| LineInput {
                    sku: format!("SKU-{i}"),
                    description: format!("Article {i}"),
                    hs_code: "610910".into(),
                    quantity: "1".into(),
                    unit: "pcs".into(),
                    unit_price: "2.50".into(),
                    delivery_date: String::new(),
                })
                .collect(),
            ..DraftInput::default()
        };
        let id = create::create_draft(state, &ops, &draft)
            .await
            .expect("draft");
        let version = || portico::service::demo_orders::version(state, tenant, id);
        let seen = |version| Seen {
            order: id,
            version,
            submission: token(),
        };
        decide::issue(state, &ops, &seen(version().await.unwrap()))
            .await
            .expect("issue");
        decide::accept_all(state, &sales, &seen(version().await.unwrap()))
            .await
            .expect("accept");
        let asn = asn_on(
            app,
            "sales@sunrise.test",
            "Acme Apparel",
            id,
            "Harbor Logistics",
        )
        .await;
        let receipt = ReceiptInput {
            lines: (1..=50)
                .map(|n| (n, "1".to_owned(), String::new(), String::new()))
                .collect(),
        };
        receiving::post_receipt(state, &dock, &asn, &token(), &receipt, Vec::new())
            .await
            .expect("receipt");
        for line in 1..=50 {
            let input = InvoiceInput {
                submission: token(),
                number: format!("BULK-{o}-L{line}"),
                invoice_date: "2027-03-01".into(),
                due_date: "2027-05-31".into(),
                lines: vec![(line, "1".into())],
            };
            let Ok(Created::Invoice(invoice)) = invoices::create(state, &sales, id, &input).await
            else {
                panic!("invoice {o}-{line}");
            };
            acceptance::accept(state, &finance, &invoice)
                .await
                .expect("accept");
            ids.push(invoice);
        }
    }
    ids
}

/// One client financing invoices off the shared queue until it is empty, as the supplier, the
/// analyst and the credit officer would, each step through the real use cases.
async fn finance_all(app: &TestApp, queue: Arc<Mutex<Vec<String>>>, program: String) -> usize {
    let state = app.fixture_state();
    let sales = actor(app, "sales@sunrise.test", "Acme Apparel").await;
    let analyst = actor(app, "analyst@jade.test", "Acme Apparel").await;
    let credit = actor(app, "credit@jade.test", "Acme Apparel").await;
    let ask = RequestInput {
        program,
        password: String::new(),
    };
    let mut disbursed = 0;
    let mut sales = sales;
    loop {
        let Some(invoice) = queue.lock().await.pop() else {
            return disbursed;
        };
        // Each request comes from a client that has just signed in (no password is due).
        sales.authenticated_at = portico::domain::time::UtcMillis::now();
        let (id, _) = financing::request(state, &sales, &invoice, &ask)
            .await
            .expect("request");
        offers::offer(state, &analyst, &id, &offer(app))
            .await
            .expect("offer");
        offers::accept(state, &sales, &id, "")
            .await
            .expect("accept");
        if settle::approve(state, &credit, &id).await.expect("approve") == Approved::Disbursed {
            disbursed += 1;
        }
    }
}

#[tokio::test]
async fn a_thousand_invoices_financed_by_twenty_clients_give_a_thousand_disbursements() {
    let app = Arc::new(TestApp::spawn().await);
    let program_id = program(&app, "Acme bulk", "", false).await;
    let started = std::time::Instant::now();
    let invoices = many_accepted_invoices(&app, 20).await;
    assert_eq!(invoices.len(), 1000);
    eprintln!("1,000 accepted invoices in {:?}", started.elapsed());
    // Interleaved across the orders, as independent suppliers' requests would arrive.
    let mut queue: Vec<String> = Vec::with_capacity(invoices.len());
    for line in 0..50 {
        queue.extend(invoices.iter().skip(line).step_by(50).cloned());
    }
    let queue = Arc::new(Mutex::new(queue));
    let started = std::time::Instant::now();
    let clients = (0..20).map(|_| {
        let (app, queue, program) = (app.clone(), queue.clone(), program_id.clone());
        tokio::spawn(async move { finance_all(&app, queue, program).await })
    });
    let disbursed: usize = futures_util::future::join_all(clients)
        .await
        .into_iter()
        .map(|r| r.expect("client"))
        .sum();
    assert_eq!(disbursed, 1000);
    eprintln!(
        "1,000 financed and disbursed by 20 clients in {:?}",
        started.elapsed()
    );
    let sql = "SELECT COUNT(*) FROM financings WHERE state = 'disbursed'";
    assert_eq!(count(&app, sql).await, 1000);
    let sql = "SELECT COUNT(*) FROM statements WHERE kind = 'po.financing_disbursed'";
    assert_eq!(count(&app, sql).await, 1000);
    let sql = "SELECT COUNT(*) FROM invoices WHERE state = 'financed'";
    assert_eq!(count(&app, sql).await, 1000);
    let sql = "SELECT COUNT(*) FROM receivables_registry WHERE financing_id IS NOT NULL";
    assert_eq!(count(&app, sql).await, 1000);
}

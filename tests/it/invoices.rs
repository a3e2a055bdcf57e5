//! Invoices against received orders: the supplier invoices what was received and not invoiced
//! yet; the platform-wide registry refuses the same receivable twice (audited, alerted) and
//! flags look-alikes; brand finance accepts (a signed statement; two users above the brand's
//! threshold) or disputes; the supplier withdraws, which frees the receivable.

use portico::domain::ids::OrderId;

use crate::support::orders::{asn_on, decide, order};
use crate::support::{Page, TestApp, TestClient};

/// An order to Sunrise (lines of 100, 200 and 300 pcs at 2.50), accepted, shipped to Harbor and
/// received with line 1 ten short; returns the order and Sunrise's client.
async fn received(app: &TestApp, po: &str) -> (OrderId, TestClient) {
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
    let sales = app.login("sales@sunrise.test").await;
    let page = sales.get(&format!("/orders/{id}")).await;
    decide(&sales, &page, "form.accept-all", &[]).await;
    let asn = asn_on(
        app,
        "sales@sunrise.test",
        "Acme Apparel",
        id,
        "Harbor Logistics",
    )
    .await;
    let dock = app.login("dock@harborlog.test").await;
    let mut form = reqwest::multipart::Form::new()
        .text("_csrf", dock.csrf().await)
        .text("submission", portico::auth::tokens::new_token());
    for (line, received, reason) in [(1, "90", "10 short"), (2, "200", ""), (3, "300", "")] {
        form = form
            .text("line_no", line.to_string())
            .text("received", received)
            .text("damaged", "")
            .text("reason", reason);
    }
    let posted = dock
        .send_multipart(&format!("/inbound/{asn}/receipt"), form)
        .await;
    assert_eq!(posted.status, 303, "{}", posted.body);
    (id, sales)
}

async fn send(sales: &TestClient, id: OrderId, fields: &[(&str, &str)]) -> Page {
    let form = sales.get(&format!("/orders/{id}/invoices/new")).await;
    assert_eq!(form.status, 200, "{}", form.body);
    sales.submit(&form, "form.invoice-form", fields).await
}

const DATES: [(&str, &str); 2] = [("invoice_date", "2027-03-01"), ("due_date", "2027-05-31")];

async fn count_audit(app: &TestApp, action: &str) -> i64 {
    let mut conn = app.fixture_state().db.reader().acquire().await.unwrap();
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1")
        .bind(action)
        .fetch_one(&mut *conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_supplier_invoices_what_was_received_and_brand_finance_accepts_it() {
    let app = TestApp::spawn().await;
    let (id, sales) = received(&app, "INV-A").await;
    let form = sales.get(&format!("/orders/{id}/invoices/new")).await;
    // The form offers what was received, not what was ordered.
    assert_eq!(
        form.attr("input[name='qty_1']", "value").as_deref(),
        Some("90")
    );
    assert_eq!(
        form.attr("input[name='qty_3']", "value").as_deref(),
        Some("300")
    );

    let sent = send(&sales, id, &[("number", "SR-2027-001"), DATES[0], DATES[1]]).await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let invoice = sales.follow(&sent).await;
    assert!(
        invoice
            .text(".flashes")
            .contains("sent to the buyer and registered")
    );
    assert_eq!(invoice.text("#invoice-state"), "Waiting for the buyer");
    // (90 + 200 + 300) × 2.50
    assert_eq!(invoice.text("#invoice-amount"), "1475.00 USD");
    let path = sent.location().unwrap();

    // Nothing is left to invoice.
    let again = sales.get(&format!("/orders/{id}/invoices/new")).await;
    assert!(again.has("#nothing-to-invoice"));

    // Acme finance sees it, with the order's other people, and accepts.
    let finance = app.login("finance@acme.test").await;
    let list = finance.get("/invoices").await;
    assert!(list.text(".invoices").contains("SR-2027-001"));
    assert!(list.text(".invoices").contains("Sunrise Textiles"));
    let page = finance.get(&path).await;
    let accepted = finance.submit(&page, "form.accept-form", &[]).await;
    let page = finance.follow(&accepted).await;
    assert!(
        page.text(".flashes").contains("Accepted"),
        "{}",
        page.text("main")
    );
    assert_eq!(page.text("#invoice-state"), "Accepted");
    assert!(!page.has("form.accept-form"), "decided once");

    // Both steps are signed statements in the order's evidence, and Sunrise is told.
    let bundle = finance.get(&format!("/orders/{id}/evidence.json")).await;
    assert!(bundle.body.contains("po.invoiced") && bundle.body.contains("po.invoice_accepted"));
    assert!(
        bundle
            .body
            .contains("owes 1475.00 USD to Sunrise Textiles on 2027-05-31")
    );
    let bell = sales.get("/notifications").await;
    assert!(
        bell.text(".notification-list")
            .contains("accepted your invoice")
    );
    assert_eq!(count_audit(&app, "invoice.accepted").await, 1);
    assert!(
        count_audit(&app, "invoice.viewed").await >= 2,
        "views are audited"
    );

    // The order page lists it for both sides, never for the warehouse (no amounts there).
    for client in [&finance, &sales] {
        let order_page = client.get(&format!("/orders/{id}")).await;
        assert!(
            order_page
                .text("#invoices")
                .contains("SR-2027-001 · 1475.00 USD")
        );
    }
    let dock = app.login("dock@harborlog.test").await;
    assert!(!dock.get(&format!("/orders/{id}")).await.has("#invoices"));

    // A withdrawn invoice stays accepted: the supplier cannot take it back.
    let gone = sales.post(&format!("{path}/cancel"), &[]).await;
    assert!(
        sales
            .follow(&gone)
            .await
            .text(".flash-error")
            .contains("cannot be withdrawn")
    );
}

#[tokio::test]
async fn an_invoice_above_what_was_received_or_with_bad_dates_is_refused_and_keeps_the_entries() {
    let app = TestApp::spawn().await;
    let (id, sales) = received(&app, "INV-B").await;
    let before = app.fingerprint().await;
    let over = send(
        &sales,
        id,
        &[("number", "SR-9"), ("qty_1", "91"), DATES[0], DATES[1]],
    )
    .await;
    assert_eq!(over.status, 422);
    assert!(
        over.text("#invoice-line-1")
            .contains("More than was received")
    );
    assert_eq!(
        over.attr("input[name='qty_1']", "value").as_deref(),
        Some("91")
    );
    let dates = send(
        &sales,
        id,
        &[
            ("number", "SR-9"),
            ("invoice_date", "2027-03-01"),
            ("due_date", "2027-02-01"),
        ],
    )
    .await;
    assert_eq!(dates.status, 422);
    assert!(
        dates
            .text("main")
            .contains("The due date must come after the invoice date.")
    );
    let garbled = send(
        &sales,
        id,
        &[
            ("number", "SR-9"),
            ("qty_2", "two hundred"),
            DATES[0],
            DATES[1],
        ],
    )
    .await;
    assert_eq!(garbled.status, 422);
    assert!(
        garbled
            .text("#invoice-line-2")
            .contains("Enter a number with at most 3 decimals.")
    );
    assert_eq!(
        garbled.attr("input[name='qty_2']", "value").as_deref(),
        Some("two hundred")
    );
    let none = send(&sales, id, &[("number", ""), DATES[0], DATES[1]]).await;
    assert_eq!(none.status, 422);
    assert_eq!(app.fingerprint().await, before);
    let mut conn = app.fixture_state().db.reader().acquire().await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM invoices")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(n, 0);

    // Only the order's supplier invoices it: the brand and the warehouse are refused.
    for email in ["ops@acme.test", "dock@harborlog.test"] {
        let other = app.login(email).await;
        assert_eq!(
            other
                .get(&format!("/orders/{id}/invoices/new"))
                .await
                .status,
            403,
            "{email}"
        );
    }
}

#[tokio::test]
async fn the_same_receivable_is_refused_a_second_time_and_a_look_alike_is_flagged() {
    let app = TestApp::spawn().await;
    let (id, sales) = received(&app, "INV-C").await;
    let half = [("qty_1", "40"), ("qty_2", ""), ("qty_3", "")];
    let mut fields = vec![("number", "SR-2027-0042")];
    fields.extend(half);
    fields.extend(DATES);
    assert_eq!(send(&sales, id, &fields).await.status, 303);

    // The same number typed differently, same amount and date: the same receivable.
    let mut fields = vec![("number", "sr 2027 42")];
    fields.extend(half);
    fields.extend(DATES);
    let twice = send(&sales, id, &fields).await;
    assert_eq!(twice.status, 422);
    assert!(twice.text("main").contains("already registered on Portico"));
    assert_eq!(count_audit(&app, "invoice.duplicate_refused").await, 1);
    let finance = app.login("finance@acme.test").await;
    let bell = finance.get("/notifications").await;
    assert!(
        bell.text(".notification-list")
            .contains("already registered receivable")
    );

    // A similar number with the same amount and date is accepted but flagged.
    let mut fields = vec![("number", "SR-2027-0043")];
    fields.extend(half);
    fields.extend(DATES);
    let similar = send(&sales, id, &fields).await;
    assert_eq!(similar.status, 303, "{}", similar.body);
    let page = finance.get(&similar.location().unwrap()).await;
    assert!(page.has("#look-alike"));
    let list = finance.get("/invoices").await;
    assert!(list.text(".invoices").contains("Looks like another"));
}

#[tokio::test]
async fn above_the_threshold_a_second_finance_user_must_accept_and_a_dispute_needs_a_reason() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@acme.test").await;
    let settings = admin.get("/admin/settings").await;
    let saved = admin
        .submit(
            &settings,
            "form[action='/admin/settings']",
            &[
                ("production_requires_sample", "on"),
                ("invoice_second_acceptance_above", "1,000"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let (id, sales) = received(&app, "INV-D").await;
    let sent = send(&sales, id, &[("number", "SR-77"), DATES[0], DATES[1]]).await;
    let path = sent.location().unwrap();

    let finance = app.login("finance@acme.test").await;
    let page = finance.get(&path).await;
    let first = finance.submit(&page, "form.accept-form", &[]).await;
    let page = finance.follow(&first).await;
    assert_eq!(
        page.text("#invoice-state"),
        "Waiting for a second acceptance"
    );
    let again = finance.submit(&page, "form.accept-form", &[]).await;
    let page = finance.follow(&again).await;
    assert!(
        page.text(".flash-error")
            .contains("Another finance colleague")
    );
    assert_eq!(
        page.text("#invoice-state"),
        "Waiting for a second acceptance"
    );

    // The admin (also brand finance) gives the second acceptance.
    let page = admin.get(&path).await;
    let second = admin.submit(&page, "form.accept-form", &[]).await;
    assert_eq!(
        admin.follow(&second).await.text("#invoice-state"),
        "Accepted"
    );

    // A second invoice disputed: not without a reason; then withdrawn, which frees it.
    let (id, sales) = received(&app, "INV-E").await;
    let sent = send(&sales, id, &[("number", "SR-78"), DATES[0], DATES[1]]).await;
    let path = sent.location().unwrap();
    let page = finance.get(&path).await;
    let blank = finance
        .submit(&page, "form.dispute-form", &[("reason", " ")])
        .await;
    assert_eq!(
        finance.follow(&blank).await.text(".flash-error"),
        "This field is required."
    );
    assert_eq!(
        finance.get(&path).await.text("#invoice-state"),
        "Waiting for the buyer"
    );
    let disputed = finance
        .submit(
            &page,
            "form.dispute-form",
            &[("reason", "Prices differ from the contract")],
        )
        .await;
    let page = finance.follow(&disputed).await;
    assert_eq!(page.text("#invoice-state"), "Disputed");
    assert_eq!(
        page.text("#dispute-reason"),
        "Prices differ from the contract"
    );
    let page = sales.get(&path).await;
    let withdrawn = sales.submit(&page, "form.cancel-form", &[]).await;
    assert_eq!(
        sales.follow(&withdrawn).await.text("#invoice-state"),
        "Withdrawn"
    );
    let resent = send(&sales, id, &[("number", "SR-78"), DATES[0], DATES[1]]).await;
    assert_eq!(
        resent.status, 303,
        "the withdrawn receivable can be invoiced again"
    );
}

#[tokio::test]
async fn twenty_concurrent_invoices_for_the_same_goods_have_exactly_one_effect() {
    use portico::service::invoices::{Created, InvoiceInput, create};
    let app = TestApp::spawn().await;
    let (id, _) = received(&app, "INV-F").await;
    let sales = crate::support::orders::actor(&app, "sales@sunrise.test", "Acme Apparel").await;
    // Twenty invoices for all the received goods, half with one number (the same receivable),
    // half with numbers of their own (different receivables, same goods).
    let attempts = (0..20).map(|n| {
        let (state, sales) = (app.fixture_state().clone(), sales.clone());
        tokio::spawn(async move {
            let input = InvoiceInput {
                submission: portico::auth::tokens::new_token(),
                number: if n % 2 == 0 {
                    "SR-1".into()
                } else {
                    format!("SR-{n}")
                },
                invoice_date: "2027-03-01".into(),
                due_date: "2027-05-31".into(),
                lines: vec![(1, "90".into()), (2, "200".into()), (3, "300".into())],
            };
            create(&state, &sales, id, &input).await
        })
    });
    let results = futures_util::future::join_all(attempts).await;
    let created = results
        .into_iter()
        .filter(|r| matches!(r, Ok(Ok(Created::Invoice(_)))))
        .count();
    assert_eq!(created, 1);
    let mut conn = app.fixture_state().db.reader().acquire().await.unwrap();
    let (invoices, registered): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM invoices), (SELECT COUNT(*) FROM receivables_registry)",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    assert_eq!((invoices, registered), (1, 1));
}

#[tokio::test]
async fn brand_finance_has_three_business_days_to_decide_an_invoice() {
    use portico::domain::time::UtcMillis;
    let app = TestApp::spawn().await;
    let (id, sales) = received(&app, "INV-G").await;
    // Monday 1 March 2027, 10:00 UTC, on the brand's office calendar (UTC, Mon-Fri 09-17).
    let monday_10 = 1_803_895_200_000;
    app.fixture_state().clock.jump_to(UtcMillis(monday_10));
    let sent = send(&sales, id, &[("number", "SR-90"), DATES[0], DATES[1]]).await;
    let clock = |app: &TestApp| {
        let db = app.fixture_state().db.clone();
        async move {
            let mut conn = db.reader().acquire().await.unwrap();
            sqlx::query_as::<_, (String, i64, Option<String>, String)>(
                "SELECT t.state, t.deadline_at, t.outcome, g.name FROM sla_timers t \
                 JOIN orgs g ON g.id = t.partner_org_id WHERE t.kind = 'invoice_acceptance'",
            )
            .fetch_one(&mut *conn)
            .await
            .unwrap()
        }
    };
    let (state, deadline, _, partner) = clock(&app).await;
    assert_eq!(
        (state.as_str(), partner.as_str()),
        ("running", "Sunrise Textiles")
    );
    // Three working days from Monday 10:00: Thursday 10:00.
    assert!(
        (deadline - (monday_10 + 72 * 3_600_000)).abs() < 5_000,
        "{deadline}"
    );

    let finance = app.login("finance@acme.test").await;
    let page = finance.get(&sent.location().unwrap()).await;
    finance.submit(&page, "form.accept-form", &[]).await;
    let (state, _, outcome, _) = clock(&app).await;
    assert_eq!(
        (state.as_str(), outcome.as_deref()),
        ("stopped", Some("met"))
    );
}

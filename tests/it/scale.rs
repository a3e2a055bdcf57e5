//! `seed-demo --scale`: a small generated data set, loaded by the bulk loader, renders on every
//! page a benchmark loads, for the users the generator names; its statements verify and (on
//! SQLite, where the load skips the check) its foreign keys hold.

use portico::domain::time::UtcMillis;
use portico::service::scale::{self, Logins, Options};

use crate::support::api;
use crate::support::{DEMO_PASSWORD, Options as AppOptions, TestApp, TestClient};

/// Monday 2 November 2026, 10:00 UTC: the data set is a pure function of the seed and this day.
const TODAY: i64 = 1_793_613_600_000;

async fn generated(orders: u64) -> (TestApp, Logins) {
    let app = TestApp::spawn_with(AppOptions {
        demo: false,
        ..AppOptions::default()
    })
    .await;
    app.state().clock.jump_to(UtcMillis(TODAY));
    let opts = Options {
        orders,
        seed: 7,
        force: false,
        batch: 128,
        threads: 2,
        password: DEMO_PASSWORD.into(),
    };
    let mut seen = Vec::new();
    let report = scale::generate(app.state(), &opts, &mut |p| seen.push(p.orders))
        .await
        .expect("generated");
    assert_eq!(report.orders, orders);
    assert_eq!(seen.last(), Some(&orders), "progress reaches the total");
    (app, report.logins)
}

async fn one(app: &TestApp, sql: &str, binds: &[&str]) -> Option<String> {
    let mut query = sqlx::query_scalar::<_, String>(sql);
    for b in binds {
        query = query.bind(*b);
    }
    let mut conn = app.db.reader().acquire().await.expect("conn");
    query.fetch_optional(&mut *conn).await.expect("query")
}

async fn in_brand(app: &TestApp, email: &str, tenant: &str) -> TestClient {
    let client = app.login(email).await;
    let switched = client.post("/context/brand", &[("tenant", tenant)]).await;
    assert_eq!(switched.status, 303, "{email} serves the largest brand");
    client
}

#[tokio::test]
async fn the_pages_a_benchmark_loads_show_generated_orders_for_the_printed_users() {
    let (app, logins) = generated(400).await;
    let sample = logins.sample_order.clone().expect("a sample order");
    let tenant = logins.brand_tenant_id.as_str();

    // Brand ops: the order list and the sample order, whose every statement verifies.
    let ops = app.login(&logins.brand_ops.email).await;
    let list = ops.get("/orders?view=all").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("PO-"), "the brand's list shows orders");
    let page = ops.get(&format!("/orders/{}", sample.id)).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&sample.po_number));
    assert!(page.has(".verdict-ok"), "every statement verifies");
    assert!(!page.has(".verdict-bad"));

    // The supplier's inbox in the same brand, and the same order.
    let supplier = in_brand(&app, &logins.supplier.email, tenant).await;
    assert_eq!(
        supplier.get("/orders").await.status,
        200,
        "the inbox (what waits)"
    );
    let inbox = supplier.get("/orders?view=all").await;
    assert_eq!(inbox.status, 200);
    assert!(
        inbox.body.contains("PO-"),
        "the supplier's list shows orders"
    );
    let page = supplier.get(&format!("/orders/{}", sample.id)).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&sample.po_number));

    // The trace search term finds the sample order's lot, for the brand and the factory.
    let term = logins.trace_search.clone().expect("a trace search term");
    for client in [&ops, &supplier] {
        let found = client.get(&format!("/trace?q={term}")).await;
        // One hit opens its trace at once.
        assert_eq!(found.status, 303, "the search finds {term}");
        let trace = client.follow(&found).await;
        assert_eq!(trace.status, 200);
        assert!(trace.body.contains(&term), "the trace shows {term}");
        assert!(
            trace.body.contains(&sample.po_number),
            "and reaches the order"
        );
    }

    // The financier's queue in the brand lists its newest financing.
    let financier_org = logins.financier.org_id.as_str();
    let newest = one(
        &app,
        "SELECT o.po_number FROM financings f \
         JOIN invoices i ON i.tenant_id = f.tenant_id AND i.id = f.invoice_id \
         JOIN orders o ON o.tenant_id = i.tenant_id AND o.id = i.order_id \
         WHERE f.tenant_id = $1 AND f.financier_org_id = $2 \
         ORDER BY f.requested_at DESC, f.id DESC LIMIT 1",
        &[tenant, financier_org],
    )
    .await
    .expect("financings of the printed financier");
    let financier = in_brand(&app, &logins.financier.email, tenant).await;
    let queue = financier.get("/financings").await;
    assert_eq!(queue.status, 200);
    assert!(queue.body.contains(&newest), "the queue shows {newest}");

    // The SLA board of the brand with the soonest clock at risk shows that clock's order.
    let (at_risk, brand) = {
        let row = one(
            &app,
            "SELECT o.po_number || ' ' || t.tenant_id FROM sla_timers t \
             JOIN orders o ON o.tenant_id = t.tenant_id AND o.id = t.order_id \
             WHERE t.state <> 'stopped' AND t.warned_at IS NOT NULL \
             ORDER BY t.deadline_at, t.id LIMIT 1",
            &[],
        )
        .await
        .expect("clocks at risk");
        let (po, brand) = row.split_once(' ').expect("two parts");
        (po.to_owned(), brand.to_owned())
    };
    let email = one(
        &app,
        "SELECT email FROM users WHERE org_id = $1 AND role = 'ops'",
        &[&brand],
    )
    .await
    .expect("the brand's ops user");
    let board = app.login(&email).await.get("/sla").await;
    assert_eq!(board.status, 200);
    assert!(board.body.contains(&at_risk), "the board shows {at_risk}");

    // The API client lists the partner's orders.
    let c = &logins.api_client;
    let token = api::token(&app, &c.client_id, &c.client_secret).await;
    let orders = api::get(&app, &token, "/api/v1/orders").await;
    assert_eq!(orders.status, 200, "{}", orders.body);
    assert!(orders.body.to_string().contains("PO-"));
}

#[tokio::test]
async fn generated_rows_keep_every_foreign_key_and_a_second_run_is_refused() {
    let (app, _) = generated(150).await;
    if app.db.engine() == portico::db::Engine::Sqlite {
        let mut conn = app.db.reader().acquire().await.expect("conn");
        let broken: Vec<(String,)> =
            sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
                .fetch_all(&mut *conn)
                .await
                .expect("check");
        assert!(broken.is_empty(), "foreign keys broken in {broken:?}");
    }
    let again = Options {
        orders: 10,
        seed: 8,
        force: false,
        batch: 10,
        threads: 1,
        password: DEMO_PASSWORD.into(),
    };
    let refused = scale::generate(app.state(), &again, &mut |_| {}).await;
    let message = refused.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("already has"), "{message}");
}

//! Row-level security on PostgreSQL, the second wall behind the application's own tenant
//! filters: through the app's own pool, a query without the tenant setting sees nothing, a
//! wrong tenant sees and changes nothing, and the right one sees only its own rows. SQLite has
//! no row-level security; there these tests only say so.

use portico::db::scope::{self, Scope};
use portico::domain::ids::TenantId;
use portico::domain::trace::NodeKind;
use portico::service::ServiceError;
use portico::service::trace::complaints::{self, OpenInput};
use portico::service::trace::{holds, view};
use sqlx::AnyConnection;

use crate::support::trace_chain::{ACME, BLUE_HARBOR, delta, finished_lot, key, shared_lot, ship};
use crate::support::{Options, TestApp, as_actor, orders};

fn on_postgres() -> bool {
    let configured = std::env::var("PORTICO_TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty());
    if !configured {
        eprintln!("row-level security is PostgreSQL's: skipped on SQLite");
    }
    configured
}

/// Tables of both brands' data that the fixtures below fill.
const TENANT_TABLES: &[&str] = &[
    "orders",
    "order_lines",
    "statements",
    "partnerships",
    "audit_log",
    "events",
];

/// Two brands with one issued order each (Sunrise serves both).
async fn two_brands() -> (TestApp, TenantId, TenantId) {
    let app = TestApp::spawn_with(Options::default()).await;
    orders::order(
        &app,
        "ops@acme.test",
        "Acme Apparel",
        "PO-RLS-ACME",
        "Sunrise Textiles",
        None,
        true,
    )
    .await;
    orders::order(
        &app,
        "ops@blueharbor.test",
        "Blue Harbor Home",
        "PO-RLS-BLUE",
        "Sunrise Textiles",
        None,
        true,
    )
    .await;
    let acme = TenantId::of_brand(app.org_id("Acme Apparel").await);
    let blue = TenantId::of_brand(app.org_id("Blue Harbor Home").await);
    (app, acme, blue)
}

async fn count(conn: &mut AnyConnection, table: &str, tenant: Option<TenantId>) -> i64 {
    let sql = match tenant {
        Some(_) => format!("SELECT COUNT(*) FROM {table} WHERE tenant_id = $1"),
        None => format!("SELECT COUNT(*) FROM {table}"),
    };
    let mut query = sqlx::query_scalar(&sql);
    if let Some(tenant) = tenant {
        query = query.bind(tenant.to_string());
    }
    query.fetch_one(conn).await.expect("count")
}

/// The count the table owner (the test's own handle, not subject to the policies) sees.
async fn owner_count(app: &TestApp, table: &str, tenant: Option<TenantId>) -> i64 {
    let mut conn = app.db.reader().acquire().await.unwrap();
    count(&mut conn, table, tenant).await
}

fn refused_by_policy(result: Result<sqlx::any::AnyQueryResult, sqlx::Error>) -> bool {
    match result {
        Err(err) => err.to_string().contains("row-level security"),
        Ok(_) => false,
    }
}

#[tokio::test]
async fn the_apps_own_connections_run_as_a_role_row_level_security_applies_to() {
    if !on_postgres() {
        return;
    }
    let app = TestApp::spawn_with(Options::default()).await;
    let mut conn = app.state().db.reader().acquire().await.unwrap();
    let (user, superuser, bypass): (String, i64, i64) = sqlx::query_as(
        "SELECT CAST(current_user AS TEXT), CAST(rolsuper AS INTEGER), \
           CAST(rolbypassrls AS INTEGER) FROM pg_roles WHERE rolname = current_user",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    assert_eq!(user, "portico_app");
    assert_eq!(
        (superuser, bypass),
        (0, 0),
        "neither superuser nor BYPASSRLS"
    );
    let owner: String = sqlx::query_scalar(
        "SELECT CAST(tableowner AS TEXT) FROM pg_tables WHERE tablename = 'orders'",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    assert_ne!(owner, user, "the app's role does not own the tables");
}

#[tokio::test]
async fn every_tenant_table_has_row_level_security() {
    if !on_postgres() {
        return;
    }
    let app = TestApp::spawn_with(Options {
        demo: false,
        ..Options::default()
    })
    .await;
    let mut conn = app.db.reader().acquire().await.unwrap();
    let unguarded: Vec<String> = sqlx::query_scalar(
        "SELECT CAST(c.relname AS TEXT) FROM pg_class c \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' \
         WHERE n.nspname = current_schema() AND c.relkind = 'r' \
           AND (NOT c.relrowsecurity \
                OR NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid)) \
         ORDER BY 1",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    assert!(unguarded.is_empty(), "no policy on {unguarded:?}");
    let guarded: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = current_schema() AND c.relrowsecurity",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    assert!(guarded >= 40, "only {guarded} tables guarded");
}

#[tokio::test]
async fn without_the_tenant_setting_reads_return_nothing_and_writes_fail() {
    if !on_postgres() {
        return;
    }
    let (app, acme, _blue) = two_brands().await;
    // A task that set no scope, on the app's own pool.
    assert_eq!(scope::current(), Scope::Nothing);
    let mut conn = app.state().db.reader().acquire().await.unwrap();
    for table in TENANT_TABLES {
        assert!(owner_count(&app, table, None).await > 0, "{table} has rows");
        assert_eq!(
            count(&mut conn, table, None).await,
            0,
            "{table} looks empty"
        );
    }
    let insert = sqlx::query("INSERT INTO brand_settings (tenant_id, updated_at) VALUES ($1, 0)")
        .bind(acme.to_string())
        .execute(&mut *conn)
        .await;
    assert!(refused_by_policy(insert), "the insert is refused");
    let updated = sqlx::query("UPDATE orders SET updated_at = updated_at + 1")
        .execute(&mut *conn)
        .await
        .unwrap();
    assert_eq!(updated.rows_affected(), 0);
}

#[tokio::test]
async fn a_wrong_tenant_sees_nothing_of_another_and_cannot_change_it() {
    if !on_postgres() {
        return;
    }
    let (app, acme, blue) = two_brands().await;
    let acme_orders = owner_count(&app, "orders", Some(acme)).await;
    let acme_lines = owner_count(&app, "order_lines", Some(acme)).await;
    let db = app.state().db.clone();
    scope::in_tenant(blue, async {
        let mut conn = db.reader().acquire().await.unwrap();
        for table in TENANT_TABLES {
            assert_eq!(
                count(&mut conn, table, Some(acme)).await,
                0,
                "{table} of Acme"
            );
        }
        let insert =
            sqlx::query("INSERT INTO brand_settings (tenant_id, updated_at) VALUES ($1, 0)")
                .bind(acme.to_string())
                .execute(&mut *conn)
                .await;
        assert!(refused_by_policy(insert), "a row for Acme is refused");
        let updated = sqlx::query("UPDATE orders SET po_number = 'TAKEN' WHERE tenant_id = $1")
            .bind(acme.to_string())
            .execute(&mut *conn)
            .await
            .unwrap();
        assert_eq!(updated.rows_affected(), 0);
        let deleted = sqlx::query("DELETE FROM order_lines WHERE tenant_id = $1")
            .bind(acme.to_string())
            .execute(&mut *conn)
            .await
            .unwrap();
        assert_eq!(deleted.rows_affected(), 0);
        // The write transaction carries the scope as well.
        let mut tx = db.begin().await.unwrap();
        let moved = sqlx::query("UPDATE orders SET tenant_id = $1 WHERE tenant_id = $2")
            .bind(acme.to_string())
            .bind(blue.to_string())
            .execute(&mut *tx)
            .await;
        assert!(refused_by_policy(moved), "no row moves to Acme");
    })
    .await;
    assert_eq!(owner_count(&app, "orders", Some(acme)).await, acme_orders);
    assert_eq!(
        owner_count(&app, "order_lines", Some(acme)).await,
        acme_lines
    );
    let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE po_number = 'TAKEN'")
        .fetch_one(&mut *app.db.reader().acquire().await.unwrap())
        .await
        .unwrap();
    assert_eq!(taken, 0);
}

#[tokio::test]
async fn the_right_tenant_sees_its_own_rows_and_each_acquire_takes_the_tasks_scope() {
    if !on_postgres() {
        return;
    }
    let (app, acme, blue) = two_brands().await;
    let db = app.state().db.clone();
    for (mine, other) in [(acme, blue), (blue, acme), (acme, blue)] {
        // The pool hands the same connections out in turn; each acquire sets its task's scope.
        let (own, others, all) = scope::in_tenant(mine, async {
            let mut conn = db.reader().acquire().await.unwrap();
            (
                count(&mut conn, "orders", Some(mine)).await,
                count(&mut conn, "orders", Some(other)).await,
                count(&mut conn, "orders", None).await,
            )
        })
        .await;
        assert_eq!(own, owner_count(&app, "orders", Some(mine)).await);
        assert!(own > 0);
        assert_eq!((others, all), (0, own), "only its own orders");
    }
    let every = scope::system(async {
        let mut conn = db.reader().acquire().await.unwrap();
        count(&mut conn, "orders", None).await
    })
    .await;
    assert_eq!(every, owner_count(&app, "orders", None).await);
}

#[tokio::test]
async fn brand_pages_work_through_the_app_with_row_level_security_on() {
    let (app, acme, _blue) = two_brands().await;
    let ops = app.login("ops@acme.test").await;
    let list = ops.get("/orders?view=all").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("PO-RLS-ACME"));
    assert!(!list.body.contains("PO-RLS-BLUE"));

    // The partner serves both brands and sees each brand's order in that brand's context only.
    let sales = app.login("sales@sunrise.test").await;
    let blue = TenantId::of_brand(app.org_id("Blue Harbor Home").await).to_string();
    let acme = acme.to_string();
    for (tenant, shown, hidden) in [
        (blue.as_str(), "PO-RLS-BLUE", "PO-RLS-ACME"),
        (acme.as_str(), "PO-RLS-ACME", "PO-RLS-BLUE"),
    ] {
        let switched = sales
            .post("/context/brand", &[("tenant", tenant), ("next", "/orders")])
            .await;
        assert_eq!(switched.status, 303, "{}", switched.body);
        let inbox = sales.get("/orders?view=all").await;
        assert_eq!(inbox.status, 200);
        assert!(inbox.body.contains(shown), "{shown} in its brand");
        assert!(!inbox.body.contains(hidden), "{hidden} not in the other");
    }
}

/// The refusal on an ASN's lot field.
fn lot_refusal(result: Result<impl std::fmt::Debug, ServiceError>) -> &'static str {
    match result {
        Err(ServiceError::Invalid(errors)) => errors.get("lines.3.lots").unwrap_or("none"),
        other => panic!("expected a refusal on the lots of line 3: {other:?}"),
    }
}

#[tokio::test]
async fn a_factorys_lot_counts_what_every_brand_took_and_any_brands_hold() {
    // Delta's FL-ACME made 400 pcs; Acme's shipment took 300. Shipping to Blue Harbor, in whose
    // scope Acme's shipment is invisible, Delta still has only 100 left.
    let app = TestApp::spawn().await;
    let chain = shared_lot(&app).await;
    let over = ship(
        &app,
        BLUE_HARBOR,
        chain.blue_order,
        "MSKU-BLUE-10",
        &[(3, "150", "FL-ACME")],
    )
    .await;
    assert_eq!(lot_refusal(over), "trace.refused.more_than_left");

    // Acme holds what came of batch B-ACME, FL-ACME among it: it ships to nobody.
    let quality = orders::actor(&app, "quality@acme.test", ACME).await;
    let state = app.state();
    let input = OpenInput {
        subject_kind: "order".into(),
        subject_id: chain.acme_order.to_string(),
        description: "Seams open".into(),
    };
    let id = as_actor(
        &quality,
        complaints::open(state, &quality, &input, Vec::new()),
    )
    .await
    .unwrap();
    let root = ("batch", chain.batch_acme.as_str());
    as_actor(&quality, complaints::set_root(state, &quality, &id, root))
        .await
        .unwrap();
    as_actor(&quality, holds::place(state, &quality, &id))
        .await
        .unwrap();
    let held = ship(
        &app,
        BLUE_HARBOR,
        chain.blue_order,
        "MSKU-BLUE-10",
        &[(3, "100", "FL-ACME")],
    )
    .await;
    assert_eq!(lot_refusal(held), "trace.refused.on_hold");
    let factory = delta(&app, BLUE_HARBOR).await;
    let fl_acme = finished_lot(&app, "FL-ACME").await;
    let trace = as_actor(
        &factory,
        view::trace(state, &factory, (NodeKind::FinishedLot, &fl_acme)),
    )
    .await
    .unwrap();
    assert!(trace.nodes[&key(NodeKind::FinishedLot, fl_acme.as_str())].held);
}

#[tokio::test]
async fn the_cross_brand_trace_views_answer_in_any_scope_and_cannot_be_written_through() {
    if !on_postgres() {
        return;
    }
    let app = TestApp::spawn().await;
    shared_lot(&app).await;
    let brands_links = "SELECT COUNT(*) FROM {} WHERE tenant_id IS NOT NULL";
    let owner_sees: i64 = sqlx::query_scalar(&brands_links.replace("{}", "trace_edges"))
        .fetch_one(&mut *app.db.reader().acquire().await.unwrap())
        .await
        .unwrap();
    assert!(owner_sees > 0, "the shared lot reached brands' shipments");
    // A task that set no scope, on the app's own pool: the table hides every brand's links, the
    // view shows them all.
    assert_eq!(scope::current(), Scope::Nothing);
    let mut conn = app.state().db.reader().acquire().await.unwrap();
    let table: i64 = sqlx::query_scalar(&brands_links.replace("{}", "trace_edges"))
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    let view: i64 = sqlx::query_scalar(&brands_links.replace("{}", "trace_edges_all_brands"))
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!((table, view), (0, owner_sees));
    // Writing through a view would bypass the policies: the application may only read them.
    for write in [
        "DELETE FROM trace_edges_all_brands",
        "UPDATE trace_edges_all_brands SET quantity = '0'",
        "INSERT INTO trace_edges_all_brands (owner_org_id, from_kind, from_id, to_kind, to_id, \
           quantity, unit, tenant_id) SELECT owner_org_id, to_kind, to_id, from_kind, from_id, \
           quantity, unit, tenant_id FROM trace_edges_all_brands",
        "DELETE FROM finished_lots_held_by_any_brand",
    ] {
        let refused = sqlx::query(write).execute(&mut *conn).await;
        let message = refused.expect_err(write).to_string();
        assert!(message.contains("permission denied"), "{write}: {message}");
    }
}

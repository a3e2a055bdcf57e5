//! A request's reads share one connection. On SQLite it holds one read transaction, so a page
//! reads one snapshot while other requests commit (the view audit commits all the time), and
//! the request's own write ends the snapshot so what it reads afterwards includes that write.

use portico::db::request_reader::within_request;
use portico::db::{Db, Engine, scope};
use portico::domain::ids::OrderId;

use crate::support::{TestApp, orders};

async fn po_number(db: &Db, id: OrderId) -> String {
    let mut conn = db.read().await.unwrap();
    sqlx::query_scalar("SELECT po_number FROM orders WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await
        .unwrap()
}

async fn rename(db: &Db, id: OrderId, po: &str) {
    let mut tx = db.begin().await.unwrap();
    sqlx::query("UPDATE orders SET po_number = $1 WHERE id = $2")
        .bind(po)
        .bind(id)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn a_requests_reads_see_one_snapshot_until_the_request_writes() {
    let app = TestApp::spawn().await;
    let id = orders::order(
        &app,
        "ops@acme.test",
        "Acme Apparel",
        "PO-SNAP",
        "Sunrise Textiles",
        None,
        false,
    )
    .await;
    let db = app.state().db.clone();
    let sqlite = db.engine() == Engine::Sqlite;
    let request = within_request(async {
        assert_eq!(po_number(&db, id).await, "PO-SNAP");
        // Another request commits a change meanwhile.
        let other = db.clone();
        tokio::spawn(scope::system(async move {
            rename(&other, id, "PO-SNAP-OTHER").await
        }))
        .await
        .unwrap();
        // SQLite: still the snapshot the page started reading; PostgreSQL reads committed rows.
        let during = po_number(&db, id).await;
        assert_eq!(during, if sqlite { "PO-SNAP" } else { "PO-SNAP-OTHER" });
        // The request's own write ends its snapshot: its next reads include the write.
        rename(&db, id, "PO-SNAP-MINE").await;
        assert_eq!(po_number(&db, id).await, "PO-SNAP-MINE");
    });
    scope::system(request).await;
    assert_eq!(scope::system(po_number(&db, id)).await, "PO-SNAP-MINE");
}

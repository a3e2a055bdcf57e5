//! The trace walks on hand-built graphs: diamonds (one lot in several batches, one batch from
//! several lots), a cycle cut, the depth limit, quantities carried on each link, on the real
//! database (both engines).

use portico::db::trace::{self, NewLink};
use portico::domain::trace::{NodeKind, graph};

use crate::support::TestApp;

use NodeKind::*;

/// A link as the tests write it: (from, to, quantity).
type Link<'a> = ((NodeKind, &'a str), (NodeKind, &'a str), &'a str);

/// Records links owned by Delta (the factory) in one transaction.
async fn links(app: &TestApp, edges: &[Link<'_>]) {
    let owner = app.org_id("Delta Garment Works").await;
    let mut tx = app.db.begin().await.unwrap();
    for (from, to, qty) in edges {
        let link = NewLink {
            owner,
            from: *from,
            to: *to,
            quantity: qty,
            unit: "m",
            tenant: None,
            now: 0,
        };
        assert!(trace::insert_link(&mut tx, &link).await.unwrap());
    }
    tx.commit().await.unwrap();
}

fn id(kind: NodeKind, id: &str) -> (NodeKind, String) {
    (kind, id.to_owned())
}

#[tokio::test]
async fn walks_follow_diamonds_both_ways_and_carry_quantities() {
    let app = TestApp::spawn().await;
    // Fabric lot A feeds batches 1 and 2; batch 2 also takes lining lot B. Each batch yields a
    // finished lot, both packed into shipment S for order O; F2 also ships in T for order P.
    links(
        &app,
        &[
            ((MaterialLot, "A"), (Batch, "1"), "120"),
            ((MaterialLot, "A"), (Batch, "2"), "80"),
            ((MaterialLot, "B"), (Batch, "2"), "40"),
            ((Batch, "1"), (FinishedLot, "F1"), "400"),
            ((Batch, "2"), (FinishedLot, "F2"), "300"),
            ((FinishedLot, "F1"), (Shipment, "S"), "400"),
            ((FinishedLot, "F2"), (Shipment, "S"), "200"),
            ((FinishedLot, "F2"), (Shipment, "T"), "100"),
            ((Shipment, "S"), (Order, "O"), "600"),
            ((Shipment, "T"), (Order, "P"), "100"),
        ],
    )
    .await;
    let mut conn = app.db.reader().acquire().await.unwrap();

    // Forward from lot A (a recall): every batch, finished lot, shipment and order it reached.
    let rows = trace::forward(&mut conn, (MaterialLot, "A"), 6)
        .await
        .unwrap();
    let g = graph(id(MaterialLot, "A"), rows, false);
    for (node, depth) in [
        (id(Batch, "1"), 1),
        (id(Batch, "2"), 1),
        (id(FinishedLot, "F2"), 2),
        (id(Shipment, "S"), 3),
        (id(Order, "O"), 4),
        (id(Order, "P"), 4),
    ] {
        assert_eq!(g.nodes.get(&node), Some(&depth), "{node:?}");
    }
    assert!(!g.nodes.contains_key(&id(MaterialLot, "B")), "not upstream");
    let f2_to_t = g
        .links
        .iter()
        .find(|l| l.from == id(FinishedLot, "F2") && l.to == id(Shipment, "T"))
        .unwrap();
    assert_eq!(f2_to_t.quantity, "100");

    // Reverse from order O (a complaint): both shipments' lots, both batches, both material lots.
    let rows = trace::reverse(&mut conn, (Order, "O"), 6).await.unwrap();
    let g = graph(id(Order, "O"), rows, true);
    for (node, depth) in [
        (id(Batch, "1"), 3),
        (id(Batch, "2"), 3),
        (id(MaterialLot, "A"), 4),
        (id(MaterialLot, "B"), 4),
    ] {
        assert_eq!(g.nodes.get(&node), Some(&depth), "{node:?}");
    }
    assert!(!g.nodes.contains_key(&id(Order, "P")), "not downstream");
    assert!(!g.nodes.contains_key(&id(Shipment, "T")));
    assert_eq!(g.links.len(), 8);
}

#[tokio::test]
async fn a_cycle_is_cut_and_the_depth_limit_holds() {
    let app = TestApp::spawn().await;
    // A bad import links the order back to the lot it came from.
    links(
        &app,
        &[
            ((MaterialLot, "A"), (Batch, "1"), "10"),
            ((Batch, "1"), (FinishedLot, "F"), "10"),
            ((FinishedLot, "F"), (Shipment, "S"), "10"),
            ((Shipment, "S"), (Order, "O"), "10"),
            ((Order, "O"), (MaterialLot, "A"), "10"),
        ],
    )
    .await;
    let mut conn = app.db.reader().acquire().await.unwrap();
    let rows = trace::forward(&mut conn, (MaterialLot, "A"), 6)
        .await
        .unwrap();
    assert!(
        rows.len() <= 6,
        "the walk ends at the depth limit: {rows:?}"
    );
    let g = graph(id(MaterialLot, "A"), rows, false);
    assert_eq!(g.nodes.len(), 5, "each node once");
    assert_eq!(
        g.nodes[&id(MaterialLot, "A")],
        0,
        "the start stays the start"
    );
    assert_eq!(g.links.len(), 5);

    // Two links deep: the batch and the finished lot, nothing further.
    let rows = trace::forward(&mut conn, (MaterialLot, "A"), 2)
        .await
        .unwrap();
    let g = graph(id(MaterialLot, "A"), rows, false);
    assert_eq!(g.nodes.len(), 3);
    assert!(!g.nodes.contains_key(&id(Shipment, "S")));
    // The same link again is not recorded twice.
    let owner = app.org_id("Delta Garment Works").await;
    let mut tx = app.db.begin().await.unwrap();
    let again = NewLink {
        owner,
        from: (MaterialLot, "A"),
        to: (Batch, "1"),
        quantity: "10",
        unit: "m",
        tenant: None,
        now: 0,
    };
    assert!(!trace::insert_link(&mut tx, &again).await.unwrap());
}

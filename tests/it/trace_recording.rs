//! A factory records its chain: material lots as they arrive and batches with what they took
//! and yielded. A batch never takes more of a lot than is left (the form says which row), and
//! the records are traceable at once, forward from the lot and back from the finished lot.

use portico::domain::trace::{NodeKind, graph};
use portico::service::ServiceError;
use portico::service::trace::record::{BatchInput, LotInput, record_batch, record_material_lot};

use crate::support::orders::actor;
use crate::support::{TestApp, as_actor};

fn lot(code: &str, qty: &str) -> LotInput {
    LotInput {
        material: "Cotton jersey 180 g/m², navy".into(),
        supplier_name: "Sunrise Textiles".into(),
        supplier_lot_code: code.into(),
        received_qty: qty.into(),
        unit: "m".into(),
    }
}

fn batch(code: &str, inputs: &[(&str, &str)], finished: &str) -> BatchInput {
    BatchInput {
        code: code.into(),
        line: "Sewing line 3".into(),
        shift: "Early".into(),
        operator: "Li Wei".into(),
        started_at: "2026-11-20T06:00".into(),
        ended_at: "2026-11-20T14:00".into(),
        inputs: inputs
            .iter()
            .map(|(l, q)| ((*l).to_owned(), (*q).to_owned()))
            .collect(),
        finished_code: finished.into(),
        finished_qty: "400".into(),
        finished_unit: "pcs".into(),
    }
}

fn field_error(result: Result<String, ServiceError>, field: &str) -> &'static str {
    match result {
        Err(ServiceError::Invalid(errors)) => errors.get(field).unwrap_or("no error on that field"),
        other => panic!("expected a field error on {field}: {other:?}"),
    }
}

#[tokio::test]
async fn a_factory_records_lots_and_batches_that_balance_and_trace() {
    let app = TestApp::spawn().await;
    let state = app.state();
    let delta = actor(&app, "planner@delta.test", "Acme Apparel").await;
    let fabric = as_actor(
        &delta,
        record_material_lot(state, &delta, &lot("SR-L-0481", "200")),
    )
    .await
    .unwrap();
    // The same supplier lot code twice is refused on its field.
    let twice = as_actor(
        &delta,
        record_material_lot(state, &delta, &lot("SR-L-0481", "50")),
    )
    .await;
    assert_eq!(
        field_error(twice, "supplier_lot_code"),
        "trace.invalid.lot_taken"
    );
    let bad = as_actor(
        &delta,
        record_material_lot(state, &delta, &lot("SR-L-0482", "-3")),
    )
    .await;
    assert_eq!(
        field_error(bad, "received_qty"),
        "validation.quantity_positive"
    );

    let first = as_actor(
        &delta,
        record_batch(
            state,
            &delta,
            &batch("B-1", &[("SR-L-0481", "150")], "FL-1"),
        ),
    )
    .await
    .unwrap();
    // 50 m are left: a batch asking 60 (over two rows) is refused on the row that tips it.
    let over = batch("B-2", &[("SR-L-0481", "30"), ("SR-L-0481", "30")], "FL-2");
    assert_eq!(
        field_error(
            as_actor(&delta, record_batch(state, &delta, &over)).await,
            "inputs.1"
        ),
        "trace.refused.more_than_left"
    );
    let unknown = batch("B-2", &[("NO-SUCH-LOT", "1")], "FL-2");
    assert_eq!(
        field_error(
            as_actor(&delta, record_batch(state, &delta, &unknown)).await,
            "inputs.0"
        ),
        "trace.invalid.unknown_lot"
    );
    let mut backwards = batch("B-2", &[("SR-L-0481", "10")], "FL-2");
    backwards.ended_at = "2026-11-19T06:00".into();
    assert_eq!(
        field_error(
            as_actor(&delta, record_batch(state, &delta, &backwards)).await,
            "ended_at"
        ),
        "trace.invalid.ends_before_start"
    );
    let second = as_actor(
        &delta,
        record_batch(state, &delta, &batch("B-2", &[("SR-L-0481", "50")], "FL-2")),
    )
    .await
    .unwrap();

    // Forward from the fabric lot: both batches and both finished lots, with quantities.
    let mut conn = app.db.reader().acquire().await.unwrap();
    let rows = portico::db::trace::forward(&mut conn, (NodeKind::MaterialLot, &fabric), 6)
        .await
        .unwrap();
    let g = graph((NodeKind::MaterialLot, fabric.clone()), rows, false);
    assert_eq!(g.nodes.get(&(NodeKind::Batch, first.clone())), Some(&1));
    assert_eq!(g.nodes.get(&(NodeKind::Batch, second.clone())), Some(&1));
    assert_eq!(g.nodes.len(), 5);
    let taken: Vec<&str> = g
        .links
        .iter()
        .filter(|l| l.from.0 == NodeKind::MaterialLot)
        .map(|l| l.quantity.as_str())
        .collect();
    assert_eq!(taken, ["150", "50"]);

    // Sunrise's users cannot record in Delta's name; a warehouse cannot record at all.
    let dock = actor(&app, "dock@harborlog.test", "Acme Apparel").await;
    assert!(matches!(
        as_actor(&dock, record_material_lot(state, &dock, &lot("X-1", "1"))).await,
        Err(ServiceError::NotFound)
    ));
}

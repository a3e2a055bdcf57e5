//! Importing the chain: CSV files of lots then batches build the same chain the forms would; a
//! file with one bad row says which row and column and records nothing; and a chain exported as
//! EPCIS imports into another Portico with the same lots, batches, finished lots, quantities and
//! links.

use std::collections::BTreeSet;

use portico::auth::actor::Actor;
use portico::domain::ids::OrderId;
use portico::domain::trace::NodeKind::{self, *};
use portico::service::orders::import::ImportProblem;
use portico::service::trace::import::{TraceImport, import_file};
use portico::service::trace::record::{record_batch, record_material_lot};
use portico::service::trace::view;

use crate::support::trace_chain::{
    ACME, accepted_order, asn_by_tracking, batch, delta, finished_lot, key, lot, ship,
};
use crate::support::{TestApp, as_actor};

const LOTS: &str = "material,supplier_name,supplier_lot_code,received_qty,unit\n\
    Cotton jersey 180gsm,Sunrise Textiles,IMP-L1,1000,m\n\
    Rib trim,Sunrise Textiles,IMP-L2,500,m\n";

const BATCH_HEADER: &str = "batch_code,line,shift,operator,started_at,ended_at,lot_code,lot_qty,\
    finished_code,finished_qty,finished_unit\n";

/// IMP-B1 takes 400 of IMP-L1 and 100 of IMP-L2 (two rows) and yields IMP-F1; IMP-B2 takes 200
/// of IMP-L1, is still running, and yields IMP-F2.
fn batches() -> String {
    format!(
        "{BATCH_HEADER}\
         IMP-B1,Line 3,Night,Li Wei,2026-11-02T22:00,2026-11-03T06:00,IMP-L1,400,IMP-F1,300,pcs\n\
         IMP-B1,,,,,,IMP-L2,100,,,\n\
         IMP-B2,Line 4,Early,Ana Silva,2026-11-03T06:00,,IMP-L1,200,IMP-F2,200,pcs\n"
    )
}

fn recorded(outcome: TraceImport) -> (usize, usize) {
    match outcome {
        TraceImport::Recorded { lots, batches } => (lots, batches),
        TraceImport::Refused(errors) => panic!("refused: {:?}", errors.problems),
    }
}

fn refused(outcome: TraceImport) -> Vec<(usize, String, &'static str)> {
    match outcome {
        TraceImport::Recorded { lots, batches } => {
            panic!("recorded {lots} lots and {batches} batches from a bad file")
        }
        TraceImport::Refused(errors) => errors
            .problems
            .into_iter()
            .map(|ImportProblem { row, column, key }| (row, column, key))
            .collect(),
    }
}

async fn counts(app: &TestApp) -> (i64, i64, i64, i64) {
    let mut conn = app.db.reader().acquire().await.unwrap();
    let mut n = Vec::new();
    for table in [
        "material_lots",
        "production_batches",
        "finished_lots",
        "trace_edges",
    ] {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        n.push(
            sqlx::query_scalar::<_, i64>(&sql)
                .fetch_one(&mut *conn)
                .await
                .unwrap(),
        );
    }
    (n[0], n[1], n[2], n[3])
}

async fn lot_id(app: &TestApp, code: &str) -> String {
    let mut conn = app.db.reader().acquire().await.unwrap();
    sqlx::query_scalar("SELECT id FROM material_lots WHERE supplier_lot_code = $1")
        .bind(code)
        .fetch_one(&mut *conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn lots_then_batches_from_csv_make_a_chain_that_traces() {
    let app = TestApp::spawn().await;
    let factory = delta(&app, ACME).await;

    // The lots through the recording page, as a planner uploads them.
    let planner = app.login("planner@delta.test").await;
    let uploaded = planner
        .upload(
            "/trace/import",
            "file",
            "lots.csv",
            LOTS.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(uploaded.status, 303, "{}", uploaded.body);
    let page = planner.follow(&uploaded).await;
    assert!(page.has(".flash-success"), "{}", page.text("main"));
    assert_eq!(counts(&app).await, (2, 0, 0, 0));

    // The batches through the service, with a byte-order mark as spreadsheets write it.
    let mut file = b"\xEF\xBB\xBF".to_vec();
    file.extend_from_slice(batches().as_bytes());
    let outcome = as_actor(&factory, import_file(app.state(), &factory, &file))
        .await
        .unwrap();
    assert_eq!(recorded(outcome), (0, 2));

    // Forward from IMP-L1: both batches with what they took, and both finished lots.
    let l1 = lot_id(&app, "IMP-L1").await;
    let trace = as_actor(
        &factory,
        view::trace(app.state(), &factory, (MaterialLot, &l1)),
    )
    .await
    .unwrap();
    let shape = shape(&trace.forward.graph.links, &trace);
    let wanted: BTreeSet<_> = [
        ("material_lot IMP-L1", "batch IMP-B1", "400 m"),
        ("material_lot IMP-L1", "batch IMP-B2", "200 m"),
        ("batch IMP-B1", "finished_lot IMP-F1", "300 pcs"),
        ("batch IMP-B2", "finished_lot IMP-F2", "200 pcs"),
    ]
    .iter()
    .map(|(a, b, q)| (a.to_string(), b.to_string(), q.to_string()))
    .collect();
    assert_eq!(shape, wanted);
    // Back from IMP-F1: the batch and both of its lots, with the batch's facts.
    let f1 = finished_lot(&app, "IMP-F1").await;
    let back = as_actor(
        &factory,
        view::trace(app.state(), &factory, (FinishedLot, &f1)),
    )
    .await
    .unwrap();
    let lots: BTreeSet<_> = shape_of(&back, &back.reverse.graph.links)
        .into_iter()
        .filter(|(from, ..)| from.starts_with("material_lot"))
        .collect();
    assert_eq!(lots.len(), 2, "{lots:?}");
    let b1 = back
        .nodes
        .values()
        .find(|n| n.kind == Batch)
        .expect("the batch");
    assert!(
        b1.facts
            .iter()
            .any(|(k, v)| *k == "trace.fact.operator" && v == "Li Wei")
    );
    assert!(
        b1.facts
            .iter()
            .any(|(k, v)| *k == "trace.fact.shift" && v == "Night")
    );
}

#[tokio::test]
async fn a_file_with_one_bad_row_says_where_and_records_nothing() {
    let app = TestApp::spawn().await;
    let state = app.state();
    let factory = delta(&app, ACME).await;

    // A lot file whose third row has a negative quantity: neither good row is saved.
    let lots = format!("{LOTS}Zip tape,Zipco,IMP-L3,-5,m\n");
    let outcome = as_actor(&factory, import_file(state, &factory, lots.as_bytes()))
        .await
        .unwrap();
    assert_eq!(
        refused(outcome),
        [(4, "received_qty".to_owned(), "validation.quantity_positive")]
    );
    assert_eq!(counts(&app).await, (0, 0, 0, 0), "nothing recorded");

    as_actor(
        &factory,
        record_material_lot(state, &factory, &lot("IMP-L1", "1000")),
    )
    .await
    .unwrap();
    as_actor(
        &factory,
        record_material_lot(state, &factory, &lot("IMP-L2", "500")),
    )
    .await
    .unwrap();
    let before = counts(&app).await;
    assert_eq!(before, (2, 0, 0, 0));

    // Each file has good batches around one bad row; the report names the row and column.
    let good =
        "IMP-B1,Line 3,Night,Li Wei,2026-11-02T22:00,2026-11-03T06:00,IMP-L1,400,IMP-F1,300,pcs\n";
    let cases: [(&str, usize, &str, &str); 4] = [
        // IMP-L1 has 600 left after IMP-B1; IMP-B2 asks 700 on its second row.
        (
            "IMP-B2,Line 4,Early,Ana,2026-11-03T06:00,,IMP-L2,100,IMP-F2,200,pcs\n\
             IMP-B2,,,,,,IMP-L1,700,,,\n",
            4,
            "lot_code",
            "trace.refused.more_than_left",
        ),
        (
            "IMP-B2,Line 4,Early,Ana,2026-11-03T06:00,,IMP-L2,100,IMP-F2,200,pcs\n\
             IMP-B2,,,,,,NO-SUCH-LOT,10,,,\n",
            4,
            "lot_code",
            "trace.invalid.unknown_lot",
        ),
        (
            "IMP-B2,Line 4,Early,Ana,2026-13-45T06:00,,IMP-L2,100,IMP-F2,200,pcs\n",
            3,
            "started_at",
            "trace.invalid.time",
        ),
        (
            "IMP-B2,Line 4,Early,Ana,2026-11-03T06:00,2026-11-03T05:00,IMP-L2,100,IMP-F2,200,pcs\n",
            3,
            "ended_at",
            "trace.invalid.ends_before_start",
        ),
    ];
    for (bad, row, column, key) in cases {
        let trailing = "IMP-B3,Line 5,Late,Bo,2026-11-04T06:00,,IMP-L2,50,IMP-F3,40,pcs\n";
        let file = format!("{BATCH_HEADER}{good}{bad}{trailing}");
        let outcome = as_actor(&factory, import_file(state, &factory, file.as_bytes()))
            .await
            .unwrap();
        assert_eq!(refused(outcome), [(row, column.to_owned(), key)], "{bad}");
        assert_eq!(counts(&app).await, before, "nothing of {bad} recorded");
    }
    // The lot's forward trace is still empty: IMP-B1, good as it was, was not kept.
    let l1 = lot_id(&app, "IMP-L1").await;
    let trace = as_actor(&factory, view::trace(state, &factory, (MaterialLot, &l1)))
        .await
        .unwrap();
    assert!(trace.forward.graph.links.is_empty());

    // Through the page: the report table, nothing imported.
    let planner = app.login("planner@delta.test").await;
    let file = format!(
        "{BATCH_HEADER}{good}IMP-B2,Line 4,Early,Ana,2026-11-03T06:00,,NO-SUCH-LOT,1,IMP-F2,1,pcs\n"
    );
    let page = planner
        .upload("/trace/import", "file", "batches.csv", file.into_bytes())
        .await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(page.text("[role='alert']").contains("batches.csv"));
    assert_eq!(page.texts("table.problems tbody tr").len(), 1);
    let cells = page.texts("table.problems tbody td");
    assert_eq!(cells[..2], ["3", "lot_code"], "{cells:?}");
    assert_eq!(counts(&app).await, before);
}

/// Each link as people know it: ("kind code", "kind code", "quantity unit").
fn shape_of(
    trace: &view::Trace,
    links: &[portico::domain::trace::TraceRow],
) -> Vec<(String, String, String)> {
    let name = |k: &(NodeKind, String)| {
        let code = trace
            .nodes
            .get(k)
            .map(|n| n.code.clone())
            .unwrap_or_default();
        format!("{} {code}", k.0.code())
    };
    links
        .iter()
        .map(|l| {
            (
                name(&l.from),
                name(&l.to),
                format!("{} {}", l.quantity, l.unit),
            )
        })
        .collect()
}

fn shape(
    links: &[portico::domain::trace::TraceRow],
    trace: &view::Trace,
) -> BTreeSet<(String, String, String)> {
    shape_of(trace, links).into_iter().collect()
}

/// Every node of a trace as people know it: kind, code and facts, without ids.
fn described(trace: &view::Trace) -> BTreeSet<String> {
    trace
        .nodes
        .values()
        .map(|n| {
            let facts: Vec<String> = n.facts.iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!("{} {} [{}]", n.kind.code(), n.code, facts.join("; "))
        })
        .collect()
}

const TRACKING: &str = "RT-TRACK-1";
const PO: &str = "ACME-RT-1";

/// An accepted Acme order and Delta's ASN of lines 1 and 2, naming IMP-F1 and IMP-F2 (recorded
/// or not).
async fn shipped_order(app: &TestApp) -> OrderId {
    let order = accepted_order(app, "ops@acme.test", ACME, PO).await;
    ship(
        app,
        ACME,
        order,
        TRACKING,
        &[(1, "100", "IMP-F1"), (2, "200", "IMP-F1:100, IMP-F2:100")],
    )
    .await
    .unwrap();
    order
}

async fn whole_chain(app: &TestApp, factory: &Actor, order: OrderId) -> view::Trace {
    as_actor(
        factory,
        view::trace(app.state(), factory, (Order, &order.to_string())),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn an_epcis_export_imports_into_another_portico_as_the_same_chain() {
    // The source: Delta's chain from CSV, shipped to Acme.
    let source = TestApp::spawn().await;
    let factory = delta(&source, ACME).await;
    recorded(
        as_actor(
            &factory,
            import_file(source.state(), &factory, LOTS.as_bytes()),
        )
        .await
        .unwrap(),
    );
    recorded(
        as_actor(
            &factory,
            import_file(source.state(), &factory, batches().as_bytes()),
        )
        .await
        .unwrap(),
    );
    let order = shipped_order(&source).await;
    let original = whole_chain(&source, &factory, order).await;
    let original_shape = shape(&original.reverse.graph.links, &original);
    assert_eq!(original_shape.len(), 8, "{original_shape:?}");
    assert!(original_shape.contains(&(
        "finished_lot IMP-F1".into(),
        format!("shipment {TRACKING}"),
        "200 pcs".into()
    )));

    // The planner downloads the order's chain as EPCIS.
    let planner = source.login("planner@delta.test").await;
    let download = planner
        .get(&format!("/trace/node/order/{order}/epcis.jsonld"))
        .await;
    assert_eq!(download.status, 200, "{}", download.body);
    assert!(
        download
            .header("content-type")
            .unwrap()
            .starts_with("application/ld+json")
    );
    let doc: serde_json::Value = serde_json::from_str(&download.body).unwrap();
    assert_eq!(doc["type"], "EPCISDocument");

    // The target: another Portico where Delta has the same order and shipment but recorded
    // nothing yet (the ASN's lot codes are only text there).
    let target = TestApp::spawn().await;
    let order_there = shipped_order(&target).await;
    let factory_there = delta(&target, ACME).await;
    let before = whole_chain(&target, &factory_there, order_there).await;
    assert_eq!(
        before.reverse.graph.links.len(),
        1,
        "only shipment -> order"
    );
    let planner_there = target.login("planner@delta.test").await;
    let uploaded = planner_there
        .upload(
            "/trace/import",
            "file",
            "chain.epcis.jsonld",
            download.body.clone().into_bytes(),
        )
        .await;
    assert_eq!(uploaded.status, 303, "{}", uploaded.body);

    // Same lots, batches, finished lots, shipment and order, same quantities and links.
    let rebuilt = whole_chain(&target, &factory_there, order_there).await;
    assert_eq!(
        shape(&rebuilt.reverse.graph.links, &rebuilt),
        original_shape
    );
    assert_eq!(described(&rebuilt), described(&original));
    let depths = |t: &view::Trace| -> BTreeSet<(String, i64)> {
        t.reverse
            .graph
            .nodes
            .iter()
            .map(|(k, d)| (format!("{} {}", k.0.code(), t.nodes[k].code), *d))
            .collect()
    };
    assert_eq!(depths(&rebuilt), depths(&original));
    // The shipment in the target is the target's own ASN, now fed by the imported lots.
    let asn_there = asn_by_tracking(&target, TRACKING).await;
    assert!(
        rebuilt
            .reverse
            .graph
            .nodes
            .contains_key(&key(Shipment, asn_there.as_str()))
    );

    // Importing the same document again adds nothing: the codes are taken.
    let again = as_actor(
        &factory_there,
        import_file(target.state(), &factory_there, download.body.as_bytes()),
    )
    .await
    .unwrap();
    assert!(matches!(again, TraceImport::Refused(_)));
    let after = whole_chain(&target, &factory_there, order_there).await;
    assert_eq!(shape(&after.reverse.graph.links, &after), original_shape);
}

#[tokio::test]
async fn batches_recorded_at_once_never_take_more_of_a_lot_than_it_holds() {
    let app = TestApp::spawn().await;
    let factory = delta(&app, ACME).await;
    as_actor(
        &factory,
        record_material_lot(app.state(), &factory, &lot("RACE-L1", "100")),
    )
    .await
    .unwrap();
    // Ten batches of 20 m each from a lot of 100 m, recorded at the same moment.
    let tasks = (0..10).map(|i| {
        let (state, factory) = (app.state().clone(), factory.clone());
        tokio::spawn(async move {
            let input = batch(
                &format!("RACE-B{i}"),
                &[("RACE-L1", "20")],
                (&format!("RACE-F{i}"), "20"),
            );
            as_actor(&factory, record_batch(&state, &factory, &input)).await
        })
    });
    let mut recorded = 0;
    for result in futures_util::future::join_all(tasks).await {
        match result.unwrap() {
            Ok(_) => recorded += 1,
            Err(portico::service::ServiceError::Invalid(errors)) => {
                assert_eq!(errors.get("inputs.0"), Some("trace.refused.more_than_left"))
            }
            Err(other) => panic!("{other:?}"),
        }
    }
    assert_eq!(recorded, 5, "exactly what the lot holds");
    let mut conn = app.db.reader().acquire().await.unwrap();
    let taken: Vec<String> = sqlx::query_scalar(
        "SELECT e.quantity FROM trace_edges e JOIN material_lots l ON l.id = e.from_id \
         WHERE l.supplier_lot_code = 'RACE-L1'",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    assert_eq!(taken.len(), 5);
}

#[tokio::test]
async fn an_epcis_packing_event_cannot_ship_more_of_a_finished_lot_than_is_left() {
    use portico::domain::trace_epcis::{self, Chain, ShipmentRec};
    let app = TestApp::spawn().await;
    let state = app.state();
    let factory = delta(&app, ACME).await;
    as_actor(
        &factory,
        record_material_lot(state, &factory, &lot("EP-L1", "100")),
    )
    .await
    .unwrap();
    as_actor(
        &factory,
        record_batch(
            state,
            &factory,
            &batch("EP-B1", &[("EP-L1", "100")], ("EP-F1", "100")),
        ),
    )
    .await
    .unwrap();
    // Two shipments whose lines name no recorded lot: the partner system says what went in.
    let order = accepted_order(&app, "ops@acme.test", ACME, "ACME-EP-1").await;
    ship(&app, ACME, order, "EP-TRK-1", &[(1, "100", "")])
        .await
        .unwrap();
    ship(&app, ACME, order, "EP-TRK-2", &[(2, "200", "")])
        .await
        .unwrap();
    let packing = |tracking: &str, qty: &str| {
        trace_epcis::export(&Chain {
            owner_id: "0190c0de-0000-7000-8000-000000000001".into(),
            owner_name: "Delta's MES".into(),
            shipments: vec![ShipmentRec {
                tracking: tracking.into(),
                carrier: "Maersk".into(),
                po_number: "ACME-EP-1".into(),
                ship_date: "2027-06-01".into(),
                lots: vec![("EP-F1".into(), qty.into(), "pcs".into())],
            }],
            ..Chain::default()
        })
        .to_string()
    };
    let shipped = |app: &TestApp| {
        let db = app.db.clone();
        async move {
            let mut conn = db.reader().acquire().await.unwrap();
            sqlx::query_scalar::<_, String>(
                "SELECT e.quantity FROM trace_edges e JOIN finished_lots f ON f.id = e.from_id \
                 WHERE f.code = 'EP-F1' ORDER BY e.quantity",
            )
            .fetch_all(&mut *conn)
            .await
            .unwrap()
        }
    };

    // 150 of a lot of 100: refused, nothing linked.
    let over = as_actor(
        &factory,
        import_file(state, &factory, packing("EP-TRK-1", "150").as_bytes()),
    )
    .await
    .unwrap();
    let problems = refused(over);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].2, "trace.refused.more_than_left");
    assert!(shipped(&app).await.is_empty());
    // 60 fits; the same event again changes nothing; 41 more into the other shipment does not fit.
    recorded(
        as_actor(
            &factory,
            import_file(state, &factory, packing("EP-TRK-1", "60").as_bytes()),
        )
        .await
        .unwrap(),
    );
    recorded(
        as_actor(
            &factory,
            import_file(state, &factory, packing("EP-TRK-1", "60").as_bytes()),
        )
        .await
        .unwrap(),
    );
    assert_eq!(shipped(&app).await, ["60"]);
    let over = as_actor(
        &factory,
        import_file(state, &factory, packing("EP-TRK-2", "41").as_bytes()),
    )
    .await
    .unwrap();
    assert_eq!(refused(over)[0].2, "trace.refused.more_than_left");
    recorded(
        as_actor(
            &factory,
            import_file(state, &factory, packing("EP-TRK-2", "40").as_bytes()),
        )
        .await
        .unwrap(),
    );
    let mut both = shipped(&app).await;
    both.sort();
    assert_eq!(both, ["40", "60"]);
    // And the ASN form agrees: nothing is left of EP-F1.
    let asn = asn_by_tracking(&app, "EP-TRK-2").await;
    assert!(!asn.is_empty());
    let refused_asn = ship(&app, ACME, order, "EP-TRK-3", &[(3, "1", "EP-F1")]).await;
    assert!(matches!(
        refused_asn,
        Err(portico::service::ServiceError::Invalid(_))
    ));
}

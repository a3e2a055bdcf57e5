//! The trace view and its search, on one material lot of Delta's that reached an Acme order and a
//! Blue Harbor order: the factory sees its whole recall, each brand only its own goods (and that
//! others are affected, never whom), and the ASN's lot field links finished lots to shipments.

use portico::domain::trace::NodeKind::{self, *};
use portico::service::ServiceError;
use portico::service::orders::decide::Outcome;
use portico::service::trace::complaints::{self, OpenInput};
use portico::service::trace::search::{self, Hit};
use portico::service::trace::view::{self, Trace};

use crate::support::orders::actor;
use crate::support::trace_chain::{
    ACME, ACME_PO, ACME_TRACKING, BLUE_HARBOR, BLUE_PO, BLUE_TRACKING, SHARED_LOT, delta,
    finished_lot, key, shared_lot, ship,
};
use crate::support::{TestApp, as_actor};

fn has(trace: &Trace, kind: NodeKind, id: &str) -> bool {
    trace.forward.graph.nodes.contains_key(&key(kind, id))
        || trace.reverse.graph.nodes.contains_key(&key(kind, id))
}

fn field_error(result: Result<Outcome, ServiceError>, field: &str) -> &'static str {
    match result {
        Err(ServiceError::Invalid(errors)) => errors.get(field).unwrap_or("no error on that field"),
        Err(other) => panic!("expected a field error on {field}: {other:?}"),
        Ok(_) => panic!("expected a field error on {field}, the ASN was sent"),
    }
}

#[tokio::test]
async fn the_factory_sees_the_whole_recall_and_each_brand_only_its_own_orders() {
    let app = TestApp::spawn().await;
    let chain = shared_lot(&app).await;
    let state = app.state();
    let (acme_order, blue_order) = (chain.acme_order.to_string(), chain.blue_order.to_string());
    let fl_acme = finished_lot(&app, "FL-ACME").await;
    let fl_blue = finished_lot(&app, "FL-BLUE").await;

    // Delta, the owner, sees its whole recall: every batch and finished lot the material lot
    // went into, whoever they went to, and in each brand's context that brand's shipment and
    // order (one brand's data never shows in another's context; that there are others does).
    let mut orders_reached = Vec::new();
    for (brand, own, other) in [
        (
            ACME,
            (&chain.acme_asn, &acme_order),
            (&chain.blue_asn, &blue_order),
        ),
        (
            BLUE_HARBOR,
            (&chain.blue_asn, &blue_order),
            (&chain.acme_asn, &acme_order),
        ),
    ] {
        let factory = delta(&app, brand).await;
        let recall = as_actor(
            &factory,
            view::trace(state, &factory, (MaterialLot, &chain.lot)),
        )
        .await
        .unwrap();
        for (kind, id, depth) in [
            (Batch, &chain.batch_acme, 1),
            (Batch, &chain.batch_blue, 1),
            (FinishedLot, &fl_acme, 2),
            (FinishedLot, &fl_blue, 2),
            (Shipment, own.0, 3),
            (Order, own.1, 4),
        ] {
            assert_eq!(
                recall.forward.graph.nodes.get(&key(kind, id.as_str())),
                Some(&depth),
                "{brand}: {kind:?} {id}"
            );
        }
        assert_eq!(recall.forward.graph.nodes.len(), 7, "{brand}: nothing else");
        assert!(!has(&recall, Shipment, other.0) && !has(&recall, Order, other.1));
        assert!(!has(&recall, Batch, &chain.batch_solo));
        assert!(
            recall.forward.others_affected,
            "{brand}: the other brand is flagged"
        );
        assert!(recall.reverse.graph.links.is_empty(), "a lot has no past");
        orders_reached.push(recall.nodes[&key(Order, own.1.as_str())].code.clone());
    }
    assert_eq!(
        orders_reached,
        [ACME_PO, BLUE_PO],
        "the factory reaches both orders"
    );

    // Acme: the lot, both batches, its own shipment and order; Blue Harbor's are only "others".
    let acme = actor(&app, "quality@acme.test", ACME).await;
    let seen = as_actor(&acme, view::trace(state, &acme, (MaterialLot, &chain.lot)))
        .await
        .unwrap();
    assert!(has(&seen, Shipment, &chain.acme_asn));
    assert!(has(&seen, Order, &acme_order));
    assert!(has(&seen, FinishedLot, &fl_acme));
    assert!(!has(&seen, Shipment, &chain.blue_asn));
    assert!(!has(&seen, Order, &blue_order));
    assert!(seen.forward.others_affected);
    for node in seen.nodes.values() {
        assert!(
            node.code != BLUE_PO && node.code != BLUE_TRACKING,
            "Acme sees {node:?}"
        );
    }
    for link in seen.forward.graph.links.iter() {
        assert!(
            link.to.1 != blue_order && link.to.1 != chain.blue_asn,
            "Acme sees the link {link:?}"
        );
    }
    // From its own order back: its shipment, finished lot, batch and the lot, nothing of others.
    let back = as_actor(&acme, view::trace(state, &acme, (Order, &acme_order)))
        .await
        .unwrap();
    for (kind, id) in [
        (Shipment, &chain.acme_asn),
        (FinishedLot, &fl_acme),
        (Batch, &chain.batch_acme),
        (MaterialLot, &chain.lot),
    ] {
        assert!(
            back.reverse
                .graph
                .nodes
                .contains_key(&key(kind, id.as_str())),
            "{kind:?}"
        );
    }
    assert!(!has(&back, Batch, &chain.batch_blue));

    // Blue Harbor, the mirror image.
    let blue = actor(&app, "admin@blueharbor.test", BLUE_HARBOR).await;
    let theirs = as_actor(&blue, view::trace(state, &blue, (MaterialLot, &chain.lot)))
        .await
        .unwrap();
    assert!(has(&theirs, Order, &blue_order));
    assert!(!has(&theirs, Order, &acme_order));
    assert!(!has(&theirs, Shipment, &chain.acme_asn));
    assert!(theirs.forward.others_affected);
    // Neither brand may start from the other's order or shipment, nor from a lot that never
    // reached its goods.
    for (who, kind, id) in [
        (&blue, Order, &acme_order),
        (&blue, Shipment, &chain.acme_asn),
        (&blue, FinishedLot, &fl_acme),
        (&acme, Order, &blue_order),
        (&acme, Batch, &chain.batch_blue),
        (&acme, MaterialLot, &chain.solo_lot),
    ] {
        assert!(
            matches!(
                as_actor(who, view::trace(state, who, (kind, id))).await,
                Err(ServiceError::NotFound)
            ),
            "{kind:?} {id}"
        );
    }

    // The page Acme's quality sees: its PO, none of Blue Harbor's, and the note.
    let quality = app.login("quality@acme.test").await;
    let page = quality
        .get(&format!("/trace/node/material_lot/{}", chain.lot))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.text("h1").contains(SHARED_LOT));
    let forward = page.text("#forward-h + .table-wrap");
    assert!(forward.contains(ACME_PO), "{forward}");
    assert!(forward.contains(ACME_TRACKING), "{forward}");
    for secret in [
        BLUE_PO,
        BLUE_TRACKING,
        "Blue Harbor",
        blue_order.as_str(),
        chain.blue_asn.as_str(),
    ] {
        assert!(!page.body.contains(secret), "the page shows {secret}");
    }
    assert!(
        page.text(".notice")
            .contains("Other customers are affected")
    );
    // Acme's order opens the order page; the CSV export hides Blue Harbor just the same.
    assert!(page.has(&format!("a[href='/orders/{acme_order}']")));
    let csv = quality
        .get(&format!("/trace/node/material_lot/{}/trace.csv", chain.lot))
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.body.contains(ACME_PO) && !csv.body.contains(BLUE_PO));
    assert!(csv.body.contains("other customers affected"));

    // Blue Harbor cannot open Acme's order node, its export, or its shipment: as if unknown.
    let harbor = app.login("admin@blueharbor.test").await;
    for path in [
        format!("/trace/node/order/{acme_order}"),
        format!("/trace/node/order/{acme_order}/trace.csv"),
        format!("/trace/node/order/{acme_order}/epcis.jsonld"),
        format!("/trace/node/shipment/{}", chain.acme_asn),
    ] {
        let refused = harbor.get(&path).await;
        assert_eq!(refused.status, 404, "{path}");
        assert!(!refused.body.contains(ACME_PO), "{path}");
    }
    let own = harbor
        .get(&format!("/trace/node/material_lot/{}", chain.lot))
        .await;
    assert_eq!(own.status, 200);
    assert!(own.body.contains(BLUE_PO) && !own.body.contains(ACME_PO));
}

#[tokio::test]
async fn the_search_box_resolves_every_identifier_a_user_has_in_hand() {
    let app = TestApp::spawn().await;
    let chain = shared_lot(&app).await;
    let state = app.state();
    let acme_order = chain.acme_order.to_string();
    let fl_acme = finished_lot(&app, "FL-ACME").await;
    let quality = actor(&app, "quality@acme.test", ACME).await;
    let complaint = as_actor(
        &quality,
        complaints::open(
            state,
            &quality,
            &OpenInput {
                subject_kind: "order".into(),
                subject_id: acme_order.clone(),
                description: "Seams open after one wash".into(),
            },
            Vec::new(),
        ),
    )
    .await
    .unwrap();
    let number = as_actor(&quality, complaints::get(state, &quality, &complaint))
        .await
        .unwrap()
        .complaint
        .number;

    // Each identifier, typed into the box, lands on its node's page.
    let client = app.login("quality@acme.test").await;
    for (query, kind, id) in [
        (ACME_PO, "order", acme_order.as_str()),
        (ACME_TRACKING, "shipment", chain.acme_asn.as_str()),
        ("FL-ACME", "finished_lot", fl_acme.as_str()),
        ("B-ACME", "batch", chain.batch_acme.as_str()),
        (SHARED_LOT, "material_lot", chain.lot.as_str()),
        (number.as_str(), "order", acme_order.as_str()),
        (&number.to_lowercase(), "order", acme_order.as_str()),
    ] {
        let found = client.get(&format!("/trace?q={query}")).await;
        assert_eq!(found.status, 303, "{query}: {}", found.body);
        assert_eq!(
            found.location().as_deref(),
            Some(format!("/trace/node/{kind}/{id}").as_str()),
            "{query}"
        );
        assert_eq!(client.follow(&found).await.status, 200, "{query}");
    }

    // A brand finds none of the factory's codes that never reached its goods, and none of the
    // other brand's numbers; the page says so.
    for query in [
        "B-BLUE",
        "FL-BLUE",
        "B-SOLO",
        "FL-SOLO",
        "SR-SOLO-0001",
        BLUE_PO,
        BLUE_TRACKING,
    ] {
        assert_eq!(
            as_actor(&quality, search::search(state, &quality, query))
                .await
                .unwrap(),
            Vec::<Hit>::new(),
            "{query}"
        );
        let page = client.get(&format!("/trace?q={query}")).await;
        assert_eq!(page.status, 200, "{query}");
        assert!(page.has("#trace-no-hits"), "{query}");
    }
    // Blue Harbor finds its own PO and the shared lot, but not Acme's complaint or PO.
    let blue = actor(&app, "admin@blueharbor.test", BLUE_HARBOR).await;
    let hits = as_actor(&blue, search::search(state, &blue, BLUE_PO))
        .await
        .unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].id, chain.blue_order.to_string());
    assert_eq!(
        as_actor(&blue, search::search(state, &blue, SHARED_LOT))
            .await
            .unwrap()
            .len(),
        1
    );
    for query in [ACME_PO, ACME_TRACKING, number.as_str(), "B-ACME"] {
        assert!(
            as_actor(&blue, search::search(state, &blue, query))
                .await
                .unwrap()
                .is_empty(),
            "{query}"
        );
    }
    // The factory finds its own codes, even those that reached no order.
    let factory = delta(&app, ACME).await;
    let hits = as_actor(&factory, search::search(state, &factory, "B-SOLO"))
        .await
        .unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].id, chain.batch_solo);
    assert_eq!(hits[0].kind, Batch);
}

#[tokio::test]
async fn an_asn_line_links_the_finished_lots_it_names_within_what_is_left() {
    let app = TestApp::spawn().await;
    let chain = shared_lot(&app).await;
    let state = app.state();
    let factory = delta(&app, ACME).await;
    let fl_acme = finished_lot(&app, "FL-ACME").await;
    let fl_solo = finished_lot(&app, "FL-SOLO").await;

    // Lines 1 and 2 named FL-ACME without quantities: one link of the lines' 300 pcs, and the
    // shipment into the order.
    let from_lot = as_actor(
        &factory,
        view::trace(state, &factory, (FinishedLot, &fl_acme)),
    )
    .await
    .unwrap();
    let links: Vec<_> = from_lot
        .forward
        .graph
        .links
        .iter()
        .map(|l| (l.from.clone(), l.to.clone(), l.quantity.as_str()))
        .collect();
    assert_eq!(
        links,
        [
            (
                key(FinishedLot, fl_acme.as_str()),
                key(Shipment, chain.acme_asn.as_str()),
                "300"
            ),
            (
                key(Shipment, chain.acme_asn.as_str()),
                key(Order, chain.acme_order.to_string()),
                "300"
            ),
        ]
    );

    // Two recorded lots on one line need their quantities.
    let both = ship(
        &app,
        ACME,
        chain.acme_order,
        "MSKU-ACME-02",
        &[(3, "150", "FL-ACME, FL-SOLO")],
    )
    .await;
    assert_eq!(
        field_error(both, "lines.3.lots"),
        "trace.invalid.lot_quantities"
    );
    // 100 pcs are left of FL-ACME; a line of 150 from it alone is refused on its lots field.
    let over = ship(
        &app,
        ACME,
        chain.acme_order,
        "MSKU-ACME-02",
        &[(3, "150", "FL-ACME")],
    )
    .await;
    assert_eq!(
        field_error(over, "lines.3.lots"),
        "trace.refused.more_than_left"
    );
    let over = ship(
        &app,
        ACME,
        chain.acme_order,
        "MSKU-ACME-02",
        &[(3, "150", "FL-ACME:101, FL-SOLO:49")],
    )
    .await;
    assert_eq!(
        field_error(over, "lines.3.lots"),
        "trace.refused.more_than_left"
    );
    // A scanned quantity of nothing or less gives nothing back to the lot.
    for lots in ["FL-ACME:-100", "FL-ACME:0", "FL-ACME:-100, FL-SOLO:50"] {
        let negative = ship(
            &app,
            ACME,
            chain.acme_order,
            "MSKU-ACME-02",
            &[(3, "50", lots)],
        )
        .await;
        assert_eq!(
            field_error(negative, "lines.3.lots"),
            "validation.quantity_positive",
            "{lots}"
        );
    }
    let mut conn = app.db.reader().acquire().await.unwrap();
    let asns: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM asns WHERE tracking = $1")
        .bind("MSKU-ACME-02")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(asns, 0, "a refused ASN is not saved");
    drop(conn);

    // Scanned codes with quantities, and a code Delta never recorded, which stays as text.
    let sent = ship(
        &app,
        ACME,
        chain.acme_order,
        "MSKU-ACME-02",
        &[(3, "150", "FL-ACME:100, FL-SOLO:50, LOOSE-77")],
    )
    .await
    .unwrap();
    assert!(matches!(sent, Outcome::Applied));
    let second = crate::support::trace_chain::asn_by_tracking(&app, "MSKU-ACME-02").await;
    let into = as_actor(&factory, view::trace(state, &factory, (Shipment, &second)))
        .await
        .unwrap();
    let mut fed: Vec<_> = into
        .reverse
        .graph
        .links
        .iter()
        .filter(|l| l.to.1 == second)
        .map(|l| (l.from.1.clone(), l.quantity.clone()))
        .collect();
    fed.sort();
    let mut wanted = vec![
        (fl_acme.clone(), "100".to_owned()),
        (fl_solo, "50".to_owned()),
    ];
    wanted.sort();
    assert_eq!(fed, wanted, "one link per recorded lot, with its quantity");
    let mut conn = app.db.reader().acquire().await.unwrap();
    let tenant = factory.scope.as_ref().unwrap().tenant_id;
    let lines = portico::db::shipping::lines(&mut conn, tenant, &second)
        .await
        .unwrap();
    assert_eq!(lines[0].lot_codes, "FL-ACME:100, FL-SOLO:50, LOOSE-77");
    // Blue Harbor's second line named an unrecorded lot: kept as typed, linked to nothing.
    let blue_tenant = actor(&app, "admin@blueharbor.test", BLUE_HARBOR)
        .await
        .scope
        .unwrap()
        .tenant_id;
    let blue_lines = portico::db::shipping::lines(&mut conn, blue_tenant, &chain.blue_asn)
        .await
        .unwrap();
    assert_eq!(blue_lines[1].lot_codes, "CARTON-MIX-77");
    let into_blue: Vec<String> = sqlx::query_scalar(
        "SELECT from_kind FROM trace_edges WHERE to_kind = 'shipment' AND to_id = $1",
    )
    .bind(&chain.blue_asn)
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    assert_eq!(into_blue, ["finished_lot"], "only FL-BLUE feeds it");
    drop(conn);

    // FL-ACME is used up now.
    let empty = ship(
        &app,
        ACME,
        chain.acme_order,
        "MSKU-ACME-03",
        &[(3, "1", "FL-ACME")],
    )
    .await;
    assert_eq!(
        field_error(empty, "lines.3.lots"),
        "trace.refused.more_than_left"
    );
}

#[tokio::test]
async fn asns_sent_at_the_same_moment_never_ship_more_of_a_finished_lot_than_was_made() {
    use crate::support::trace_chain::{accepted_order, batch, lot};
    use portico::service::trace::record::{record_batch, record_material_lot};
    let app = TestApp::spawn().await;
    let state = app.state();
    let factory = delta(&app, ACME).await;
    as_actor(
        &factory,
        record_material_lot(state, &factory, &lot("RACE-L1", "500")),
    )
    .await
    .unwrap();
    as_actor(
        &factory,
        record_batch(
            state,
            &factory,
            &batch("RACE-B1", &[("RACE-L1", "500")], ("RACE-F1", "250")),
        ),
    )
    .await
    .unwrap();
    let mut orders = Vec::new();
    for i in 0..5 {
        orders.push(accepted_order(&app, "ops@acme.test", ACME, &format!("RACE-PO-{i}")).await);
    }
    // Five ASNs of 100 pcs each from a finished lot of 250, sent at once.
    let tasks = orders.iter().enumerate().map(|(i, order)| {
        let (state, order) = (state.clone(), *order);
        let planner = factory.clone();
        let warehouse = async {
            let id = app.org_id("Harbor Logistics").await;
            id.to_string()
        };
        async move {
            let input = portico::service::orders::shipping::AsnInput {
                warehouse: warehouse.await,
                carrier: "Maersk".into(),
                tracking: format!("RACE-TRK-{i}"),
                ship_date: "2027-06-01".into(),
                eta: "2027-06-20".into(),
                cartons: "2".into(),
                lines: vec![(1, "100".into(), "RACE-F1".into())],
            };
            let seen = portico::service::orders::decide::Seen {
                order,
                version: 0,
                submission: portico::auth::tokens::new_token(),
            };
            tokio::spawn(async move {
                as_actor(
                    &planner,
                    portico::service::orders::shipping::create_asn(&state, &planner, &seen, &input),
                )
                .await
            })
            .await
            .unwrap()
        }
    });
    let mut sent = 0;
    for result in futures_util::future::join_all(tasks).await {
        match result {
            Ok(_) => sent += 1,
            Err(ServiceError::Invalid(errors)) => assert_eq!(
                errors.get("lines.1.lots"),
                Some("trace.refused.more_than_left")
            ),
            Err(other) => panic!("{other:?}"),
        }
    }
    assert_eq!(sent, 2, "250 pcs make two shipments of 100");
    let mut conn = app.db.reader().acquire().await.unwrap();
    let links: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM trace_edges e JOIN finished_lots f ON f.id = e.from_id \
         WHERE f.code = 'RACE-F1'",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    assert_eq!(links, 2);
}

#[tokio::test]
async fn a_partner_neither_finds_nor_opens_a_draft_it_has_not_been_sent() {
    let app = TestApp::spawn().await;
    let state = app.state();
    let draft = crate::support::orders::order(
        &app,
        "ops@acme.test",
        ACME,
        "ACME-DRAFT-1",
        "Delta Garment Works",
        Some("Harbor Logistics"),
        false,
    )
    .await
    .to_string();
    let factory = delta(&app, ACME).await;
    assert!(
        as_actor(&factory, search::search(state, &factory, "ACME-DRAFT-1"))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        as_actor(&factory, view::trace(state, &factory, (Order, &draft))).await,
        Err(ServiceError::NotFound)
    ));
    let planner = app.login("planner@delta.test").await;
    assert_eq!(
        planner
            .get(&format!("/trace/node/order/{draft}"))
            .await
            .status,
        404
    );
    let page = planner.get("/trace?q=ACME-DRAFT-1").await;
    assert_eq!(page.status, 200);
    assert!(page.has("#trace-no-hits"));
    // The brand finds its own draft.
    let ops = actor(&app, "ops@acme.test", ACME).await;
    assert_eq!(
        as_actor(&ops, search::search(state, &ops, "ACME-DRAFT-1"))
            .await
            .unwrap()
            .len(),
        1
    );
    // Once issued, the partner finds it.
    let issued =
        crate::support::trace_chain::accepted_order(&app, "ops@acme.test", ACME, "ACME-8001").await;
    let hits = as_actor(&factory, search::search(state, &factory, "ACME-8001"))
        .await
        .unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].id, issued.to_string());
    assert!(
        as_actor(
            &factory,
            view::trace(state, &factory, (Order, &issued.to_string()))
        )
        .await
        .is_ok()
    );
}

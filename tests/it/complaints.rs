//! Complaints and holds: Acme's quality opens a complaint on its order with a photo (the reverse
//! trace is kept with it), names the suspected root, and holds the affected scope — the finished
//! lots the root reached and Acme's own shipments on their way, never Blue Harbor's — telling
//! Delta, auditing it and signing it on the order. Nobody else may do any of it.

use portico::domain::trace::NodeKind::*;
use portico::service::ServiceError;
use portico::service::orders::decide::Outcome;
use portico::service::orders::files::Upload;
use portico::service::trace::complaints::{self, OpenInput};
use portico::service::trace::holds::{self, Placed};
use portico::service::trace::view;

use crate::support::orders::{actor, png};
use crate::support::trace_chain::{
    ACME, ACME_PO, ACME_TRACKING, BLUE_HARBOR, BLUE_PO, BLUE_TRACKING, SHARED_LOT, SharedLot,
    asn_by_tracking, delta, finished_lot, key, shared_lot, ship,
};
use crate::support::{TestApp, as_actor};

pub(crate) async fn count(app: &TestApp, sql: &str, bind: &str) -> i64 {
    let mut conn = app.db.reader().acquire().await.unwrap();
    sqlx::query_scalar(sql)
        .bind(bind)
        .fetch_one(&mut *conn)
        .await
        .unwrap()
}

/// Acme's quality opens a complaint on its order through the page, with one photo.
pub(crate) async fn open_on_acme_order(app: &TestApp, chain: &SharedLot) -> String {
    let quality = app.login("quality@acme.test").await;
    let order = chain.acme_order.to_string();
    let form = quality
        .get(&format!("/complaints/new?kind=order&id={order}"))
        .await;
    assert_eq!(form.status, 200, "{}", form.body);
    let opened = quality
        .post_multipart(
            "/complaints/new",
            &[
                ("kind", "order"),
                ("id", &order),
                (
                    "description",
                    "Seams open after one wash; lot photos attached",
                ),
            ],
            Some(png(3)),
        )
        .await;
    assert_eq!(opened.status, 303, "{}", opened.body);
    let location = opened.location().unwrap();
    let id = location.trim_start_matches("/complaints/").to_owned();
    let page = quality.follow(&opened).await;
    assert!(page.text(".flash-success").contains("Complaint opened"));
    assert!(page.text("h1").contains("CMP-00001"));
    assert_eq!(page.texts(".thumbs img").len(), 1, "the photo");
    let kept = page.text("#kept-trace");
    for code in [SHARED_LOT, "B-ACME", "FL-ACME", ACME_PO] {
        assert!(kept.contains(code), "{code} missing from {kept}");
    }
    id
}

#[tokio::test]
async fn a_hold_from_the_suspected_root_holds_acmes_goods_and_only_acmes_shipments() {
    let app = TestApp::spawn().await;
    let chain = shared_lot(&app).await;
    let state = app.state();
    let id = open_on_acme_order(&app, &chain).await;
    let quality = actor(&app, "quality@acme.test", ACME).await;
    let fl_acme = finished_lot(&app, "FL-ACME").await;
    let fl_blue = finished_lot(&app, "FL-BLUE").await;
    let opened = as_actor(&quality, complaints::get(state, &quality, &id))
        .await
        .unwrap();
    assert_eq!(opened.complaint.status, "open");
    assert_eq!(opened.complaint.order_id, chain.acme_order);
    assert_eq!(opened.photos.len(), 1);
    let kept = opened.complaint.reverse_trace.clone();
    assert!(kept.contains(&chain.lot) && kept.contains(&chain.batch_acme));
    assert!(!kept.contains("B-BLUE") && !kept.contains(&chain.blue_asn));

    // The root must be a batch or material lot of this complaint's reverse trace.
    for root in [
        ("batch", chain.batch_blue.as_str()),
        ("batch", chain.batch_solo.as_str()),
        ("material_lot", chain.solo_lot.as_str()),
        ("batch", "no-such-batch"),
    ] {
        assert!(
            matches!(
                as_actor(&quality, complaints::set_root(state, &quality, &id, root)).await,
                Err(ServiceError::Refused("complaint.refused.root_not_on_trace"))
            ),
            "{root:?}"
        );
    }
    for root in [
        ("finished_lot", fl_acme.as_str()),
        ("shipment", chain.acme_asn.as_str()),
        ("order", &chain.acme_order.to_string()),
        ("nonsense", chain.lot.as_str()),
    ] {
        assert!(
            matches!(
                as_actor(&quality, complaints::set_root(state, &quality, &id, root)).await,
                Err(ServiceError::Refused("complaint.refused.root_kind"))
            ),
            "{root:?}"
        );
    }
    // No hold before there is a root.
    assert!(matches!(
        as_actor(&quality, holds::place(state, &quality, &id)).await,
        Err(ServiceError::Refused("complaint.refused.no_root"))
    ));

    // Delta ships 50 pcs of FL-SOLO on line 3 later: the live trace grows, the kept one does not.
    let later = ship(
        &app,
        ACME,
        chain.acme_order,
        "MSKU-ACME-02",
        &[(3, "50", "FL-SOLO")],
    )
    .await
    .unwrap();
    assert!(matches!(later, Outcome::Applied));
    let now = as_actor(&quality, complaints::get(state, &quality, &id))
        .await
        .unwrap();
    assert!(
        now.trace
            .reverse
            .graph
            .nodes
            .contains_key(&key(Batch, chain.batch_solo.as_str()))
    );
    assert_eq!(
        now.complaint.reverse_trace, kept,
        "the trace kept at opening"
    );
    assert!(!now.complaint.reverse_trace.contains("B-SOLO"));

    // The page's own form names the shared lot as the root.
    let client = app.login("quality@acme.test").await;
    let root = client
        .post(
            &format!("/complaints/{id}/root"),
            &[("root", &format!("material_lot:{}", chain.lot))],
        )
        .await;
    assert_eq!(root.status, 303, "{}", root.body);
    let page = client.get(&format!("/complaints/{id}")).await;
    assert!(page.text(".flash-success").contains("Suspected root set"));
    assert!(page.has("#hold-form"));
    let scope = page.text("#scope");
    assert!(
        scope.contains("FL-ACME") && scope.contains(ACME_TRACKING),
        "{scope}"
    );
    assert!(
        !scope.contains(BLUE_PO) && !scope.contains(BLUE_TRACKING),
        "{scope}"
    );
    assert!(scope.contains("Other customers are affected"));
    // Without the tick nothing is held.
    let unticked = client.post(&format!("/complaints/{id}/hold"), &[]).await;
    assert_eq!(unticked.status, 303);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM trace_holds WHERE complaint_id = $1",
            &id
        )
        .await,
        0
    );
    let held = client
        .post(&format!("/complaints/{id}/hold"), &[("confirm", "yes")])
        .await;
    assert_eq!(held.status, 303, "{}", held.body);
    let page = client.follow(&held).await;
    assert!(page.text("h1").contains("On hold"), "{}", page.text("main"));
    assert!(!page.has("#hold-form"), "held once");

    // Held: every finished lot of the scope Acme sees (FL-ACME among them) and Acme's
    // shipment on its way — not Blue Harbor's shipment, not the later shipment from SR-SOLO.
    let view = as_actor(&quality, complaints::get(state, &quality, &id))
        .await
        .unwrap();
    assert_eq!(view.complaint.status, "held");
    let scope = view.scope.as_ref().expect("the scope");
    let mut wanted: Vec<(String, String)> = scope
        .forward
        .graph
        .nodes
        .keys()
        .filter(|(kind, _)| *kind == FinishedLot)
        .map(|(_, id)| ("finished_lot".to_owned(), id.clone()))
        .collect();
    wanted.push(("shipment".to_owned(), chain.acme_asn.clone()));
    wanted.sort();
    assert_eq!(view.holds, wanted);
    assert!(wanted.contains(&("finished_lot".to_owned(), fl_acme.clone())));
    for never in [
        &chain.blue_asn,
        &asn_by_tracking(&app, "MSKU-ACME-02").await,
    ] {
        assert!(!view.holds.iter().any(|(_, id)| id == never));
    }
    assert!(
        page.text(".flash-success")
            .contains(&format!("{} item(s) put on hold", wanted.len())),
        "{}",
        page.text("main")
    );
    let blue = actor(&app, "admin@blueharbor.test", BLUE_HARBOR).await;
    let theirs = as_actor(
        &blue,
        view::trace(state, &blue, (Shipment, &chain.blue_asn)),
    )
    .await
    .unwrap();
    assert!(!theirs.nodes[&key(Shipment, chain.blue_asn.as_str())].held);
    let acme_sees = as_actor(
        &quality,
        view::trace(state, &quality, (MaterialLot, &chain.lot)),
    )
    .await
    .unwrap();
    assert!(acme_sees.nodes[&key(FinishedLot, fl_acme.as_str())].held);
    assert!(acme_sees.nodes[&key(Shipment, chain.acme_asn.as_str())].held);

    // Delta's users are told, in Acme's context, with a link to the root's trace.
    let planner_in_acme = delta(&app, ACME).await;
    let told = as_actor(
        &planner_in_acme,
        portico::service::notifications::list(state, &planner_in_acme, None),
    )
    .await
    .unwrap();
    let note = told
        .iter()
        .find(|n| n.kind == "trace_hold")
        .expect("Delta is told of the hold");
    assert_eq!(note.po_number.as_deref(), Some(ACME_PO));
    assert_eq!(
        note.link.as_deref(),
        Some(format!("/trace/node/material_lot/{}", chain.lot).as_str())
    );
    let bluewards = count(
        &app,
        "SELECT COUNT(*) FROM notifications WHERE kind = 'trace_hold' AND tenant_id <> $1",
        &quality.scope.as_ref().unwrap().tenant_id.to_string(),
    )
    .await;
    assert_eq!(
        bluewards, 0,
        "Blue Harbor's context hears nothing from Acme"
    );

    // Audited at each step, and signed on Acme's order (only), verifiable offline.
    for action in [
        "complaint.opened",
        "complaint.root_set",
        "complaint.hold_placed",
    ] {
        let sql = "SELECT COUNT(*) FROM audit_log WHERE action = $1 AND subject_id = '";
        let n = count(&app, &format!("{sql}{id}'"), action).await;
        assert_eq!(n, 1, "{action}");
    }
    let signed = "SELECT COUNT(*) FROM statements WHERE kind = 'po.hold_placed' AND order_id = $1";
    assert_eq!(count(&app, signed, &chain.acme_order.to_string()).await, 1);
    assert_eq!(count(&app, signed, &chain.blue_order.to_string()).await, 0);
    let evidence = client
        .get(&format!("/orders/{}/evidence.json", chain.acme_order))
        .await;
    assert_eq!(evidence.status, 200);
    assert!(evidence.body.contains("po.hold_placed"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("evidence.json");
    std::fs::write(&path, &evidence.body).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_portico"))
        .arg("verify")
        .arg(&path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{text}");
    assert!(text.contains("po.hold_placed"), "{text}");

    // A second hold is refused and changes nothing.
    assert!(matches!(
        as_actor(&quality, holds::place(state, &quality, &id)).await,
        Err(ServiceError::Refused("complaint.refused.not_open"))
    ));
    assert_eq!(count(&app, signed, &chain.acme_order.to_string()).await, 1);
    assert!(matches!(
        as_actor(
            &quality,
            complaints::set_root(state, &quality, &id, ("batch", &chain.batch_acme))
        )
        .await,
        Err(ServiceError::Refused("complaint.refused.not_open"))
    ));

    // Delta cannot ship what is held (100 pcs of FL-ACME are left), but can ship other lots.
    let refused = ship(
        &app,
        ACME,
        chain.acme_order,
        "MSKU-ACME-03",
        &[(3, "100", "FL-ACME")],
    )
    .await;
    match refused {
        Err(ServiceError::Invalid(errors)) => {
            assert_eq!(errors.get("lines.3.lots"), Some("trace.refused.on_hold"))
        }
        other => panic!("a held lot shipped: {:?}", other.map(|_| ())),
    }
    // FL-BLUE went only to Blue Harbor: Acme does not see it, so Acme's hold does not stop it
    // (Delta, told that other customers are affected, acts for them).
    assert!(!view.holds.iter().any(|(_, id)| *id == fl_blue));
    let theirs = ship(
        &app,
        BLUE_HARBOR,
        chain.blue_order,
        "MSKU-BLUE-10",
        &[(3, "100", "FL-BLUE")],
    )
    .await
    .unwrap();
    assert!(matches!(theirs, Outcome::Applied));
    let other = ship(
        &app,
        ACME,
        chain.acme_order,
        "MSKU-ACME-03",
        &[(3, "100", "LOOSE-1")],
    )
    .await
    .unwrap();
    assert!(matches!(other, Outcome::Applied));
}

#[tokio::test]
async fn only_the_brands_quality_team_acts_on_its_complaints() {
    let app = TestApp::spawn().await;
    let chain = shared_lot(&app).await;
    let state = app.state();
    let order = chain.acme_order.to_string();
    let open = |who| {
        let order = order.clone();
        async move {
            let input = OpenInput {
                subject_kind: "order".into(),
                subject_id: order,
                description: "Colour bleeds".into(),
            };
            let photo = Upload {
                name: "bleed.png".into(),
                bytes: png(7),
            };
            as_actor(&who, complaints::open(state, &who, &input, vec![photo])).await
        }
    };

    // Acme ops may look but not act; Delta and Blue Harbor may not even look.
    let ops = actor(&app, "ops@acme.test", ACME).await;
    assert!(matches!(
        open(ops.clone()).await,
        Err(ServiceError::Forbidden)
    ));
    let factory = delta(&app, ACME).await;
    assert!(matches!(
        open(factory.clone()).await,
        Err(ServiceError::NotFound)
    ));
    let blue = actor(&app, "admin@blueharbor.test", BLUE_HARBOR).await;
    assert!(
        matches!(open(blue.clone()).await, Err(ServiceError::NotFound)),
        "Acme's order is unknown to Blue Harbor"
    );
    // Acme's admin may (Acme's quality is the usual one).
    let admin = actor(&app, "admin@acme.test", ACME).await;
    let id = open(admin).await.unwrap();
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM complaints WHERE id = $1", &id).await,
        1,
        "the refused attempts recorded nothing before it"
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM complaints WHERE order_id = $1",
            &order
        )
        .await,
        1
    );

    let root = ("material_lot", chain.lot.as_str());
    assert!(
        as_actor(&ops, complaints::get(state, &ops, &id))
            .await
            .is_ok()
    );
    assert!(matches!(
        as_actor(&ops, complaints::set_root(state, &ops, &id, root)).await,
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        as_actor(&ops, holds::place(state, &ops, &id)).await,
        Err(ServiceError::Forbidden)
    ));
    for outsider in [&factory, &blue] {
        assert!(matches!(
            as_actor(outsider, complaints::get(state, outsider, &id)).await,
            Err(ServiceError::NotFound)
        ));
        assert!(matches!(
            as_actor(outsider, complaints::set_root(state, outsider, &id, root)).await,
            Err(ServiceError::NotFound)
        ));
        assert!(matches!(
            as_actor(outsider, holds::place(state, outsider, &id)).await,
            Err(ServiceError::NotFound)
        ));
    }
    let quality = actor(&app, "quality@acme.test", ACME).await;
    as_actor(&quality, complaints::set_root(state, &quality, &id, root))
        .await
        .unwrap();
    assert!(matches!(
        as_actor(&ops, holds::place(state, &ops, &id)).await,
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        as_actor(&blue, holds::place(state, &blue, &id)).await,
        Err(ServiceError::NotFound)
    ));
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM trace_holds WHERE complaint_id = $1",
            &id
        )
        .await,
        0,
        "nobody but quality placed a hold"
    );

    // Over HTTP the same: ops is forbidden, Blue Harbor and Delta get not-found pages.
    let ops_client = app.login("ops@acme.test").await;
    let page = ops_client.get(&format!("/complaints/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(!page.has("#hold-form"), "ops sees no hold button");
    let hold = ops_client
        .post(&format!("/complaints/{id}/hold"), &[("confirm", "yes")])
        .await;
    assert_eq!(hold.status, 403);
    for email in ["admin@blueharbor.test", "planner@delta.test"] {
        let client = app.login(email).await;
        assert_eq!(
            client.get(&format!("/complaints/{id}")).await.status,
            404,
            "{email}"
        );
        let hold = client
            .post(&format!("/complaints/{id}/hold"), &[("confirm", "yes")])
            .await;
        assert_eq!(hold.status, 404, "{email}");
    }
    let in_scope = as_actor(&quality, complaints::get(state, &quality, &id))
        .await
        .unwrap()
        .scope
        .expect("the scope")
        .forward
        .graph
        .nodes
        .keys()
        .filter(|(kind, _)| *kind == FinishedLot)
        .count();
    assert!(in_scope >= 1);
    assert_eq!(
        as_actor(&quality, holds::place(state, &quality, &id))
            .await
            .unwrap(),
        Placed {
            finished_lots: in_scope,
            shipments: 1
        }
    );
}

#[tokio::test]
async fn complaints_opened_at_the_same_moment_get_distinct_numbers() {
    let app = TestApp::spawn().await;
    let chain = shared_lot(&app).await;
    let quality = actor(&app, "quality@acme.test", ACME).await;
    let tasks = (0..6).map(|i| {
        let (state, quality) = (app.state().clone(), quality.clone());
        let input = OpenInput {
            subject_kind: "order".into(),
            subject_id: chain.acme_order.to_string(),
            description: format!("Complaint {i} from the call centre"),
        };
        tokio::spawn(async move {
            as_actor(
                &quality,
                complaints::open(&state, &quality, &input, Vec::new()),
            )
            .await
        })
    });
    let mut numbers = std::collections::BTreeSet::new();
    for result in futures_util::future::join_all(tasks).await {
        let id = result.unwrap().expect("every complaint opens");
        let view = as_actor(&quality, complaints::get(app.state(), &quality, &id))
            .await
            .unwrap();
        numbers.insert(view.complaint.number);
    }
    let wanted: std::collections::BTreeSet<String> =
        (1..=6).map(|n| format!("CMP-{n:05}")).collect();
    assert_eq!(numbers, wanted);
}

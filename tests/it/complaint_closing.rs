//! Closing a complaint: Acme's quality records what was found and done, and the hold is
//! released — FL-ACME can ship again, Delta and the warehouse are told, the release is signed on
//! the order the hold was signed on and audited. Goods a second complaint also holds stay held
//! until that one closes too. Nobody but the brand's quality team may close one.

use portico::domain::trace::NodeKind::*;
use portico::service::ServiceError;
use portico::service::orders::decide::Outcome;
use portico::service::trace::closing::{self, Released};
use portico::service::trace::{complaints, holds, view};

use crate::complaints::{count, open_on_acme_order};
use crate::support::orders::actor;
use crate::support::trace_chain::{
    ACME, BLUE_HARBOR, SharedLot, delta, finished_lot, key, shared_lot, ship,
};
use crate::support::{TestApp, as_actor};

/// A complaint on Acme's order with the shared lot as its root, held through the page.
async fn held_complaint(app: &TestApp, chain: &SharedLot) -> String {
    let id = open_on_acme_order(app, chain).await;
    let client = app.login("quality@acme.test").await;
    let root = format!("material_lot:{}", chain.lot);
    let set = client
        .post(&format!("/complaints/{id}/root"), &[("root", &root)])
        .await;
    assert_eq!(set.status, 303, "{}", set.body);
    let held = client
        .post(&format!("/complaints/{id}/hold"), &[("confirm", "yes")])
        .await;
    assert_eq!(held.status, 303, "{}", held.body);
    id
}

async fn ships_fl_acme(app: &TestApp, chain: &SharedLot, tracking: &str) -> bool {
    match ship(
        app,
        ACME,
        chain.acme_order,
        tracking,
        &[(3, "100", "FL-ACME")],
    )
    .await
    {
        Ok(outcome) => matches!(outcome, Outcome::Applied),
        Err(ServiceError::Invalid(errors)) => {
            assert_eq!(errors.get("lines.3.lots"), Some("trace.refused.on_hold"));
            false
        }
        Err(other) => panic!("shipping FL-ACME: {other:?}"),
    }
}

#[tokio::test]
async fn closing_a_held_complaint_releases_the_goods_tells_the_partners_and_signs_it() {
    let app = TestApp::spawn().await;
    let chain = shared_lot(&app).await;
    let state = app.state();
    let id = held_complaint(&app, &chain).await;
    let quality = actor(&app, "quality@acme.test", ACME).await;
    let fl_acme = finished_lot(&app, "FL-ACME").await;
    assert!(!ships_fl_acme(&app, &chain, "MSKU-ACME-03").await, "held");
    let held = as_actor(&quality, complaints::get(state, &quality, &id))
        .await
        .unwrap()
        .holds
        .len();

    // On the page: the form says what closing releases; without the tick, or without a
    // resolution, it comes back with the reason beside the field and the text kept.
    let client = app.login("quality@acme.test").await;
    let page = client.get(&format!("/complaints/{id}")).await;
    assert!(
        page.text("#close-form")
            .contains(&format!("releases the {held} item(s)")),
        "{}",
        page.text("#close-form")
    );
    let resolution = "Seams re-sewn at Delta; FL-ACME re-inspected and passed";
    let unticked = client
        .submit(&page, "#close-form", &[("resolution", resolution)])
        .await;
    assert_eq!(unticked.status, 422, "{}", unticked.body);
    assert!(
        unticked
            .text("#close-form .field-error")
            .contains("Tick the confirmation")
    );
    assert_eq!(unticked.text("#f-resolution"), resolution);
    let blank = client
        .submit(
            &page,
            "#close-form",
            &[("resolution", "   "), ("confirm", "yes")],
        )
        .await;
    assert_eq!(blank.status, 422, "{}", blank.body);
    assert!(blank.text("#close-form .field-error").contains("required"));
    assert!(
        !ships_fl_acme(&app, &chain, "MSKU-ACME-03").await,
        "still held"
    );

    let closed = client
        .submit(
            &page,
            "#close-form",
            &[("resolution", resolution), ("confirm", "yes")],
        )
        .await;
    assert_eq!(closed.status, 303, "{}", closed.body);
    let page = client.follow(&closed).await;
    assert!(
        page.text(".flash-success")
            .contains(&format!("{held} item(s) released")),
        "{}",
        page.text("main")
    );
    assert!(page.text("h1").contains("Closed"));
    assert!(page.text(".complaint-resolution").contains(resolution));
    assert!(!page.has("#close-form") && !page.has("#hold-form"));

    // Released: the lot ships, the trace shows nothing held.
    assert!(ships_fl_acme(&app, &chain, "MSKU-ACME-03").await);
    let trace = as_actor(
        &quality,
        view::trace(state, &quality, (MaterialLot, &chain.lot)),
    )
    .await
    .unwrap();
    assert!(!trace.nodes[&key(FinishedLot, fl_acme.as_str())].held);
    assert!(!trace.nodes[&key(Shipment, chain.acme_asn.as_str())].held);

    // Delta is told; so is the warehouse expecting the released shipment, at its inbound page.
    let planner = delta(&app, ACME).await;
    let told = as_actor(
        &planner,
        portico::service::notifications::list(state, &planner, None),
    )
    .await
    .unwrap();
    assert!(told.iter().any(|n| n.kind == "trace_hold_released"));
    let inbound = format!("/inbound/{}", chain.acme_asn);
    let warehouse_told = count(
        &app,
        "SELECT COUNT(*) FROM notifications WHERE kind = 'trace_hold_released' AND link = $1",
        &inbound,
    )
    .await;
    assert!(warehouse_told > 0, "the warehouse hears of the release");

    // Signed on the order the hold was signed on, audited once, and closed only once.
    let signed =
        "SELECT COUNT(*) FROM statements WHERE kind = 'po.hold_released' AND order_id = $1";
    assert_eq!(count(&app, signed, &chain.acme_order.to_string()).await, 1);
    assert_eq!(count(&app, signed, &chain.blue_order.to_string()).await, 0);
    let audited =
        "SELECT COUNT(*) FROM audit_log WHERE action = 'complaint.closed' AND subject_id = $1";
    assert_eq!(count(&app, audited, &id).await, 1);
    assert!(matches!(
        as_actor(&quality, closing::close(state, &quality, &id, "again")).await,
        Err(ServiceError::Refused("complaint.refused.closed"))
    ));
    assert_eq!(count(&app, signed, &chain.acme_order.to_string()).await, 1);
    assert!(matches!(
        as_actor(&quality, holds::place(state, &quality, &id)).await,
        Err(ServiceError::Refused("complaint.refused.not_open"))
    ));
}

#[tokio::test]
async fn goods_two_complaints_hold_stay_held_until_both_close() {
    let app = TestApp::spawn().await;
    let chain = shared_lot(&app).await;
    let state = app.state();
    let first = held_complaint(&app, &chain).await;
    let quality = actor(&app, "quality@acme.test", ACME).await;
    // A second complaint on the same order, rooted at the same lot, holds the same goods.
    let input = complaints::OpenInput {
        subject_kind: "order".into(),
        subject_id: chain.acme_order.to_string(),
        description: "Colour bleeds as well".into(),
    };
    let second = as_actor(&quality, complaints::open(state, &quality, &input, vec![]))
        .await
        .unwrap();
    let root = ("material_lot", chain.lot.as_str());
    as_actor(
        &quality,
        complaints::set_root(state, &quality, &second, root),
    )
    .await
    .unwrap();
    as_actor(&quality, holds::place(state, &quality, &second))
        .await
        .unwrap();

    let released = as_actor(
        &quality,
        closing::close(state, &quality, &first, "Seams fixed"),
    )
    .await
    .unwrap();
    assert!(
        released.finished_lots > 0 && released.shipments == 1,
        "{released:?}"
    );
    assert!(
        !ships_fl_acme(&app, &chain, "MSKU-ACME-04").await,
        "the second complaint still holds FL-ACME"
    );
    as_actor(
        &quality,
        closing::close(state, &quality, &second, "Colour within tolerance"),
    )
    .await
    .unwrap();
    assert!(ships_fl_acme(&app, &chain, "MSKU-ACME-04").await);
}

#[tokio::test]
async fn only_the_brands_quality_team_closes_and_an_open_complaint_closes_without_a_release() {
    let app = TestApp::spawn().await;
    let chain = shared_lot(&app).await;
    let state = app.state();
    let id = open_on_acme_order(&app, &chain).await;
    let ops = actor(&app, "ops@acme.test", ACME).await;
    assert!(matches!(
        as_actor(&ops, closing::close(state, &ops, &id, "Not a defect")).await,
        Err(ServiceError::Forbidden)
    ));
    let factory = delta(&app, ACME).await;
    let blue = actor(&app, "admin@blueharbor.test", BLUE_HARBOR).await;
    for outsider in [&factory, &blue] {
        assert!(matches!(
            as_actor(outsider, closing::close(state, outsider, &id, "x")).await,
            Err(ServiceError::NotFound)
        ));
    }
    let audited =
        "SELECT COUNT(*) FROM audit_log WHERE action = 'complaint.closed' AND subject_id = $1";
    assert_eq!(
        count(&app, audited, &id).await,
        0,
        "refusals change nothing"
    );

    // Never held: closing records the resolution, releases nothing and signs nothing.
    let admin = actor(&app, "admin@acme.test", ACME).await;
    let released = as_actor(&admin, closing::close(state, &admin, &id, "Not a defect"))
        .await
        .unwrap();
    assert_eq!(released, Released::default());
    let view = as_actor(&admin, complaints::get(state, &admin, &id))
        .await
        .unwrap();
    assert_eq!(view.complaint.status, "closed");
    assert_eq!(view.complaint.resolution.as_deref(), Some("Not a defect"));
    let signed =
        "SELECT COUNT(*) FROM statements WHERE kind = 'po.hold_released' AND order_id = $1";
    assert_eq!(count(&app, signed, &chain.acme_order.to_string()).await, 0);
}

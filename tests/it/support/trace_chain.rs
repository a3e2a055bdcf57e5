//! A factory's recorded chain feeding brands' orders, built through the real use cases: lots and
//! batches as Delta records them, orders issued and accepted, ASNs naming finished lots.

use portico::auth::actor::Actor;
use portico::db;
use portico::domain::ids::{OrderId, TenantId};
use portico::domain::partnership::PartnershipStatus;
use portico::domain::time::UtcMillis;
use portico::domain::trace::NodeKind;
use portico::service::ServiceResult;
use portico::service::demo_orders;
use portico::service::orders::decide::{self, Outcome, Seen};
use portico::service::orders::shipping::{self, AsnInput};
use portico::service::trace::record::{self, BatchInput, LotInput};

use super::orders::{actor, order};
use super::{TestApp, as_actor};

pub const DELTA: &str = "Delta Garment Works";
pub const ACME: &str = "Acme Apparel";
pub const BLUE_HARBOR: &str = "Blue Harbor Home";
pub const PLANNER: &str = "planner@delta.test";

pub fn lot(code: &str, qty: &str) -> LotInput {
    LotInput {
        material: "Cotton jersey 180 g/m², navy".into(),
        supplier_name: "Sunrise Textiles".into(),
        supplier_lot_code: code.into(),
        received_qty: qty.into(),
        unit: "m".into(),
    }
}

pub fn batch(code: &str, inputs: &[(&str, &str)], finished: (&str, &str)) -> BatchInput {
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
        finished_code: finished.0.into(),
        finished_qty: finished.1.into(),
        finished_unit: "pcs".into(),
    }
}

/// Delta starts serving Blue Harbor too (the demo data has it serve Acme only).
pub async fn delta_serves_blue_harbor(app: &TestApp) {
    let tenant = TenantId::of_brand(app.org_id(BLUE_HARBOR).await);
    let delta = app.org_id(DELTA).await;
    let mut tx = app.db.begin().await.expect("tx");
    db::partnerships::insert(
        &mut tx,
        tenant,
        delta,
        PartnershipStatus::Active,
        UtcMillis::now().0,
    )
    .await
    .expect("partnership");
    tx.commit().await.expect("commit");
}

/// An order of `brand` (bought by `buyer`) with Delta, shipping to Harbor Logistics, issued and
/// accepted line by line by Delta. Lines: 1 = 100, 2 = 200, 3 = 300 pcs.
pub async fn accepted_order(app: &TestApp, buyer: &str, brand: &str, po: &str) -> OrderId {
    let id = order(app, buyer, brand, po, DELTA, Some("Harbor Logistics"), true).await;
    let planner = actor(app, PLANNER, brand).await;
    let tenant = planner.scope.as_ref().expect("scope").tenant_id;
    let version = demo_orders::version(app.fixture_state(), tenant, id)
        .await
        .expect("version");
    let seen = Seen {
        order: id,
        version,
        submission: portico::auth::tokens::new_token(),
    };
    decide::accept_all(app.fixture_state(), &planner, &seen)
        .await
        .expect("accept all");
    id
}

/// Delta sends an ASN for `order` of `brand`: (line, quantity, lots as typed) per line.
pub async fn ship(
    app: &TestApp,
    brand: &str,
    order: OrderId,
    tracking: &str,
    lines: &[(i64, &str, &str)],
) -> ServiceResult<Outcome> {
    let planner = actor(app, PLANNER, brand).await;
    let input = AsnInput {
        warehouse: app.org_id("Harbor Logistics").await.to_string(),
        carrier: "Maersk".into(),
        tracking: tracking.into(),
        ship_date: "2027-06-01".into(),
        eta: "2027-06-20".into(),
        cartons: "12".into(),
        lines: lines
            .iter()
            .map(|(n, q, l)| (*n, (*q).to_owned(), (*l).to_owned()))
            .collect(),
    };
    let seen = Seen {
        order,
        version: 0,
        submission: portico::auth::tokens::new_token(),
    };
    // As a request of the planner's would: on the app's pool, in the brand's scope.
    as_actor(
        &planner,
        shipping::create_asn(app.state(), &planner, &seen, &input),
    )
    .await
}

/// The id of the ASN with this tracking number.
pub async fn asn_by_tracking(app: &TestApp, tracking: &str) -> String {
    let mut conn = app.db.reader().acquire().await.expect("conn");
    sqlx::query_scalar("SELECT id FROM asns WHERE tracking = $1")
        .bind(tracking)
        .fetch_one(&mut *conn)
        .await
        .expect("asn")
}

/// The id of Delta's finished lot with this code.
pub async fn finished_lot(app: &TestApp, code: &str) -> String {
    let mut conn = app.db.reader().acquire().await.expect("conn");
    sqlx::query_scalar("SELECT id FROM finished_lots WHERE code = $1")
        .bind(code)
        .fetch_one(&mut *conn)
        .await
        .expect("finished lot")
}

/// One material lot of Delta's feeding two batches: B-ACME (400 m → FL-ACME, 400 pcs), shipped
/// to Acme, and B-BLUE (300 m → FL-BLUE, 300 pcs), shipped to Blue Harbor. A second lot
/// (SR-SOLO) feeds only B-SOLO → FL-SOLO, which reaches no order.
pub struct SharedLot {
    pub lot: String,
    pub solo_lot: String,
    pub batch_acme: String,
    pub batch_blue: String,
    pub batch_solo: String,
    pub acme_order: OrderId,
    pub blue_order: OrderId,
    pub acme_asn: String,
    pub blue_asn: String,
}

pub const SHARED_LOT: &str = "SR-SHARED-0917";
pub const ACME_PO: &str = "ACME-7001";
pub const BLUE_PO: &str = "BH-9001";
pub const ACME_TRACKING: &str = "MSKU-ACME-01";
pub const BLUE_TRACKING: &str = "MSKU-BLUE-09";

/// Delta's actor working for `brand`.
pub async fn delta(app: &TestApp, brand: &str) -> Actor {
    actor(app, PLANNER, brand).await
}

/// Builds the shared-lot chain. Acme's ASN ships lines 1 and 2 (300 of FL-ACME's 400 pcs) and
/// leaves line 3 open; Blue Harbor's ships line 1 (100 of FL-BLUE) and names an unrecorded lot
/// on line 2.
pub async fn shared_lot(app: &TestApp) -> SharedLot {
    delta_serves_blue_harbor(app).await;
    let state = app.fixture_state();
    let factory = delta(app, ACME).await;
    let shared = record::record_material_lot(state, &factory, &lot(SHARED_LOT, "1000"))
        .await
        .expect("lot");
    let solo_lot = record::record_material_lot(state, &factory, &lot("SR-SOLO-0001", "50"))
        .await
        .expect("solo lot");
    let batch_acme = record::record_batch(
        state,
        &factory,
        &batch("B-ACME", &[(SHARED_LOT, "400")], ("FL-ACME", "400")),
    )
    .await
    .expect("batch for Acme");
    let batch_blue = record::record_batch(
        state,
        &factory,
        &batch("B-BLUE", &[(SHARED_LOT, "300")], ("FL-BLUE", "300")),
    )
    .await
    .expect("batch for Blue Harbor");
    let batch_solo = record::record_batch(
        state,
        &factory,
        &batch("B-SOLO", &[("SR-SOLO-0001", "50")], ("FL-SOLO", "50")),
    )
    .await
    .expect("solo batch");

    let acme_order = accepted_order(app, "ops@acme.test", ACME, ACME_PO).await;
    let blue_order = accepted_order(app, "admin@blueharbor.test", BLUE_HARBOR, BLUE_PO).await;
    let shipped = ship(
        app,
        ACME,
        acme_order,
        ACME_TRACKING,
        &[(1, "100", "FL-ACME"), (2, "200", "FL-ACME"), (3, "", "")],
    )
    .await
    .expect("Acme's ASN");
    assert!(matches!(shipped, Outcome::Applied));
    let shipped = ship(
        app,
        BLUE_HARBOR,
        blue_order,
        BLUE_TRACKING,
        &[(1, "100", "FL-BLUE"), (2, "200", "CARTON-MIX-77")],
    )
    .await
    .expect("Blue Harbor's ASN");
    assert!(matches!(shipped, Outcome::Applied));
    SharedLot {
        lot: shared,
        solo_lot,
        batch_acme,
        batch_blue,
        batch_solo,
        acme_order,
        blue_order,
        acme_asn: asn_by_tracking(app, ACME_TRACKING).await,
        blue_asn: asn_by_tracking(app, BLUE_TRACKING).await,
    }
}

/// The key of a node in a trace graph.
pub fn key(kind: NodeKind, id: impl Into<String>) -> (NodeKind, String) {
    (kind, id.into())
}

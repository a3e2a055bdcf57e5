//! Trace chains and complaints the isolation harness aims at, made through the real use cases:
//! each producer records a material lot, a batch and the finished lot it yields, and ships that
//! lot on one brand's order (so the chain reaches that brand and no other); each brand opens a
//! complaint on a chain of its own and names its root.

use portico::domain::ids::OrderId;
use portico::service::demo_orders;
use portico::service::orders::decide::{self, Seen};
use portico::service::orders::shipping::{self, AsnInput};
use portico::service::trace::complaints::{self, OpenInput};
use portico::service::trace::record::{self, BatchInput, LotInput};

use crate::support::TestApp;
use crate::support::orders::{actor, order};

/// One producer's chain, material lot to the brand's order.
pub struct Chain {
    pub lot: String,
    pub batch: String,
    pub finished: String,
    pub shipment: String,
    pub order: String,
    /// The material lot's code, as the producer scanned it.
    pub lot_code: String,
}

impl Chain {
    /// Every node, as (kind, id) for `/trace/node/{kind}/{id}`.
    pub fn nodes(&self) -> Vec<(&'static str, String)> {
        let mut out = self.recorded();
        out.extend(self.shipped());
        out
    }

    /// What the producer recorded: the material lot, the batch, the finished lot.
    pub fn recorded(&self) -> Vec<(&'static str, String)> {
        vec![
            ("material_lot", self.lot.clone()),
            ("batch", self.batch.clone()),
            ("finished_lot", self.finished.clone()),
        ]
    }

    /// The brand's data the chain reached: the shipment and the order.
    pub fn shipped(&self) -> Vec<(&'static str, String)> {
        vec![
            ("shipment", self.shipment.clone()),
            ("order", self.order.clone()),
        ]
    }
}

/// A complaint and another batch or material lot on its trace than its root: a root change the
/// harness asks for would show.
#[derive(Clone)]
pub struct ForeignComplaint {
    pub id: String,
    pub other_root: String,
}

pub struct ForeignTrace {
    /// Bluewater Crafts (serves only Blue Harbor) on Blue Harbor's order BH-TR-BW.
    pub bluewater: Chain,
    /// Delta Garment Works (serves only Acme) on Acme's order AC-TR-DL.
    pub delta: Chain,
    /// Sunrise Textiles (serves both) on Blue Harbor's order BH-TR-SR only.
    pub sunrise_blue: Chain,
    /// Sunrise Textiles on Acme's order AC-TR-SR only.
    pub sunrise_acme: Chain,
    /// Blue Harbor's complaint on Bluewater's finished lot (root: the batch), open.
    pub blue_complaint: ForeignComplaint,
    /// Acme's complaint on Delta's finished lot (root: the batch), open.
    pub acme_complaint: ForeignComplaint,
}

pub async fn foreign_trace(app: &TestApp) -> ForeignTrace {
    // Bluewater Crafts is written straight to the database (`foreign_objects`): it signs its
    // acceptance of the order with a key of its own.
    portico::service::orgs::ensure_keys(&app.db, &app.fixture_state().master)
        .await
        .expect("signing keys");
    let bluewater = chain(
        app,
        ("owner@bluewater.test", "Bluewater Crafts"),
        ("ops@blueharbor.test", "Blue Harbor Home"),
        "BW",
        "BH-TR-BW",
    )
    .await;
    let delta = chain(
        app,
        ("planner@delta.test", "Delta Garment Works"),
        ("ops@acme.test", "Acme Apparel"),
        "DL",
        "AC-TR-DL",
    )
    .await;
    let sunrise_blue = chain(
        app,
        ("sales@sunrise.test", "Sunrise Textiles"),
        ("ops@blueharbor.test", "Blue Harbor Home"),
        "SB",
        "BH-TR-SR",
    )
    .await;
    let sunrise_acme = chain(
        app,
        ("sales@sunrise.test", "Sunrise Textiles"),
        ("ops@acme.test", "Acme Apparel"),
        "SA",
        "AC-TR-SR",
    )
    .await;
    let blue_complaint = complaint(
        app,
        ("admin@blueharbor.test", "Blue Harbor Home"),
        &bluewater,
        "Blue Harbor seam complaint",
    )
    .await;
    let acme_complaint = complaint(
        app,
        ("admin@acme.test", "Acme Apparel"),
        &delta,
        "Acme seam complaint",
    )
    .await;
    ForeignTrace {
        bluewater,
        delta,
        sunrise_blue,
        sunrise_acme,
        blue_complaint,
        acme_complaint,
    }
}

/// The producer records lot `{p}-LOT-1`, batch `{p}-B-1` and finished lot `{p}-FL-1`; the
/// brand's buyer issues order `po` to it; the producer accepts it and ships line 1 from the
/// finished lot to Harbor Logistics (tracking `{p}-TRK-1`).
async fn chain(
    app: &TestApp,
    (producer, producer_org): (&str, &str),
    (buyer, brand): (&str, &str),
    p: &str,
    po: &str,
) -> Chain {
    let codes = |what: &str| format!("{p}-{what}-1");
    let lot_code = codes("LOT");
    let maker = actor(app, producer, brand).await;
    let state = app.fixture_state();
    let lot = record::record_material_lot(
        state,
        &maker,
        &LotInput {
            material: "Cotton jersey, navy".into(),
            supplier_name: "Mill".into(),
            supplier_lot_code: lot_code.clone(),
            received_qty: "500".into(),
            unit: "m".into(),
        },
    )
    .await
    .expect("material lot");
    let batch = record::record_batch(
        state,
        &maker,
        &BatchInput {
            code: codes("B"),
            line: "Line 1".into(),
            shift: "Early".into(),
            operator: "Li Wei".into(),
            started_at: "2026-11-20T06:00".into(),
            ended_at: "2026-11-20T14:00".into(),
            inputs: vec![(lot_code.clone(), "200".into())],
            finished_code: codes("FL"),
            finished_qty: "400".into(),
            finished_unit: "pcs".into(),
        },
    )
    .await
    .expect("batch");
    let order_id = order(app, buyer, brand, po, producer_org, None, true).await;
    let tenant = maker.scope.as_ref().unwrap().tenant_id;
    let version = demo_orders::version(state, tenant, order_id).await.unwrap();
    decide::accept_all(state, &maker, &seen(order_id, version))
        .await
        .expect("accept all");
    let input = AsnInput {
        warehouse: app.org_id("Harbor Logistics").await.to_string(),
        carrier: "Maersk".into(),
        tracking: codes("TRK"),
        ship_date: "2027-06-01".into(),
        eta: "2027-06-20".into(),
        cartons: "4".into(),
        lines: vec![(1, "100".into(), codes("FL"))],
    };
    shipping::create_asn(state, &maker, &seen(order_id, 0), &input)
        .await
        .expect("asn");
    let mut conn = app.db.reader().acquire().await.unwrap();
    let finished: String = sqlx::query_scalar(
        "SELECT to_id FROM trace_edges WHERE from_kind = 'batch' AND from_id = $1",
    )
    .bind(&batch)
    .fetch_one(&mut *conn)
    .await
    .expect("finished lot");
    let shipment: String = sqlx::query_scalar(
        "SELECT to_id FROM trace_edges WHERE from_kind = 'finished_lot' AND from_id = $1 \
         AND to_kind = 'shipment'",
    )
    .bind(&finished)
    .fetch_one(&mut *conn)
    .await
    .expect("shipment of the finished lot");
    Chain {
        lot,
        batch,
        finished,
        shipment,
        order: order_id.to_string(),
        lot_code,
    }
}

fn seen(order: OrderId, version: i64) -> Seen {
    Seen {
        order,
        version,
        submission: portico::auth::tokens::new_token(),
    }
}

/// The brand's admin opens a complaint on the chain's finished lot and names its batch the root.
async fn complaint(
    app: &TestApp,
    (admin, brand): (&str, &str),
    on: &Chain,
    description: &str,
) -> ForeignComplaint {
    let admin = actor(app, admin, brand).await;
    let input = OpenInput {
        subject_kind: "finished_lot".into(),
        subject_id: on.finished.clone(),
        description: description.into(),
    };
    let id = complaints::open(app.fixture_state(), &admin, &input, Vec::new())
        .await
        .expect("complaint");
    complaints::set_root(app.fixture_state(), &admin, &id, ("batch", &on.batch))
        .await
        .expect("root");
    ForeignComplaint {
        id,
        other_root: format!("material_lot:{}", on.lot),
    }
}

/// The rows of the trace and complaint tables a request could change, as one comparable string
/// (the harness's general fingerprint does not read them).
pub async fn fingerprint(app: &TestApp) -> String {
    let queries = [
        "SELECT id || '|' || owner_org_id || '|' || supplier_lot_code || '|' || received_qty \
         FROM material_lots ORDER BY id",
        "SELECT id || '|' || owner_org_id || '|' || code FROM production_batches ORDER BY id",
        "SELECT id || '|' || owner_org_id || '|' || code || '|' || quantity \
         FROM finished_lots ORDER BY id",
        "SELECT from_kind || '|' || from_id || '|' || to_kind || '|' || to_id || '|' || \
         quantity || '|' || COALESCE(tenant_id, '-') FROM trace_edges \
         ORDER BY from_kind, from_id, to_kind, to_id",
        "SELECT tenant_id || '|' || id || '|' || status || '|' || COALESCE(root_kind, '-') || \
         '|' || COALESCE(root_id, '-') FROM complaints ORDER BY tenant_id, id",
        "SELECT tenant_id || '|' || complaint_id || '|' || node_kind || '|' || node_id || '|' || \
         COALESCE(CAST(released_at AS TEXT), '-') FROM trace_holds \
         ORDER BY tenant_id, complaint_id, node_kind, node_id",
        "SELECT CAST(COUNT(*) AS TEXT) FROM attachments",
        "SELECT CAST(COUNT(*) AS TEXT) FROM notifications",
        "SELECT CAST(COUNT(*) AS TEXT) FROM asns",
    ];
    let mut conn = app.db.reader().acquire().await.expect("conn");
    let mut out = String::new();
    for sql in queries {
        let rows: Vec<String> = sqlx::query_scalar(sql)
            .fetch_all(&mut *conn)
            .await
            .expect(sql);
        out.push_str(&rows.join("\n"));
        out.push_str("\n--\n");
    }
    out
}

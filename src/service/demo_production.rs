//! Demo orders after confirmation, through the real use cases: a bill of materials counted by
//! the factory (one order short), a kitting post with a photo, a first sample that quality approves or rejects, a QC inspection, an ASN to the order's
//! warehouse, and the warehouse's receipt (with or without a discrepancy).

use super::ServiceError;
use super::demo_orders::actor;
use super::orders::decide::Seen;
use super::orders::files::Upload;
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db;
use crate::domain::ids::{OrderId, TenantId};

pub(super) fn fail(what: &'static str) -> impl Fn(ServiceError) -> anyhow::Error {
    move |e| anyhow::anyhow!("demo {what}: {e:?}")
}

fn fresh(id: OrderId) -> Seen {
    Seen {
        order: id,
        version: 0,
        submission: crate::auth::tokens::new_token(),
    }
}

/// A small generated PNG, different per order and per use.
fn photo(id: OrderId, salt: u8, width: u32, height: u32) -> anyhow::Result<Vec<u8>> {
    let seed = id.as_uuid().as_bytes()[15] ^ salt;
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 2) as u8 ^ salt, (y * 3) as u8, seed])
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    image.write_to(&mut bytes, image::ImageFormat::Png)?;
    Ok(bytes.into_inner())
}

/// Kitting reported with a photo, then a first sample that brand quality decides on.
pub async fn produce(
    state: &AppState,
    tenant: TenantId,
    partner: &Actor,
    id: OrderId,
    approve: bool,
) -> anyhow::Result<()> {
    use super::orders::progress::{self, ProgressInput};
    use super::orders::samples::{self, SampleInput};
    let input = ProgressInput {
        milestone: "materials_kitted".into(),
        note: "Fabric and trims received and checked".into(),
        ..ProgressInput::default()
    };
    let upload = Upload {
        name: "materials-on-hand.png".into(),
        bytes: photo(id, 0, 96, 64)?,
    };
    progress::post_progress(state, partner, &fresh(id), &input, vec![upload])
        .await
        .map_err(fail("progress"))?;

    let input = SampleInput {
        measurements: "chest 52 cm\nlength 71 cm\nsleeve 20 cm".into(),
        note: String::new(),
    };
    let upload = Upload {
        name: "first-sample.png".into(),
        bytes: photo(id, 0x5a, 80, 80)?,
    };
    samples::submit(state, partner, &fresh(id), &input, vec![upload])
        .await
        .map_err(fail("sample"))?;
    // The brand's own quality user decides; a brand without one leaves the sample waiting.
    let quality_email = {
        let mut conn = state.db.read().await?;
        db::notifications::recipients(&mut conn, tenant.into(), &["quality"])
            .await?
            .first()
            .map(|r| r.email.clone())
    };
    let Some(quality_email) = quality_email else {
        return Ok(());
    };
    let quality = actor(state, &quality_email, tenant).await?;
    let sample: String = {
        let mut conn = state.db.read().await?;
        db::samples::of_order(&mut conn, tenant, id)
            .await?
            .first()
            .map(|s| s.id.clone())
            .unwrap_or_default()
    };
    let comment = if approve {
        "Fit and colour as approved in the tech pack"
    } else {
        "Shoulder seam puckers; please adjust and resubmit"
    };
    samples::decide(state, &quality, &fresh(id), &sample, approve, comment)
        .await
        .map_err(fail("sample decision"))?;
    Ok(())
}

/// A bill of materials on line 1 counted by the factory, production planned: fabric in full,
/// buttons in full or (`short`) half of them, with production due in two days.
pub async fn kit(
    state: &AppState,
    tenant: TenantId,
    partner: &Actor,
    id: OrderId,
    short: bool,
) -> anyhow::Result<()> {
    use super::orders::kitting::{self, ComponentInput, StockInput};
    let quantity: rust_decimal::Decimal = {
        let mut conn = state.db.read().await?;
        db::order_lines::of_order(&mut conn, tenant, id)
            .await?
            .first()
            .map(|l| l.quantity.parse().unwrap_or_default())
            .unwrap_or_default()
    };
    let materials = [
        (
            "Shell fabric, cotton jersey 180 g",
            "1.2",
            "m",
            "Jiangsu Huafu Mills",
            false,
        ),
        (
            "Buttons 18L, horn look",
            "6",
            "pcs",
            "Wenzhou Button Co.",
            short,
        ),
    ];
    for (name, per_unit, unit, supplier, is_short) in materials {
        let input = ComponentInput {
            line: "1".into(),
            component: name.into(),
            qty_per_unit: per_unit.into(),
            unit: unit.into(),
            supplier: supplier.into(),
        };
        kitting::add_component(state, partner, &fresh(id), &input)
            .await
            .map_err(fail("BOM"))?;
        let component: String = {
            let mut conn = state.db.read().await?;
            db::kitting::of_order(&mut conn, tenant, id)
                .await?
                .into_iter()
                .find(|c| c.component == name)
                .map(|c| c.id)
                .unwrap_or_default()
        };
        let needed = quantity
            * per_unit
                .parse::<rust_decimal::Decimal>()
                .unwrap_or_default();
        let on_hand = if is_short {
            needed / rust_decimal::Decimal::from(2)
        } else {
            needed
        };
        let stock = StockInput {
            on_hand: on_hand.normalize().to_string(),
            allocated: "0".into(),
            lot_codes: format!("LOT-{}-{}", &id.to_string()[30..], unit.to_uppercase()),
        };
        kitting::record_stock(state, partner, &fresh(id), &component, &stock)
            .await
            .map_err(fail("stock"))?;
    }
    let start = crate::domain::time::UtcMillis::now()
        .plus_secs(if short { 2 } else { 10 } * 86_400)
        .rfc3339()[..10]
        .to_owned();
    kitting::plan_start(state, partner, &fresh(id), 1, &start)
        .await
        .map_err(fail("plan"))?;
    Ok(())
}

/// A pre-shipment inspection by the factory's inspector: passed, or failed with major defects
/// (which holds the goods).
pub async fn inspect(
    state: &AppState,
    partner: &Actor,
    id: OrderId,
    pass: bool,
) -> anyhow::Result<()> {
    use super::orders::qc::{self, QcInput};
    let input = QcInput {
        inspector: "Li Wei".into(),
        sample_size: "200".into(),
        aql: "2.5".into(),
        critical: "0".into(),
        major: if pass { "3" } else { "14" }.into(),
        minor: if pass { "5" } else { "9" }.into(),
        defects_note: if pass {
            "3 × loose thread, 5 × minor stain (removable)"
        } else {
            "9 × open seam at side, 5 × shade variation between panels"
        }
        .into(),
        result: if pass { "pass" } else { "fail" }.into(),
    };
    let upload = Upload {
        name: "inspection.png".into(),
        bytes: photo(id, 0x3c, 96, 64)?,
    };
    qc::record(state, partner, &fresh(id), &input, vec![upload])
        .await
        .map_err(fail("QC"))?;
    Ok(())
}

/// Every line shipped on one ASN to the order's warehouse (none named: nothing ships).
pub async fn ship(
    state: &AppState,
    tenant: TenantId,
    partner: &Actor,
    id: OrderId,
) -> anyhow::Result<()> {
    use super::orders::shipping::{self, AsnInput};
    let (order, lines) = {
        let mut conn = state.db.read().await?;
        let order = db::orders::get(&mut conn, tenant, id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("demo order"))?;
        (
            order,
            db::order_lines::of_order(&mut conn, tenant, id).await?,
        )
    };
    let Some(warehouse) = order.ship_to_org_id else {
        return Ok(());
    };
    // Dates as the seeding clock sees them, which may be days back.
    let today = state.now();
    let day = |offset: i64| today.plus_secs(offset * 86_400).rfc3339()[..10].to_owned();
    let input = AsnInput {
        warehouse: warehouse.to_string(),
        carrier: "Maersk".into(),
        tracking: format!("MSKU{}", &order.po_number),
        ship_date: day(-3),
        eta: day(4),
        cartons: (lines.len() * 6).to_string(),
        lines: lines
            .iter()
            .map(|l| {
                let lot = format!("FG-{}-{}", order.po_number, l.line_no);
                (l.line_no, l.quantity.clone(), lot)
            })
            .collect(),
    };
    shipping::create_asn(state, partner, &fresh(id), &input)
        .await
        .map_err(fail("ASN"))?;
    Ok(())
}

/// The warehouse receives the order's ASN: in full, or 12 short with 3 damaged on line 1.
/// The order's first shipment, its lines and the warehouse user who receives it.
async fn inbound_shipment(
    state: &AppState,
    tenant: TenantId,
    id: OrderId,
) -> anyhow::Result<Option<(db::shipping::Asn, Vec<db::shipping::AsnLine>, Actor)>> {
    let (asn, dock) = {
        let mut conn = state.db.read().await?;
        let Some(asn) = db::shipping::of_order(&mut conn, tenant, id)
            .await?
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        let lines = db::shipping::lines(&mut conn, tenant, &asn.id).await?;
        let dock = db::notifications::recipients(&mut conn, asn.warehouse_org_id, &[])
            .await?
            .first()
            .map(|r| r.email.clone());
        ((asn, lines), dock)
    };
    let Some(dock) = dock else {
        return Ok(None);
    };
    let warehouse = actor(state, &dock, tenant).await?;
    let (asn, lines) = asn;
    Ok(Some((asn, lines, warehouse)))
}

/// The goods of the order's first shipment are at the warehouse dock (its receipt clock runs).
pub async fn arrive(state: &AppState, tenant: TenantId, id: OrderId) -> anyhow::Result<()> {
    if let Some((asn, _, warehouse)) = inbound_shipment(state, tenant, id).await? {
        super::orders::receiving::mark_arrived(state, &warehouse, &asn.id)
            .await
            .map_err(fail("arrival"))?;
    }
    Ok(())
}

/// The warehouse reports the arrival, counts for a few hours and posts the receipt.
pub async fn receive(
    state: &AppState,
    tenant: TenantId,
    id: OrderId,
    discrepancy: bool,
) -> anyhow::Result<()> {
    use super::orders::receiving::{self, ReceiptInput};
    arrive(state, tenant, id).await?;
    super::demo_orders::move_on(state, if discrepancy { 6 } else { 2 } * 3_600_000);
    let Some((asn, lines, warehouse)) = inbound_shipment(state, tenant, id).await? else {
        return Ok(());
    };
    let input = ReceiptInput {
        lines: lines
            .iter()
            .map(|l| {
                let announced: rust_decimal::Decimal = l.quantity.parse().unwrap_or_default();
                if discrepancy && l.line_no == 1 {
                    let received = (announced - rust_decimal::Decimal::from(12)).max(0.into());
                    let why = "12 pcs short; 3 cartons crushed in transit";
                    (l.line_no, received.to_string(), "3".into(), why.into())
                } else {
                    (l.line_no, l.quantity.clone(), String::new(), String::new())
                }
            })
            .collect(),
    };
    let uploads = if discrepancy {
        vec![Upload {
            name: "crushed-cartons.png".into(),
            bytes: photo(id, 0xc3, 96, 64)?,
        }]
    } else {
        Vec::new()
    };
    let token = crate::auth::tokens::new_token();
    receiving::post_receipt(state, &warehouse, &asn.id, &token, &input, uploads)
        .await
        .map_err(fail("receipt"))?;
    Ok(())
}

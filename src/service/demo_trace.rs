//! Demo traceability, through the real use cases: Sunrise Textiles (which serves both demo
//! brands) receives fabric and trim lots, sews batches on its lines with named operators, and
//! each batch's finished lot is what one line of an ASN already shipped names, so the chain runs
//! from the shared fabric lots to Acme's and Blue Harbor's orders. Acme quality has one
//! complaint traced back to a fabric lot, not yet held (placing the hold is the user's move).

use std::str::FromStr;

use rust_decimal::Decimal;

use super::demo_orders::actor;
use super::demo_production::fail;
use super::trace::complaints::{self, OpenInput};
use super::trace::record::{self, BatchInput, LotInput};
use crate::app::AppState;
use crate::db;
use crate::db::trace::NewLink;
use crate::domain::ids::{OrgId, TenantId};
use crate::domain::trace::NodeKind;

/// (material, the lot's maker, lot code, received, unit).
const LOTS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "Cotton jersey 180gsm, black",
        "Sunrise Mill No. 2",
        "SR-FAB-2409-117",
        "12000",
        "m",
    ),
    (
        "Cotton jersey 180gsm, white",
        "Sunrise Mill No. 2",
        "SR-FAB-2409-118",
        "12000",
        "m",
    ),
    ("Rib trim 1x1", "Kinsei Trims", "KT-RIB-5521", "3000", "m"),
];

const LINES: &[(&str, &str, &str)] = &[
    ("Sewing line 2", "Day", "Li Wei"),
    ("Sewing line 4", "Night", "Nguyen Thi Hoa"),
    ("Sewing line 2", "Night", "Chen Jun"),
];

/// Shipped orders of Sunrise in each brand whose ASNs get a recorded chain.
const ASNS_PER_BRAND: usize = 2;

pub async fn seed(state: &AppState, acme: TenantId, blue: TenantId) -> anyhow::Result<()> {
    let sunrise = actor(state, "sales@sunrise.test", acme).await?;
    for (material, maker, code, qty, unit) in LOTS {
        let input = LotInput {
            material: (*material).into(),
            supplier_name: (*maker).into(),
            supplier_lot_code: (*code).into(),
            received_qty: (*qty).into(),
            unit: (*unit).into(),
        };
        record::record_material_lot(state, &sunrise, &input)
            .await
            .map_err(fail("material lot"))?;
    }
    let mut first_acme_order = None;
    let mut n = 0;
    for tenant in [acme, blue] {
        let asns = {
            let mut conn = state.db.read().await?;
            let Some(harbor) = db::orgs::find_by_name(&mut conn, "Harbor Logistics")
                .await?
                .into_iter()
                .next()
            else {
                return Ok(());
            };
            let mut asns =
                db::shipping::inbound(&mut conn, tenant, harbor.id, None, false, 500).await?;
            asns.retain(|a| a.partner_name == "Sunrise Textiles");
            asns.sort_by(|a, b| a.po_number.cmp(&b.po_number));
            asns.truncate(ASNS_PER_BRAND);
            let mut with_lines = Vec::new();
            for asn in asns {
                let lines = db::shipping::lines(&mut conn, tenant, &asn.id).await?;
                with_lines.push((asn, lines));
            }
            with_lines
        };
        for (i, (asn, lines)) in asns.iter().enumerate() {
            if tenant == acme && first_acme_order.is_none() {
                first_acme_order = Some(asn.order_id);
            }
            // The first shipment of each brand is sewn from the same black fabric lot.
            let fabric = LOTS[i % 2].2;
            let start = jiff::civil::Date::from_str(&asn.ship_date)?
                .checked_sub(jiff::Span::new().days(6))?;
            for line in lines {
                let qty = Decimal::from_str(&line.quantity)?;
                let (prod_line, shift, operator) = LINES[n % LINES.len()];
                let day = start.checked_add(jiff::Span::new().days((n % 3) as i64))?;
                let (from, to) = if shift == "Night" {
                    ("22:00", "06:00")
                } else {
                    ("06:00", "14:00")
                };
                let end_day = if shift == "Night" {
                    day.checked_add(jiff::Span::new().days(1))?
                } else {
                    day
                };
                let input = BatchInput {
                    code: format!("B-{}-{}", asn.po_number, line.line_no),
                    line: prod_line.into(),
                    shift: shift.into(),
                    operator: operator.into(),
                    started_at: format!("{day}T{from}"),
                    ended_at: format!("{end_day}T{to}"),
                    inputs: vec![
                        (
                            fabric.into(),
                            (qty * Decimal::new(6, 1)).round_dp(1).to_string(),
                        ),
                        (
                            LOTS[2].2.into(),
                            (qty * Decimal::new(5, 2)).round_dp(1).to_string(),
                        ),
                    ],
                    finished_code: line.lot_codes.clone(),
                    finished_qty: line.quantity.clone(),
                    finished_unit: line.unit.clone(),
                };
                record::record_batch(state, &sunrise, &input)
                    .await
                    .map_err(fail("batch"))?;
                n += 1;
            }
            link_shipped(
                state,
                sunrise.org_id,
                tenant,
                &asn.id,
                asn.order_id.to_string(),
                lines,
            )
            .await?;
        }
    }
    let Some(order) = first_acme_order else {
        return Ok(());
    };
    let quality = actor(state, "quality@acme.test", acme).await?;
    let input = OpenInput {
        subject_kind: "order".into(),
        subject_id: order.to_string(),
        description: "Side seams splitting after one wash on 14 of 40 tees sampled from store \
                      returns. Fabric feels thinner than the approved sample."
            .into(),
    };
    let id = complaints::open(state, &quality, &input, Vec::new())
        .await
        .map_err(fail("complaint"))?;
    let lot = {
        let mut conn = state.db.read().await?;
        db::trace_records::material_lot_by_code(&mut conn, sunrise.org_id, LOTS[0].2).await?
    };
    if let Some(lot) = lot {
        complaints::set_root(state, &quality, &id, ("material_lot", &lot.0))
            .await
            .map_err(fail("complaint root"))?;
    }
    Ok(())
}

/// The ASN was shipped before its lots were recorded: link what it names now, as the ASN form
/// does for lots recorded first.
async fn link_shipped(
    state: &AppState,
    owner: OrgId,
    tenant: TenantId,
    asn: &str,
    order: String,
    lines: &[db::shipping::AsnLine],
) -> anyhow::Result<()> {
    let mut tx = state.db.begin().await?;
    let now = state.now().0;
    let mut total = Decimal::ZERO;
    for line in lines {
        total += Decimal::from_str(&line.quantity)?;
        let Some((lot, ..)) =
            db::trace_records::finished_lot_by_code(&mut tx, owner, &line.lot_codes).await?
        else {
            continue;
        };
        let link = NewLink {
            owner,
            from: (NodeKind::FinishedLot, &lot),
            to: (NodeKind::Shipment, asn),
            quantity: &line.quantity,
            unit: &line.unit,
            tenant: Some(tenant),
            now,
        };
        db::trace::insert_link(&mut tx, &link).await?;
    }
    let link = NewLink {
        owner,
        from: (NodeKind::Shipment, asn),
        to: (NodeKind::Order, &order),
        quantity: &total.to_string(),
        unit: "pcs",
        tenant: Some(tenant),
        now,
    };
    db::trace::insert_link(&mut tx, &link).await?;
    tx.commit().await?;
    Ok(())
}

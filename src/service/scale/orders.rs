//! One generated order: its lines, the brand's issue and the partner's decisions, each version
//! step a timeline event and a statement signed with the acting organisation's key, chained as
//! the app chains them. Production, shipping, money and traceability follow in `fulfilment`.

use rand::Rng;
use rand::rngs::StdRng;
use serde_json::json;

use super::batch::Batch;
use super::clocks::ClockRun;
use super::ids::uuid_at;
use super::shape;
use super::timeline::{self, Answer, DAY, Stage};
use super::world::World;
use super::writer::OrderWriter;
pub use super::writer::date;
use crate::db::bulk::Val;
use crate::db::order_lines::Line;
use crate::db::orders::Order;
use crate::domain::ids::{LineId, OrderId, TenantId};
use crate::domain::order::line::LineState;
use crate::domain::order::state::OrderState;
use crate::domain::sla::calendar::Calendar;
use crate::domain::sla::policy::Kind;

/// What every order of a run shares.
pub struct Gen<'a> {
    pub world: &'a World,
    pub now: i64,
    pub seed: u64,
    pub cal: Calendar,
}

/// (SKU, description, HS code, unit price in cents).
const PRODUCTS: [(&str, &str, &str, i64); 12] = [
    ("TS-100-BLK", "Crew tee, black", "6109.10", 385),
    ("TS-100-WHT", "Crew tee, white", "6109.10", 385),
    ("HD-220-NVY", "Hooded sweatshirt, navy", "6110.20", 1140),
    ("DN-510-IND", "Slim denim, indigo", "6203.42", 1490),
    ("PL-300-GRN", "Piqué polo, green", "6105.10", 620),
    ("TW-700-WHT", "Bath towel 70x140, white", "6302.60", 475),
    ("BS-900-GRY", "Percale sheet set, grey", "6302.31", 1830),
    ("JK-410-OLV", "Field jacket, olive", "6201.40", 2650),
    ("SK-120-MIX", "Crew socks, 3-pack", "6115.95", 210),
    ("LG-330-BLK", "Running leggings, black", "6104.63", 890),
    ("SH-610-BLU", "Oxford shirt, blue", "6205.20", 1280),
    ("DR-250-RED", "Wrap dress, red", "6204.42", 1760),
];
const SIZES: [&str; 5] = ["XS", "S", "M", "L", "XL"];

/// Writes order number `index` (0-based), created at `created`, into `out`.
pub fn order(g: &Gen, rng: &mut StdRng, index: u64, created: i64, out: &mut Batch) {
    let partner_rank = g.world.partner_skew.sample(rng);
    let partner = &g.world.partners[partner_rank];
    // A partner's first brand gets most of its orders.
    let brand_index = partner.brands[shape::Zipf::new(partner.brands.len(), 1.0).sample(rng)];
    let brand = &g.world.brands[brand_index];
    let tenant = TenantId::of_brand(brand.org.id);
    let draft = created > g.now - 7 * DAY && rng.gen_bool(0.05);
    let plan = timeline::plan(rng, created, draft);
    let financeable = brand.program.is_some();
    let horizon = match (plan.stage(g.now, financeable), plan.cancelled) {
        (Stage::Cancelled, Some(at)) => at - 1,
        _ => g.now,
    };
    let delivery = date(plan.delivery);
    let count = shape::line_count(rng.r#gen());
    let lines: Vec<Line> = (1..=count as i64)
        .map(|no| {
            let (sku, description, hs, price) = PRODUCTS[rng.gen_range(0..PRODUCTS.len())];
            let size = SIZES[rng.gen_range(0..SIZES.len())];
            Line {
                line_no: no,
                id: LineId::from(uuid_at(rng, created)),
                sku: format!("{sku}-{size}"),
                description: description.to_owned(),
                hs_code: hs.to_owned(),
                quantity: (rng.gen_range(4..120) * 50).to_string(),
                unit: "pcs".into(),
                unit_price_minor: price + rng.gen_range(-price / 10..=price / 10),
                delivery_date: delivery.clone(),
                state: LineState::Open,
                note: None,
                proposed_quantity: None,
                proposed_date: None,
                proposed_price_minor: None,
            }
        })
        .collect();
    let warehouse = &g.world.warehouses[brand.warehouse];
    let order = Order {
        tenant_id: tenant,
        id: OrderId::from(uuid_at(rng, created)),
        po_number: format!("PO-{:07}", index + 1),
        partner_org_id: partner.org.id,
        partner_name: partner.org.name.clone(),
        ship_to_org_id: Some(warehouse.id),
        ship_to_name: Some(warehouse.name.clone()),
        currency: "USD".into(),
        incoterms: ["FOB", "FOB", "CIF", "EXW", "DDP"][rng.gen_range(0..5)].into(),
        payment_terms: ["Net 60", "Net 60", "Net 30", "Net 90"][rng.gen_range(0..4)].into(),
        requested_delivery: delivery.clone(),
        state: OrderState::Draft,
        version: 1,
        due_date: delivery,
        total_minor: 0,
        line_count: count as i64,
        cancel_reason: None,
        created_by: brand.ops,
        created_at: created,
        issued_at: None,
        updated_at: created,
    };
    let mut w = OrderWriter {
        g,
        out,
        rng,
        brand,
        partner,
        partner_rank,
        brand_index,
        order,
        lines,
        plan,
        horizon,
        financeable,
        event_seq: 0,
        statement_seq: 0,
        prev: None,
        seen_cache: None,
    };
    let ops = (brand.ops, brand.org.id);
    w.event("created", None, ops, created, json!({}));
    issue_and_answer(&mut w);
    super::fulfilment::produce_ship_and_bill(&mut w);
    cancel(&mut w);
    finish(w);
}

fn issue_and_answer(w: &mut OrderWriter) {
    let Some(issued) = w.plan.issued.filter(|at| w.happened(*at)) else {
        return;
    };
    let seen = (w.order.version, w.seen());
    w.bump(Some(OrderState::Issued), issued);
    w.order.issued_at = Some(issued);
    let brand = w.brand;
    w.event("issued", None, (brand.ops, brand.org.id), issued, json!({}));
    let attests = format!(
        "{} issued PO {} to {} with {} line(s)",
        brand.org.name,
        w.order.po_number,
        w.order.partner_name,
        w.lines.len()
    );
    let body = json!({ "lines": w.lines.iter().map(|l| json!({
        "line_no": l.line_no, "line_id": l.id.to_string(), "sku": l.sku, "quantity": l.quantity,
        "unit": l.unit, "unit_price_minor": l.unit_price_minor, "delivery_date": l.delivery_date,
    })).collect::<Vec<_>>() });
    w.statement(
        "po.issued",
        &brand.org,
        brand.ops,
        issued,
        (seen.0, &seen.1),
        attests,
        body,
    );
    let (answered, settled) = (w.plan.answered, w.plan.settled);
    let all: Vec<i64> = w.lines.iter().map(|l| l.line_no).collect();
    let last = *all.last().unwrap_or(&1);
    let mut confirmation = ClockRun {
        kind: Kind::PoConfirmation,
        line_no: 0,
        owed_by: w.partner.org.id,
        started: issued,
        before: None,
        paused: None,
        stopped: None,
        voided: w.plan.cancelled.filter(|c| *c <= w.g.now),
    };
    if w.happened(answered) {
        match w.plan.answer {
            Answer::AcceptAll => {
                let d: Vec<(i64, &str)> = all.iter().map(|n| (*n, "accept")).collect();
                w.decide(true, &d, answered);
                confirmation.stopped = Some(answered);
            }
            Answer::RejectAll => {
                let d: Vec<(i64, &str)> = all.iter().map(|n| (*n, "reject")).collect();
                w.decide(true, &d, answered);
                confirmation.stopped = Some(answered);
            }
            Answer::Propose => {
                let d: Vec<(i64, &str)> = all
                    .iter()
                    .map(|n| {
                        (
                            *n,
                            if *n == last {
                                "propose_change"
                            } else {
                                "accept"
                            },
                        )
                    })
                    .collect();
                w.decide(true, &d, answered);
                confirmation.paused = Some(answered);
                if w.happened(settled) {
                    w.decide(false, &[(last, "accept_proposal")], settled);
                    confirmation.stopped = Some(settled);
                }
            }
            Answer::Partial => {
                let half = all.len() / 2;
                let d: Vec<(i64, &str)> = all[..half].iter().map(|n| (*n, "accept")).collect();
                w.decide(true, &d, answered);
                if w.happened(settled) {
                    let d: Vec<(i64, &str)> = all[half..].iter().map(|n| (*n, "accept")).collect();
                    w.decide(true, &d, settled);
                    confirmation.stopped = Some(settled);
                }
            }
        }
    }
    w.clock(confirmation);
}

fn cancel(w: &mut OrderWriter) {
    let Some(at) = w.plan.cancelled.filter(|c| *c <= w.g.now) else {
        return;
    };
    let reason = "Collection dropped";
    let seen = (w.order.version, w.seen());
    w.bump(Some(OrderState::Cancelled), at);
    w.order.cancel_reason = Some(reason.into());
    let brand = w.brand;
    let user = (brand.ops, brand.org.id);
    w.event("cancelled", None, user, at, json!({ "reason": reason }));
    let attests = format!(
        "{} cancelled PO {}: {reason}",
        brand.org.name, w.order.po_number
    );
    w.statement(
        "po.cancelled",
        &brand.org,
        brand.ops,
        at,
        (seen.0, &seen.1),
        attests,
        json!({ "reason": reason }),
    );
}

fn finish(w: OrderWriter) {
    let OrderWriter {
        out,
        mut order,
        lines,
        ..
    } = w;
    order.due_date = crate::service::orders::due_date(&lines, &order.requested_delivery);
    order.total_minor = crate::service::orders::total_minor(&lines);
    let tenant = order.tenant_id.to_string();
    let id = order.id.to_string();
    for l in lines {
        out.lines.row(vec![
            tenant.clone().into(),
            id.clone().into(),
            Val::I(l.line_no),
            l.id.to_string().into(),
            l.sku.into(),
            l.description.into(),
            l.hs_code.into(),
            l.quantity.into(),
            l.unit.into(),
            Val::I(l.unit_price_minor),
            l.delivery_date.into(),
            l.state.as_str().into(),
            l.note.into(),
            l.proposed_quantity.into(),
            l.proposed_date.into(),
            l.proposed_price_minor.into(),
        ]);
    }
    out.orders.row(vec![
        tenant.into(),
        id.into(),
        order.po_number.into(),
        order.partner_org_id.to_string().into(),
        order.ship_to_org_id.map(|o| o.to_string()).into(),
        order.currency.into(),
        order.incoterms.into(),
        order.payment_terms.into(),
        order.requested_delivery.into(),
        order.state.as_str().into(),
        Val::I(order.version),
        order.due_date.into(),
        Val::I(order.total_minor),
        Val::I(order.line_count),
        order.cancel_reason.into(),
        order.created_by.to_string().into(),
        Val::I(order.created_at),
        order.issued_at.into(),
        Val::I(order.updated_at),
    ]);
    out.count += 1;
}

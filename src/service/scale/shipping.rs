//! The shipment of a generated order: one ASN to the brand's warehouse with every accepted
//! line, its arrival at the dock (the goods-receipt clock) and the warehouse's receipt.

use serde_json::json;

use super::clocks::ClockRun;
use super::timeline::Stage;
use super::writer::{OrderWriter, date};
use crate::db::bulk::Val;
use crate::domain::order::line::LineState;
use crate::domain::sla::policy::Kind;

const CARRIERS: [(&str, &str); 4] = [
    ("Maersk", "MSKU"),
    ("MSC", "MSCU"),
    ("COSCO", "CSNU"),
    ("Hapag-Lloyd", "HLXU"),
];

/// Ships every accepted line on one ASN; arrival and receipt at the warehouse if they came.
pub(super) fn ship(w: &mut OrderWriter) -> String {
    let (carrier, prefix) = CARRIERS[w.partner_rank % CARRIERS.len()];
    let at = w.plan.shipped;
    let id = w.id(at);
    let warehouse = &w.g.world.warehouses[w.brand.warehouse];
    let tracking = format!("{prefix}{}", &w.order.po_number[3..]);
    let (arrived, received) = (w.happened(w.plan.arrived), w.reached(Stage::Received));
    let tenant = w.tenant().to_string();
    let lines: Vec<(i64, String, String)> = w
        .lines
        .iter()
        .filter(|l| l.state == LineState::Accepted)
        .map(|l| {
            let lot = format!("FG-{}-{}", &w.order.po_number[3..], l.line_no);
            (l.line_no, l.quantity.clone(), lot)
        })
        .collect();
    w.out.asns.row(vec![
        tenant.clone().into(),
        id.clone().into(),
        w.order.id.to_string().into(),
        warehouse.id.to_string().into(),
        carrier.into(),
        tracking.clone().into(),
        date(at).into(),
        date(w.plan.eta).into(),
        Val::I(lines.len() as i64 * 6),
        if received { "received" } else { "in_transit" }.into(),
        w.partner.org.admin.to_string().into(),
        Val::I(at),
        arrived.then_some(w.plan.arrived).into(),
        arrived.then(|| warehouse.admin.to_string()).into(),
    ]);
    for (no, qty, lot) in &lines {
        w.out.asn_lines.row(vec![
            tenant.clone().into(),
            id.clone().into(),
            Val::I(*no),
            qty.clone().into(),
            lot.clone().into(),
        ]);
    }
    let partner = &w.partner.org;
    let detail = json!({ "asn": id, "lines": lines.len() });
    w.event("shipped", None, (partner.admin, partner.id), at, detail);
    let seen = (w.order.version, w.seen());
    let attests = format!(
        "{} shipped {} line(s) of PO {} by {carrier}, tracking {tracking}, ETA {}",
        partner.name,
        lines.len(),
        w.order.po_number,
        date(w.plan.eta)
    );
    let shipped_lines: Vec<_> = lines
        .iter()
        .map(|(n, q, lots)| json!({ "line_no": n, "quantity": q, "lot_codes": lots }))
        .collect();
    let body = json!({
        "asn_id": id, "warehouse": warehouse.id.to_string(), "carrier": carrier,
        "tracking": tracking, "ship_date": date(at), "eta": date(w.plan.eta),
        "cartons": lines.len() * 6, "lines": shipped_lines,
    });
    w.statement(
        "po.shipped",
        partner,
        partner.admin,
        at,
        (seen.0, &seen.1),
        attests,
        body,
    );
    if arrived {
        let dock = (warehouse.admin, warehouse.id);
        w.event("arrived", None, dock, w.plan.arrived, json!({ "asn": id }));
        w.clock(ClockRun {
            kind: Kind::GoodsReceipt,
            line_no: 1,
            owed_by: warehouse.id,
            started: w.plan.arrived,
            before: None,
            paused: None,
            stopped: received.then_some(w.plan.received),
            voided: None,
        });
    }
    if received {
        receive(w, &id, &lines);
    }
    id
}

fn receive(w: &mut OrderWriter, asn: &str, lines: &[(i64, String, String)]) {
    let at = w.plan.received;
    let warehouse = &w.g.world.warehouses[w.brand.warehouse];
    let tenant = w.tenant().to_string();
    let mut received = Vec::new();
    for (no, qty, _) in lines {
        w.out.receipt_lines.row(vec![
            tenant.clone().into(),
            asn.into(),
            Val::I(*no),
            qty.clone().into(),
            "0".into(),
            "".into(),
            warehouse.admin.to_string().into(),
            Val::I(at),
        ]);
        received.push(json!({ "line_no": no, "received": qty, "damaged": "0", "reason": "" }));
    }
    w.event(
        "received",
        None,
        (warehouse.admin, warehouse.id),
        at,
        json!({ "asn": asn }),
    );
    let seen = (w.order.version, w.seen());
    let attests = format!(
        "{} received ASN {} of PO {} as announced",
        warehouse.name,
        &asn[asn.len() - 8..],
        w.order.po_number
    );
    let body = json!({ "asn_id": asn, "discrepancy": false, "lines": received, "files": [] });
    w.statement(
        "po.received",
        warehouse,
        warehouse.admin,
        at,
        (seen.0, &seen.1),
        attests,
        body,
    );
}

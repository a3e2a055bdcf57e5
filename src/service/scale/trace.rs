//! The trace chain a factory records for a shipped order: the day's fabric lot and the week's
//! trim lot (shared by the orders of that day or week, so a recall fans out) into one
//! production batch, the batch into a finished lot per line, the lots into the shipment, the
//! shipment into the order.

use rand::SeedableRng;
use rand::rngs::StdRng;

use super::ids::uuid_at;
use super::timeline::DAY;
use super::writer::{OrderWriter, date};
use crate::db::bulk::Val;
use crate::domain::order::line::LineState;

const OPERATORS: [&str; 6] = [
    "Li Wei",
    "Nguyen Thi Hoa",
    "Chen Jun",
    "Rahman Akter",
    "Priya Nair",
    "Aylin Demir",
];
const MILLS: [&str; 4] = [
    "Jiangsu Huafu Mills",
    "Sunrise Mill No. 2",
    "Anatolia Cotton",
    "Gujarat Spinners",
];

/// A deterministic id for a lot many orders share, from the run's seed and what names it.
fn shared_id(w: &OrderWriter, salt: u64, at: i64) -> String {
    let key = w.g.seed ^ (w.partner_rank as u64) << 32 ^ (at / DAY) as u64 ^ salt << 56;
    uuid_at(&mut StdRng::seed_from_u64(key), at - at.rem_euclid(DAY)).to_string()
}

/// The factory's chain for the shipped order: the day's fabric lot and the week's trim lot
/// into one batch, the batch into a finished lot per line, the lots into the shipment.
pub(super) fn trace(w: &mut OrderWriter, asn: &str) {
    let start = w.plan.production_started;
    let owner = w.partner.org.id.to_string();
    let by = w.partner.org.admin.to_string();
    let day = date(start).replace('-', "");
    let week_start = start - (start / DAY + 3).rem_euclid(7) * DAY;
    let lots = [
        (
            shared_id(w, 1, start),
            format!("{}-FAB-{day}", w.partner.code),
            "Cotton jersey 180gsm",
            MILLS[w.partner_rank % MILLS.len()],
            "m",
            0.6,
            start - start.rem_euclid(DAY),
        ),
        (
            shared_id(w, 2, week_start),
            format!(
                "{}-TRM-{}",
                w.partner.code,
                date(week_start).replace('-', "")
            ),
            "Rib trim 1x1",
            "Kinsei Trims",
            "m",
            0.05,
            week_start - week_start.rem_euclid(DAY),
        ),
    ];
    let batch = w.id(start);
    let ended = (start + 5 * DAY).min(w.plan.shipped);
    let po = w.order.po_number[3..].to_owned();
    w.out.batches.row(vec![
        batch.clone().into(),
        owner.clone().into(),
        format!("B-{po}").into(),
        format!("Sewing line {}", w.partner_rank % 8 + 1).into(),
        if start % 2 == 0 { "Day" } else { "Night" }.into(),
        OPERATORS[(start / 1000) as usize % OPERATORS.len()].into(),
        Val::I(start),
        Val::I(ended),
        by.clone().into(),
        Val::I(ended),
    ]);
    let tenant = w.tenant().to_string();
    let edge = |w: &mut OrderWriter,
                from: (&str, &str),
                to: (&str, &str),
                qty: String,
                unit: &str,
                t: Option<&str>| {
        w.out.edges.row(vec![
            owner.clone().into(),
            from.0.into(),
            from.1.into(),
            to.0.into(),
            to.1.into(),
            qty.into(),
            unit.into(),
            t.map(str::to_owned).into(),
            Val::I(ended),
        ]);
    };
    let pieces: i64 = w
        .lines
        .iter()
        .filter(|l| l.state == LineState::Accepted)
        .map(|l| l.quantity.parse::<i64>().unwrap_or(0))
        .sum();
    for (id, code, material, mill, unit, per_piece, made) in &lots {
        w.out.material_lots.row(vec![
            id.clone().into(),
            owner.clone().into(),
            (*material).into(),
            (*mill).into(),
            code.clone().into(),
            "20000".into(),
            (*unit).into(),
            by.clone().into(),
            Val::I(*made),
        ]);
        let used = format!("{:.1}", pieces as f64 * per_piece);
        edge(w, ("material_lot", id), ("batch", &batch), used, unit, None);
    }
    let accepted: Vec<(i64, String)> = w
        .lines
        .iter()
        .filter(|l| l.state == LineState::Accepted)
        .map(|l| (l.line_no, l.quantity.clone()))
        .collect();
    for (no, qty) in accepted {
        let lot = w.id(ended);
        w.out.finished_lots.row(vec![
            lot.clone().into(),
            owner.clone().into(),
            format!("FG-{po}-{no}").into(),
            batch.clone().into(),
            qty.clone().into(),
            "pcs".into(),
            Val::I(ended),
        ]);
        edge(
            w,
            ("batch", &batch),
            ("finished_lot", &lot),
            qty.clone(),
            "pcs",
            None,
        );
        edge(
            w,
            ("finished_lot", &lot),
            ("shipment", asn),
            qty,
            "pcs",
            Some(&tenant),
        );
    }
    let order = w.order.id.to_string();
    edge(
        w,
        ("shipment", asn),
        ("order", &order),
        pieces.to_string(),
        "pcs",
        Some(&tenant),
    );
}

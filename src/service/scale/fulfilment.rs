//! What follows a generated order's confirmation: production progress with the first sample,
//! then the shipment (`shipping`), the invoice and its financing (`billing`) and the factory's
//! trace chain (`trace`). Signed steps sign as the app signs them, except that, to keep a
//! million orders within disk and minutes, the first sample, the financing offer, its
//! acceptance and the repayment carry no statement, and kitting is not reported.

use serde_json::json;

use super::clocks::ClockRun;
use super::timeline::Stage;
use super::writer::OrderWriter;
use super::{billing, shipping, trace};
use crate::db::bulk::Val;
use crate::domain::order::line::LineState;
use crate::domain::sla::policy::Kind;

pub(super) fn produce_ship_and_bill(w: &mut OrderWriter) {
    let accepted = w.lines.iter().any(|l| l.state == LineState::Accepted);
    if !accepted || w.plan.issued.is_none() || !w.happened(w.plan.answered) {
        return;
    }
    let cancelled = w.plan.cancelled.filter(|c| *c <= w.g.now);
    let partner = (w.partner.org.admin, w.partner.org.id);
    let first_accept = w.plan.answered;
    // Clocks the partner owes from its first accepted line.
    let sample = w.happened(w.plan.sample_submitted) && w.reached(Stage::Confirmed);
    w.clock(ClockRun {
        kind: Kind::FirstSample,
        line_no: 0,
        owed_by: w.partner.org.id,
        started: first_accept,
        before: None,
        paused: None,
        stopped: sample.then_some(w.plan.sample_submitted),
        voided: cancelled,
    });
    let shipped = w.reached(Stage::Shipped);
    w.clock(ClockRun {
        kind: Kind::AsnBeforeEta,
        line_no: 0,
        owed_by: w.partner.org.id,
        started: first_accept,
        before: w.order.due_date.parse().ok(),
        paused: None,
        stopped: shipped.then_some(w.plan.shipped),
        voided: cancelled,
    });
    if !w.reached(Stage::Confirmed) {
        return;
    }
    if sample {
        let decided = w.happened(w.plan.sample_decided);
        let id = w.id(w.plan.sample_submitted);
        w.event(
            "sample_submitted",
            None,
            partner,
            w.plan.sample_submitted,
            json!({ "files": 0 }),
        );
        if decided {
            let quality = (w.brand.quality, w.brand.org.id);
            w.event(
                "sample_approved",
                None,
                quality,
                w.plan.sample_decided,
                json!({}),
            );
        }
        w.out.samples.row(vec![
            w.tenant().to_string().into(),
            id.into(),
            w.order.id.to_string().into(),
            if decided { "approved" } else { "submitted" }.into(),
            "chest 52 cm\nlength 71 cm\nsleeve 20 cm".into(),
            "".into(),
            w.partner.org.admin.to_string().into(),
            Val::I(w.plan.sample_submitted),
            decided.then(|| w.brand.quality.to_string()).into(),
            decided.then_some(w.plan.sample_decided).into(),
            decided
                .then(|| "Fit and colour as approved in the tech pack".to_owned())
                .into(),
        ]);
    }
    if !w.reached(Stage::InProduction) {
        return;
    }
    progress(
        w,
        "production_started",
        "Cutting started on all lines",
        w.plan.production_started,
    );
    if !shipped {
        return;
    }
    let asn = shipping::ship(w);
    if w.partner.factory {
        trace::trace(w, &asn);
    }
    if !w.reached(Stage::Received) {
        return;
    }
    billing::bill(w);
}

fn progress(w: &mut OrderWriter, milestone: &str, note: &str, at: i64) {
    let partner = &w.partner.org;
    let id = w.id(at);
    w.out.progress.row(vec![
        w.tenant().to_string().into(),
        w.order.id.to_string().into(),
        id.into(),
        Val::NullInt,
        milestone.into(),
        Val::NullText,
        Val::NullText,
        Val::NullText,
        note.into(),
        partner.admin.to_string().into(),
        partner.id.to_string().into(),
        Val::I(at),
    ]);
    let detail = json!({ "milestone": milestone, "files": 0 });
    w.event("progress", None, (partner.admin, partner.id), at, detail);
    let seen = (w.order.version, w.seen());
    let attests = format!(
        "{} reports {} on PO {}",
        partner.name,
        milestone.replace('_', " "),
        w.order.po_number
    );
    let body = json!({
        "milestone": milestone, "line_no": null, "quantity_produced": null,
        "planned_completion": null, "expected_completion": null, "note": note, "files": [],
    });
    w.statement(
        "po.progress",
        partner,
        partner.admin,
        at,
        (seen.0, &seen.1),
        attests,
        body,
    );
}

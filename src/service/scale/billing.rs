//! The money of a generated order: the supplier's invoice for what was received (registered
//! once platform-wide), the buyer's acceptance or dispute, and a financing under the brand's
//! program as far as it got by now.

use serde_json::json;

use super::clocks::ClockRun;
use super::timeline::Stage;
use super::writer::{OrderWriter, date};
use crate::db::bulk::Val;
use crate::domain::finance::pricing::{DayCount, Pricing, quote};
use crate::domain::finance::registry::{Receivable, fingerprint};
use crate::domain::order::line::LineState;
use crate::domain::sla::policy::Kind;

const COLLECTION_ACCOUNT: &str = "DE44 5001 0517 5407 3249 31";

/// The invoice for what was received, the buyer's decision, and financing if asked for.
pub(super) fn bill(w: &mut OrderWriter) {
    if !w.reached(Stage::Invoiced) {
        return;
    }
    let at = w.plan.invoiced;
    let id = w.id(at);
    let tenant = w.tenant();
    let number = format!("INV-{}", &w.order.po_number[3..]);
    let (invoice_date, due_date) = (date(at), date(w.plan.invoice_due));
    let amounts: Vec<(i64, String, i64)> = w
        .lines
        .iter()
        .filter(|l| l.state == LineState::Accepted)
        .map(|l| {
            let qty: i64 = l.quantity.parse().unwrap_or(0);
            (l.line_no, l.quantity.clone(), qty * l.unit_price_minor)
        })
        .collect();
    let total: i64 = amounts.iter().map(|a| a.2).sum();
    let (supplier, buyer) = (w.partner.org.id.to_string(), tenant.to_string());
    let print = fingerprint(&Receivable {
        supplier: &supplier,
        buyer: &buyer,
        invoice_number: &number,
        amount_minor: total,
        invoice_date: &invoice_date,
        currency: "USD",
    });
    let decided = w.reached(Stage::InvoiceDecided);
    let disputed = decided && w.plan.invoice_disputed;
    let financing = w
        .reached(Stage::Financing)
        .then(|| w.id(w.plan.fin_requested));
    let (disbursed, repaid) = (w.reached(Stage::Disbursed), w.reached(Stage::Repaid));
    let state = match (decided, disputed, disbursed, repaid) {
        (false, ..) => "submitted",
        (_, true, ..) => "disputed",
        (_, _, _, true) => "paid",
        (_, _, true, _) => "financed",
        _ => "accepted",
    };
    let finance = w.brand.finance;
    let updated = [
        at,
        w.plan.invoice_decided,
        w.plan.disbursed,
        w.plan.invoice_due,
    ]
    .into_iter()
    .filter(|t| w.happened(*t))
    .max()
    .unwrap_or(at);
    w.out.invoices.row(vec![
        tenant.to_string().into(),
        id.clone().into(),
        w.order.id.to_string().into(),
        supplier.clone().into(),
        number.clone().into(),
        invoice_date.clone().into(),
        due_date.clone().into(),
        "USD".into(),
        Val::I(total),
        state.into(),
        print.clone().into(),
        Val::NullText,
        decided.then(|| finance.to_string()).into(),
        decided.then_some(w.plan.invoice_decided).into(),
        disputed
            .then(|| "Unit price on line 1 differs from the agreed price list".to_owned())
            .into(),
        w.partner.org.admin.to_string().into(),
        Val::I(at),
        Val::I(updated),
    ]);
    let mut body_lines = Vec::new();
    for (no, qty, amount) in &amounts {
        w.out.invoice_lines.row(vec![
            tenant.to_string().into(),
            id.clone().into(),
            Val::I(*no),
            qty.clone().into(),
            Val::I(*amount),
        ]);
        body_lines.push(json!({ "line_no": no, "quantity": qty, "amount_minor": amount }));
    }
    w.out.registry.row(vec![
        print.clone().into(),
        tenant.to_string().into(),
        id.clone().into(),
        supplier.into(),
        buyer.into(),
        Val::I(total),
        invoice_date.clone().into(),
        "USD".into(),
        number.clone().into(),
        Val::I(at),
        financing.clone().into(),
    ]);
    let partner = &w.partner.org;
    let detail = json!({ "invoice": id, "number": number, "amount_minor": total });
    w.event("invoiced", None, (partner.admin, partner.id), at, detail);
    let seen = (w.order.version, w.seen());
    let attests = format!(
        "{} invoices USD {} as invoice {number} of {invoice_date}, due {due_date}, for PO {}",
        partner.name,
        total / 100,
        w.order.po_number
    );
    let body = json!({
        "invoice_id": id, "number": number, "invoice_date": invoice_date,
        "due_date": due_date, "currency": "USD", "amount_minor": total,
        "fingerprint": print, "lines": body_lines,
    });
    w.statement(
        "po.invoiced",
        partner,
        partner.admin,
        at,
        (seen.0, &seen.1),
        attests,
        body,
    );
    w.clock(ClockRun {
        kind: Kind::InvoiceAcceptance,
        line_no: 1,
        owed_by: partner.id,
        started: at,
        before: None,
        paused: None,
        stopped: decided.then_some(w.plan.invoice_decided),
        voided: None,
    });
    if !decided {
        return;
    }
    let brand = &w.brand.org;
    let at = w.plan.invoice_decided;
    let (kind, event, attests) = if disputed {
        let attests = format!(
            "{} disputes invoice {number} of PO {}",
            brand.name, w.order.po_number
        );
        ("po.invoice_disputed", "invoice_disputed", attests)
    } else {
        let attests = format!(
            "{} owes USD {} to {} on {due_date} for invoice {number} of PO {}",
            brand.name,
            total / 100,
            partner.name,
            w.order.po_number
        );
        ("po.invoice_accepted", "invoice_accepted", attests)
    };
    w.event(
        event,
        None,
        (finance, brand.id),
        at,
        json!({ "invoice": id }),
    );
    let body =
        json!({ "invoice_id": id, "number": number, "amount_minor": total, "due_date": due_date });
    w.statement(kind, brand, finance, at, (seen.0, &seen.1), attests, body);
    if let Some(financing) = financing {
        finance_invoice(w, (&id, &number, &due_date, total), &financing);
    }
}

/// A financing of the accepted invoice under the brand's program, as far as it got.
fn finance_invoice(w: &mut OrderWriter, invoice: (&str, &str, &str, i64), id: &str) {
    let Some(program) = w.g.world.program_of(w.brand_index) else {
        return;
    };
    let (invoice_id, number, due, face) = invoice;
    let financier = &w.g.world.financiers[program.financier];
    let partner = &w.partner.org;
    let p = w.plan.clone();
    let (offered, accepted) = (w.happened(p.fin_offered), w.happened(p.fin_accepted));
    let (disbursed, repaid) = (w.reached(Stage::Disbursed), w.reached(Stage::Repaid));
    let state = match (offered, accepted, disbursed, repaid) {
        (_, _, _, true) => "repaid",
        (_, _, true, _) => "disbursed",
        (_, true, ..) => "offer_accepted",
        (true, ..) => "offered",
        _ => "requested",
    };
    let pricing = Pricing::Discount {
        bps_per_annum: 650,
        day_count: DayCount::Act360,
    };
    let value_date = date(p.fin_offered);
    let figures = match (value_date.parse(), due.parse()) {
        (Ok(v), Ok(d)) if offered => quote(face, 9_000, pricing, v, d, 120).ok(),
        _ => None,
    };
    let f = figures.as_ref();
    let when = |done: bool, at: i64| done.then_some(at);
    let who = |done: bool, user: crate::domain::ids::UserId| done.then(|| user.to_string());
    let updated = [
        p.fin_requested,
        p.fin_offered,
        p.fin_accepted,
        p.disbursed,
        p.invoice_due,
    ]
    .into_iter()
    .filter(|t| w.happened(*t))
    .max()
    .unwrap_or(p.fin_requested);
    w.out.financings.row(vec![
        w.tenant().to_string().into(),
        id.into(),
        invoice_id.into(),
        program.id.clone().into(),
        financier.id.to_string().into(),
        partner.id.to_string().into(),
        state.into(),
        Val::I(0),
        "USD".into(),
        Val::I(face),
        due.into(),
        offered.then(|| value_date.clone()).into(),
        f.map(|q| q.days).into(),
        f.map(|q| q.advance_minor).into(),
        f.map(|q| q.fee_minor).into(),
        f.map(|q| q.net_minor).into(),
        offered.then(|| "discount".to_owned()).into(),
        offered.then_some(650i64).into(),
        offered.then(|| "act360".to_owned()).into(),
        offered.then_some(9_000i64).into(),
        offered.then(|| COLLECTION_ACCOUNT.to_owned()).into(),
        partner.admin.to_string().into(),
        Val::I(p.fin_requested),
        who(offered, financier.admin).into(),
        when(offered, p.fin_offered).into(),
        who(accepted, partner.admin).into(),
        when(accepted, p.fin_accepted).into(),
        who(disbursed, financier.admin).into(),
        when(disbursed, p.disbursed).into(),
        who(repaid, w.brand.finance).into(),
        when(repaid, p.invoice_due).into(),
        Val::I(updated),
    ]);
    let seen = (w.order.version, w.seen());
    let body = json!({ "financing_id": id, "invoice_id": invoice_id, "program_id": program.id, "face_minor": face });
    let at = p.fin_requested;
    w.event(
        "financing_requested",
        None,
        (partner.admin, partner.id),
        at,
        json!({ "financing": id }),
    );
    let attests = format!(
        "{} asks {} to finance invoice {number} of PO {} (USD {}, due {due}) under {}",
        partner.name,
        financier.name,
        w.order.po_number,
        face / 100,
        program.name
    );
    let s = (seen.0, seen.1.as_str());
    w.statement(
        "po.financing_requested",
        partner,
        partner.admin,
        at,
        s,
        attests,
        body.clone(),
    );
    let steps = [
        (offered, p.fin_offered, "financing_offered", financier),
        (
            accepted,
            p.fin_accepted,
            "financing_offer_accepted",
            partner,
        ),
        (disbursed, p.disbursed, "financing_disbursed", financier),
    ];
    for (done, at, kind, org) in steps {
        if done {
            w.event(
                kind,
                None,
                (org.admin, org.id),
                at,
                json!({ "financing": id }),
            );
            // Of the financier's and supplier's steps only the disbursement is signed here.
            if kind == "financing_disbursed" {
                let attests = format!("{} paid out the financing of invoice {number}", org.name);
                w.statement(
                    "po.financing_disbursed",
                    org,
                    org.admin,
                    at,
                    s,
                    attests,
                    body.clone(),
                );
            }
        }
    }
    if repaid {
        let brand = &w.brand.org;
        let at = p.invoice_due;
        w.event(
            "financing_repaid",
            None,
            (w.brand.finance, brand.id),
            at,
            json!({ "financing": id }),
        );
    }
}

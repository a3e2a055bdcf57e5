//! The logistics clocks. The shipping notice: from the first accepted line until the first ASN,
//! due the policy's lead before the earliest accepted delivery date, moving when that date moves
//! and tightened to the ASN's own ETA when the goods come earlier. The goods receipt: one clock
//! per shipment, owed by its warehouse, from arrival at the dock until the receipt is posted.
//! And the brand's acceptance of each invoice, from submission to its decision, and the
//! financier's decision on each financing request.

use jiff::Timestamp;
use jiff::civil::Date;

use super::clocks::{apply, clock_of, start, write_back};
use super::setup;
use crate::db::order_lines::Line;
use crate::db::orders::Order;
use crate::db::shipping::Asn;
use crate::db::sla::TimerRow;
use crate::db::{self, Conn};
use crate::domain::order::line::LineState;
use crate::domain::sla::calendar::Calendar;
use crate::domain::sla::policy::{self, Kind, OrderFacts, Want};
use crate::domain::sla::timer::Target;
use crate::service::ServiceResult;

/// When a notice with lead `target` is due for goods expected on `date` (the start of that day
/// in the calendar's zone).
pub(crate) fn lead_deadline(target: Target, cal: &Calendar, date: Date) -> Timestamp {
    let midnight = cal
        .time_zone()
        .to_ambiguous_timestamp(date.at(0, 0, 0, 0))
        .compatible()
        .unwrap_or(Timestamp::UNIX_EPOCH);
    target.before(cal, midnight).unwrap_or(midnight)
}

fn earliest_delivery(lines: &[Line]) -> Option<Date> {
    lines
        .iter()
        .filter(|l| l.state == LineState::Accepted)
        .filter_map(|l| l.delivery_date.parse::<Date>().ok())
        .min()
}

pub(super) async fn sync(
    conn: &mut Conn,
    order: &Order,
    lines: &[Line],
    asns: &[Asn],
    open: &[TimerRow],
    facts: &OrderFacts,
    now: i64,
) -> ServiceResult<()> {
    shipping_notice(conn, order, lines, asns, open, facts, now).await?;
    invoice_acceptance(conn, order, open, now).await?;
    financier_decision(conn, order, open, now).await?;
    let kind = Kind::GoodsReceipt;
    for (n, asn) in asns.iter().enumerate() {
        // A shipment's clock is numbered by the shipment's place among the order's ASNs.
        let line_no = n as i64 + 1;
        let existing = find(open, kind, line_no);
        let wish = policy::want_for_shipment(
            order.state,
            asn.arrived_at.is_some(),
            asn.status == "received",
        );
        match (wish, existing) {
            (Want::Run, None) => {
                let since = asn.arrived_at.unwrap_or(now);
                start(
                    conn,
                    order,
                    kind,
                    line_no,
                    asn.warehouse_org_id,
                    None,
                    since,
                )
                .await?;
            }
            (wish, existing) => apply(conn, order, kind, line_no, wish, existing, now).await?,
        }
    }
    Ok(())
}

/// One acceptance clock per invoice, numbered by the invoice's place among the order's,
/// measured against the partner (the brand owes the decision).
async fn invoice_acceptance(
    conn: &mut Conn,
    order: &Order,
    open: &[TimerRow],
    now: i64,
) -> ServiceResult<()> {
    let kind = Kind::InvoiceAcceptance;
    let invoices = db::invoices::of_order(conn, order.tenant_id, order.id).await?;
    for (n, invoice) in invoices.iter().enumerate() {
        let line_no = n as i64 + 1;
        let existing = find(open, kind, line_no);
        let wish = policy::want_for_invoice(order.state, &invoice.state);
        match (wish, existing) {
            (Want::Run, None) => {
                let owed_to = order.partner_org_id;
                start(conn, order, kind, line_no, owed_to, None, now).await?;
            }
            (wish, existing) => apply(conn, order, kind, line_no, wish, existing, now).await?,
        }
    }
    Ok(())
}

/// One decision clock per financing request, numbered by the request's place among the
/// order's, owed by the program's financier.
async fn financier_decision(
    conn: &mut Conn,
    order: &Order,
    open: &[TimerRow],
    now: i64,
) -> ServiceResult<()> {
    let kind = Kind::FinancierDecision;
    let financings = db::financings::of_order(conn, order.tenant_id, order.id).await?;
    for (n, (state, financier)) in financings.iter().enumerate() {
        let line_no = n as i64 + 1;
        let existing = find(open, kind, line_no);
        match (policy::want_for_financing(state), existing) {
            (Want::Run, None) => start(conn, order, kind, line_no, *financier, None, now).await?,
            (wish, existing) => apply(conn, order, kind, line_no, wish, existing, now).await?,
        }
    }
    Ok(())
}

fn find(open: &[TimerRow], kind: Kind, line_no: i64) -> Option<TimerRow> {
    open.iter()
        .find(|t| t.kind == kind.code() && t.line_no == line_no)
        .cloned()
}

async fn shipping_notice(
    conn: &mut Conn,
    order: &Order,
    lines: &[Line],
    asns: &[Asn],
    open: &[TimerRow],
    facts: &OrderFacts,
    now: i64,
) -> ServiceResult<()> {
    let kind = Kind::AsnBeforeEta;
    let wish = policy::want_for_order(kind, facts, false).unwrap_or(Want::Absent);
    let existing = find(open, kind, 0);
    let expected = earliest_delivery(lines);
    match (wish, existing, expected) {
        (Want::Run, None, Some(date)) => {
            start(conn, order, kind, 0, order.partner_org_id, Some(date), now).await?;
        }
        (Want::Run, Some(row), Some(date)) if row.state == "running" => {
            move_deadline(conn, row, date).await?;
        }
        (Want::Stop, Some(mut row), _) if row.state == "running" => {
            // Goods announced to arrive before the order's date: the notice was due before them.
            let eta = asns.first().and_then(|a| a.eta.parse::<Date>().ok());
            if let (Some(eta), None, Some((target, _))) = (
                eta,
                row.breached_at,
                setup::version_terms(conn, &row).await?,
            ) {
                let cal =
                    setup::load_calendar(conn, order.tenant_id, row.calendar_id.as_deref()).await?;
                let due = lead_deadline(target, &cal, eta).as_millisecond();
                if due < row.deadline_at {
                    row.deadline_at = due;
                    row.warn_at = row.warn_at.min(due);
                }
            }
            apply(conn, order, kind, 0, Want::Stop, Some(row), now).await?;
        }
        (Want::Run, _, _) => {}
        (wish, existing, _) => apply(conn, order, kind, 0, wish, existing, now).await?,
    }
    Ok(())
}

/// The earliest delivery date changed (a date proposal accepted, a line rejected): the notice is
/// due the same lead before the new date.
async fn move_deadline(conn: &mut Conn, mut row: TimerRow, date: Date) -> ServiceResult<()> {
    let Some((target, warn)) = setup::version_terms(conn, &row).await? else {
        return Ok(());
    };
    let cal = setup::load_calendar(conn, row.tenant_id, row.calendar_id.as_deref()).await?;
    let due = lead_deadline(target, &cal, date);
    if row.breached_at.is_some() || due.as_millisecond() == row.deadline_at {
        return Ok(());
    }
    let mut clock = clock_of(&row);
    if clock.retarget(due, warn, &cal).is_ok() {
        write_back(&mut row, &clock);
        db::sla::update_timer(conn, &row).await?;
        db::sla::bump_revision(conn, row.tenant_id).await?;
    }
    Ok(())
}

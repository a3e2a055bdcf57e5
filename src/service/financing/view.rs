//! Reading financings: the lists (a financier sees only its own programs' requests, a supplier
//! only its own), one financing with the financier's verification panel (every statement of the
//! order checked server-side exactly as `portico verify` checks it, the program's evidence
//! found or not, risk flags, quantities but never prices), and the evidence excerpt to download.

use jiff::civil::Date;
use serde_json::{Value, json};

use super::request::{evidence_of, required_evidence};
use super::{Side, pricing_of, visible};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db::finance_programs::ProgramRow;
use crate::db::financings::{FinancingRow, Seen};
use crate::db::{self, Conn};
use crate::domain::finance::account::mask;
use crate::domain::finance::financing::{Evidence, FinancingState};
use crate::domain::finance::pricing::{Quote, QuoteRefusal, quote};
use crate::domain::finance::risk::{RiskFacts, RiskFlag, flags};
use crate::domain::org::{OrgKind, Permission};
use crate::service::orders::evidence::bundle_of;
use crate::service::sla::scorecards::today;
use crate::service::{AuditEvent, ServiceError, ServiceResult, actions, audit, tenant_of};
use crate::signing::bundle::{Bundle, SignedStatement};
use crate::signing::bundle_check::verify_bundle;

/// Why a statement's content is not shown to a financier.
const WITHHELD_REASON: &str = "it names prices";

/// One statement of the order as the verification panel shows it.
pub struct PanelCheck {
    pub kind: String,
    pub org_name: String,
    pub at: String,
    pub attests: String,
    pub withheld: bool,
    /// `Err` holds why the statement does not hold.
    pub result: Result<(), String>,
}

/// One order line with quantities only (a financier never sees prices).
pub struct QuantityLine {
    pub line_no: i64,
    pub sku: String,
    pub description: String,
    pub unit: String,
    pub ordered: String,
    pub invoiced: String,
}

pub struct FinancingPage {
    pub row: FinancingRow,
    pub side: Side,
    pub program: ProgramRow,
    /// The collection account, whole for the financier and the brand's finance, masked for others.
    pub account: Option<String>,
    pub overdue: bool,
    /// Each piece of evidence the program requires, with whether a verified statement shows it.
    pub evidence: Vec<(Evidence, bool)>,
    pub panel: Vec<PanelCheck>,
    pub flags: Vec<RiskFlag>,
    /// For a request waiting for an offer: the program's terms priced from today.
    pub preview: Option<Result<Quote, QuoteRefusal>>,
    pub lines: Vec<QuantityLine>,
}

/// Whether a statement names prices (an order's or a line's price, or an invoice's line
/// amounts), so that a financier's view withholds its content.
fn names_prices(payload: &str) -> bool {
    fn scan(v: &Value) -> bool {
        match v {
            Value::Object(map) => map
                .iter()
                .any(|(k, v)| k.contains("price") || (k == "lines" && has_amounts(v)) || scan(v)),
            Value::Array(items) => items.iter().any(scan),
            _ => false,
        }
    }
    fn has_amounts(v: &Value) -> bool {
        v.as_array()
            .is_some_and(|items| items.iter().any(|i| i.get("amount_minor").is_some()))
    }
    serde_json::from_str::<Value>(payload).is_ok_and(|v| scan(&v))
}

pub async fn list(
    state: &AppState,
    actor: &Actor,
    state_filter: Option<&str>,
    before: Option<(i64, &str)>,
) -> ServiceResult<Vec<FinancingRow>> {
    let tenant = tenant_of(actor)?.tenant_id;
    let seen = match actor.org_kind {
        OrgKind::Brand
            if actor.can(Permission::DecideInvoices) || actor.can(Permission::ManageOrders) =>
        {
            Seen::Brand
        }
        OrgKind::Financier => Seen::Financier(actor.org_id),
        OrgKind::Supplier | OrgKind::Factory => Seen::Supplier(actor.org_id),
        _ => return Err(ServiceError::NotFound),
    };
    let state_filter = state_filter
        .and_then(FinancingState::parse)
        .map(FinancingState::code);
    let mut conn = state.db.read().await?;
    Ok(db::financings::list(
        &mut conn,
        tenant,
        seen,
        state_filter,
        before,
        crate::service::PAGE_SIZE,
    )
    .await?)
}

/// The financings of an invoice the actor was shown by `invoices::get` (whoever may see the
/// invoice may see these).
pub async fn of_invoice(
    state: &AppState,
    invoice: &crate::db::invoices::Invoice,
) -> ServiceResult<Vec<FinancingRow>> {
    let mut conn = state.db.read().await?;
    Ok(db::financings::of_invoice(&mut conn, invoice.tenant_id, &invoice.id).await?)
}

/// One financing for its page. A view of financial data is on the audit log.
pub async fn get(state: &AppState, actor: &Actor, id: &str) -> ServiceResult<FinancingPage> {
    let mut tx = state.db.begin().await?;
    let (row, side) = visible(&mut tx, actor, id).await?;
    let page = page(&mut tx, state, actor, row, side).await?;
    audit(
        &mut tx,
        actor,
        Some(page.row.tenant_id),
        AuditEvent::new(actions::FINANCING_VIEWED, "financing", &page.row.id),
    )
    .await?;
    tx.commit().await?;
    Ok(page)
}

async fn page(
    conn: &mut Conn,
    state: &AppState,
    actor: &Actor,
    row: FinancingRow,
    side: Side,
) -> ServiceResult<FinancingPage> {
    let tenant = row.tenant_id;
    let program = db::finance_programs::get(conn, tenant, &row.program_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let order = db::orders::get(conn, tenant, row.order_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let invoice = db::invoices::get(conn, tenant, &row.invoice_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let sees_account = side == Side::Financier || actor.can(Permission::DecideInvoices);
    let account = row
        .collection_account
        .as_deref()
        .map(|a| if sees_account { a.to_owned() } else { mask(a) });
    let state_now = FinancingState::parse(&row.state);
    let due = row.due_date.parse::<Date>().ok();
    let overdue = match (state_now, due) {
        (Some(s), Some(d)) => s.is_overdue(d, today(state)),
        _ => false,
    };
    let bundle = bundle_of(conn, &order).await?;
    let checks = verify_bundle(&bundle, None);
    let mut panel = Vec::new();
    let mut names: Vec<(String, String)> = Vec::new();
    for (statement, check) in bundle.statements.iter().zip(checks) {
        let org_name = org_name(conn, &mut names, &check.org).await?;
        let withheld = side == Side::Financier && names_prices(&statement.payload);
        panel.push(PanelCheck {
            kind: check.kind,
            org_name,
            at: check.at,
            attests: if withheld {
                String::new()
            } else {
                check.attests
            },
            withheld,
            result: check.result,
        });
    }
    let have = evidence_of(conn, &invoice, &order).await?;
    let verified = |kind: &str, extra: &dyn Fn(&SignedStatement) -> bool| {
        bundle
            .statements
            .iter()
            .zip(&panel)
            .any(|(s, c)| c.kind == kind && c.result.is_ok() && extra(s))
    };
    let evidence = required_evidence(&program)
        .into_iter()
        .map(|e| {
            let shown = have.contains(&e)
                && match e {
                    Evidence::OrderConfirmed => verified("po.partner_decisions", &|_| true),
                    Evidence::GoodsReceived => verified("po.received", &|_| true),
                    Evidence::BuyerAccepted => verified("po.invoice_accepted", &|s| {
                        s.payload
                            .contains(&format!("\"invoice_id\":\"{}\"", row.invoice_id))
                    }),
                };
            (e, shown)
        })
        .collect();
    let (flags, preview) = if side == Side::Financier {
        (
            risk(conn, &row, &invoice).await?,
            (row.state == "requested").then(|| {
                quote(
                    row.face_minor,
                    u32::try_from(program.advance_bps).unwrap_or(0),
                    pricing_of(&program),
                    today(state),
                    due.unwrap_or(today(state)),
                    program.max_tenor_days,
                )
            }),
        )
    } else {
        (Vec::new(), None)
    };
    let invoiced = db::invoices::lines(conn, tenant, &row.invoice_id).await?;
    let lines = db::order_lines::of_order(conn, tenant, order.id)
        .await?
        .into_iter()
        .map(|l| QuantityLine {
            invoiced: invoiced
                .iter()
                .find(|i| i.0 == l.line_no)
                .map(|i| i.3.clone())
                .unwrap_or_default(),
            line_no: l.line_no,
            sku: l.sku,
            description: l.description,
            unit: l.unit,
            ordered: l.quantity,
        })
        .collect();
    Ok(FinancingPage {
        row,
        side,
        program,
        account,
        overdue,
        evidence,
        panel,
        flags,
        preview,
        lines,
    })
}

async fn org_name(
    conn: &mut Conn,
    cache: &mut Vec<(String, String)>,
    id: &str,
) -> ServiceResult<String> {
    if let Some((_, name)) = cache.iter().find(|(k, _)| k == id) {
        return Ok(name.clone());
    }
    let name = match id.parse() {
        Ok(org) => db::orgs::get(conn, org).await?.map(|o| o.name),
        Err(_) => None,
    }
    .unwrap_or_default();
    cache.push((id.to_owned(), name.clone()));
    Ok(name)
}

async fn risk(
    conn: &mut Conn,
    row: &FinancingRow,
    invoice: &crate::db::invoices::Invoice,
) -> ServiceResult<Vec<RiskFlag>> {
    let tenant = row.tenant_id;
    let look_alike_of = match &invoice.look_alike_of {
        Some(other) => db::invoices::get(conn, tenant, other)
            .await?
            .map(|i| i.number),
        None => None,
    };
    let year_ago = row.requested_at - 365 * 24 * 3600 * 1000;
    let (met, late) =
        db::financing_figures::sla_record(conn, tenant, row.supplier_org_id, year_ago).await?;
    let (mine, all) =
        db::financing_figures::outstanding(conn, tenant, &row.program_id, row.supplier_org_id)
            .await?;
    // Outstanding amounts include this request while it is live; the facts want the others.
    let this = if FinancingState::parse(&row.state).is_some_and(FinancingState::is_live) {
        row.face_minor
    } else {
        0
    };
    let facts = RiskFacts {
        look_alike_of,
        receipt_discrepancies: db::financing_figures::receipt_discrepancies(
            conn,
            tenant,
            row.order_id,
        )
        .await? as usize,
        sla_met_late: (met as usize, late as usize),
        supplier_outstanding_minor: mine - this,
        program_outstanding_minor: all - this,
        face_minor: row.face_minor,
        disputed_invoices: db::financing_figures::disputed_invoices(
            conn,
            tenant,
            row.supplier_org_id,
        )
        .await? as usize,
    };
    Ok(flags(&facts))
}

/// The financing's evidence as a bundle for `portico verify`: the order's whole chain, with the
/// content of statements that name prices withheld (their hashes keep the chain provable).
/// Downloading it is audited.
pub async fn evidence_bundle(state: &AppState, actor: &Actor, id: &str) -> ServiceResult<Bundle> {
    let mut tx = state.db.begin().await?;
    let (row, _) = visible(&mut tx, actor, id).await?;
    let order = db::orders::get(&mut tx, row.tenant_id, row.order_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let mut bundle = bundle_of(&mut tx, &order).await?;
    let mut withheld = 0;
    for statement in &mut bundle.statements {
        if names_prices(&statement.payload) {
            let kind = serde_json::from_str::<Value>(&statement.payload)
                .ok()
                .and_then(|v| v.get("type").and_then(Value::as_str).map(str::to_owned))
                .unwrap_or_default();
            *statement = statement.withhold(&kind, WITHHELD_REASON);
            withheld += 1;
        }
    }
    audit(
        &mut tx,
        actor,
        Some(row.tenant_id),
        AuditEvent::new(actions::FINANCING_EVIDENCE_EXPORTED, "financing", &row.id)
            .detail(json!({ "statements": bundle.statements.len(), "withheld": withheld })),
    )
    .await?;
    tx.commit().await?;
    Ok(bundle)
}

#[cfg(test)]
mod tests {
    use super::names_prices;

    #[test]
    fn statements_with_prices_or_priced_lines_are_recognised() {
        assert!(names_prices(r#"{"lines":[{"unit_price_minor":100}]}"#));
        assert!(names_prices(
            r#"{"decisions":[{"proposed_price_minor":null}]}"#
        ));
        assert!(names_prices(
            r#"{"lines":[{"quantity":"2","amount_minor":300}]}"#
        ));
        assert!(!names_prices(
            r#"{"lines":[{"received":"2","damaged":"0"}]}"#
        ));
        assert!(!names_prices(r#"{"amount_minor":300,"invoice_id":"x"}"#));
    }
}

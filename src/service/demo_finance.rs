//! Demo financing: Jade Capital's program for Acme, and invoices — the supplier of each
//! received demo order invoices what was counted in (one look-alike among them); brand finance
//! accepts one in three, disputes one in three, and leaves the rest waiting. Sunrise's
//! auto-financing asks on every accepted invoice; Jade and Acme then take the requests through
//! every state, and one double financing is refused.

use rust_decimal::Decimal;

use super::demo_orders::actor;
use super::demo_production::fail;
use super::invoices::{self, Created, InvoiceInput, acceptance};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::domain::ids::{OrderId, OrgId, TenantId};

/// Jade Capital's program for Acme: Sunrise and Delta eligible, Sunrise joined with
/// auto-financing.
pub async fn program(
    state: &AppState,
    tenant: TenantId,
    eligible: &[OrgId],
    joined_by: &str,
) -> anyhow::Result<()> {
    use super::finance_programs::{self, ProgramInput};
    use crate::domain::finance::program::TermsInput;
    let admin = actor(state, "admin@acme.test", tenant).await?;
    let jade = {
        let mut conn = state.db.read().await?;
        crate::db::orgs::find_by_name(&mut conn, "Jade Capital")
            .await?
            .into_iter()
            .next()
            .map(|o| o.id)
            .ok_or_else(|| anyhow::anyhow!("Jade Capital"))?
    };
    let input = ProgramInput {
        name: "Acme supplier early payment".into(),
        financier: jade.to_string(),
        active: true,
        terms: TermsInput {
            currency: "USD".into(),
            advance_pct: "90".into(),
            pricing: "discount".into(),
            rate_pct: "6.5".into(),
            day_count: "act360".into(),
            max_tenor_days: "120".into(),
            supplier_limit: "250000".into(),
            total_limit: "1000000".into(),
            evidence: vec![
                "order_confirmed".into(),
                "goods_received".into(),
                "buyer_accepted".into(),
            ],
            invoice_confirmed: false,
            disbursement_second_above: "5000".into(),
        },
    };
    let id = finance_programs::save(state, &admin, None, &input)
        .await
        .map_err(fail("program"))?;
    let chosen: Vec<String> = eligible.iter().map(ToString::to_string).collect();
    finance_programs::set_suppliers(state, &admin, &id, &chosen)
        .await
        .map_err(fail("program suppliers"))?;
    let supplier = actor(state, joined_by, tenant).await?;
    finance_programs::opt_in(state, &supplier, &id, true, true)
        .await
        .map_err(fail("program opt-in"))?;
    Ok(())
}

/// Who decides invoices for the demo brand (Acme has a finance user; Blue Harbor's admin).
fn finance_email(brand_name: &str) -> &'static str {
    if brand_name.starts_with("Acme") {
        "finance@acme.test"
    } else {
        "admin@blueharbor.test"
    }
}

/// The invoices the supplier sends for a received order: all it may invoice in one, except on
/// every other order Acme accepts, where line 1 is invoiced in two equal halves under numbers a
/// letter apart (the second is flagged as a look-alike of the first) and the rest in a third.
fn invoice_inputs(
    state: &AppState,
    po: &str,
    open: Vec<(i64, Decimal)>,
    split: bool,
) -> Vec<InvoiceInput> {
    let today = state.now().rfc3339()[..10].to_owned();
    let due = state.now().plus_secs(60 * 86_400).rfc3339()[..10].to_owned();
    let input = |number: String, lines: Vec<(i64, Decimal)>| InvoiceInput {
        submission: crate::auth::tokens::new_token(),
        number,
        invoice_date: today.clone(),
        due_date: due.clone(),
        lines: lines
            .into_iter()
            .map(|(n, q)| (n, q.normalize().to_string()))
            .collect(),
    };
    let halves = open.first().map(|(n, q)| (*n, *q / Decimal::TWO));
    match halves {
        Some((first, half)) if split && open.len() > 1 && half.fract().is_zero() => vec![
            input(format!("INV-{po}-1A"), vec![(first, half)]),
            input(format!("INV-{po}-1B"), vec![(first, half)]),
            input(format!("INV-{po}-2"), open[1..].to_vec()),
        ],
        _ => vec![input(format!("INV-{po}"), open)],
    }
}

pub async fn invoice(
    state: &AppState,
    tenant: TenantId,
    supplier: &Actor,
    id: OrderId,
    n: usize,
) -> anyhow::Result<()> {
    let (order, lines) = invoices::form(state, supplier, id)
        .await
        .map_err(fail("invoice form"))?;
    let open: Vec<(i64, Decimal)> = lines
        .iter()
        .filter(|l| !l.open().is_zero())
        .map(|l| (l.line_no, l.open()))
        .collect();
    if open.is_empty() {
        return Ok(());
    }
    let brand_name = supplier
        .scope
        .as_ref()
        .map(|s| s.tenant_name.clone())
        .unwrap_or_default();
    let finance = actor(state, finance_email(&brand_name), tenant).await?;
    let split = n.is_multiple_of(3) && !n.is_multiple_of(2);
    for input in invoice_inputs(state, &order.po_number, open, split) {
        let Created::Invoice(invoice) = invoices::create(state, supplier, id, &input)
            .await
            .map_err(fail("invoice"))?
        else {
            continue;
        };
        match n % 3 {
            0 => {
                acceptance::accept(state, &finance, &invoice)
                    .await
                    .map_err(fail("acceptance"))?;
            }
            1 => {
                let why = "Unit price on line 1 differs from the agreed price list";
                acceptance::dispute(state, &finance, &invoice, why)
                    .await
                    .map_err(fail("dispute"))?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Moves the requests Sunrise's auto-financing opened through Jade's and Acme's steps, oldest
/// first, so the demo shows a financing in each state; then Sunrise tries to finance a financed
/// invoice again, which is refused (audited, and told to Jade and Acme finance).
pub async fn financings(state: &AppState, tenant: TenantId) -> anyhow::Result<()> {
    use super::financing::offers::{self, OfferInput};
    use super::financing::settle;
    use super::financing::{self as fin, RequestInput};
    let analyst = actor(state, "analyst@jade.test", tenant).await?;
    let credit = actor(state, "credit@jade.test", tenant).await?;
    let finance = actor(state, "finance@acme.test", tenant).await?;
    let sales = actor(state, "sales@sunrise.test", tenant).await?;
    let mut requested = fin::list(state, &finance, Some("requested"), None)
        .await
        .map_err(fail("financings"))?;
    requested.reverse();
    let offer = OfferInput {
        value_date: super::sla::scorecards::today(state).to_string(),
        collection_account: "DE44 5001 0517 5407 3249 31".into(),
    };
    let mut financed = None;
    for (i, f) in requested.iter().enumerate() {
        let id = f.id.as_str();
        if i == 5 {
            let why = "Our exposure to this sector is at its limit this quarter";
            offers::decline(state, &analyst, id, why)
                .await
                .map_err(fail("decline"))?;
            continue;
        }
        if i == 6 {
            offers::withdraw(state, &sales, id)
                .await
                .map_err(fail("withdraw"))?;
            continue;
        }
        if i == 0 {
            continue;
        }
        offers::offer(state, &analyst, id, &offer)
            .await
            .map_err(fail("offer"))?;
        if i == 1 {
            continue;
        }
        offers::accept(state, &sales, id, "")
            .await
            .map_err(fail("offer acceptance"))?;
        if i == 2 {
            continue;
        }
        // The analyst approves; above the program's threshold the credit officer approves too,
        // except on the last one, left waiting for that second approval.
        let first = settle::approve(state, &analyst, id)
            .await
            .map_err(fail("approval"))?;
        if first == settle::Approved::AwaitingSecond && i != 7 {
            settle::approve(state, &credit, id)
                .await
                .map_err(fail("second approval"))?;
        }
        if i == 3 {
            financed = Some(f.invoice_id.clone());
        }
        if i == 4 {
            settle::repay(state, &finance, id)
                .await
                .map_err(fail("repayment"))?;
        }
    }
    if let Some((invoice, program)) = financed.zip(requested.first().map(|f| f.program_id.clone()))
    {
        let again = RequestInput {
            program,
            password: String::new(),
        };
        let refused = fin::request(state, &sales, &invoice, &again).await;
        anyhow::ensure!(refused.is_err(), "a second financing must be refused");
    }
    // Delta withdraws one invoice still waiting for Acme (it invoiced the wrong quantity).
    let delta = actor(state, "planner@delta.test", tenant).await?;
    let waiting = invoices::list(state, &delta, Some("submitted"), None)
        .await
        .map_err(fail("invoices"))?;
    if let Some(last) = waiting.last() {
        invoices::cancel(state, &delta, &last.id)
            .await
            .map_err(fail("invoice withdrawal"))?;
    }
    Ok(())
}

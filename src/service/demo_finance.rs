//! Demo financing: Jade Capital's program for Acme, and invoices — the supplier of each
//! received demo order invoices what was counted in; brand finance accepts one in three,
//! disputes one in three, and leaves the rest waiting.

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
        let mut conn = state.db.reader().acquire().await?;
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
            disbursement_second_above: "50000".into(),
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
    let today = state.now().rfc3339()[..10].to_owned();
    let due = state.now().plus_secs(60 * 86_400).rfc3339()[..10].to_owned();
    let input = InvoiceInput {
        submission: crate::auth::tokens::new_token(),
        number: format!("INV-{}", order.po_number),
        invoice_date: today,
        due_date: due,
        lines: lines
            .iter()
            .filter(|l| !l.open().is_zero())
            .map(|l| (l.line_no, l.open().normalize().to_string()))
            .collect(),
    };
    if input.lines.is_empty() {
        return Ok(());
    }
    let Created::Invoice(invoice) = invoices::create(state, supplier, id, &input)
        .await
        .map_err(fail("invoice"))?
    else {
        return Ok(());
    };
    let brand_name = supplier
        .scope
        .as_ref()
        .map(|s| s.tenant_name.clone())
        .unwrap_or_default();
    let finance = actor(state, finance_email(&brand_name), tenant).await?;
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
    Ok(())
}

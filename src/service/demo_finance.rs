//! Demo invoices: the supplier of each received demo order invoices what was counted in; brand
//! finance accepts most, disputes one in three, and leaves some waiting.

use super::demo_orders::actor;
use super::invoices::{self, Created, InvoiceInput, acceptance};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::domain::ids::{OrderId, TenantId};

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
    let fail =
        |what: &'static str| move |e: super::ServiceError| anyhow::anyhow!("demo {what}: {e:?}");
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

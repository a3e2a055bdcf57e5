//! Notifications about a financing request. Each leads to the financing's page (a financier
//! never sees the order page), and goes to the party whose move it is or who must know.

use super::notify_at;
use crate::app::AppState;
use crate::db::financings::FinancingRow;
use crate::db::orders::Order;
use crate::db::{self, Conn};
use crate::service::ServiceResult;

/// Brand roles that pay invoices and must hear about assignments and overdue repayments.
const BRAND_FINANCE_ROLES: &[&str] = &["admin", "finance"];

pub(crate) async fn financing_event(
    conn: &mut Conn,
    state: &AppState,
    order: &Order,
    financing: &FinancingRow,
    kind: &str,
    actor_org_name: &str,
) -> ServiceResult<()> {
    let financier = financing.financier_org_id;
    let supplier = financing.supplier_org_id;
    let brand = order.tenant_id.into();
    let mut recipients = Vec::new();
    match kind {
        "financing_offered" | "financing_declined" => {
            recipients.extend(db::notifications::recipients(conn, supplier, &[]).await?);
        }
        "financing_disbursed" => {
            recipients.extend(db::notifications::recipients(conn, supplier, &[]).await?);
            recipients
                .extend(db::notifications::recipients(conn, brand, BRAND_FINANCE_ROLES).await?);
        }
        "financing_repaid" => {
            recipients.extend(db::notifications::recipients(conn, financier, &[]).await?);
            recipients.extend(db::notifications::recipients(conn, supplier, &[]).await?);
        }
        "financing_overdue" | "financing_double" => {
            recipients.extend(db::notifications::recipients(conn, financier, &[]).await?);
            recipients
                .extend(db::notifications::recipients(conn, brand, BRAND_FINANCE_ROLES).await?);
        }
        // Requested, offer accepted, withdrawn, a second approval wanted: the financier's move.
        _ => recipients.extend(db::notifications::recipients(conn, financier, &[]).await?),
    }
    let link = format!("/financings/{}", financing.id);
    notify_at(
        conn,
        state,
        order.tenant_id,
        order,
        (kind, Some(&link)),
        actor_org_name,
        recipients,
    )
    .await
}

//! Notifications about deadlines (SLA warnings, breaches, escalations) and invoices.

use super::notify;
use crate::app::AppState;
use crate::db::orders::Order;
use crate::db::{self, Conn};
use crate::service::ServiceResult;

/// Invoice events: the supplier's submissions (and refused duplicates, and look-alikes) go to
/// the brand's finance people; the brand's decisions go to the supplier.
pub(crate) async fn invoice_event(
    conn: &mut Conn,
    state: &AppState,
    order: &Order,
    kind: &str,
    actor_org_name: &str,
) -> ServiceResult<()> {
    let recipients = match kind {
        "invoice_accepted" | "invoice_disputed" => {
            db::notifications::recipients(conn, order.partner_org_id, &[]).await?
        }
        _ => {
            db::notifications::recipients(conn, order.tenant_id.into(), &["admin", "finance"])
                .await?
        }
    };
    notify(
        conn,
        state,
        order.tenant_id,
        order,
        kind,
        actor_org_name,
        recipients,
    )
    .await
}

/// An SLA clock's warning, breach or escalation: the brand roles its policy names and, when
/// asked, the party whose step it is (`tell`: the partner, or a shipment's warehouse).
pub(crate) async fn sla_alert(
    conn: &mut Conn,
    state: &AppState,
    order: &Order,
    level: &str,
    roles: &[&str],
    tell: Option<crate::domain::ids::OrgId>,
) -> ServiceResult<()> {
    let mut recipients = Vec::new();
    // An empty role list means "nobody" here (the lookup would read it as "everyone").
    if !roles.is_empty() {
        recipients
            .extend(db::notifications::recipients(conn, order.tenant_id.into(), roles).await?);
    }
    if let Some(party) = tell {
        recipients.extend(db::notifications::recipients(conn, party, &[]).await?);
    }
    let kind = format!("sla_{level}");
    notify(
        conn,
        state,
        order.tenant_id,
        order,
        &kind,
        &order.partner_name,
        recipients,
    )
    .await
}

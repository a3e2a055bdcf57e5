//! Receivable financing on accepted invoices. The supplier asks (proving its password again if
//! it signed in more than a few minutes ago), or its standing auto-financing instruction asks
//! when the brand accepts; the program's financier offers or declines (`offers`); the supplier
//! accepts; the financier disburses and the brand repays (`settle`). A receivable holds at most
//! one live financing platform-wide: the registry row is claimed before the request exists.

pub mod offers;
mod reauth;
mod request;
pub mod settle;
mod view;

pub use request::{RequestChoice, RequestInput, auto_request, request, request_choices};
pub use view::{FinancingPage, PanelCheck, QuantityLine, evidence_bundle, get, list, of_invoice};

use crate::auth::actor::Actor;
use crate::db::financings::FinancingRow;
use crate::db::{self, Conn};
use crate::domain::finance::financing::FinancingState;
use crate::domain::finance::pricing::{DayCount, Pricing};
use crate::domain::org::{OrgKind, Permission};
use crate::domain::time::UtcMillis;
use crate::service::{ServiceError, ServiceResult, tenant_of};

/// A sensitive step (asking for financing, accepting an offer) needs a password typed within
/// this long.
pub const REAUTH_WINDOW_SECS: i64 = 5 * 60;

/// Who is looking at a financing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Supplier,
    Financier,
    Brand,
}

/// Whether the actor must type their password before a sensitive step.
pub fn needs_reauth(actor: &Actor) -> bool {
    UtcMillis::now().0 - actor.authenticated_at.0 > REAUTH_WINDOW_SECS * 1000
}

/// A financing for who may see it: its supplier, its financier, the brand's finance and order
/// people. To anyone else it does not exist.
pub(crate) async fn visible(
    conn: &mut Conn,
    actor: &Actor,
    id: &str,
) -> ServiceResult<(FinancingRow, Side)> {
    let tenant = tenant_of(actor)?.tenant_id;
    let row = db::financings::get(conn, tenant, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let side = match actor.org_kind {
        OrgKind::Brand
            if actor.can(Permission::DecideInvoices) || actor.can(Permission::ManageOrders) =>
        {
            Side::Brand
        }
        OrgKind::Financier if row.financier_org_id == actor.org_id => Side::Financier,
        OrgKind::Supplier | OrgKind::Factory if row.supplier_org_id == actor.org_id => {
            Side::Supplier
        }
        _ => return Err(ServiceError::NotFound),
    };
    Ok((row, side))
}

pub(crate) fn state_of(row: &FinancingRow) -> ServiceResult<FinancingState> {
    FinancingState::parse(&row.state).ok_or(ServiceError::NotFound)
}

/// Writes a step, refusing when another step got there first.
pub(crate) async fn move_to(
    conn: &mut Conn,
    actor: &Actor,
    row: &FinancingRow,
    to: FinancingState,
    reason: Option<&str>,
    now: i64,
) -> ServiceResult<()> {
    if db::financings::transition(
        conn,
        row.tenant_id,
        &row.id,
        &row.state,
        to.code(),
        actor.user_id,
        reason,
        now,
    )
    .await?
    {
        Ok(())
    } else {
        Err(ServiceError::Refused("financing.refused.wrong_step"))
    }
}

/// The party whose move it is must be that party, with the right to make it.
pub(crate) fn require(side: Side, wanted: Side, actor: &Actor) -> ServiceResult<()> {
    let allowed = side == wanted
        && match wanted {
            Side::Supplier => actor.can(Permission::RespondToOrders),
            Side::Financier => actor.can(Permission::DecideFinancing),
            Side::Brand => actor.can(Permission::DecideInvoices),
        };
    if allowed {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// The program's pricing as the quote computes it.
pub fn pricing_of(program: &crate::db::finance_programs::ProgramRow) -> Pricing {
    let rate = u32::try_from(program.rate_bps).unwrap_or(0);
    match program.pricing.as_str() {
        "flat" => Pricing::Flat { bps: rate },
        _ => Pricing::Discount {
            bps_per_annum: rate,
            day_count: DayCount::parse(&program.day_count).unwrap_or(DayCount::Act360),
        },
    }
}

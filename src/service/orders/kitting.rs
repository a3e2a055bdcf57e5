//! Material kitting (物料齐套): either side lists a line's bill of materials; the factory records
//! what is on hand or allocated per component with material lot codes (signed) and when the
//! line's production is planned to start. What follows from the numbers is in `kitting_status`.

use serde_json::json;

use super::decide::{Outcome, Seen};
use super::evidence::sign_statement;
use super::shipping::decimal;
use super::{Party, load_for, order_hash};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db::kitting::{Component, NewComponent, StockUpdate};
use crate::db::{self, Conn};
use crate::domain::ids::TenantId;
use crate::domain::order::fields::{
    parse_amount, parse_date, parse_quantity, parse_text, parse_unit,
};
use crate::domain::order::kitting::Stock;
use crate::domain::order::state::OrderState;
use crate::domain::org::Permission;
use crate::domain::time::UtcMillis;
use crate::service::{AuditEvent, FieldErrors, ServiceError, ServiceResult, actions, audit};

#[derive(Clone, Debug, Default)]
pub struct ComponentInput {
    pub line: String,
    pub component: String,
    pub qty_per_unit: String,
    pub unit: String,
    pub supplier: String,
}

#[derive(Clone, Debug, Default)]
pub struct StockInput {
    pub on_hand: String,
    pub allocated: String,
    pub lot_codes: String,
}

/// Who may list materials: the brand's order people and the partner's.
fn may_edit_bom(actor: &Actor, party: Party) -> bool {
    match party {
        Party::Brand => actor.can(Permission::ManageOrders),
        Party::Partner => actor.can(Permission::RespondToOrders),
        Party::ShipTo => false,
    }
}

/// Loads the order in a transaction for a kitting change, with the component asked for (if
/// any): a component of another order is "not found" before anything else is said.
async fn open_for_change(
    conn: &mut Conn,
    actor: &Actor,
    seen: &Seen,
    partner_only: bool,
    component: Option<&str>,
) -> ServiceResult<(TenantId, crate::db::orders::Order, Option<Component>, bool)> {
    let (tenant, order, party) = load_for(conn, actor, seen.order).await?;
    let found = match component {
        Some(id) => Some(
            db::kitting::of_order(conn, tenant, order.id)
                .await?
                .into_iter()
                .find(|c| c.id == id)
                .ok_or(ServiceError::NotFound)?,
        ),
        None => None,
    };
    let allowed = if partner_only {
        party == Party::Partner && actor.can(Permission::RespondToOrders)
    } else {
        may_edit_bom(actor, party)
    };
    if !allowed {
        return Err(ServiceError::Forbidden);
    }
    if order.state == OrderState::Cancelled {
        return Err(ServiceError::Refused("kitting.refused.cancelled"));
    }
    let now = UtcMillis::now().0;
    let fresh =
        db::order_history::claim_submission(conn, tenant, &seen.submission, actor.user_id, now)
            .await?;
    Ok((tenant, order, found, fresh))
}

pub async fn add_component(
    state: &AppState,
    actor: &Actor,
    seen: &Seen,
    input: &ComponentInput,
) -> ServiceResult<Outcome> {
    let mut errors = FieldErrors::default();
    let line_no = errors.check(
        "line",
        input
            .line
            .trim()
            .parse::<i64>()
            .map_err(|_| "validation.line"),
    );
    let component = errors.check("component", parse_text(&input.component, 120, true));
    let per_unit = errors.check("qty_per_unit", parse_quantity(&input.qty_per_unit));
    let unit = errors.check("unit", parse_unit(&input.unit));
    let supplier = errors
        .check("supplier", parse_text(&input.supplier, 120, false))
        .unwrap_or_default();
    let mut tx = state.db.begin().await?;
    let (tenant, order, _, fresh) = open_for_change(&mut tx, actor, seen, false, None).await?;
    let lines = db::order_lines::of_order(&mut tx, tenant, order.id).await?;
    if let Some(n) = line_no
        && !lines.iter().any(|l| l.line_no == n && l.state.may_ship())
    {
        errors.add("line", "kitting.refused.line");
    }
    errors.into_result()?;
    if !fresh {
        return Ok(Outcome::AlreadyApplied);
    }
    let (Some(line_no), Some(component), Some(per_unit), Some(unit)) =
        (line_no, component, per_unit, unit)
    else {
        return Err(ServiceError::Internal(anyhow::anyhow!(
            "checked fields missing"
        )));
    };
    let id = uuid::Uuid::now_v7().to_string();
    db::kitting::insert(
        &mut tx,
        &NewComponent {
            tenant,
            id: &id,
            order: order.id,
            line_no,
            component: &component,
            qty_per_unit: &per_unit.to_string(),
            unit,
            material_supplier: &supplier,
            by: actor.user_id,
            now: state.now().0,
        },
    )
    .await?;
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::new(actions::BOM_CHANGED, "bom_component", &id).detail(json!({
            "order": order.id.to_string(), "line_no": line_no, "added": component,
            "qty_per_unit": per_unit.to_string(), "unit": unit, "supplier": supplier,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(Outcome::Applied)
}

pub async fn remove_component(
    state: &AppState,
    actor: &Actor,
    seen: &Seen,
    component_id: &str,
) -> ServiceResult<Outcome> {
    let mut tx = state.db.begin().await?;
    let (tenant, order, gone, fresh) =
        open_for_change(&mut tx, actor, seen, false, Some(component_id)).await?;
    let gone = gone.ok_or(ServiceError::NotFound)?;
    if !fresh {
        return Ok(Outcome::AlreadyApplied);
    }
    db::kitting::delete(&mut tx, tenant, order.id, component_id).await?;
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::new(actions::BOM_CHANGED, "bom_component", component_id).detail(json!({
            "order": order.id.to_string(), "line_no": gone.line_no, "removed": gone.component,
            "on_hand": gone.on_hand, "allocated": gone.allocated, "lot_codes": gone.lot_codes,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(Outcome::Applied)
}

/// The factory's count of a component: on hand, allocated, lot codes. Signed, on the timeline.
pub async fn record_stock(
    state: &AppState,
    actor: &Actor,
    seen: &Seen,
    component_id: &str,
    input: &StockInput,
) -> ServiceResult<Outcome> {
    let mut errors = FieldErrors::default();
    let on_hand = errors.check("on_hand", parse_amount(&input.on_hand));
    let allocated = errors.check("allocated", parse_amount(&input.allocated));
    let lots = errors
        .check("lot_codes", parse_text(&input.lot_codes, 300, false))
        .unwrap_or_default();
    errors.into_result()?;
    let (on_hand, allocated) = (on_hand.unwrap_or_default(), allocated.unwrap_or_default());
    let mut tx = state.db.begin().await?;
    let (tenant, order, component, fresh) =
        open_for_change(&mut tx, actor, seen, true, Some(component_id)).await?;
    let component = component.ok_or(ServiceError::NotFound)?;
    if !fresh {
        return Ok(Outcome::AlreadyApplied);
    }
    let now = state.now().0;
    db::kitting::set_stock(
        &mut tx,
        &StockUpdate {
            tenant,
            order: order.id,
            id: component_id,
            on_hand: &on_hand.to_string(),
            allocated: &allocated.to_string(),
            lot_codes: &lots,
            by: actor.user_id,
            now,
        },
    )
    .await?;
    let lines = db::order_lines::of_order(&mut tx, tenant, order.id).await?;
    let quantity = lines
        .iter()
        .find(|l| l.line_no == component.line_no)
        .map(|l| decimal(&l.quantity))
        .unwrap_or_default();
    let after = Stock {
        qty_per_unit: decimal(&component.qty_per_unit),
        on_hand,
        allocated,
    };
    let short = after.shortfall(quantity).normalize();
    super::timeline_event(
        &mut tx,
        actor,
        &order,
        "materials_recorded",
        Some(component.line_no),
        json!({ "component": component.component, "short": short.to_string() }),
        now,
    )
    .await?;
    let attests = format!(
        "{} has {on_hand} {unit} of {} on hand and {allocated} allocated for line {} of PO {} \
         (lots: {})",
        actor.org_name,
        component.component,
        component.line_no,
        order.po_number,
        if lots.is_empty() { "none given" } else { &lots },
        unit = component.unit,
    );
    let body = json!({
        "component_id": component_id, "component": component.component,
        "line_no": component.line_no, "unit": component.unit,
        "required": after.required(quantity).normalize().to_string(),
        "on_hand": on_hand.to_string(), "allocated": allocated.to_string(),
        "short": short.to_string(), "lot_codes": lots,
    });
    sign_statement(
        &mut tx,
        state,
        actor,
        &order,
        "po.materials_recorded",
        &order_hash(&order, &lines)?,
        attests,
        body,
    )
    .await?;
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::new(actions::MATERIALS_RECORDED, "bom_component", component_id).detail(json!({
            "from": { "on_hand": component.on_hand, "allocated": component.allocated, "lot_codes": component.lot_codes },
            "to": { "on_hand": on_hand.to_string(), "allocated": allocated.to_string(), "lot_codes": lots },
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(Outcome::Applied)
}

/// The factory plans when a line's production starts (what shortage reminders count down to).
pub async fn plan_start(
    state: &AppState,
    actor: &Actor,
    seen: &Seen,
    line_no: i64,
    date: &str,
) -> ServiceResult<Outcome> {
    let mut errors = FieldErrors::default();
    let date = errors.check(format!("plan.{line_no}"), parse_date(date));
    errors.into_result()?;
    let date = date.unwrap_or_default();
    let mut tx = state.db.begin().await?;
    let (tenant, order, _, fresh) = open_for_change(&mut tx, actor, seen, true, None).await?;
    let lines = db::order_lines::of_order(&mut tx, tenant, order.id).await?;
    if !lines
        .iter()
        .any(|l| l.line_no == line_no && l.state.may_ship())
    {
        return Err(ServiceError::Refused("kitting.refused.line"));
    }
    if !fresh {
        return Ok(Outcome::AlreadyApplied);
    }
    db::kitting::set_plan(&mut tx, tenant, order.id, line_no, &date).await?;
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::new(actions::PRODUCTION_PLANNED, "order", order.id)
            .detail(json!({ "line_no": line_no, "planned_start": date })),
    )
    .await?;
    tx.commit().await?;
    Ok(Outcome::Applied)
}

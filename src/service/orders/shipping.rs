//! Shipping: the supplier or factory announces a shipment (ASN) against accepted lines, to the
//! order's warehouse; the statement is signed. Receiving it is in `receiving`.

use std::collections::HashMap;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::json;

use super::decide::{Outcome, Seen};
use super::evidence::sign_statement;
use super::{Party, load_for, order_hash};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db::orders::Order;
use crate::db::progress::Attachment;
use crate::db::shipping::{Asn, AsnLine, NewAsn};
use crate::db::{self, Conn};
use crate::domain::ids::{OrderId, OrgId, TenantId};
use crate::domain::order::fields::{parse_date, parse_quantity, parse_text};
use crate::domain::order::shipping::{ShipRefusal, check_shipment};
use crate::domain::order::state::OrderState;
use crate::domain::org::{OrgKind, Permission};
use crate::service::{
    AuditEvent, FieldErrors, ServiceError, ServiceResult, actions, audit, notifications, trace,
};

#[derive(Clone, Debug, Default)]
pub struct AsnInput {
    pub warehouse: String,
    pub carrier: String,
    pub tracking: String,
    pub ship_date: String,
    pub eta: String,
    pub cartons: String,
    /// (order line, quantity to ship, finished lot codes); a blank quantity ships nothing.
    pub lines: Vec<(i64, String, String)>,
}

pub(super) fn decimal(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap_or_default()
}

/// What each order line has shipped so far.
async fn shipped(
    conn: &mut Conn,
    tenant: TenantId,
    order: OrderId,
) -> ServiceResult<HashMap<i64, Decimal>> {
    let mut totals = HashMap::new();
    for (line, qty) in db::shipping::shipped_rows(conn, tenant, order).await? {
        *totals.entry(line).or_insert(Decimal::ZERO) += decimal(&qty);
    }
    Ok(totals)
}

pub async fn create_asn(
    state: &AppState,
    actor: &Actor,
    seen: &Seen,
    input: &AsnInput,
) -> ServiceResult<Outcome> {
    let mut errors = FieldErrors::default();
    let carrier = errors.check("carrier", parse_text(&input.carrier, 60, true));
    let tracking = errors.check("tracking", parse_text(&input.tracking, 60, true));
    let ship_date = errors.check("ship_date", parse_date(&input.ship_date));
    let eta = errors.check("eta", parse_date(&input.eta));
    if let (Some(s), Some(e)) = (&ship_date, &eta)
        && e < s
    {
        errors.add("eta", "asn.eta_before_ship");
    }
    let cartons = errors.check(
        "cartons",
        input
            .cartons
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|c| (1..=100_000).contains(c))
            .ok_or("asn.cartons"),
    );
    let mut wanted = Vec::new();
    for (line_no, qty, lots) in &input.lines {
        if qty.trim().is_empty() {
            continue;
        }
        let field = format!("lines.{line_no}.quantity");
        if let Some(q) = errors.check(field, parse_quantity(qty)) {
            let lots = errors
                .check(
                    format!("lines.{line_no}.lots"),
                    parse_text(lots, 200, false),
                )
                .unwrap_or_default();
            wanted.push((*line_no, q, lots));
        }
    }
    if wanted.is_empty() && errors.is_empty() {
        errors.add("lines", "asn.no_lines");
    }

    let mut tx = state.db.begin().await?;
    let (tenant, order, party) = load_for(&mut tx, actor, seen.order).await?;
    if party != Party::Partner || !actor.can(Permission::RespondToOrders) {
        return Err(ServiceError::Forbidden);
    }
    let choices = warehouse_choices(&mut tx, tenant, &order).await?;
    let warehouse = input
        .warehouse
        .trim()
        .parse::<OrgId>()
        .ok()
        .filter(|id| choices.iter().any(|(c, _)| c == id));
    if warehouse.is_none() {
        errors.add("warehouse", "asn.warehouse_invalid");
    }
    if order.state == OrderState::Cancelled {
        return Err(ServiceError::Refused("asn.refused.cancelled"));
    }
    if super::qc::blocks_shipment(&mut tx, tenant, order.id).await? {
        return Err(ServiceError::Refused(ShipRefusal::QcFailed.message_key()));
    }
    let lines = db::order_lines::of_order(&mut tx, tenant, order.id).await?;
    let already = shipped(&mut tx, tenant, order.id).await?;
    let tolerance = db::brand_settings::get(&mut tx, tenant)
        .await?
        .ship_tolerance_pct;
    for (line_no, qty, _) in &wanted {
        let Some(line) = lines.iter().find(|l| l.line_no == *line_no) else {
            errors.add(format!("lines.{line_no}.quantity"), "validation.line");
            continue;
        };
        let done = already.get(line_no).copied().unwrap_or_default();
        if let Err(refusal) =
            check_shipment(line.state, decimal(&line.quantity), done, *qty, tolerance)
        {
            errors.add(format!("lines.{line_no}.quantity"), refusal.message_key());
        }
    }
    let with_units: Vec<_> = wanted
        .iter()
        .filter_map(|(n, q, lots)| {
            let line = lines.iter().find(|l| l.line_no == *n)?;
            Some((*n, *q, lots.clone(), line.unit.clone()))
        })
        .collect();
    let traced = trace::shipment::plan(&mut tx, actor, &with_units, &mut errors).await?;
    errors.into_result()?;
    let now = state.now().0;
    if !db::order_history::claim_submission(&mut tx, tenant, &seen.submission, actor.user_id, now)
        .await?
    {
        return Ok(Outcome::AlreadyApplied);
    }
    let (Some(warehouse), Some(carrier), Some(tracking), Some(ship_date), Some(eta), Some(cartons)) =
        (warehouse, carrier, tracking, ship_date, eta, cartons)
    else {
        return Err(ServiceError::Internal(anyhow::anyhow!(
            "checked fields missing"
        )));
    };
    let id = uuid::Uuid::now_v7().to_string();
    db::shipping::insert(
        &mut tx,
        &NewAsn {
            tenant,
            id: &id,
            order: order.id,
            warehouse,
            carrier: &carrier,
            tracking: &tracking,
            ship_date: &ship_date,
            eta: &eta,
            cartons,
            by: actor.user_id,
            now,
        },
    )
    .await?;
    for (line_no, qty, lots) in &wanted {
        db::shipping::insert_line(&mut tx, tenant, &id, *line_no, &qty.to_string(), lots).await?;
    }
    let total: Decimal = wanted.iter().map(|(_, q, _)| *q).sum();
    let unit = match with_units.first() {
        Some((.., u)) if with_units.iter().all(|(.., other)| other == u) => u.as_str(),
        _ => "",
    };
    trace::shipment::link(
        &mut tx,
        actor,
        tenant,
        (&id, order.id),
        traced,
        (total, unit),
        now,
    )
    .await?;
    let shipped_lines: Vec<_> = wanted
        .iter()
        .map(|(n, q, lots)| json!({ "line_no": n, "quantity": q.to_string(), "lot_codes": lots }))
        .collect();
    super::timeline_event(
        &mut tx,
        actor,
        &order,
        "shipped",
        None,
        json!({ "asn": id, "lines": shipped_lines.len() }),
        now,
    )
    .await?;
    let attests = format!(
        "{} shipped {} line(s) of PO {} by {carrier}, tracking {tracking}, ETA {eta}",
        actor.org_name,
        wanted.len(),
        order.po_number
    );
    let body = json!({
        "asn_id": id, "warehouse": warehouse.to_string(), "carrier": carrier, "tracking": tracking,
        "ship_date": ship_date, "eta": eta, "cartons": cartons, "lines": shipped_lines,
    });
    sign_statement(
        &mut tx,
        state,
        actor,
        &order,
        "po.shipped",
        &order_hash(&order, &lines)?,
        attests,
        body,
    )
    .await?;
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::new(actions::ASN_CREATED, "asn", &id)
            .detail(json!({ "order": order.id.to_string() })),
    )
    .await?;
    notifications::asn_created(&mut tx, state, &order, warehouse, &actor.org_name).await?;
    crate::service::sla::clocks::sync(&mut tx, state, tenant, order.id).await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(Outcome::Applied)
}

/// The ASNs of an order with their lines and receipt photos, for its parties (a warehouse sees
/// only its own).
pub async fn of_order(
    state: &AppState,
    actor: &Actor,
    id: OrderId,
) -> ServiceResult<Vec<(Asn, Vec<AsnLine>, Vec<Attachment>)>> {
    let mut conn = state.db.read().await?;
    let (tenant, order, party) = load_for(&mut conn, actor, id).await?;
    let asns = db::shipping::of_order(&mut conn, tenant, order.id).await?;
    let files = super::page_memo::attachments(&mut conn, tenant, order.id).await?;
    let all_lines = db::shipping::lines_of_order(&mut conn, tenant, order.id).await?;
    let mut out = Vec::new();
    for asn in asns {
        if party == Party::ShipTo && asn.warehouse_org_id != actor.org_id {
            continue;
        }
        let lines = all_lines
            .iter()
            .filter(|l| l.asn_id == asn.id)
            .map(|l| l.line.clone())
            .collect();
        let photos = files
            .iter()
            .filter(|f| f.post_id == asn.id)
            .cloned()
            .collect();
        out.push((asn, lines, photos));
    }
    Ok(out)
}

/// Where an order's goods may ship: the warehouse the order names, or, when it names none, any
/// warehouse the brand works with.
async fn warehouse_choices(
    conn: &mut Conn,
    tenant: TenantId,
    order: &Order,
) -> ServiceResult<Vec<(OrgId, String)>> {
    let kinds = [OrgKind::Warehouse];
    let active = match order.ship_to_org_id {
        Some(named) => db::partnerships::active_one_of_kinds(conn, tenant, &kinds, named).await?,
        None => db::partnerships::active_of_kinds(conn, tenant, &kinds).await?,
    };
    Ok(active.into_iter().map(|(id, name, _)| (id, name)).collect())
}

/// The warehouses the partner may pick on the ASN form (none for anyone else).
pub async fn asn_warehouses(
    state: &AppState,
    actor: &Actor,
    id: OrderId,
) -> ServiceResult<Vec<(OrgId, String)>> {
    let mut conn = state.db.read().await?;
    let (tenant, order, party) = load_for(&mut conn, actor, id).await?;
    if party != Party::Partner {
        return Ok(Vec::new());
    }
    warehouse_choices(&mut conn, tenant, &order).await
}

/// What is left to ship per line (for the ASN form's defaults).
pub async fn open_quantities(
    state: &AppState,
    actor: &Actor,
    id: OrderId,
) -> ServiceResult<HashMap<i64, Decimal>> {
    let mut conn = state.db.read().await?;
    let (tenant, order, _) = load_for(&mut conn, actor, id).await?;
    let already = shipped(&mut conn, tenant, order.id).await?;
    let lines = super::page_memo::lines(&mut conn, tenant, order.id).await?;
    Ok(lines
        .iter()
        .map(|l| {
            let open = decimal(&l.quantity) - already.get(&l.line_no).copied().unwrap_or_default();
            (l.line_no, open.max(Decimal::ZERO))
        })
        .collect())
}

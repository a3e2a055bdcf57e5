//! Recording the chain, as a factory does on the floor: material lots as they arrive (the
//! supplier's lot code scanned into a field), and production batches with the lots they took
//! (never more than is left of a lot) and the finished lot they yielded. Each record is also
//! its links in `trace_edges`, so it is traceable the moment it is saved.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::json;

use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db::trace::NewLink;
use crate::db::trace_records::{NewBatch, NewMaterialLot};
use crate::db::{self, Conn};
use crate::domain::order::fields::{parse_quantity, parse_text};
use crate::domain::org::{OrgKind, Permission};
use crate::domain::trace::{NodeKind, check_consumption};
use crate::service::{AuditEvent, FieldErrors, ServiceError, ServiceResult, actions, audit};

/// Only a producing partner records its chain; to anyone else these steps do not exist.
pub(super) fn require_producer(actor: &Actor) -> ServiceResult<()> {
    if !matches!(actor.org_kind, OrgKind::Supplier | OrgKind::Factory) {
        return Err(ServiceError::NotFound);
    }
    if !actor.can(Permission::RespondToOrders) {
        return Err(ServiceError::Forbidden);
    }
    Ok(())
}

#[derive(Clone, Debug, Default)]
pub struct LotInput {
    pub material: String,
    pub supplier_name: String,
    pub supplier_lot_code: String,
    pub received_qty: String,
    pub unit: String,
}

pub async fn record_material_lot(
    state: &AppState,
    actor: &Actor,
    input: &LotInput,
) -> ServiceResult<String> {
    require_producer(actor)?;
    let mut tx = state.db.begin().await?;
    let id = lot_in(&mut tx, actor, input, state.now().0).await?;
    tx.commit().await?;
    Ok(id)
}

/// Records a lot inside the caller's transaction (a form, or one row of an import).
pub(super) async fn lot_in(
    tx: &mut Conn,
    actor: &Actor,
    input: &LotInput,
    now: i64,
) -> ServiceResult<String> {
    let mut e = FieldErrors::default();
    let material = e.check("material", parse_text(&input.material, 120, true));
    let supplier = e.check("supplier_name", parse_text(&input.supplier_name, 120, true));
    let code = e.check(
        "supplier_lot_code",
        parse_text(&input.supplier_lot_code, 80, true),
    );
    let qty = e.check("received_qty", parse_quantity(&input.received_qty));
    let unit = e.check("unit", parse_text(&input.unit, 12, true));
    e.into_result()?;
    let (Some(material), Some(supplier), Some(code), Some(qty), Some(unit)) =
        (material, supplier, code, qty, unit)
    else {
        return Err(ServiceError::Invalid(FieldErrors::default()));
    };
    let id = uuid::Uuid::now_v7().to_string();
    let saved = db::trace_records::insert_material_lot(
        &mut *tx,
        &NewMaterialLot {
            id: &id,
            owner: actor.org_id,
            material: &material,
            supplier_name: &supplier,
            supplier_lot_code: &code,
            received_qty: &qty.to_string(),
            unit: &unit,
            by: actor.user_id,
            now,
        },
    )
    .await?;
    if !saved {
        let mut e = FieldErrors::default();
        e.add("supplier_lot_code", "trace.invalid.lot_taken");
        return Err(ServiceError::Invalid(e));
    }
    audit(
        &mut *tx,
        actor,
        actor.scope.as_ref().map(|s| s.tenant_id),
        AuditEvent::new(actions::TRACE_LOT_RECORDED, "material_lot", &id)
            .detail(json!({ "material": material, "supplier_lot_code": code, "qty": qty })),
    )
    .await?;
    Ok(id)
}

#[derive(Clone, Debug, Default)]
pub struct BatchInput {
    pub code: String,
    pub line: String,
    pub shift: String,
    pub operator: String,
    /// `YYYY-MM-DDTHH:MM`, UTC (as a `datetime-local` field sends it).
    pub started_at: String,
    pub ended_at: String,
    /// (the supplier's lot code as scanned, quantity taken); blank rows are skipped.
    pub inputs: Vec<(String, String)>,
    pub finished_code: String,
    pub finished_qty: String,
    pub finished_unit: String,
}

fn parse_instant(input: &str, required: bool) -> Result<Option<i64>, &'static str> {
    let value = input.trim();
    if value.is_empty() {
        return if required {
            Err("validation.required")
        } else {
            Ok(None)
        };
    }
    let at = jiff::civil::DateTime::from_str(value).map_err(|_| "trace.invalid.time")?;
    let ts = jiff::tz::TimeZone::UTC
        .to_ambiguous_timestamp(at)
        .compatible()
        .map_err(|_| "trace.invalid.time")?;
    Ok(Some(ts.as_millisecond()))
}

pub async fn record_batch(
    state: &AppState,
    actor: &Actor,
    input: &BatchInput,
) -> ServiceResult<String> {
    require_producer(actor)?;
    let mut tx = state.db.begin().await?;
    let id = batch_in(&mut tx, actor, input, state.now().0).await?;
    tx.commit().await?;
    Ok(id)
}

/// Records a batch inside the caller's transaction (a form, or rows of an import).
pub(super) async fn batch_in(
    tx: &mut Conn,
    actor: &Actor,
    input: &BatchInput,
    now: i64,
) -> ServiceResult<String> {
    let mut e = FieldErrors::default();
    let code = e.check("code", parse_text(&input.code, 80, true));
    let line = e.check("line", parse_text(&input.line, 80, true));
    let shift = e.check("shift", parse_text(&input.shift, 40, true));
    let operator = e.check("operator", parse_text(&input.operator, 120, true));
    let started = e.check("started_at", parse_instant(&input.started_at, true));
    let ended = e.check("ended_at", parse_instant(&input.ended_at, false));
    if let (Some(Some(s)), Some(Some(end))) = (started, ended)
        && end < s
    {
        e.add("ended_at", "trace.invalid.ends_before_start");
    }
    let finished_code = e.check("finished_code", parse_text(&input.finished_code, 80, true));
    let finished_qty = e.check("finished_qty", parse_quantity(&input.finished_qty));
    let finished_unit = e.check("finished_unit", parse_text(&input.finished_unit, 12, true));
    let mut wanted = Vec::new();
    for (i, (lot, qty)) in input.inputs.iter().enumerate() {
        if lot.trim().is_empty() && qty.trim().is_empty() {
            continue;
        }
        let q = e.check(format!("inputs.{i}"), parse_quantity(qty));
        wanted.push((i, lot.trim().to_owned(), q));
    }
    if wanted.is_empty() {
        e.add("inputs.0", "trace.invalid.no_inputs");
    }
    // Each lot's balance is checked against what earlier batches took and what this batch
    // takes on earlier rows of the same form.
    let mut found = Vec::new();
    for (i, code, qty) in &wanted {
        match db::trace_records::material_lot_by_code(&mut *tx, actor.org_id, code).await? {
            Some(lot) => found.push((*i, lot, *qty)),
            None => e.add(format!("inputs.{i}"), "trace.invalid.unknown_lot"),
        }
    }
    // Batches recorded at the same moment from the same lots take turns.
    let ids: Vec<&str> = found.iter().map(|(_, lot, _)| lot.0.as_str()).collect();
    db::trace_records::lock_material_lots(&mut *tx, &ids).await?;
    let mut lots = Vec::new();
    for (i, lot, qty) in &found {
        let Some(qty) = qty else { continue };
        let mut taken: Vec<Decimal> = db::trace_records::consumed(&mut *tx, &lot.0)
            .await?
            .iter()
            .filter_map(|q| Decimal::from_str(q).ok())
            .collect();
        taken.extend(
            lots.iter()
                .filter(|(id, ..): &&(String, Decimal, String)| *id == lot.0)
                .map(|(_, q, _)| *q),
        );
        let received = Decimal::from_str(&lot.4).unwrap_or_default();
        if let Err(refusal) = check_consumption(received, &taken, *qty) {
            e.add(format!("inputs.{i}"), refusal.message_key());
            continue;
        }
        lots.push((lot.0.clone(), *qty, lot.5.clone()));
    }
    e.into_result()?;
    let (
        Some(code),
        Some(line),
        Some(shift),
        Some(operator),
        Some(Some(started)),
        Some(ended),
        Some(finished_code),
        Some(finished_qty),
        Some(finished_unit),
    ) = (
        code,
        line,
        shift,
        operator,
        started,
        ended,
        finished_code,
        finished_qty,
        finished_unit,
    )
    else {
        return Err(ServiceError::Invalid(FieldErrors::default()));
    };
    let id = uuid::Uuid::now_v7().to_string();
    let batch = NewBatch {
        id: &id,
        owner: actor.org_id,
        code: &code,
        line: &line,
        shift: &shift,
        operator: &operator,
        started_at: started,
        ended_at: ended,
        by: actor.user_id,
        now,
    };
    if !db::trace_records::insert_batch(&mut *tx, &batch).await? {
        let mut e = FieldErrors::default();
        e.add("code", "trace.invalid.batch_taken");
        return Err(ServiceError::Invalid(e));
    }
    let mut merged: Vec<(String, Decimal, String)> = Vec::new();
    for (lot, qty, unit) in lots {
        match merged.iter_mut().find(|(l, ..)| *l == lot) {
            Some(m) => m.1 += qty,
            None => merged.push((lot, qty, unit)),
        }
    }
    for (lot, qty, unit) in &merged {
        let link = NewLink {
            owner: actor.org_id,
            from: (NodeKind::MaterialLot, lot),
            to: (NodeKind::Batch, &id),
            quantity: &qty.to_string(),
            unit,
            tenant: None,
            now,
        };
        db::trace::insert_link(&mut *tx, &link).await?;
    }
    let finished_id = uuid::Uuid::now_v7().to_string();
    let finished_qty = finished_qty.to_string();
    if !db::trace_records::insert_finished_lot(
        &mut *tx,
        &finished_id,
        actor.org_id,
        &finished_code,
        &id,
        &finished_qty,
        &finished_unit,
        now,
    )
    .await?
    {
        let mut e = FieldErrors::default();
        e.add("finished_code", "trace.invalid.finished_taken");
        return Err(ServiceError::Invalid(e));
    }
    let link = NewLink {
        owner: actor.org_id,
        from: (NodeKind::Batch, &id),
        to: (NodeKind::FinishedLot, &finished_id),
        quantity: &finished_qty,
        unit: &finished_unit,
        tenant: None,
        now,
    };
    db::trace::insert_link(&mut *tx, &link).await?;
    audit(
        &mut *tx,
        actor,
        actor.scope.as_ref().map(|s| s.tenant_id),
        AuditEvent::new(actions::TRACE_BATCH_RECORDED, "batch", &id).detail(json!({
            "code": code, "line": line, "shift": shift, "operator": operator,
            "inputs": merged.iter().map(|(l, q, _)| json!({ "lot": l, "qty": q.to_string() }))
                .collect::<Vec<_>>(),
            "finished_lot": finished_code, "finished_qty": finished_qty,
        })),
    )
    .await?;
    Ok(id)
}

/// One more finished lot out of a recorded batch (an imported batch that yielded several).
pub(super) async fn add_output(
    tx: &mut Conn,
    actor: &Actor,
    batch: &str,
    (code, qty, unit): (&str, &str, &str),
    now: i64,
) -> ServiceResult<()> {
    let mut e = FieldErrors::default();
    let code = e.check("finished_code", parse_text(code, 80, true));
    let qty = e.check("finished_qty", parse_quantity(qty));
    let unit = e.check("finished_unit", parse_text(unit, 12, true));
    e.into_result()?;
    let (Some(code), Some(qty), Some(unit)) = (code, qty, unit) else {
        return Err(ServiceError::Invalid(FieldErrors::default()));
    };
    let id = uuid::Uuid::now_v7().to_string();
    let qty = qty.to_string();
    if !db::trace_records::insert_finished_lot(
        &mut *tx,
        &id,
        actor.org_id,
        &code,
        batch,
        &qty,
        &unit,
        now,
    )
    .await?
    {
        let mut e = FieldErrors::default();
        e.add("finished_code", "trace.invalid.finished_taken");
        return Err(ServiceError::Invalid(e));
    }
    let link = NewLink {
        owner: actor.org_id,
        from: (NodeKind::Batch, batch),
        to: (NodeKind::FinishedLot, &id),
        quantity: &qty,
        unit: &unit,
        tenant: None,
        now,
    };
    db::trace::insert_link(&mut *tx, &link).await?;
    Ok(())
}

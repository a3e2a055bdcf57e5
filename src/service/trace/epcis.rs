//! EPCIS 2.0 both ways: the chain a viewer sees from a node, as a JSON-LD document a partner
//! system reads; and a partner system's document recorded as the importer's own chain (lots,
//! batches with their inputs and outputs, and finished lots into the importer's shipments known
//! by tracking number), all or nothing in one transaction.

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

use rust_decimal::Decimal;

use serde_json::{Value, json};

use super::import::TraceImport;
use super::record::{BatchInput, LotInput, add_output, batch_in, lot_in, require_producer};
use super::view;
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db::{self, Conn};
use crate::domain::ids::OrgId;
use crate::domain::order::fields::parse_quantity;
use crate::domain::trace::{NodeKind, check_consumption};
use crate::domain::trace_epcis::{self, BatchRec, Chain, LotRec, ShipmentRec};
use crate::service::orders::import::ImportErrors;
use crate::service::{AuditEvent, ServiceError, ServiceResult, actions, audit, tenant_of};

/// The chain the viewer sees from `start`, both directions, as an EPCIS document.
pub async fn export(
    state: &AppState,
    actor: &Actor,
    start: (NodeKind, &str),
) -> ServiceResult<Value> {
    let trace = view::trace(state, actor, start).await?;
    let mut links = BTreeMap::new();
    for l in trace
        .reverse
        .graph
        .links
        .iter()
        .chain(&trace.forward.graph.links)
    {
        links.insert(
            (l.from.clone(), l.to.clone()),
            (l.quantity.clone(), l.unit.clone()),
        );
    }
    let ids = |kind: NodeKind| -> Vec<&str> {
        trace
            .nodes
            .keys()
            .filter(|(k, _)| *k == kind)
            .map(|(_, id)| id.as_str())
            .collect()
    };
    let mut conn = state.db.read().await?;
    let lots = db::trace_nodes::lots(&mut conn, &ids(NodeKind::MaterialLot)).await?;
    let batches = db::trace_nodes::batches(&mut conn, &ids(NodeKind::Batch)).await?;
    let shipments = db::trace_nodes::shipments(&mut conn, &ids(NodeKind::Shipment)).await?;
    let code = |key: &(NodeKind, String)| trace.nodes.get(key).map(|n| n.code.clone());
    let lot_names: HashMap<&str, (&str, &str)> = lots
        .iter()
        .map(|l| {
            (
                l.id.as_str(),
                (l.supplier_name.as_str(), l.supplier_lot_code.as_str()),
            )
        })
        .collect();
    let owner = trace
        .nodes
        .get(&trace.start)
        .map(|n| n.owner.clone())
        .unwrap_or_default();
    let owner_name = match owner.parse::<OrgId>() {
        Ok(id) => db::orgs::get(&mut conn, id).await?.map(|o| o.name),
        Err(_) => None,
    };
    let mut chain = Chain {
        owner_id: owner,
        owner_name: owner_name.unwrap_or_default(),
        ..Chain::default()
    };
    chain.lots = lots
        .iter()
        .map(|l| LotRec {
            material: l.material.clone(),
            supplier_name: l.supplier_name.clone(),
            supplier_lot_code: l.supplier_lot_code.clone(),
            received_qty: l.received_qty.clone(),
            unit: l.unit.clone(),
            received_at: l.created_at,
        })
        .collect();
    for b in &batches {
        let key = (NodeKind::Batch, b.id.clone());
        let mut rec = BatchRec {
            code: b.code.clone(),
            line: b.line.clone(),
            shift: b.shift.clone(),
            operator: b.operator.clone(),
            started_at: b.started_at,
            ended_at: b.ended_at,
            ..BatchRec::default()
        };
        for ((from, to), (qty, unit)) in &links {
            if *to == key
                && from.0 == NodeKind::MaterialLot
                && let Some((supplier, lot)) = lot_names.get(from.1.as_str())
            {
                rec.inputs.push((
                    supplier.to_string(),
                    lot.to_string(),
                    qty.clone(),
                    unit.clone(),
                ));
            }
            if *from == key
                && to.0 == NodeKind::FinishedLot
                && let Some(c) = code(to)
            {
                rec.outputs.push((c, qty.clone(), unit.clone()));
            }
        }
        chain.batches.push(rec);
    }
    for s in &shipments {
        let key = (NodeKind::Shipment, s.id.clone());
        let mut rec = ShipmentRec {
            tracking: s.tracking.clone(),
            carrier: s.carrier.clone(),
            ship_date: s.ship_date.clone(),
            ..ShipmentRec::default()
        };
        for ((from, to), (qty, unit)) in &links {
            if *to == key
                && from.0 == NodeKind::FinishedLot
                && let Some(c) = code(from)
            {
                rec.lots.push((c, qty.clone(), unit.clone()));
            }
            if *from == key
                && to.0 == NodeKind::Order
                && let Some(c) = code(to)
            {
                rec.po_number = c;
            }
        }
        chain.shipments.push(rec);
    }
    let doc = trace_epcis::export(&chain);
    let mut tx = state.db.begin().await?;
    audit(
        &mut tx,
        actor,
        actor.scope.as_ref().map(|s| s.tenant_id),
        AuditEvent::new(actions::TRACE_EXPORTED, start.0.code(), start.1)
            .detail(json!({ "format": "epcis", "events": chain.lots.len() + chain.batches.len() + chain.shipments.len() })),
    )
    .await?;
    tx.commit().await?;
    Ok(doc)
}

/// Records a partner system's EPCIS document as the importer's chain.
pub async fn import(state: &AppState, actor: &Actor, bytes: &[u8]) -> ServiceResult<TraceImport> {
    require_producer(actor)?;
    let mut errors = ImportErrors::default();
    let chain = match serde_json::from_slice::<Value>(bytes)
        .map_err(|e| trace_epcis::EpcisError::NotADocument {
            detail: e.to_string(),
        })
        .and_then(|doc| trace_epcis::import(&doc))
    {
        Ok(chain) => chain,
        Err(e) => {
            errors.add(0, &e.to_string(), e.message_key());
            return Ok(TraceImport::Refused(errors));
        }
    };
    let now = state.now().0;
    let mut tx = state.db.begin().await?;
    for lot in &chain.lots {
        let input = LotInput {
            material: lot.material.clone(),
            supplier_name: lot.supplier_name.clone(),
            supplier_lot_code: lot.supplier_lot_code.clone(),
            received_qty: lot.received_qty.clone(),
            unit: lot.unit.clone(),
        };
        collect(
            lot_in(&mut tx, actor, &input, now).await,
            &lot.supplier_lot_code,
            &mut errors,
        )?;
    }
    for batch in &chain.batches {
        let minute = |ms: i64| {
            jiff::Timestamp::from_millisecond(ms)
                .map(|t| t.strftime("%Y-%m-%dT%H:%M").to_string())
                .unwrap_or_default()
        };
        let first = batch.outputs.first().cloned().unwrap_or_default();
        let input = BatchInput {
            code: batch.code.clone(),
            line: batch.line.clone(),
            shift: batch.shift.clone(),
            operator: batch.operator.clone(),
            started_at: minute(batch.started_at),
            ended_at: batch.ended_at.map(minute).unwrap_or_default(),
            inputs: batch
                .inputs
                .iter()
                .map(|(_, lot, qty, _)| (lot.clone(), qty.clone()))
                .collect(),
            finished_code: first.0,
            finished_qty: first.1,
            finished_unit: first.2,
        };
        let Some(id) = collect(
            batch_in(&mut tx, actor, &input, now).await,
            &batch.code,
            &mut errors,
        )?
        else {
            continue;
        };
        for (code, qty, unit) in batch.outputs.iter().skip(1) {
            collect(
                add_output(&mut tx, actor, &id, (code, qty, unit), now).await,
                code,
                &mut errors,
            )?;
        }
    }
    let linked = link_shipments(&mut tx, actor, &chain.shipments, now, &mut errors).await?;
    if !errors.problems.is_empty() || errors.more > 0 {
        return Ok(TraceImport::Refused(errors));
    }
    let tenant = tenant_of(actor).ok().map(|s| s.tenant_id);
    let detail = json!({ "format": "epcis", "lots": chain.lots.len(), "batches": chain.batches.len(), "shipments_linked": linked });
    audit(
        &mut tx,
        actor,
        tenant,
        AuditEvent::new(actions::TRACE_IMPORTED, "trace", "epcis").detail(detail),
    )
    .await?;
    tx.commit().await?;
    Ok(TraceImport::Recorded {
        lots: chain.lots.len(),
        batches: chain.batches.len(),
    })
}

/// A record's field problems go on the report under its code; other errors stop the import.
fn collect<T>(
    result: ServiceResult<T>,
    code: &str,
    errors: &mut ImportErrors,
) -> ServiceResult<Option<T>> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(ServiceError::Invalid(e)) => {
            for (field, key) in e.iter() {
                errors.add(0, &format!("{code} · {field}"), key);
            }
            Ok(None)
        }
        Err(other) => Err(other),
    }
}

/// Finished lots into the importer's own shipments, found by tracking number in the brand in
/// view; a shipment the importer does not have is left out (it is another system's record). Like
/// an ASN line, a link takes no more than is left of the lot and none of a lot on hold; a link
/// recorded already is left as it is.
async fn link_shipments(
    tx: &mut Conn,
    actor: &Actor,
    shipments: &[ShipmentRec],
    now: i64,
    errors: &mut ImportErrors,
) -> ServiceResult<usize> {
    let Ok(scope) = tenant_of(actor) else {
        return Ok(0);
    };
    let tenant = scope.tenant_id;
    // Shipments recorded at the same moment from the same lots take turns.
    let mut ids = Vec::new();
    for (code, ..) in shipments.iter().flat_map(|s| &s.lots) {
        if let Some((id, ..)) =
            db::trace_records::finished_lot_by_code(tx, actor.org_id, code).await?
        {
            ids.push(id);
        }
    }
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    db::trace_records::lock_finished_lots(tx, &ids).await?;
    let mut linked = 0;
    for s in shipments {
        let hits = db::trace_nodes::by_number(tx, tenant, Some(actor.org_id), &s.tracking).await?;
        let Some((_, asn)) = hits.into_iter().find(|(kind, _)| kind == "shipment") else {
            continue;
        };
        for (code, qty, unit) in &s.lots {
            let Some((lot, made, _, held)) =
                db::trace_records::finished_lot_by_code(tx, actor.org_id, code).await?
            else {
                continue;
            };
            let (from, to) = (
                (NodeKind::FinishedLot, lot.as_str()),
                (NodeKind::Shipment, asn.as_str()),
            );
            if db::trace::link_exists(tx, from, to).await? {
                continue;
            }
            let place = format!("{} · {code}", s.tracking);
            let wanted = match parse_quantity(qty) {
                Ok(q) => q,
                Err(key) => {
                    errors.add(0, &place, key);
                    continue;
                }
            };
            if held == 1 {
                errors.add(0, &place, "trace.refused.on_hold");
                continue;
            }
            let taken: Vec<Decimal> = db::trace_records::shipped_from(tx, &lot)
                .await?
                .iter()
                .filter_map(|q| Decimal::from_str(q).ok())
                .collect();
            let made = Decimal::from_str(&made).unwrap_or_default();
            if let Err(refusal) = check_consumption(made, &taken, wanted) {
                errors.add(0, &place, refusal.message_key());
                continue;
            }
            let link = db::trace::NewLink {
                owner: actor.org_id,
                from,
                to,
                quantity: &wanted.to_string(),
                unit,
                tenant: Some(tenant),
                now,
            };
            db::trace::insert_link(tx, &link).await?;
        }
        linked += 1;
    }
    Ok(linked)
}

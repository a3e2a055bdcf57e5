//! Chain -> EPCISDocument.

use serde_json::{Map, Value, json};

use super::*;
use crate::domain::time::UtcMillis;

/// The chain as an EPCIS 2.0 JSON-LD document.
///
/// Pure and deterministic: with no clock, `creationDate` is the newest event's time (the Unix
/// epoch for an empty chain), so the same chain always gives the same bytes; a caller that
/// wants the wall-clock export time overwrites `creationDate`. Batches with neither inputs nor
/// outputs, and shipments without lots, are left out: EPCIS has no valid form for them and they
/// link nothing. A quantity that is not a decimal is sent without `quantity`.
pub fn export(chain: &Chain) -> Value {
    let owner = chain.owner_id.as_str();
    let mut events = Vec::new();
    let mut newest: Option<i64> = None;
    let mut dated = |e: Value, at: i64| {
        newest = Some(newest.map_or(at, |n| n.max(at)));
        events.push(e);
    };
    for lot in &chain.lots {
        dated(lot_event(owner, lot), lot.received_at);
    }
    for batch in &chain.batches {
        if let Some(e) = batch_event(owner, batch) {
            dated(e, batch.ended_at.unwrap_or(batch.started_at));
        }
    }
    for shipment in &chain.shipments {
        if let Some(e) = shipment_event(owner, shipment) {
            dated(e, day_start(&shipment.ship_date));
        }
    }
    json!({
        "@context": [GS1_CONTEXT, {"portico": PORTICO_NS}],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": rfc3339(newest.unwrap_or(0)),
        K_OWNER_ID: chain.owner_id,
        K_OWNER_NAME: chain.owner_name,
        "epcisBody": {"eventList": events},
    })
}

fn rfc3339(ms: i64) -> String {
    UtcMillis(ms).rfc3339()
}

/// Midnight UTC of a `YYYY-MM-DD` date; the epoch if it is not one (the text itself still
/// travels in `portico:shipDate`).
fn day_start(date: &str) -> i64 {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(date, &format)
        .map(|d| d.midnight().assume_utc().unix_timestamp() * 1000)
        .unwrap_or(0)
}

/// The fields every event shares: type, time (always UTC) and CBV step and disposition.
fn event(kind: &str, at: i64, biz_step: &str, disposition: &str) -> Map<String, Value> {
    let mut e = Map::new();
    e.insert("type".into(), kind.into());
    e.insert("eventTime".into(), rfc3339(at).into());
    e.insert("eventTimeZoneOffset".into(), "+00:00".into());
    e.insert("bizStep".into(), biz_step.into());
    e.insert("disposition".into(), disposition.into());
    e
}

fn quantity(class: String, qty: &str, unit: &str) -> Value {
    let mut q = Map::new();
    q.insert("epcClass".into(), class.into());
    if let Some(n) = qty_json(qty) {
        q.insert("quantity".into(), n);
    }
    if let Some(uom) = uom_of(unit) {
        q.insert("uom".into(), uom.into());
    }
    Value::Object(q)
}

fn lot_event(owner: &str, lot: &LotRec) -> Value {
    let mut e = event("ObjectEvent", lot.received_at, "receiving", "in_progress");
    e.insert("action".into(), "ADD".into());
    let class = lot_class(owner, &lot.supplier_name, &lot.supplier_lot_code);
    e.insert(
        "quantityList".into(),
        json!([quantity(class, &lot.received_qty, &lot.unit)]),
    );
    e.insert(K_MATERIAL.into(), lot.material.clone().into());
    e.insert(K_SUPPLIER_NAME.into(), lot.supplier_name.clone().into());
    e.insert(
        K_SUPPLIER_LOT_CODE.into(),
        lot.supplier_lot_code.clone().into(),
    );
    e.insert(K_UNIT.into(), lot.unit.clone().into());
    Value::Object(e)
}

fn batch_event(owner: &str, b: &BatchRec) -> Option<Value> {
    if b.inputs.is_empty() && b.outputs.is_empty() {
        return None;
    }
    // A batch still running has produced nothing final yet.
    let disposition = if b.ended_at.is_some() {
        "active"
    } else {
        "in_progress"
    };
    let at = b.ended_at.unwrap_or(b.started_at);
    let mut e = event(
        "TransformationEvent",
        at,
        "creating_class_instance",
        disposition,
    );
    e.insert(
        "transformationID".into(),
        urn("batch", &[owner, &b.code]).into(),
    );
    if !b.inputs.is_empty() {
        let list: Vec<Value> = (b.inputs.iter())
            .map(|(sup, code, q, u)| quantity(lot_class(owner, sup, code), q, u))
            .collect();
        e.insert("inputQuantityList".into(), list.into());
        let units: Vec<&str> = b.inputs.iter().map(|i| i.3.as_str()).collect();
        e.insert(K_INPUT_UNITS.into(), units.into());
    }
    if !b.outputs.is_empty() {
        let list: Vec<Value> = (b.outputs.iter())
            .map(|(code, q, u)| quantity(finished_class(owner, code), q, u))
            .collect();
        e.insert("outputQuantityList".into(), list.into());
        let units: Vec<&str> = b.outputs.iter().map(|o| o.2.as_str()).collect();
        e.insert(K_OUTPUT_UNITS.into(), units.into());
    }
    e.insert(K_LINE.into(), b.line.clone().into());
    e.insert(K_SHIFT.into(), b.shift.clone().into());
    e.insert(K_OPERATOR.into(), b.operator.clone().into());
    e.insert(K_STARTED_AT.into(), rfc3339(b.started_at).into());
    if let Some(end) = b.ended_at {
        e.insert(K_ENDED_AT.into(), rfc3339(end).into());
    }
    Some(Value::Object(e))
}

fn shipment_event(owner: &str, s: &ShipmentRec) -> Option<Value> {
    if s.lots.is_empty() {
        return None;
    }
    // Packing the finished lots into the shipment is what an AggregationEvent ADD records.
    let mut e = event(
        "AggregationEvent",
        day_start(&s.ship_date),
        "packing",
        "in_progress",
    );
    e.insert("action".into(), "ADD".into());
    e.insert(
        "parentID".into(),
        urn("shipment", &[owner, &s.tracking]).into(),
    );
    let list: Vec<Value> = (s.lots.iter())
        .map(|(code, q, u)| quantity(finished_class(owner, code), q, u))
        .collect();
    e.insert("childQuantityList".into(), list.into());
    if !s.po_number.is_empty() {
        e.insert(
            "bizTransactionList".into(),
            json!([{"type": "po", "bizTransaction": urn("po", &[&s.po_number])}]),
        );
    }
    let units: Vec<&str> = s.lots.iter().map(|l| l.2.as_str()).collect();
    e.insert(K_CHILD_UNITS.into(), units.into());
    e.insert(K_CARRIER.into(), s.carrier.clone().into());
    e.insert(K_TRACKING.into(), s.tracking.clone().into());
    e.insert(K_SHIP_DATE.into(), s.ship_date.clone().into());
    Some(Value::Object(e))
}

#[cfg(test)]
mod tests {
    use super::super::tests::diamond;
    use super::*;

    #[test]
    fn document_has_the_epcis_frame() {
        let doc = export(&diamond());
        assert_eq!(doc["type"], "EPCISDocument");
        assert_eq!(doc["schemaVersion"], "2.0");
        assert_eq!(doc["@context"][0], GS1_CONTEXT);
        assert_eq!(doc["@context"][1]["portico"], PORTICO_NS);
        // Dated by its newest event: the shipment's day.
        assert_eq!(doc["creationDate"], "2024-05-06T00:00:00Z");
        let kinds: Vec<&str> = (doc["epcisBody"]["eventList"].as_array().unwrap().iter())
            .map(|e| e["type"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            [
                "ObjectEvent",
                "ObjectEvent",
                "TransformationEvent",
                "TransformationEvent",
                "AggregationEvent"
            ]
        );
    }

    #[test]
    fn events_carry_cbv_values_numbers_and_uoms() {
        let doc = export(&diamond());
        let ev = &doc["epcisBody"]["eventList"];
        let lot = &ev[0];
        assert_eq!(lot["action"], "ADD");
        assert_eq!(lot["bizStep"], "receiving");
        assert_eq!(lot["eventTime"], "2024-05-01T08:00:00.123Z");
        assert_eq!(
            lot["quantityList"],
            json!([{
                "epcClass": "urn:portico:lot:0190c0de-delta:Acme%20Textiles%3A%20Mill%2F2:W-001",
                "quantity": 120.5,
                "uom": "MTR"
            }])
        );
        // No Rec 20 code for cones: no uom, the unit travels in the extension.
        assert_eq!(ev[1]["quantityList"][0].get("uom"), None);
        assert_eq!(ev[1]["portico:unit"], "cone");
        let b1 = &ev[2];
        assert_eq!(
            b1["transformationID"],
            "urn:portico:batch:0190c0de-delta:B1"
        );
        assert_eq!(b1["eventTime"], "2024-05-03T16:00:00.5Z");
        assert_eq!(b1["disposition"], "active");
        assert_eq!(b1["outputQuantityList"][1]["uom"], "H87");
        assert_eq!(ev[3]["disposition"], "in_progress");
        assert_eq!(ev[3].get("outputQuantityList"), None);
        let sh = &ev[4];
        assert_eq!(sh["parentID"], "urn:portico:shipment:0190c0de-delta:1Z999");
        assert_eq!(
            sh["bizTransactionList"],
            json!([{"type": "po", "bizTransaction": "urn:portico:po:PO-2024%2F17"}])
        );
        assert_eq!(sh["childQuantityList"][1]["quantity"], json!(0.5));
    }

    #[test]
    fn links_without_a_valid_epcis_form_are_left_out() {
        let mut chain = diamond();
        chain.batches[1].inputs.clear();
        chain.shipments[0].lots.clear();
        chain.shipments[0].ship_date = "someday".into();
        let doc = export(&chain);
        assert_eq!(doc["epcisBody"]["eventList"].as_array().unwrap().len(), 3);
        assert_eq!(day_start("someday"), 0);
        assert_eq!(
            export(&Chain::default())["creationDate"],
            "1970-01-01T00:00:00Z"
        );
    }
}

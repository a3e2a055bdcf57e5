//! EPCISDocument -> Chain.

use serde_json::{Map, Value};

use super::*;
use crate::domain::time::UtcMillis;

/// Reads a chain from an EPCIS 2.0 JSON(-LD) document (or a query document's results).
///
/// Our own export comes back whole (quantities normalised). Other systems' documents are read
/// from the standard fields: codes from the last segment of the class URIs, units from `uom`,
/// the material from the lot class when no `portico:material` says better. Events that are not
/// a receipt, a transformation or a packing (other types, other steps, DELETEs, EPC-only lists)
/// are skipped; a document with nothing usable is refused. Several transformation events with
/// one `transformationID` are one batch (EPCIS allows spreading a transformation that way).
pub fn import(doc: &Value) -> Result<Chain, EpcisError> {
    let not_doc = |detail: &str| EpcisError::NotADocument {
        detail: detail.to_owned(),
    };
    let root = doc
        .as_object()
        .ok_or_else(|| not_doc("not a JSON object"))?;
    let list = match root.get("type").and_then(Value::as_str) {
        Some("EPCISDocument") => doc.pointer("/epcisBody/eventList"),
        Some("EPCISQueryDocument") => doc.pointer("/epcisBody/queryResults/resultsBody/eventList"),
        Some(other) => return Err(not_doc(&format!("its type is {other}"))),
        None => return Err(not_doc("it has no type")),
    };
    let events = list
        .ok_or_else(|| EpcisError::MissingField {
            index: None,
            field: "epcisBody.eventList".into(),
        })?
        .as_array()
        .ok_or_else(|| EpcisError::InvalidField {
            index: None,
            field: "epcisBody.eventList".into(),
            detail: "not an array".into(),
        })?;
    if events.is_empty() {
        return Err(EpcisError::Empty);
    }
    let text = |k: &str| root.get(k).and_then(Value::as_str).map(str::to_owned);
    let mut chain = Chain {
        owner_id: text(K_OWNER_ID).unwrap_or_default(),
        owner_name: text(K_OWNER_NAME)
            .or_else(|| text("sender"))
            .unwrap_or_default(),
        ..Chain::default()
    };
    let mut first_skipped = None;
    for (index, raw) in events.iter().enumerate() {
        let obj = raw.as_object().ok_or_else(|| EpcisError::InvalidField {
            index: Some(index),
            field: "event".into(),
            detail: "not an object".into(),
        })?;
        let e = Ev { index, obj };
        let kind = e.req("type")?;
        let used = match kind {
            "ObjectEvent" => e.lots(&mut chain.lots)?,
            "TransformationEvent" => e.batch(&mut chain.batches)?,
            "AggregationEvent" => e.shipment(&mut chain.shipments)?,
            _ => false,
        };
        if !used && first_skipped.is_none() {
            let kind = match e.text("bizStep") {
                Some(step) => format!("{kind} ({})", cbv_short(step)),
                None => kind.to_owned(),
            };
            first_skipped = Some((index, kind));
        }
    }
    if chain.lots.is_empty() && chain.batches.is_empty() && chain.shipments.is_empty() {
        let (index, kind) = first_skipped.unwrap_or_default();
        return Err(EpcisError::UnknownEvent { index, kind });
    }
    Ok(chain)
}

/// One event being read, with its position for error messages.
struct Ev<'a> {
    index: usize,
    obj: &'a Map<String, Value>,
}

/// (epcClass, quantity, unit) of one quantity element.
type Qty = (String, String, String);

impl Ev<'_> {
    fn missing(&self, field: &str) -> EpcisError {
        EpcisError::MissingField {
            index: Some(self.index),
            field: field.to_owned(),
        }
    }

    fn invalid(&self, field: &str, detail: &str) -> EpcisError {
        EpcisError::InvalidField {
            index: Some(self.index),
            field: field.to_owned(),
            detail: detail.to_owned(),
        }
    }

    fn text(&self, key: &str) -> Option<&str> {
        self.obj.get(key).and_then(Value::as_str)
    }

    fn owned(&self, key: &str) -> String {
        self.text(key).unwrap_or_default().to_owned()
    }

    fn req(&self, key: &str) -> Result<&str, EpcisError> {
        match self.obj.get(key) {
            None => Err(self.missing(key)),
            Some(v) => v.as_str().ok_or_else(|| self.invalid(key, "not a string")),
        }
    }

    fn time(&self, key: &str) -> Result<Option<i64>, EpcisError> {
        match self.text(key) {
            None if !self.obj.contains_key(key) => Ok(None),
            Some(t) => match UtcMillis::parse_rfc3339(t) {
                Some(ms) => Ok(Some(ms.0)),
                None => Err(self.invalid(key, "not an RFC 3339 date-time")),
            },
            None => Err(self.invalid(key, "not a string")),
        }
    }

    fn event_time(&self) -> Result<i64, EpcisError> {
        self.time("eventTime")?
            .ok_or_else(|| self.missing("eventTime"))
    }

    /// Original units listed beside a quantity list, if they match it one for one.
    fn units(&self, key: &str, len: usize) -> Option<Vec<String>> {
        let units: Vec<String> = (self.obj.get(key)?.as_array()?.iter())
            .map(|u| u.as_str().map(str::to_owned))
            .collect::<Option<_>>()?;
        (units.len() == len).then_some(units)
    }

    /// A quantity list (absent: empty); units from the list under `units_key` if there is one
    /// that fits, else from each `uom`.
    fn quantities(&self, key: &str, units_key: Option<&str>) -> Result<Vec<Qty>, EpcisError> {
        let Some(list) = self.obj.get(key) else {
            return Ok(Vec::new());
        };
        let list = list
            .as_array()
            .ok_or_else(|| self.invalid(key, "not an array"))?;
        let units = units_key.and_then(|k| self.units(k, list.len()));
        let mut out = Vec::with_capacity(list.len());
        for (i, q) in list.iter().enumerate() {
            let field = |f: &str| format!("{key}[{i}].{f}");
            let class = q.get("epcClass").and_then(Value::as_str);
            let class = class.ok_or_else(|| self.missing(&field("epcClass")))?;
            let qty = q
                .get("quantity")
                .ok_or_else(|| self.missing(&field("quantity")))?;
            let qty =
                qty_text(qty).ok_or_else(|| self.invalid(&field("quantity"), "not a decimal"))?;
            let unit = match &units {
                Some(u) => u[i].clone(),
                None => unit_of(q.get("uom").and_then(Value::as_str)),
            };
            out.push((class.to_owned(), qty, unit));
        }
        Ok(out)
    }

    /// A receiving ObjectEvent (or one of ours) is one lot per quantity element.
    fn lots(&self, out: &mut Vec<LotRec>) -> Result<bool, EpcisError> {
        let receiving = self.text("bizStep").map(cbv_short) == Some("receiving");
        if !receiving && !self.obj.contains_key(K_MATERIAL) {
            return Ok(false);
        }
        if self.req("action")? == "DELETE" {
            return Ok(false);
        }
        let received_at = self.event_time()?;
        let qs = self.quantities("quantityList", None)?;
        // The lot's own fields describe the event's lot only when there is just one.
        let single = qs.len() == 1;
        let ext = |key: &str| self.text(key).filter(|_| single).map(str::to_owned);
        for (class, received_qty, unit) in qs.iter().cloned() {
            let (supplier, code) = lot_of_class(&class);
            out.push(LotRec {
                material: ext(K_MATERIAL).unwrap_or(class),
                supplier_name: ext(K_SUPPLIER_NAME).unwrap_or(supplier),
                supplier_lot_code: ext(K_SUPPLIER_LOT_CODE).unwrap_or(code),
                received_qty,
                unit: ext(K_UNIT).unwrap_or(unit),
                received_at,
            });
        }
        Ok(!qs.is_empty())
    }

    fn batch(&self, out: &mut Vec<BatchRec>) -> Result<bool, EpcisError> {
        let inputs: Vec<_> = (self
            .quantities("inputQuantityList", Some(K_INPUT_UNITS))?
            .into_iter())
        .map(|(class, q, u)| {
            let (supplier, code) = lot_of_class(&class);
            (supplier, code, q, u)
        })
        .collect();
        let outputs: Vec<_> = (self
            .quantities("outputQuantityList", Some(K_OUTPUT_UNITS))?
            .into_iter())
        .map(|(class, q, u)| (finished_of_class(&class), q, u))
        .collect();
        if inputs.is_empty() && outputs.is_empty() {
            return Ok(false);
        }
        let id = (self
            .text("transformationID")
            .or_else(|| self.text("eventID")))
        .ok_or_else(|| self.missing("transformationID"))?;
        let code = (parse_urn(id, "batch", 2).and_then(|mut s| s.pop()))
            .unwrap_or_else(|| last_segment(id));
        let event_time = self.event_time()?;
        let started_at = self.time(K_STARTED_AT)?.unwrap_or(event_time);
        if let Some(b) = out.iter_mut().find(|b| b.code == code) {
            b.inputs.extend(inputs);
            b.outputs.extend(outputs);
            b.started_at = b.started_at.min(started_at);
            return Ok(true);
        }
        out.push(BatchRec {
            code,
            line: self.owned(K_LINE),
            shift: self.owned(K_SHIFT),
            operator: self.owned(K_OPERATOR),
            started_at,
            ended_at: self.time(K_ENDED_AT)?,
            inputs,
            outputs,
        });
        Ok(true)
    }

    fn shipment(&self, out: &mut Vec<ShipmentRec>) -> Result<bool, EpcisError> {
        if self.req("action")? == "DELETE" {
            return Ok(false);
        }
        let lots: Vec<_> = (self
            .quantities("childQuantityList", Some(K_CHILD_UNITS))?
            .into_iter())
        .map(|(class, q, u)| (finished_of_class(&class), q, u))
        .collect();
        if lots.is_empty() {
            return Ok(false);
        }
        let parent = self.req("parentID")?;
        let tracking = (self.text(K_TRACKING).map(str::to_owned))
            .or_else(|| parse_urn(parent, "shipment", 2).and_then(|mut s| s.pop()))
            .unwrap_or_else(|| last_segment(parent));
        self.event_time()?;
        // A valid RFC 3339 time starts with the date as the sender saw it, in its own offset.
        let ship_date = (self.text(K_SHIP_DATE).map(str::to_owned))
            .unwrap_or_else(|| self.owned("eventTime").chars().take(10).collect());
        out.push(ShipmentRec {
            tracking,
            carrier: self.owned(K_CARRIER),
            po_number: self.po().unwrap_or_default(),
            ship_date,
            lots,
        });
        Ok(true)
    }

    /// The first business transaction of type `po`.
    fn po(&self) -> Option<String> {
        let list = self.obj.get("bizTransactionList")?.as_array()?;
        let bt = list
            .iter()
            .find(|bt| bt.get("type").and_then(Value::as_str).map(cbv_short) == Some("po"))?;
        let uri = bt.get("bizTransaction")?.as_str()?;
        Some(
            (parse_urn(uri, "po", 1).and_then(|mut s| s.pop()))
                .unwrap_or_else(|| last_segment(uri)),
        )
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::tests::diamond;
    use super::*;

    fn doc(events: Value) -> Value {
        json!({
            "@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": "2024-05-06T10:00:00Z",
            "sender": "Acme Textiles",
            "epcisBody": {"eventList": events}
        })
    }

    /// Another system's document: GS1 URIs and CBV URIs, no portico extensions, one event type
    /// Portico does not read.
    #[test]
    fn foreign_documents_import_from_standard_fields() {
        let lot1 = "https://id.gs1.org/01/09521234543213/10/LOT%2042";
        let lot2 = "urn:epc:class:lgtin:4012345.011111.4444";
        let fin = "https://id.gs1.org/01/09521234543220/10/FIN1";
        let d = doc(json!([
            {"type": "TransactionEvent", "action": "ADD", "eventTime": "2024-05-01T08:00:00Z",
             "eventTimeZoneOffset": "+00:00", "bizTransactionList": []},
            {"type": "ObjectEvent", "action": "OBSERVE",
             "eventTime": "2024-05-01T10:00:00+02:00", "eventTimeZoneOffset": "+02:00",
             "bizStep": "urn:epcglobal:cbv:bizstep:receiving",
             "quantityList": [{"epcClass": lot1, "quantity": 10, "uom": "KGM"},
                              {"epcClass": lot2, "quantity": 2.5}]},
            {"type": "TransformationEvent", "eventTime": "2024-05-02T08:00:00Z",
             "eventTimeZoneOffset": "+00:00", "transformationID": "urn:uuid:6d1f-batch-9",
             "inputQuantityList": [{"epcClass": lot2, "quantity": 1}],
             "outputQuantityList": [{"epcClass": fin, "quantity": 40, "uom": "XYZ"}]},
            {"type": "AggregationEvent", "action": "ADD",
             "eventTime": "2024-05-03T23:30:00-05:00", "eventTimeZoneOffset": "-05:00",
             "bizStep": "https://ref.gs1.org/cbv/BizStep-shipping",
             "parentID": "urn:epc:id:sscc:4012345.0000000001",
             "childQuantityList": [{"epcClass": fin, "quantity": 40}],
             "bizTransactionList": [
                {"type": "urn:epcglobal:cbv:btt:inv", "bizTransaction": "urn:x:inv:1"},
                {"type": "https://ref.gs1.org/cbv/BTT-po",
                 "bizTransaction": "urn:epcglobal:cbv:bt:0614141000005:PO-77"}]}
        ]));
        let chain = import(&d).unwrap();
        assert_eq!(chain.owner_id, "");
        assert_eq!(chain.owner_name, "Acme Textiles");
        assert_eq!(chain.lots.len(), 2);
        let lot = &chain.lots[0];
        assert_eq!(lot.supplier_lot_code, "LOT 42");
        assert_eq!(lot.supplier_name, "");
        assert_eq!(lot.material, lot1);
        assert_eq!((lot.received_qty.as_str(), lot.unit.as_str()), ("10", "kg"));
        assert_eq!(lot.received_at, 1_714_550_400_000);
        assert_eq!(chain.lots[1].supplier_lot_code, "4012345.011111.4444");
        assert_eq!(
            (
                chain.lots[1].received_qty.as_str(),
                chain.lots[1].unit.as_str()
            ),
            ("2.5", "pcs")
        );
        let b = &chain.batches[0];
        assert_eq!(b.code, "6d1f-batch-9");
        assert_eq!((b.started_at, b.ended_at), (1_714_636_800_000, None));
        assert_eq!(
            b.inputs,
            [(
                String::new(),
                "4012345.011111.4444".into(),
                "1".into(),
                "pcs".into()
            )]
        );
        assert_eq!(b.outputs, [("FIN1".into(), "40".into(), "XYZ".into())]);
        let s = &chain.shipments[0];
        assert_eq!(s.tracking, "4012345.0000000001");
        assert_eq!(s.po_number, "PO-77");
        assert_eq!(s.ship_date, "2024-05-03");
        assert_eq!(s.carrier, "");
    }

    #[test]
    fn transformation_events_sharing_an_id_are_one_batch() {
        let ev = |t: &str, class: &str| {
            json!({"type": "TransformationEvent", "eventTime": t, "eventTimeZoneOffset": "+00:00",
                   "transformationID": "urn:x:batch:7",
                   "outputQuantityList": [{"epcClass": class, "quantity": 1}]})
        };
        let chain = import(&doc(json!([
            ev("2024-05-02T08:00:00Z", "urn:x:F1"),
            ev("2024-05-01T08:00:00Z", "urn:x:F2")
        ])))
        .unwrap();
        assert_eq!(chain.batches.len(), 1);
        assert_eq!(chain.batches[0].outputs.len(), 2);
        assert_eq!(chain.batches[0].started_at, 1_714_550_400_000);
    }

    #[test]
    fn query_documents_are_read_too() {
        let mut d = export(&diamond());
        let events = d["epcisBody"]["eventList"].take();
        d["type"] = "EPCISQueryDocument".into();
        d["epcisBody"] = json!({"queryResults": {"resultsBody": {"eventList": events}}});
        assert_eq!(import(&d).unwrap().lots.len(), 2);
    }

    fn err(d: &Value) -> EpcisError {
        import(d).unwrap_err()
    }

    #[test]
    fn refusals_say_what_and_where() {
        let e = err(&json!([1, 2]));
        assert_eq!(e.message_key(), "trace.epcis.not_a_document");
        let e = err(&json!({"type": "ObjectEvent"}));
        assert_eq!(
            e.to_string(),
            "not an EPCIS document: its type is ObjectEvent"
        );
        let e = err(&json!({"type": "EPCISDocument"}));
        assert_eq!(
            e.to_string(),
            "document: missing field `epcisBody.eventList`"
        );
        assert_eq!(err(&doc(json!([]))), EpcisError::Empty);
        assert_eq!(err(&doc(json!([]))).message_key(), "trace.epcis.empty");

        let e = err(&doc(json!([
            {"type": "AssociationEvent"},
            {"type": "ObjectEvent", "bizStep": "inspecting", "action": "OBSERVE"}
        ])));
        assert_eq!(e.message_key(), "trace.epcis.unknown_event");
        assert_eq!(
            e,
            EpcisError::UnknownEvent {
                index: 0,
                kind: "AssociationEvent".into()
            }
        );

        let mut d = export(&diamond());
        d["epcisBody"]["eventList"][1]
            .as_object_mut()
            .unwrap()
            .remove("action");
        let e = err(&d);
        assert_eq!(e.message_key(), "trace.epcis.missing_field");
        assert_eq!(e.to_string(), "eventList[1]: missing field `action`");

        let mut d = export(&diamond());
        d["epcisBody"]["eventList"][2]["outputQuantityList"][1]["quantity"] = json!("many");
        let e = err(&d);
        assert_eq!(e.message_key(), "trace.epcis.invalid_field");
        assert_eq!(
            e.to_string(),
            "eventList[2]: field `outputQuantityList[1].quantity` is not valid: not a decimal"
        );

        let mut d = export(&diamond());
        d["epcisBody"]["eventList"][4]["eventTime"] = json!("yesterday");
        assert!(
            err(&d)
                .to_string()
                .starts_with("eventList[4]: field `eventTime`")
        );

        let mut d = export(&diamond());
        d["epcisBody"]["eventList"][4]
            .as_object_mut()
            .unwrap()
            .remove("parentID");
        assert_eq!(
            err(&d).to_string(),
            "eventList[4]: missing field `parentID`"
        );
    }
}

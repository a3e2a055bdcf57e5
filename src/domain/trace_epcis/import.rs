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
#[path = "import_tests.rs"]
mod tests;

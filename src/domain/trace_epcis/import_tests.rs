//! Reading documents: our own exports whole, other systems' from standard fields, and the
//! refusals with the event and field they name.

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

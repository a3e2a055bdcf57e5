//! The EPCIS export checked against GS1's EPCIS 2.0 JSON schema (vendored, validated offline),
//! and a broken document checked to fail, so the validator is known to really look.

use portico::domain::trace_epcis::{self, BatchRec, Chain, LotRec, ShipmentRec};
use serde_json::{Value, json};

const SCHEMA: &str = include_str!("../fixtures/epcis/EPCIS-JSON-Schema.json");

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(SCHEMA).unwrap();
    // Draft 7 treats `format` as an annotation by default; the schema relies on `uri` and
    // `date-time`, so assert them.
    jsonschema::draft7::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

fn errors(doc: &Value) -> Vec<String> {
    (validator().iter_errors(doc))
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn s(v: &str) -> String {
    v.to_owned()
}

/// One lot into two batches, one batch from two lots (one with a unit that has no Rec 20
/// code), a batch still running, a shipment of two finished lots; names with characters that
/// need escaping in URIs.
fn chain() -> Chain {
    let lot = |sup: &str, code: &str, qty: &str, unit: &str| LotRec {
        material: s("Denim 12oz"),
        supplier_name: s(sup),
        supplier_lot_code: s(code),
        received_qty: s(qty),
        unit: s(unit),
        received_at: 1_714_550_400_123,
    };
    let input = |sup: &str, code: &str, qty: &str, unit: &str| (s(sup), s(code), s(qty), s(unit));
    Chain {
        owner_id: s("0190c0de-0000-7000-8000-000000000001"),
        owner_name: s("Delta Garment Works"),
        lots: vec![
            lot("Acme Textiles: Mill/2", "W 001#ü", "120.50", "m"),
            lot("Zipco", "Z7", "500", "cone"),
        ],
        batches: vec![
            BatchRec {
                code: s("B-1"),
                line: s("L2"),
                shift: s("early"),
                operator: s("Ana"),
                started_at: 1_714_723_200_000,
                ended_at: Some(1_714_752_000_000),
                inputs: vec![
                    input("Acme Textiles: Mill/2", "W 001#ü", "60", "m"),
                    input("Zipco", "Z7", "200", "cone"),
                ],
                outputs: vec![
                    (s("F-1"), s("100"), s("pcs")),
                    (s("F-2"), s("80"), s("pcs")),
                ],
            },
            BatchRec {
                code: s("B-2"),
                started_at: 1_714_809_600_000,
                inputs: vec![input("Acme Textiles: Mill/2", "W 001#ü", "40.5", "m")],
                ..BatchRec::default()
            },
        ],
        shipments: vec![ShipmentRec {
            tracking: s("1Z 999"),
            carrier: s("UPS"),
            po_number: s("PO-2024/17"),
            ship_date: s("2024-05-06"),
            lots: vec![
                (s("F-1"), s("100"), s("pcs")),
                (s("F-2"), s("80"), s("pcs")),
            ],
        }],
    }
}

#[test]
fn export_is_valid_epcis_2_json() {
    let doc = trace_epcis::export(&chain());
    assert_eq!(errors(&doc), Vec::<String>::new());
    // Every event made it in (none dropped), and the document imports back.
    assert_eq!(doc["epcisBody"]["eventList"].as_array().unwrap().len(), 5);
    let back = trace_epcis::import(&doc).unwrap();
    assert_eq!(back.batches[1].inputs[0].1, "W 001#ü");
}

#[test]
fn the_validator_rejects_broken_documents() {
    let v = validator();
    let doc = trace_epcis::export(&chain());

    let mut no_action = doc.clone();
    no_action["epcisBody"]["eventList"][0]
        .as_object_mut()
        .unwrap()
        .remove("action");
    assert!(
        !v.is_valid(&no_action),
        "an ObjectEvent without action passed"
    );

    let mut bad_uom = doc.clone();
    bad_uom["epcisBody"]["eventList"][0]["quantityList"][0]["uom"] = json!("kg");
    assert!(!v.is_valid(&bad_uom), "a uom that is no Rec 20 code passed");

    let mut text_quantity = doc.clone();
    text_quantity["epcisBody"]["eventList"][2]["inputQuantityList"][0]["quantity"] = json!("60");
    assert!(!v.is_valid(&text_quantity), "a quantity as text passed");

    let mut bad_time = doc.clone();
    bad_time["epcisBody"]["eventList"][4]["eventTime"] = json!("6 May 2024");
    assert!(!v.is_valid(&bad_time), "a time that is no date-time passed");

    let mut bad_step = doc;
    bad_step["epcisBody"]["eventList"][4]["bizStep"] = json!("boxing");
    assert!(!v.is_valid(&bad_step), "a bizStep outside CBV passed");
}

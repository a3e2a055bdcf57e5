//! A factory's trace chain as a GS1 EPCIS 2.0 JSON-LD document (CBV 2.0 vocabulary), both ways.
//!
//! - material lot -> `ObjectEvent` ADD, bizStep `receiving`, the lot class in `quantityList`;
//! - production batch -> `TransformationEvent`, bizStep `creating_class_instance` (CBV's step for
//!   producing a quantity of a class-level identifier, i.e. a lot), consumed lot classes in,
//!   finished lot classes out, `transformationID` naming the batch;
//! - shipment -> `AggregationEvent` ADD, bizStep `packing`, the shipment as parent, finished lots
//!   as child quantities, the PO as a `po` business transaction.
//!
//! Portico's own fields ride along as `portico:` extensions, so our own export imports without
//! loss; documents from other systems import from the standard fields alone. Quantities travel
//! as JSON numbers (the schema says so), so a round trip gives normalised decimals: "120.50"
//! comes back as "120.5".

mod export;
mod import;
mod quantities;
mod uris;

pub use export::export;
pub use import::import;
use quantities::*;
use uris::*;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Chain {
    /// The recording organisation's display name and a stable id (used to mint URIs).
    pub owner_id: String,
    pub owner_name: String,
    pub lots: Vec<LotRec>,
    pub batches: Vec<BatchRec>,
    pub shipments: Vec<ShipmentRec>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LotRec {
    pub material: String,
    pub supplier_name: String,
    pub supplier_lot_code: String,
    pub received_qty: String,
    pub unit: String,
    /// Unix milliseconds.
    pub received_at: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BatchRec {
    pub code: String,
    pub line: String,
    pub shift: String,
    pub operator: String,
    pub started_at: i64,
    pub ended_at: Option<i64>,
    /// (supplier_name, supplier_lot_code, quantity, unit) consumed
    pub inputs: Vec<(String, String, String, String)>,
    /// (finished lot code, quantity, unit) produced
    pub outputs: Vec<(String, String, String)>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShipmentRec {
    pub tracking: String,
    pub carrier: String,
    pub po_number: String,
    /// YYYY-MM-DD
    pub ship_date: String,
    /// (finished lot code, quantity, unit)
    pub lots: Vec<(String, String, String)>,
}

/// Why a document could not be imported. `index` is the event's position in `eventList`
/// (none for document-level fields).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EpcisError {
    #[error("not an EPCIS document: {detail}")]
    NotADocument { detail: String },
    #[error("the document has no events")]
    Empty,
    #[error("no event Portico can use; eventList[{index}] is a {kind}, which it does not read")]
    UnknownEvent { index: usize, kind: String },
    #[error("{}: missing field `{field}`", place(.index))]
    MissingField { index: Option<usize>, field: String },
    #[error("{}: field `{field}` is not valid: {detail}", place(.index))]
    InvalidField {
        index: Option<usize>,
        field: String,
        detail: String,
    },
}

fn place(index: &Option<usize>) -> String {
    index.map_or_else(|| "document".to_owned(), |i| format!("eventList[{i}]"))
}

impl EpcisError {
    pub fn message_key(&self) -> &'static str {
        match self {
            EpcisError::NotADocument { .. } => "trace.epcis.not_a_document",
            EpcisError::Empty => "trace.epcis.empty",
            EpcisError::UnknownEvent { .. } => "trace.epcis.unknown_event",
            EpcisError::MissingField { .. } => "trace.epcis.missing_field",
            EpcisError::InvalidField { .. } => "trace.epcis.invalid_field",
        }
    }
}

const GS1_CONTEXT: &str = "https://ref.gs1.org/standards/epcis/epcis-context.jsonld";
const PORTICO_NS: &str = "https://portico.example/epcis/";

// Extension keys; compact IRIs under the `portico` prefix declared in `@context`.
const K_OWNER_ID: &str = "portico:ownerId";
const K_OWNER_NAME: &str = "portico:ownerName";
const K_MATERIAL: &str = "portico:material";
const K_SUPPLIER_NAME: &str = "portico:supplierName";
const K_SUPPLIER_LOT_CODE: &str = "portico:supplierLotCode";
const K_UNIT: &str = "portico:unit";
const K_LINE: &str = "portico:line";
const K_SHIFT: &str = "portico:shift";
const K_OPERATOR: &str = "portico:operator";
const K_STARTED_AT: &str = "portico:startedAt";
const K_ENDED_AT: &str = "portico:endedAt";
// Quantity elements allow no extra properties, so original units sit beside each list, in order.
const K_INPUT_UNITS: &str = "portico:inputUnits";
const K_OUTPUT_UNITS: &str = "portico:outputUnits";
const K_CHILD_UNITS: &str = "portico:childUnits";
const K_CARRIER: &str = "portico:carrier";
const K_TRACKING: &str = "portico:tracking";
const K_SHIP_DATE: &str = "portico:shipDate";

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use rust_decimal::Decimal;

    use super::*;

    fn s(v: &str) -> String {
        v.to_owned()
    }

    /// A diamond: lot W feeds batches B1 and B2, B1 takes lots W and Z, B1 yields two finished
    /// lots, one shipment carries both.
    pub(super) fn diamond() -> Chain {
        Chain {
            owner_id: s("0190c0de-delta"),
            owner_name: s("Delta Garment Works"),
            lots: vec![
                LotRec {
                    material: s("Denim 12oz"),
                    supplier_name: s("Acme Textiles: Mill/2"),
                    supplier_lot_code: s("W-001"),
                    received_qty: s("120.50"),
                    unit: s("m"),
                    received_at: 1_714_550_400_123,
                },
                LotRec {
                    material: s("Zip 20cm"),
                    supplier_name: s("Zipco"),
                    supplier_lot_code: s("Z 7 ü"),
                    received_qty: s("500"),
                    unit: s("cone"),
                    received_at: 1_714_636_800_000,
                },
            ],
            batches: vec![
                BatchRec {
                    code: s("B1"),
                    line: s("L2"),
                    shift: s("early"),
                    operator: s("Ana"),
                    started_at: 1_714_723_200_000,
                    ended_at: Some(1_714_752_000_500),
                    inputs: vec![
                        (s("Acme Textiles: Mill/2"), s("W-001"), s("60.25"), s("m")),
                        (s("Zipco"), s("Z 7 ü"), s("200"), s("cone")),
                    ],
                    outputs: vec![
                        (s("F-1"), s("100"), s("pcs")),
                        (s("F-2"), s("80"), s("pcs")),
                    ],
                },
                BatchRec {
                    code: s("B2"),
                    line: s("L1"),
                    shift: String::new(),
                    operator: s("Bo"),
                    started_at: 1_714_809_600_000,
                    ended_at: None,
                    inputs: vec![(s("Acme Textiles: Mill/2"), s("W-001"), s("40.0"), s("m"))],
                    outputs: vec![],
                },
            ],
            shipments: vec![ShipmentRec {
                tracking: s("1Z999"),
                carrier: s("UPS"),
                po_number: s("PO-2024/17"),
                ship_date: s("2024-05-06"),
                lots: vec![
                    (s("F-1"), s("100"), s("pcs")),
                    (s("F-2"), s("0.5"), s("kg")),
                ],
            }],
        }
    }

    /// The chain with every quantity as `export` + `import` give it back.
    fn normalised(mut c: Chain) -> Chain {
        let n = |q: &mut String| *q = Decimal::from_str(q).unwrap().normalize().to_string();
        c.lots.iter_mut().for_each(|l| n(&mut l.received_qty));
        for b in &mut c.batches {
            b.inputs.iter_mut().for_each(|i| n(&mut i.2));
            b.outputs.iter_mut().for_each(|o| n(&mut o.1));
        }
        for sh in &mut c.shipments {
            sh.lots.iter_mut().for_each(|l| n(&mut l.1));
        }
        c
    }

    #[test]
    fn round_trip_gives_the_chain_back_with_normalised_quantities() {
        let chain = diamond();
        let back = import(&export(&chain)).unwrap();
        assert_eq!(back, normalised(chain));
        assert_eq!(back.lots[0].received_qty, "120.5");
        assert_eq!(back.batches[1].inputs[0].2, "40");
    }

    #[test]
    fn round_trip_survives_json_text() {
        let text = serde_json::to_string(&export(&diamond())).unwrap();
        let back = import(&serde_json::from_str(&text).unwrap()).unwrap();
        assert_eq!(back, normalised(diamond()));
    }

    #[test]
    fn uris_escape_separators_and_decode_back() {
        let class = lot_class("o:1", "A/B: C", "x%y");
        assert_eq!(class, "urn:portico:lot:o%3A1:A%2FB%3A%20C:x%25y");
        assert_eq!(lot_of_class(&class), (s("A/B: C"), s("x%y")));
        assert_eq!(
            last_segment("https://id.gs1.org/01/09521234543213/10/LOT%201?x=1"),
            "LOT 1"
        );
        assert_eq!(
            last_segment("urn:epc:class:lgtin:4012345.011111.4444"),
            "4012345.011111.4444"
        );
        assert_eq!(unpct("%zz"), None);
    }

    #[test]
    fn units_map_to_rec20_and_back() {
        assert_eq!(uom_of("m"), Some("MTR"));
        assert_eq!(uom_of(" KG "), Some("KGM"));
        assert_eq!(uom_of("Pcs"), Some("H87"));
        assert_eq!(uom_of("KGM"), Some("KGM"));
        assert_eq!(uom_of("cone"), None);
        assert_eq!(unit_of(Some("MTR")), "m");
        assert_eq!(unit_of(Some("H87")), "pcs");
        assert_eq!(unit_of(Some("XYZ")), "XYZ");
        assert_eq!(unit_of(None), "pcs");
    }

    #[test]
    fn quantities_become_numbers_and_come_back_normalised() {
        assert_eq!(qty_json("120.50"), Some(serde_json::json!(120.5)));
        assert_eq!(qty_json("7"), Some(serde_json::json!(7)));
        assert_eq!(qty_json("lots"), None);
        for q in ["0.1", "120.5", "3", "123456789.123456", "-2.75"] {
            assert_eq!(qty_text(&qty_json(q).unwrap()).as_deref(), Some(q));
        }
        assert_eq!(qty_text(&serde_json::json!("1.50")).as_deref(), Some("1.5"));
        assert_eq!(qty_text(&serde_json::json!(true)), None);
    }

    #[test]
    fn errors_have_keys_and_say_where() {
        let e = EpcisError::MissingField {
            index: Some(3),
            field: s("action"),
        };
        assert_eq!(e.message_key(), "trace.epcis.missing_field");
        assert_eq!(e.to_string(), "eventList[3]: missing field `action`");
        let e = EpcisError::InvalidField {
            index: None,
            field: s("epcisBody.eventList"),
            detail: s("not an array"),
        };
        assert_eq!(e.message_key(), "trace.epcis.invalid_field");
        assert!(e.to_string().starts_with("document: "));
    }
}

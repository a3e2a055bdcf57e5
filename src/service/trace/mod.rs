//! Batch traceability use cases: recording the chain (`record`, `shipment` for the ASN's
//! finished lots), the search box and the trace view (`search`, `view`), complaints and holds
//! (`complaints`, `holds`), EPCIS export and import (`epcis`).

pub mod closing;
pub mod complaints;
pub mod epcis;
pub mod export;
pub mod holds;
pub mod import;
pub mod nodes;
pub mod record;
pub mod search;
pub mod shipment;
pub mod view;

//! Batch traceability use cases: recording the chain (`record`). The trace view, complaints and
//! holds, EPCIS export and import come next (issue 9).

pub mod record;

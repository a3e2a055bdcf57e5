//! Non-repudiation: canonical JSON, organisations' Ed25519 keys (sealed at rest under the
//! server's master key), signed statements, proof bundles and the audit hash chain. Everything
//! here except key storage is pure, so a bundle verifies offline with no database.

pub mod audit_chain;
pub mod bundle;
pub mod bundle_check;
pub mod checked;
pub mod jcs;
pub mod jwks;
pub mod keys;
pub mod master_key;

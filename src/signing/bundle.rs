//! Signed statements and proof bundles. A statement is canonical JSON (RFC 8785) signed with the
//! acting organisation's Ed25519 key; each one names the hash of the statement before it on the
//! same order, so a bundle is a chain. `bundle_check::verify_bundle` checks one offline.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::jwks::Jwks;

pub const BUNDLE_FORMAT: &str = "portico-evidence/1";

/// One statement as it travels: the exact signed text, its signature and the signing key's id.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct SignedStatement {
    /// Canonical JSON text; these exact UTF-8 bytes are what was signed.
    pub payload: String,
    /// Ed25519 signature, base64url without padding.
    pub signature: String,
    pub kid: String,
    /// Set in an excerpt for a statement whose content is not disclosed (it names prices):
    /// payload and signature are then empty, and the next statement's link proves this hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withheld: Option<Withheld>,
}

/// What an excerpt keeps of a withheld statement: its payload hash (which the next statement's
/// signed link names) and, unsigned, its type and why it is withheld.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Withheld {
    pub payload_hash: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub reason: String,
}

impl SignedStatement {
    /// The statement as an excerpt shows it when its content is withheld.
    pub fn withhold(&self, kind: &str, reason: &str) -> Self {
        SignedStatement {
            payload: String::new(),
            signature: String::new(),
            kid: String::new(),
            withheld: Some(Withheld {
                payload_hash: payload_hash(&self.payload),
                kind: kind.to_owned(),
                reason: reason.to_owned(),
            }),
        }
    }
}

/// The fields every statement payload carries; each statement type adds its own.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct StatementHeader {
    #[serde(rename = "type")]
    pub kind: String,
    pub tenant: String,
    pub order_id: String,
    /// The acting organisation, whose key signs.
    pub org: String,
    pub user: String,
    /// RFC 3339 time of the statement.
    pub at: String,
    /// SHA-256 (hex) of the previous statement's payload on this order; `None` for the first.
    pub prev: Option<String>,
    /// One human sentence of what the statement attests.
    pub attests: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Bundle {
    pub format: String,
    pub order_id: String,
    /// In chain order, oldest first.
    pub statements: Vec<SignedStatement>,
    /// The public keys the statements need (a subset of the published JWKS).
    pub keys: Jwks,
}

/// SHA-256 (hex) of a payload: what the next statement's `prev` names.
pub fn payload_hash(payload: &str) -> String {
    hex::encode(Sha256::digest(payload.as_bytes()))
}

//! Signatures this process has already found good.
//!
//! The order page and the financier's view show every statement of an order checked exactly as
//! `portico verify` checks it. Statements never change once signed, so the same signature would
//! be verified again on every view: most of the page's CPU time. A good result is remembered
//! under the hash of everything the expensive part of the check reads (the exact payload bytes,
//! the signature, the key id and the public key), so a changed byte anywhere means a new entry
//! and a full check. Checks that depend on the bundle (the chain link, the order, the key's
//! owner and validity) are never remembered.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

use sha2::{Digest, Sha256};

/// Enough for the statements of many thousand orders (about 2.5 MB); when full it starts over.
const CAPACITY: usize = 65_536;

fn good() -> &'static Mutex<HashSet<[u8; 32]>> {
    static GOOD: OnceLock<Mutex<HashSet<[u8; 32]>>> = OnceLock::new();
    GOOD.get_or_init(|| Mutex::new(HashSet::new()))
}

/// What identifies one verification: the payload's hash, the signature, the key id and key.
pub fn seal(payload_hash: &str, signature: &str, kid: &str, public_x: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    for part in [payload_hash, signature, kid, public_x] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().into()
}

pub fn is_known_good(seal: &[u8; 32]) -> bool {
    good().lock().map(|set| set.contains(seal)).unwrap_or(false)
}

pub fn remember_good(seal: [u8; 32]) {
    if let Ok(mut set) = good().lock() {
        if set.len() >= CAPACITY {
            set.clear();
        }
        set.insert(seal);
    }
}

//! The audit log's hash chain. Each entry's hash covers its canonical content and the hash of
//! the entry before it in the same chain (one chain per tenant, one for the platform), so a
//! changed, removed or reordered entry breaks every hash after it.

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::jcs::canonical_json;

/// The hash a chain starts from.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields of an entry that its hash covers.
#[derive(Clone, Debug, Serialize)]
pub struct ChainedEntry {
    pub chain: String,
    pub seq: i64,
    pub id: String,
    pub tenant_id: Option<String>,
    pub actor_user_id: Option<String>,
    pub actor_org_id: Option<String>,
    pub action: String,
    pub subject_type: String,
    pub subject_id: Option<String>,
    /// The detail exactly as stored (JSON text).
    pub detail: String,
    pub client_addr: Option<String>,
    pub at: i64,
}

/// SHA-256 (hex) of the previous hash and the entry's canonical JSON.
pub fn entry_hash(entry: &ChainedEntry, prev_hash: &str) -> String {
    #[derive(Serialize)]
    struct Hashed<'a> {
        prev: &'a str,
        entry: &'a ChainedEntry,
    }
    let text = canonical_json(&Hashed {
        prev: prev_hash,
        entry,
    })
    .expect("audit entries hold only strings and integers");
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Where and why a chain stops holding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainBreak {
    pub chain: String,
    pub seq: i64,
    pub id: String,
    pub reason: &'static str,
}

/// Checks a chain entry by entry, in `seq` order, so long chains stream through in pages.
pub struct ChainVerifier {
    expected_prev: String,
    expected_seq: i64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            expected_prev: GENESIS.to_owned(),
            expected_seq: 1,
        }
    }
}

impl ChainVerifier {
    /// Takes the next entry with the `prev_hash` and `entry_hash` stored beside it.
    pub fn push(
        &mut self,
        entry: &ChainedEntry,
        stored_prev: &str,
        stored_hash: &str,
    ) -> Result<(), ChainBreak> {
        let fail = |reason| ChainBreak {
            chain: entry.chain.clone(),
            seq: entry.seq,
            id: entry.id.clone(),
            reason,
        };
        if entry.seq != self.expected_seq {
            return Err(fail("an entry is missing before this one (sequence gap)"));
        }
        if stored_prev != self.expected_prev {
            return Err(fail("its link to the previous entry does not match"));
        }
        if entry_hash(entry, stored_prev) != stored_hash {
            return Err(fail("its content was changed after it was written"));
        }
        self.expected_prev = stored_hash.to_owned();
        self.expected_seq += 1;
        Ok(())
    }

    /// Entries verified so far.
    pub fn count(&self) -> i64 {
        self.expected_seq - 1
    }

    /// The chain's head must point at the last entry, or entries were cut off the end.
    pub fn finish(&self, chain: &str, head_seq: i64, head_hash: &str) -> Result<i64, ChainBreak> {
        if head_seq != self.count() || head_hash != self.expected_prev {
            return Err(ChainBreak {
                chain: chain.to_owned(),
                seq: self.count() + 1,
                id: String::new(),
                reason: "entries after this point are missing (the chain head is further on)",
            });
        }
        Ok(self.count())
    }
}

/// Walks one whole chain held in memory.
pub fn verify_chain(
    entries: impl IntoIterator<Item = (ChainedEntry, String, String)>,
) -> Result<i64, ChainBreak> {
    let mut verifier = ChainVerifier::default();
    for (entry, prev, hash) in entries {
        verifier.push(&entry, &prev, &hash)?;
    }
    Ok(verifier.count())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: i64, action: &str) -> ChainedEntry {
        ChainedEntry {
            chain: "t1".into(),
            seq,
            id: format!("id{seq}"),
            tenant_id: Some("t1".into()),
            actor_user_id: Some("u1".into()),
            actor_org_id: None,
            action: action.into(),
            subject_type: "order".into(),
            subject_id: Some("o1".into()),
            detail: r#"{"to":"confirmed"}"#.into(),
            client_addr: Some("127.0.0.1".into()),
            at: 1_700_000_000_000 + seq,
        }
    }

    fn chain(n: i64) -> Vec<(ChainedEntry, String, String)> {
        let mut prev = GENESIS.to_owned();
        (1..=n)
            .map(|seq| {
                let e = entry(seq, "order.viewed");
                let hash = entry_hash(&e, &prev);
                let item = (e, prev.clone(), hash.clone());
                prev = hash;
                item
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify_chain(chain(5)), Ok(5));
        assert_eq!(verify_chain(Vec::new()), Ok(0));
    }

    #[test]
    fn a_changed_entry_is_named() {
        let mut entries = chain(5);
        entries[2].0.action = "order.deleted".into();
        let broken = verify_chain(entries).unwrap_err();
        assert_eq!(
            (broken.seq, broken.reason),
            (3, "its content was changed after it was written")
        );
    }

    #[test]
    fn a_removed_entry_is_named() {
        let mut entries = chain(5);
        entries.remove(1);
        assert_eq!(verify_chain(entries).unwrap_err().seq, 3);
    }

    #[test]
    fn a_rewritten_link_is_named() {
        let mut entries = chain(4);
        entries[3].1 = GENESIS.to_owned();
        let broken = verify_chain(entries).unwrap_err();
        assert_eq!(
            (broken.seq, broken.reason),
            (4, "its link to the previous entry does not match")
        );
    }

    #[test]
    fn a_head_further_on_than_the_last_entry_means_entries_were_cut_off() {
        let entries = chain(3);
        let head_hash = entries[2].2.clone();
        let mut verifier = ChainVerifier::default();
        for (e, p, h) in &entries[..2] {
            verifier.push(e, p, h).unwrap();
        }
        assert_eq!(verifier.finish("t1", 3, &head_hash).unwrap_err().seq, 3);
        verifier
            .push(&entries[2].0, &entries[2].1, &entries[2].2)
            .unwrap();
        assert_eq!(verifier.finish("t1", 3, &head_hash), Ok(3));
    }

    #[test]
    fn a_recomputed_hash_does_not_hide_a_change_from_the_next_entry() {
        let mut entries = chain(4);
        entries[1].0.detail = "{}".into();
        entries[1].2 = entry_hash(&entries[1].0, &entries[1].1);
        assert_eq!(verify_chain(entries).unwrap_err().seq, 3);
    }
}

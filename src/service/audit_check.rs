//! `portico audit verify`: walks every audit chain and names the first broken entry.

use crate::db::{self, Db};
use crate::signing::audit_chain::{ChainBreak, ChainVerifier};

pub struct ChainReport {
    pub chain: String,
    pub result: Result<i64, ChainBreak>,
}

pub struct AuditReport {
    pub chains: Vec<ChainReport>,
    /// Entries from before the chain existed; they cannot be checked.
    pub unchained: i64,
}

impl AuditReport {
    pub fn intact(&self) -> bool {
        self.chains.iter().all(|c| c.result.is_ok())
    }
}

const PAGE: i64 = 1000;

/// Checks every chain, after moving the views that wait in their file (SQLite) into theirs.
pub async fn verify_audit_log(db: &Db) -> anyhow::Result<AuditReport> {
    crate::service::view_audit::fold_pending(db).await?;
    let mut conn = db.read().await?;
    let mut chains = Vec::new();
    for (chain, head_seq, head_hash) in db::audit::chains(&mut conn).await? {
        let mut verifier = ChainVerifier::default();
        let result = loop {
            let page = db::audit::chain_page(&mut conn, &chain, verifier.count(), PAGE).await?;
            let done = (page.len() as i64) < PAGE;
            if let Some(err) = page
                .iter()
                .find_map(|(entry, prev, hash)| verifier.push(entry, prev, hash).err())
            {
                break Err(err);
            }
            if done {
                break verifier.finish(&chain, head_seq, &head_hash);
            }
        };
        chains.push(ChainReport { chain, result });
    }
    Ok(AuditReport {
        chains,
        unchained: db::audit::unchained_count(&mut conn).await?,
    })
}

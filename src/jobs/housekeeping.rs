//! Housekeeping: forgets kept API answers once no client would still retry with their
//! `Idempotency-Key` (after two days). Deleting is idempotent, so every replica may run it.

use std::time::Duration;

use crate::app::AppState;
use crate::db;
use crate::domain::time::UtcMillis;

/// How long an `Idempotency-Key` answers with its first answer.
pub const KEEP_ANSWERS_MS: i64 = 48 * 3600 * 1000;
const TICK: Duration = Duration::from_secs(3600);

pub fn spawn(state: AppState) {
    tokio::spawn(async move {
        loop {
            match prune(&state, state.now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(answers = n, "expired idempotency keys forgotten"),
                Err(err) => tracing::warn!(error = ?err, "housekeeping pass failed"),
            }
            tokio::time::sleep(TICK).await;
        }
    });
}

/// Forgets answers kept longer than [`KEEP_ANSWERS_MS`] before `now`; returns how many.
pub async fn prune(state: &AppState, now: UtcMillis) -> anyhow::Result<u64> {
    // Kept answers of every brand's clients.
    crate::db::scope::system(prune_in_system_scope(state, now)).await
}

async fn prune_in_system_scope(state: &AppState, now: UtcMillis) -> anyhow::Result<u64> {
    let mut tx = state.db.begin().await?;
    let n = db::api_clients::forget_answers_before(&mut tx, now.0 - KEEP_ANSWERS_MS).await?;
    tx.commit().await?;
    Ok(n)
}

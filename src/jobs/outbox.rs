//! Delivers queued e-mail at least once. A worker claims an item with a lease before sending,
//! so several replicas never send the same item twice while one is alive; failures are retried
//! with growing delays.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use crate::app::AppState;
use crate::db;
use crate::domain::time::UtcMillis;
use crate::mail::Mail;

const BATCH: i64 = 50;
const LEASE_SECS: i64 = 60;
const MAX_ATTEMPTS: i64 = 8;

/// Runs until the process stops. `wake` is notified after commits that queued something; a
/// periodic tick covers retries and other replicas' work.
pub fn spawn(state: AppState, wake: Arc<Notify>) {
    tokio::spawn(async move {
        loop {
            // Commits that queue mail may have queued webhooks too (same wake-up).
            state.webhook_wake.notify_one();
            if let Err(err) = deliver_due(&state).await {
                tracing::warn!(error = %err, "outbox delivery failed");
            }
            tokio::select! {
                () = wake.notified() => {}
                () = tokio::time::sleep(Duration::from_secs(5)) => {}
            }
        }
    });
}

/// Sends everything due now. Returns how many items were delivered. Claims and results are
/// written one batch per transaction, so the worker holds SQLite's write lock briefly.
pub async fn deliver_due(state: &AppState) -> anyhow::Result<usize> {
    // The outbox is the platform's: mail of every brand.
    crate::db::scope::system(deliver_due_in_system_scope(state)).await
}

async fn deliver_due_in_system_scope(state: &AppState) -> anyhow::Result<usize> {
    let mut delivered = 0;
    loop {
        let now = UtcMillis::now();
        let due = {
            let mut conn = state.db.read().await?;
            db::notifications::due_outbox(&mut conn, now.0, BATCH).await?
        };
        if due.is_empty() {
            return Ok(delivered);
        }
        let mut claimed = Vec::new();
        let mut tx = state.db.begin().await?;
        for item in due {
            if db::notifications::claim(&mut tx, &item.id, now.0, now.plus_secs(LEASE_SECS).0)
                .await?
            {
                claimed.push(item);
            }
        }
        tx.commit().await?;
        if claimed.is_empty() {
            return Ok(delivered);
        }
        let mut results = Vec::new();
        for item in &claimed {
            let result = match item.kind.as_str() {
                "email" => send_email(state, &item.payload).await,
                other => Err(anyhow::anyhow!("unknown outbox kind {other}")),
            };
            results.push(result);
        }
        let mut tx = state.db.begin().await?;
        for (item, result) in claimed.iter().zip(results) {
            match result {
                Ok(()) => {
                    db::notifications::mark_sent(&mut tx, &item.id, UtcMillis::now().0).await?;
                    delivered += 1;
                }
                Err(err) => {
                    let attempts = item.attempts + 1;
                    let retry = if attempts >= MAX_ATTEMPTS {
                        tracing::error!(id = item.id, error = %err, "giving up on outbox item");
                        i64::MAX
                    } else {
                        now.plus_secs(30 * (1 << attempts.min(10))).0
                    };
                    db::notifications::mark_failed(&mut tx, &item.id, &err.to_string(), retry)
                        .await?;
                }
            }
        }
        tx.commit().await?;
    }
}

async fn send_email(state: &AppState, payload: &str) -> anyhow::Result<()> {
    let value: serde_json::Value = serde_json::from_str(payload)?;
    let field = |name: &str| {
        value[name]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| anyhow::anyhow!("mail without {name}"))
    };
    state
        .send_mail_checked(Mail {
            to: field("to")?,
            subject: field("subject")?,
            body: field("body")?,
        })
        .await
}

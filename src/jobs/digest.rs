//! Sends daily digests as they come due. Digests go out on the hour, so a pass every minute is
//! punctual enough; the claim in `send_due` keeps replicas from sending one twice.

use std::time::Duration;

use crate::app::AppState;
use crate::service::digests::send_due;

const TICK: Duration = Duration::from_secs(60);

pub fn spawn(state: AppState) {
    tokio::spawn(async move {
        loop {
            match send_due(&state).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(digests = n, "daily digests queued"),
                Err(err) => tracing::warn!(error = ?err, "digest pass failed"),
            }
            tokio::time::sleep(TICK).await;
        }
    });
}

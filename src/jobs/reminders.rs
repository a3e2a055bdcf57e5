//! Sends kitting reminders: at start and then every hour, for the day it is in UTC. Each line
//! is reminded once per planned date, whichever replica gets there first.

use std::time::Duration;

use crate::app::AppState;
use crate::service::orders::kitting_reminders::remind_due;

pub fn spawn(state: AppState) {
    tokio::spawn(async move {
        loop {
            let today = time::OffsetDateTime::now_utc().date();
            match remind_due(&state, today).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(lines = n, "kitting reminders sent"),
                Err(err) => tracing::warn!(error = ?err, "kitting reminders failed"),
            }
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
    });
}

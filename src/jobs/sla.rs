//! The SLA scheduler: raises what is due, then sleeps until the next clock's instant (read from
//! the due index), at most a minute so clocks started meanwhile, other replicas' work and a moved
//! test clock are picked up. `wake` cuts the sleep short. After downtime the first pass catches
//! up, stamping each alarm with when it really happened.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use crate::app::AppState;
use crate::service::sla::scheduler::{next_due_at, run_due};

const MAX_SLEEP: Duration = Duration::from_secs(60);

pub fn spawn(state: AppState, wake: Arc<Notify>) {
    tokio::spawn(async move {
        loop {
            match run_due(&state).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(alerts = n, "SLA alerts raised"),
                Err(err) => tracing::warn!(error = ?err, "SLA scheduler pass failed"),
            }
            let sleep = match next_due_at(&state).await {
                Ok(Some(at)) => {
                    let ms = (at - state.now().0).clamp(0, MAX_SLEEP.as_millis() as i64);
                    Duration::from_millis(ms as u64)
                }
                _ => MAX_SLEEP,
            };
            tokio::select! {
                () = wake.notified() => {}
                () = tokio::time::sleep(sleep) => {}
            }
        }
    });
}

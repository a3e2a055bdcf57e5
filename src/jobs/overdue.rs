//! Alerts financed invoices whose repayment is overdue. Due dates are whole days, so a pass
//! every ten minutes is punctual enough; the mark in `alert_overdue` keeps replicas from
//! alerting one twice.

use std::time::Duration;

use crate::app::AppState;
use crate::service::financing::settle::alert_overdue;

const TICK: Duration = Duration::from_secs(600);

pub fn spawn(state: AppState) {
    tokio::spawn(async move {
        loop {
            match alert_overdue(&state).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(financings = n, "overdue repayments alerted"),
                Err(err) => tracing::warn!(error = ?err, "overdue pass failed"),
            }
            tokio::time::sleep(TICK).await;
        }
    });
}

//! Test builds only (`--features test-clock`): moves the business clock forward so the browser
//! suite can watch an SLA clock cross its deadline without waiting. The scheduler is woken to
//! pass at the new time at once.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use serde::Deserialize;

use super::Routes;
use crate::app::AppState;

pub fn routes() -> Routes {
    Routes::new().public("/_test/clock", get(advance))
}

#[derive(Deserialize)]
struct Advance {
    advance_hours: i64,
}

async fn advance(State(state): State<AppState>, Query(q): Query<Advance>) -> (StatusCode, String) {
    state.clock.advance(q.advance_hours * 3_600_000);
    state.sla_wake.notify_one();
    tracing::warn!(hours = q.advance_hours, "test clock moved");
    (StatusCode::OK, state.now().rfc3339())
}

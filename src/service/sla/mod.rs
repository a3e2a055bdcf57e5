//! SLA clocks: started, paused, resumed and stopped by the transactions that change orders
//! (`clocks::sync_order`), raised by the scheduler's pass (`scheduler::run_due`), set up per
//! brand (`setup`). The logistics clocks (shipping notice, goods receipt) live in `logistics`.

pub mod alerts;
pub mod board;
pub mod board_partners;
pub mod calendars;
pub mod clocks;
pub(crate) mod logistics;
pub mod policies;
pub mod scheduler;
pub mod scorecards;
pub mod setup;

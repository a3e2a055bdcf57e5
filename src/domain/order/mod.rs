//! Purchase orders: fields, the order and line state machines.

pub mod fields;
pub mod kitting;
pub mod line;
pub mod milestones;
pub mod progress;
pub mod qc;
pub mod sample;
pub mod shipping;
pub mod state;

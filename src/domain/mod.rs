//! Pure types and rules. Nothing here touches the database, the network or the clock:
//! callers pass `now` in, so every rule is testable exhaustively.

pub mod digest;
pub mod email;
pub mod events;
pub mod finance;
pub mod ids;
pub mod invitation;
pub mod money;
pub mod order;
pub mod org;
pub mod partnership;
pub mod password_policy;
pub mod settings;
pub mod sla;
pub mod throttle;
pub mod time;
pub mod trace;
pub mod trace_epcis;
pub mod trace_layout;
pub mod upload;
pub mod webhook_delivery;
pub mod webhook_target;

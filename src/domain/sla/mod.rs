//! Service levels: working calendars and the business-time arithmetic SLA clocks run on.

pub mod calendar;
pub mod holidays;
pub mod hours;
pub mod policy;
pub mod stats;
pub mod timer;

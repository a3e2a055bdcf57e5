//! Receivable financing, as pure rules: what an invoice may claim and its life (`invoice`), the
//! platform-wide registry key and look-alike rule (`registry`), pricing with a documented
//! day-count and rounding convention (`pricing`), and a financing request's life with the
//! evidence a program requires (`financing`).

pub mod account;
pub mod financing;
pub mod invoice;
pub mod pricing;
pub mod program;
pub mod registry;
pub mod risk;

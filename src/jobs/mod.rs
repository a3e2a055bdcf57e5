//! Background work: the outbox worker delivers what use cases queued in their transactions
//! (e-mail now, webhooks later) after they commit; the reminder job nudges factories and brands
//! about lines short of materials before production; the SLA scheduler raises warnings, breaches
//! and escalations as clocks come due; the digest job sends daily e-mail digests; the overdue job
//! alerts financed invoices not repaid by their due date.

pub mod digest;
pub mod housekeeping;
pub mod outbox;
pub mod overdue;
pub mod reminders;
pub mod sla;
pub mod webhooks;

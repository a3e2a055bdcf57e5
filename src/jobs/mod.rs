//! Background work: the outbox worker delivers what use cases queued in their transactions
//! (e-mail now, webhooks later) after they commit.

pub mod outbox;

//! Integration tests: the real application on port 0 against a fresh database per test.
//! `PORTICO_TEST_DATABASE_URL=postgres://…` runs the same suite on PostgreSQL.

mod support;

mod admin;
mod api;
mod api_fulfilment;
mod api_schema;
mod api_tokens;
mod audit_page;
mod auth;
mod cli;
mod complaints;
mod digest;
mod events;
mod finance_programs;
mod financing;
mod financing_concurrency;
mod import;
mod invitations;
mod invoices;
mod isolation;
mod kitting;
mod milestones;
mod orders;
mod password;
mod progress;
mod qc;
mod samples;
mod scale;
mod shell;
mod shipping;
mod signing;
mod sla;
mod sla_board;
mod sla_logistics;
mod sla_scorecards;
mod sla_setup;
mod sso;
mod sso_flow;
mod trace;
mod trace_epcis;
mod trace_import;
mod trace_import_refusals;
mod trace_recording;
mod trace_view;
mod webhooks;

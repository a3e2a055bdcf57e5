//! Single sign-on through an organisation's OIDC provider: its settings and the login flow.

pub mod config;
pub mod finish;
pub mod login;

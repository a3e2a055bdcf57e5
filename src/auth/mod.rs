//! Who is asking: sessions, passwords, CSRF, the actor every use case is authorised against.

pub mod actor;
pub mod api_token;
pub mod csrf;
pub mod oidc;
pub mod password;
pub mod session;
pub mod tokens;

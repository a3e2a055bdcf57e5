//! OIDC single sign-on, the protocol side: discovery, the provider's keys, the ID-token check.
//! The use cases (configuration, the login flow) live in `service::sso`.

pub mod discovery;
pub mod id_token;
pub mod jwks_cache;

use std::time::Duration;

pub use discovery::{Discovery, DiscoveryError};
pub use jwks_cache::Oidc;

/// The HTTP client for discovery, JWKS and token calls: no redirects (a redirect could send the
/// code or secret elsewhere), short timeouts, TLS from rustls.
pub fn http_client() -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(10))
        .user_agent("Portico-OIDC")
        .build()
}

/// Whether a provider URL may be used: https, or http when the server allows it explicitly.
pub fn url_allowed(url: &str, allow_http: bool) -> bool {
    match url::Url::parse(url) {
        Ok(u) => {
            u.host_str().is_some()
                && (u.scheme() == "https" || (allow_http && u.scheme() == "http"))
                && u.username().is_empty()
                && u.password().is_none()
        }
        Err(_) => false,
    }
}

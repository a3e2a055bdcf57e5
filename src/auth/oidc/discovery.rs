//! The provider's discovery document (`/.well-known/openid-configuration`), checked before use.

use serde::Deserialize;

use super::url_allowed;

#[derive(Clone, Debug, Deserialize)]
pub struct Discovery {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    #[serde(default)]
    pub id_token_signing_alg_values_supported: Vec<String>,
    #[serde(default)]
    pub end_session_endpoint: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DiscoveryError {
    #[error("issuer URL not allowed")]
    InsecureUrl,
    #[error("provider unreachable")]
    Unreachable,
    #[error("not a discovery document")]
    BadDocument,
    #[error("document names another issuer")]
    IssuerMismatch,
    #[error("no usable signing algorithm")]
    NoAlgorithm,
}

pub fn document_url(issuer: &str) -> String {
    format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    )
}

/// Fetches and checks the document of `issuer`.
pub async fn fetch(
    http: &reqwest::Client,
    issuer: &str,
    allow_http: bool,
) -> Result<Discovery, DiscoveryError> {
    if !url_allowed(issuer, allow_http) {
        return Err(DiscoveryError::InsecureUrl);
    }
    let response = http
        .get(document_url(issuer))
        .send()
        .await
        .map_err(|_| DiscoveryError::Unreachable)?;
    if !response.status().is_success() {
        return Err(DiscoveryError::Unreachable);
    }
    let mut doc: Discovery = response
        .json()
        .await
        .map_err(|_| DiscoveryError::BadDocument)?;
    check(&mut doc, issuer, allow_http)?;
    Ok(doc)
}

/// The document must name the issuer asked for, its endpoints must be allowed URLs, and only
/// asymmetric signing algorithms are kept (never `none`, never HS*).
pub fn check(doc: &mut Discovery, issuer: &str, allow_http: bool) -> Result<(), DiscoveryError> {
    if doc.issuer != issuer {
        return Err(DiscoveryError::IssuerMismatch);
    }
    let endpoints = [
        Some(doc.authorization_endpoint.as_str()),
        Some(doc.token_endpoint.as_str()),
        Some(doc.jwks_uri.as_str()),
        doc.end_session_endpoint.as_deref(),
    ];
    if endpoints
        .into_iter()
        .flatten()
        .any(|url| !url_allowed(url, allow_http))
    {
        return Err(DiscoveryError::InsecureUrl);
    }
    doc.id_token_signing_alg_values_supported
        .retain(|alg| !alg.eq_ignore_ascii_case("none") && !alg.starts_with("HS"));
    if doc.id_token_signing_alg_values_supported.is_empty() {
        // The spec's default when the field is absent is RS256; an explicit list without a
        // usable entry is refused.
        return Err(DiscoveryError::NoAlgorithm);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(issuer: &str, algs: &[&str]) -> Discovery {
        Discovery {
            issuer: issuer.to_owned(),
            authorization_endpoint: format!("{issuer}/auth"),
            token_endpoint: format!("{issuer}/token"),
            jwks_uri: format!("{issuer}/jwks"),
            id_token_signing_alg_values_supported: algs.iter().map(|a| a.to_string()).collect(),
            end_session_endpoint: None,
        }
    }

    #[test]
    fn only_asymmetric_algorithms_are_kept() {
        let mut d = doc("https://idp.test", &["none", "HS256", "RS256"]);
        check(&mut d, "https://idp.test", false).unwrap();
        assert_eq!(d.id_token_signing_alg_values_supported, vec!["RS256"]);
        let mut only_bad = doc("https://idp.test", &["none", "HS256"]);
        assert_eq!(
            check(&mut only_bad, "https://idp.test", false),
            Err(DiscoveryError::NoAlgorithm)
        );
    }

    #[test]
    fn plain_http_and_foreign_issuers_are_refused() {
        let mut d = doc("http://idp.test", &["RS256"]);
        assert_eq!(
            check(&mut d, "http://idp.test", false),
            Err(DiscoveryError::InsecureUrl)
        );
        assert!(check(&mut d, "http://idp.test", true).is_ok());
        let mut other = doc("https://evil.test", &["RS256"]);
        assert_eq!(
            check(&mut other, "https://idp.test", false),
            Err(DiscoveryError::IssuerMismatch)
        );
    }
}

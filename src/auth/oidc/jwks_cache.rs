//! Discovery documents and JWKS, cached per issuer for a while. A token naming a key the cache
//! does not hold triggers one refetch (the provider rotated its keys); such forced refetches
//! happen at most every few seconds per provider, so forged `kid`s cannot make Portico hammer it.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use tokio::sync::Mutex;

use super::discovery::{self, Discovery, DiscoveryError};

const TTL: Duration = Duration::from_secs(600);
const MIN_REFETCH: Duration = Duration::from_secs(5);

struct CachedKeys {
    fetched: Instant,
    /// When an unknown `kid` last forced a refetch.
    forced: Option<Instant>,
    set: Arc<JwkSet>,
}

pub struct Oidc {
    pub http: reqwest::Client,
    pub allow_http: bool,
    documents: Mutex<HashMap<String, (Instant, Arc<Discovery>)>>,
    keys: Mutex<HashMap<String, CachedKeys>>,
}

impl Oidc {
    pub fn new(allow_http: bool) -> anyhow::Result<Self> {
        Ok(Oidc {
            http: super::http_client()?,
            allow_http,
            documents: Mutex::default(),
            keys: Mutex::default(),
        })
    }

    /// The issuer's discovery document, fetched when not cached or stale.
    pub async fn discovery(&self, issuer: &str) -> Result<Arc<Discovery>, DiscoveryError> {
        let mut documents = self.documents.lock().await;
        if let Some((at, doc)) = documents.get(issuer)
            && at.elapsed() < TTL
        {
            return Ok(doc.clone());
        }
        let doc = Arc::new(discovery::fetch(&self.http, issuer, self.allow_http).await?);
        documents.insert(issuer.to_owned(), (Instant::now(), doc.clone()));
        Ok(doc)
    }

    /// Fetches a document without the cache (checking a configuration before it is saved).
    pub async fn discover_fresh(&self, issuer: &str) -> Result<Arc<Discovery>, DiscoveryError> {
        let doc = Arc::new(discovery::fetch(&self.http, issuer, self.allow_http).await?);
        self.documents
            .lock()
            .await
            .insert(issuer.to_owned(), (Instant::now(), doc.clone()));
        Ok(doc)
    }

    /// The key set at `uri`; `refresh` asks for a refetch (unknown `kid`).
    pub async fn jwks(&self, uri: &str, refresh: bool) -> Result<Arc<JwkSet>, DiscoveryError> {
        let mut keys = self.keys.lock().await;
        let mut forced = None;
        if let Some(cached) = keys.get(uri) {
            let fresh = cached.fetched.elapsed() < TTL;
            let recently_forced = cached.forced.is_some_and(|f| f.elapsed() < MIN_REFETCH);
            if fresh && (!refresh || recently_forced) {
                return Ok(cached.set.clone());
            }
            forced = cached.forced;
        }
        if refresh {
            forced = Some(Instant::now());
        }
        if !super::url_allowed(uri, self.allow_http) {
            return Err(DiscoveryError::InsecureUrl);
        }
        let response = self
            .http
            .get(uri)
            .send()
            .await
            .map_err(|_| DiscoveryError::Unreachable)?;
        if !response.status().is_success() {
            return Err(DiscoveryError::Unreachable);
        }
        let set: Arc<JwkSet> = Arc::new(
            response
                .json()
                .await
                .map_err(|_| DiscoveryError::BadDocument)?,
        );
        keys.insert(
            uri.to_owned(),
            CachedKeys {
                fetched: Instant::now(),
                forced,
                set: set.clone(),
            },
        );
        Ok(set)
    }
}

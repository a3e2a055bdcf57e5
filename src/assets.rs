//! Static assets (CSS, vendored htmx, our script, icons), embedded in the binary and served
//! under content-hashed names with a one-year immutable cache lifetime.

use std::collections::HashMap;
use std::sync::LazyLock;

use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};

#[derive(RustEmbed)]
#[folder = "assets/"]
struct Embedded;

pub struct Asset {
    pub bytes: std::borrow::Cow<'static, [u8]>,
    pub content_type: &'static str,
}

struct Manifest {
    /// logical path (`app.css`) -> public URL (`/assets/app.1a2b3c4d5e.css`)
    urls: HashMap<String, &'static str>,
    /// hashed file name -> logical path
    by_hashed: HashMap<String, String>,
}

static MANIFEST: LazyLock<Manifest> = LazyLock::new(|| {
    let mut urls = HashMap::new();
    let mut by_hashed = HashMap::new();
    for path in Embedded::iter() {
        let Some(file) = Embedded::get(&path) else {
            continue;
        };
        let digest = hex::encode(Sha256::digest(&file.data));
        let hashed = match path.rsplit_once('.') {
            Some((stem, ext)) => format!("{stem}.{}.{ext}", &digest[..10]),
            None => format!("{path}.{}", &digest[..10]),
        };
        let url: &'static str = Box::leak(format!("/assets/{hashed}").into_boxed_str());
        urls.insert(path.to_string(), url);
        by_hashed.insert(hashed, path.to_string());
    }
    Manifest { urls, by_hashed }
});

/// The public, content-hashed URL of an asset. An unknown name is a bug caught by tests.
pub fn url(logical: &str) -> &'static str {
    MANIFEST
        .urls
        .get(logical)
        .copied()
        .unwrap_or("/assets/missing")
}

/// The asset behind a hashed file name.
pub fn get_hashed(hashed: &str) -> Option<Asset> {
    let logical = MANIFEST.by_hashed.get(hashed)?;
    let file = Embedded::get(logical)?;
    let content_type = match logical.rsplit_once('.').map(|(_, e)| e) {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    };
    Some(Asset {
        bytes: file.data,
        content_type,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_has_a_hashed_url_that_resolves_back() {
        for logical in ["app.css", "app.js", "vendor/htmx.min.js", "icon.svg"] {
            let url = url(logical);
            assert_ne!(url, "/assets/missing", "{logical} is not embedded");
            let hashed = url.strip_prefix("/assets/").unwrap();
            assert!(get_hashed(hashed).is_some(), "{hashed} does not resolve");
        }
    }
}

//! The public key set Portico publishes at `/.well-known/portico/keys.json`: a JWKS of OKP
//! Ed25519 keys (RFC 8037), each naming its organisation and the period it signs for.

use serde::{Deserialize, Serialize};

use super::keys::{KeyError, PublicKey};
use crate::domain::time::UtcMillis;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Jwk {
    pub kty: String,
    pub crv: String,
    pub x: String,
    pub kid: String,
    #[serde(rename = "use")]
    pub use_: String,
    pub alg: String,
    /// The organisation whose key this is.
    pub org_id: String,
    /// RFC 3339: the key signs statements made from this instant…
    pub valid_from: String,
    /// …until this one (absent while the key is current).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

impl Jwk {
    pub fn new(
        org_id: &str,
        public: &PublicKey,
        valid_from: UtcMillis,
        valid_until: Option<UtcMillis>,
    ) -> Self {
        Jwk {
            kty: "OKP".into(),
            crv: "Ed25519".into(),
            x: public.x.clone(),
            kid: public.kid.clone(),
            use_: "sig".into(),
            alg: "EdDSA".into(),
            org_id: org_id.to_owned(),
            valid_from: valid_from.rfc3339(),
            valid_until: valid_until.map(UtcMillis::rfc3339),
        }
    }

    /// The key, after checking it is an Ed25519 signing key whose `kid` is its thumbprint.
    pub fn public_key(&self) -> Result<PublicKey, KeyError> {
        if self.kty != "OKP" || self.crv != "Ed25519" {
            return Err(KeyError::BadPublicKey);
        }
        let key = PublicKey::from_x(&self.x)?;
        if key.kid != self.kid {
            return Err(KeyError::BadPublicKey);
        }
        Ok(key)
    }

    /// Whether the key was valid at `at`.
    pub fn valid_at(&self, at: UtcMillis) -> bool {
        let from = UtcMillis::parse_rfc3339(&self.valid_from);
        let until = self.valid_until.as_deref().map(UtcMillis::parse_rfc3339);
        match (from, until) {
            (Some(from), None) => at >= from,
            (Some(from), Some(Some(until))) => at >= from && at < until,
            _ => false,
        }
    }
}

impl Jwks {
    pub fn find(&self, kid: &str) -> Option<&Jwk> {
        self.keys.iter().find(|k| k.kid == kid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signing::keys::generate;
    use crate::signing::master_key::MasterKey;

    #[test]
    fn a_key_is_valid_from_its_start_until_its_retirement() {
        let key = generate(&MasterKey::generate()).public;
        let jwk = Jwk::new("org", &key, UtcMillis(1000), Some(UtcMillis(2000)));
        assert!(!jwk.valid_at(UtcMillis(999)));
        assert!(jwk.valid_at(UtcMillis(1000)));
        assert!(jwk.valid_at(UtcMillis(1999)));
        assert!(!jwk.valid_at(UtcMillis(2000)));
        let current = Jwk::new("org", &key, UtcMillis(1000), None);
        assert!(current.valid_at(UtcMillis(i64::MAX / 2_000_000)));
    }

    #[test]
    fn a_jwk_whose_kid_is_not_its_thumbprint_is_refused() {
        let key = generate(&MasterKey::generate()).public;
        let mut jwk = Jwk::new("org", &key, UtcMillis(0), None);
        assert_eq!(jwk.public_key(), Ok(key));
        jwk.kid = "someone-elses-kid".into();
        assert_eq!(jwk.public_key(), Err(KeyError::BadPublicKey));
    }

    #[test]
    fn the_document_is_a_standard_jwks() {
        let key = generate(&MasterKey::generate()).public;
        let doc = Jwks {
            keys: vec![Jwk::new("org-1", &key, UtcMillis(0), None)],
        };
        let json: serde_json::Value = serde_json::to_value(&doc).unwrap();
        let first = &json["keys"][0];
        assert_eq!(first["kty"], "OKP");
        assert_eq!(first["crv"], "Ed25519");
        assert_eq!(first["use"], "sig");
        assert_eq!(first["alg"], "EdDSA");
        assert_eq!(first["valid_from"], "1970-01-01T00:00:00Z");
        assert!(first.get("valid_until").is_none());
    }
}

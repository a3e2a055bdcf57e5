//! Ed25519 keys of organisations: generation, key ids (RFC 7638 JWK thumbprints), signing and
//! strict verification. Private keys never leave this module unsealed.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use rand::RngCore;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::master_key::{MasterKey, MasterKeyError};

/// A public key as Portico publishes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey {
    pub kid: String,
    /// The raw 32-byte Ed25519 public key, base64url without padding (JWK `x`).
    pub x: String,
}

impl PublicKey {
    pub fn from_x(x: &str) -> Result<Self, KeyError> {
        let key = verifying_key(x)?;
        Ok(PublicKey {
            kid: thumbprint(&key),
            x: x.to_owned(),
        })
    }

    /// Checks an Ed25519 signature with `verify_strict` (no malleable or small-order keys).
    pub fn verify(&self, message: &[u8], signature_b64: &str) -> Result<(), KeyError> {
        let key = verifying_key(&self.x)?;
        let bytes = URL_SAFE_NO_PAD
            .decode(signature_b64)
            .map_err(|_| KeyError::BadSignature)?;
        let bytes: [u8; 64] = bytes.try_into().map_err(|_| KeyError::BadSignature)?;
        key.verify_strict(message, &Signature::from_bytes(&bytes))
            .map_err(|_| KeyError::BadSignature)
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("not a valid Ed25519 public key")]
    BadPublicKey,
    #[error("the signature does not match")]
    BadSignature,
    #[error("the private key could not be unsealed")]
    Unseal,
}

fn verifying_key(x: &str) -> Result<VerifyingKey, KeyError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(x)
        .map_err(|_| KeyError::BadPublicKey)?;
    let bytes: [u8; 32] = bytes.try_into().map_err(|_| KeyError::BadPublicKey)?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| KeyError::BadPublicKey)
}

/// RFC 7638 thumbprint of the OKP JWK: SHA-256 over `{"crv":"Ed25519","kty":"OKP","x":"…"}`.
fn thumbprint(key: &VerifyingKey) -> String {
    let x = URL_SAFE_NO_PAD.encode(key.as_bytes());
    let members = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#);
    URL_SAFE_NO_PAD.encode(Sha256::digest(members.as_bytes()))
}

/// A freshly generated key pair, sealed for storage.
pub struct NewKey {
    pub public: PublicKey,
    pub sealed_private: Vec<u8>,
}

pub fn generate(master: &MasterKey) -> NewKey {
    let mut seed = Zeroizing::new([0u8; 32]);
    rand::rngs::OsRng.fill_bytes(seed.as_mut());
    let signing = SigningKey::from_bytes(&seed);
    let public = PublicKey {
        kid: thumbprint(&signing.verifying_key()),
        x: URL_SAFE_NO_PAD.encode(signing.verifying_key().as_bytes()),
    };
    let sealed_private = master.seal(seed.as_ref(), &public.kid);
    NewKey {
        public,
        sealed_private,
    }
}

/// A key pair made from a given seed (the bulk data generator, which must be deterministic),
/// sealed for storage like a generated one, plus a signer that keeps the private key in memory
/// for signing many statements without unsealing each time.
pub fn from_seed(master: &MasterKey, seed: [u8; 32]) -> (NewKey, MemorySigner) {
    let seed = Zeroizing::new(seed);
    let signing = SigningKey::from_bytes(&seed);
    let public = PublicKey {
        kid: thumbprint(&signing.verifying_key()),
        x: URL_SAFE_NO_PAD.encode(signing.verifying_key().as_bytes()),
    };
    let sealed_private = master.seal(seed.as_ref(), &public.kid);
    let signer = MemorySigner {
        kid: public.kid.clone(),
        key: signing,
    };
    (
        NewKey {
            public,
            sealed_private,
        },
        signer,
    )
}

/// An unsealed private key held for a bulk job; wiped on drop.
pub struct MemorySigner {
    pub kid: String,
    key: SigningKey,
}

impl MemorySigner {
    /// The base64url Ed25519 signature of `message`.
    pub fn sign(&self, message: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(self.key.sign(message).to_bytes())
    }
}

/// Signs `message` with a sealed private key; returns the base64url signature.
pub fn sign(
    master: &MasterKey,
    kid: &str,
    sealed_private: &[u8],
    message: &[u8],
) -> Result<String, KeyError> {
    let seed = master
        .open(sealed_private, kid)
        .map_err(|_: MasterKeyError| KeyError::Unseal)?;
    let seed: Zeroizing<[u8; 32]> =
        Zeroizing::new(seed.as_slice().try_into().map_err(|_| KeyError::Unseal)?);
    // SigningKey wipes itself on drop (ed25519-dalek's `zeroize` feature).
    let signing = SigningKey::from_bytes(&seed);
    Ok(URL_SAFE_NO_PAD.encode(signing.sign(message).to_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_with_the_public_key_only() {
        let master = MasterKey::generate();
        let key = generate(&master);
        let signature = sign(&master, &key.public.kid, &key.sealed_private, b"statement").unwrap();
        assert_eq!(key.public.verify(b"statement", &signature), Ok(()));
        assert_eq!(
            key.public.verify(b"statemenT", &signature),
            Err(KeyError::BadSignature)
        );
        let other = generate(&master);
        assert_eq!(
            other.public.verify(b"statement", &signature),
            Err(KeyError::BadSignature)
        );
    }

    #[test]
    fn the_key_id_is_the_jwk_thumbprint_and_recomputes_from_x() {
        let key = generate(&MasterKey::generate());
        assert_eq!(key.public.kid.len(), 43);
        assert_eq!(PublicKey::from_x(&key.public.x).unwrap(), key.public);
    }

    #[test]
    fn rfc_8037_example_thumbprint() {
        // RFC 8037 appendix A.3: the thumbprint of the example Ed25519 public key.
        let key = PublicKey::from_x("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo").unwrap();
        assert_eq!(key.kid, "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
    }

    #[test]
    fn rfc_8037_example_signature_verifies() {
        // RFC 8037 appendix A.4: JWS signing input and its signature.
        let key = PublicKey::from_x("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo").unwrap();
        let input = b"eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
        let signature = "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
        assert_eq!(key.verify(input, signature), Ok(()));
    }

    #[test]
    fn a_seeded_key_signs_like_its_sealed_twin() {
        let master = MasterKey::generate();
        let (key, signer) = from_seed(&master, [7u8; 32]);
        let (again, _) = from_seed(&master, [7u8; 32]);
        assert_eq!(key.public, again.public);
        let signature = signer.sign(b"statement");
        assert_eq!(key.public.verify(b"statement", &signature), Ok(()));
        assert_eq!(
            sign(&master, &key.public.kid, &key.sealed_private, b"statement").unwrap(),
            signature
        );
    }

    #[test]
    fn a_sealed_key_signs_only_under_its_own_key_id() {
        let master = MasterKey::generate();
        let key = generate(&master);
        assert_eq!(
            sign(&master, "someone-else", &key.sealed_private, b"x"),
            Err(KeyError::Unseal)
        );
    }
}

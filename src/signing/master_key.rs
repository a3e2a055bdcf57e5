//! The server's master key, which seals organisations' private signing keys at rest
//! (XChaCha20-Poly1305, the key id as associated data so a sealed key cannot be swapped onto
//! another id). It comes from `PORTICO_MASTER_KEY`, or from `DATA_DIR/master.key`, created with
//! mode 0600 on first start.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use zeroize::Zeroizing;

const NONCE_LEN: usize = 24;

#[derive(Clone)]
pub struct MasterKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(..)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MasterKeyError {
    #[error(
        "PORTICO_MASTER_KEY must be 32 bytes, written as 64 hex digits or 43 base64url characters"
    )]
    BadFormat,
    #[error("cannot read or create the master key file {0}: {1}")]
    File(String, std::io::Error),
    #[error("a sealed key could not be opened: wrong master key, or the data was changed")]
    Unseal,
}

impl MasterKey {
    pub fn from_text(text: &str) -> Result<Self, MasterKeyError> {
        let text = text.trim();
        let bytes = if text.len() == 64 {
            hex::decode(text).map_err(|_| MasterKeyError::BadFormat)?
        } else {
            URL_SAFE_NO_PAD
                .decode(text)
                .map_err(|_| MasterKeyError::BadFormat)?
        };
        let key: [u8; 32] = bytes.try_into().map_err(|_| MasterKeyError::BadFormat)?;
        Ok(MasterKey(Zeroizing::new(key)))
    }

    pub fn generate() -> Self {
        let mut key = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(key.as_mut());
        MasterKey(key)
    }

    fn to_text(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0.as_ref())
    }

    /// The configured key, or the key file in `data_dir`, created on first use.
    pub fn load(configured: Option<&str>, data_dir: &Path) -> Result<Self, MasterKeyError> {
        if let Some(text) = configured.filter(|t| !t.trim().is_empty()) {
            return Self::from_text(text);
        }
        let path = data_dir.join("master.key");
        let shown = path.display().to_string();
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::from_text(&text),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                let key = Self::generate();
                write_private_file(&path, &key.to_text())
                    .map_err(|e| MasterKeyError::File(shown, e))?;
                Ok(key)
            }
            Err(err) => Err(MasterKeyError::File(shown, err)),
        }
    }

    /// Encrypts `secret`, bound to `context` (e.g. the key id). Output: nonce ‖ ciphertext.
    pub fn seal(&self, secret: &[u8], context: &str) -> Vec<u8> {
        let cipher = XChaCha20Poly1305::new(self.0.as_ref().into());
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: secret,
                    aad: context.as_bytes(),
                },
            )
            .expect("XChaCha20-Poly1305 encryption of an in-memory buffer cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        out
    }

    pub fn open(&self, sealed: &[u8], context: &str) -> Result<Zeroizing<Vec<u8>>, MasterKeyError> {
        if sealed.len() < NONCE_LEN {
            return Err(MasterKeyError::Unseal);
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        let cipher = XChaCha20Poly1305::new(self.0.as_ref().into());
        cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context.as_bytes(),
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| MasterKeyError::Unseal)
    }
}

#[cfg(unix)]
fn write_private_file(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private_file(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_the_same_key_and_context() {
        let key = MasterKey::generate();
        let sealed = key.seal(b"private key bytes", "kid-1");
        assert_eq!(
            key.open(&sealed, "kid-1").unwrap().as_slice(),
            b"private key bytes"
        );
        assert!(key.open(&sealed, "kid-2").is_err(), "bound to its key id");
        assert!(
            MasterKey::generate().open(&sealed, "kid-1").is_err(),
            "another master key"
        );
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert!(key.open(&tampered, "kid-1").is_err());
    }

    #[test]
    fn the_key_file_is_created_once_with_owner_only_permissions() {
        let dir = std::env::temp_dir().join(format!("portico-mk-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let first = MasterKey::load(None, &dir).unwrap();
        let second = MasterKey::load(None, &dir).unwrap();
        assert_eq!(first.to_text(), second.to_text());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("master.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_configured_key_is_hex_or_base64url_of_32_bytes() {
        let hex_key = "00".repeat(32);
        assert!(MasterKey::from_text(&hex_key).is_ok());
        assert!(MasterKey::from_text(&URL_SAFE_NO_PAD.encode([7u8; 32])).is_ok());
        assert!(MasterKey::from_text("short").is_err());
        assert!(MasterKey::from_text(&"00".repeat(31)).is_err());
    }
}

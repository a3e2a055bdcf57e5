//! Content-addressed file storage under `DATA_DIR/files`: a blob's path is its SHA-256, so the
//! same photo uploaded twice is stored once, and no user-supplied name ever reaches the file
//! system. Writes go to a temporary file first and are renamed into place, so a failure never
//! leaves half a file under a real name. Images get a JPEG thumbnail at upload.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::domain::upload::{FileKind, UploadRefusal};

const THUMB_EDGE: u32 = 320;

#[derive(Clone, Debug)]
pub struct FileStore {
    root: PathBuf,
}

/// A checked file, ready to write.
pub struct Prepared {
    pub sha256: String,
    pub bytes: Vec<u8>,
    pub thumb: Option<Vec<u8>>,
    pub kind: FileKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    pub sha256: String,
    pub size: i64,
    pub has_thumb: bool,
}

impl FileStore {
    pub fn new(data_dir: &Path) -> Self {
        FileStore {
            root: data_dir.join("files"),
        }
    }

    fn path_of(&self, sha256: &str, thumb: bool) -> Option<PathBuf> {
        let valid = sha256.len() == 64
            && sha256
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
        valid.then(|| {
            let name = if thumb {
                format!("{sha256}.thumb.jpg")
            } else {
                sha256.to_owned()
            };
            self.root.join(&sha256[..2]).join(name)
        })
    }

    /// Checks and prepares a file in memory: images are decoded to draw the thumbnail, which
    /// refuses damaged or truncated ones. Nothing touches the disk yet, so a batch with one bad
    /// file stores none of them.
    pub async fn prepare(bytes: Vec<u8>, kind: FileKind) -> Result<Prepared, UploadRefusal> {
        let sha256 = hex::encode(Sha256::digest(&bytes));
        if !kind.thumbnailable() {
            return Ok(Prepared {
                sha256,
                bytes,
                thumb: None,
                kind,
            });
        }
        let (thumb, bytes) = tokio::task::spawn_blocking(move || (thumbnail(&bytes), bytes))
            .await
            .map_err(|_| UploadRefusal::Damaged)?;
        let thumb = thumb.ok_or(UploadRefusal::Damaged)?;
        Ok(Prepared {
            sha256,
            bytes,
            thumb: Some(thumb),
            kind,
        })
    }

    /// Writes a prepared file (and its thumbnail) under its digest.
    pub async fn write(&self, file: &Prepared) -> std::io::Result<Stored> {
        let path = self
            .path_of(&file.sha256, false)
            .ok_or_else(|| std::io::Error::other("bad digest"))?;
        write_atomically(&path, &file.bytes).await?;
        if let Some(thumb) = &file.thumb {
            let thumb_path = self
                .path_of(&file.sha256, true)
                .ok_or_else(|| std::io::Error::other("bad digest"))?;
            write_atomically(&thumb_path, thumb).await?;
        }
        Ok(Stored {
            sha256: file.sha256.clone(),
            size: file.bytes.len() as i64,
            has_thumb: file.thumb.is_some(),
        })
    }

    pub async fn read(&self, sha256: &str, thumb: bool) -> std::io::Result<Vec<u8>> {
        let path = self
            .path_of(sha256, thumb)
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"))?;
        tokio::fs::read(path).await
    }
}

/// Writes `bytes` to `path` unless it already exists (same content: same name).
async fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if tokio::fs::try_exists(path).await? {
        return Ok(());
    }
    let dir = path
        .parent()
        .ok_or_else(|| std::io::Error::other("no parent"))?;
    tokio::fs::create_dir_all(dir).await?;
    let tmp = dir.join(format!(".tmp-{}", uuid::Uuid::new_v4()));
    let mut file = tokio::fs::File::create(&tmp).await?;
    file.write_all(bytes).await?;
    file.sync_all().await?;
    drop(file);
    tokio::fs::rename(&tmp, path).await
}

/// A JPEG thumbnail, or `None` when the image cannot be decoded completely.
fn thumbnail(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .ok()?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(12_000);
    limits.max_image_height = Some(12_000);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let image = reader.decode().ok()?;
    let small = image.thumbnail(THUMB_EDGE, THUMB_EDGE).to_rgb8();
    let mut out = Cursor::new(Vec::new());
    small.write_to(&mut out, image::ImageFormat::Jpeg).ok()?;
    Some(out.into_inner())
}

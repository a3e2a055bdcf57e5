//! What Portico accepts as an upload: the type is read from the bytes (never the name or the
//! declared type), sizes and counts are bounded, and names are only ever shown, never used as
//! paths.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Jpeg,
    Png,
    Webp,
    Heic,
    Pdf,
}

impl FileKind {
    pub fn content_type(self) -> &'static str {
        match self {
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
            FileKind::Webp => "image/webp",
            FileKind::Heic => "image/heic",
            FileKind::Pdf => "application/pdf",
        }
    }

    /// Images Portico can draw a thumbnail of (HEIC has no pure-Rust decoder; it is kept and
    /// offered as a download).
    pub fn thumbnailable(self) -> bool {
        matches!(self, FileKind::Jpeg | FileKind::Png | FileKind::Webp)
    }

    pub fn is_image(self) -> bool {
        !matches!(self, FileKind::Pdf)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UploadLimits {
    pub max_file_bytes: usize,
    pub max_files: usize,
}

impl Default for UploadLimits {
    fn default() -> Self {
        UploadLimits {
            max_file_bytes: 10 * 1024 * 1024,
            max_files: 10,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UploadRefusal {
    #[error("the file is empty")]
    Empty,
    #[error("the file is too large")]
    TooLarge,
    #[error("too many files")]
    TooMany,
    #[error("not a JPEG, PNG, WebP, HEIC or PDF file")]
    WrongType,
    #[error("the image is damaged or incomplete")]
    Damaged,
    #[error("the file name is not allowed")]
    BadName,
    #[error("the file's name says another type than its content")]
    NameMismatch,
}

impl UploadRefusal {
    pub fn message_key(self) -> &'static str {
        match self {
            UploadRefusal::Empty => "upload.empty",
            UploadRefusal::TooLarge => "upload.too_large",
            UploadRefusal::TooMany => "upload.too_many",
            UploadRefusal::WrongType => "upload.wrong_type",
            UploadRefusal::Damaged => "upload.damaged",
            UploadRefusal::BadName => "upload.bad_name",
            UploadRefusal::NameMismatch => "upload.name_mismatch",
        }
    }
}

/// The file's kind from its first bytes.
pub fn classify(bytes: &[u8], limits: &UploadLimits) -> Result<FileKind, UploadRefusal> {
    if bytes.is_empty() {
        return Err(UploadRefusal::Empty);
    }
    if bytes.len() > limits.max_file_bytes {
        return Err(UploadRefusal::TooLarge);
    }
    match infer::get(bytes).map(|t| t.mime_type()) {
        Some("image/jpeg") => Ok(FileKind::Jpeg),
        Some("image/png") => Ok(FileKind::Png),
        Some("image/webp") => Ok(FileKind::Webp),
        Some("image/heif") | Some("image/heic") => Ok(FileKind::Heic),
        Some("application/pdf") => Ok(FileKind::Pdf),
        _ => Err(UploadRefusal::WrongType),
    }
}

/// Refuses names that try to be paths, and names whose extension claims another type than the
/// content (a PDF called `photo.jpg` is a mistake or a trick; either way the user should know).
pub fn check_name(name: &str, kind: FileKind) -> Result<(), UploadRefusal> {
    if name.contains(['/', '\\'])
        || name.split('.').all(|p| p.is_empty()) && !name.is_empty()
        || name.contains("..")
        || name.chars().any(char::is_control)
    {
        return Err(UploadRefusal::BadName);
    }
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    let claimed = match ext.as_deref() {
        Some("jpg" | "jpeg" | "jfif") => Some(FileKind::Jpeg),
        Some("png") => Some(FileKind::Png),
        Some("webp") => Some(FileKind::Webp),
        Some("heic" | "heif") => Some(FileKind::Heic),
        Some("pdf") => Some(FileKind::Pdf),
        _ => None,
    };
    match claimed {
        Some(claimed) if claimed != kind => Err(UploadRefusal::NameMismatch),
        _ => Ok(()),
    }
}

/// A file name fit for display: the last path segment, without control characters, at most
/// 100 characters; never empty.
pub fn display_name(name: &str, kind: FileKind) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | '*' | '?' | '|' | ':'))
        .take(100)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_owned();
    if cleaned.is_empty() {
        let ext = match kind {
            FileKind::Jpeg => "jpg",
            FileKind::Png => "png",
            FileKind::Webp => "webp",
            FileKind::Heic => "heic",
            FileKind::Pdf => "pdf",
        };
        format!("file.{ext}")
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0];
    const PDF: &[u8] = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n";
    const ELF: &[u8] = &[0x7F, b'E', b'L', b'F', 2, 1, 1, 0, 0, 0, 0, 0];

    #[test]
    fn the_type_comes_from_the_bytes() {
        let limits = UploadLimits::default();
        assert_eq!(classify(JPEG, &limits), Ok(FileKind::Jpeg));
        assert_eq!(classify(PDF, &limits), Ok(FileKind::Pdf));
        assert_eq!(
            classify(ELF, &limits),
            Err(UploadRefusal::WrongType),
            "an executable renamed .jpg"
        );
        assert_eq!(classify(b"hello", &limits), Err(UploadRefusal::WrongType));
        assert_eq!(classify(b"", &limits), Err(UploadRefusal::Empty));
    }

    #[test]
    fn files_above_the_limit_are_refused() {
        let limits = UploadLimits {
            max_file_bytes: 8,
            max_files: 1,
        };
        assert_eq!(classify(JPEG, &limits), Err(UploadRefusal::TooLarge));
    }

    #[test]
    fn path_names_and_lying_extensions_are_refused() {
        assert_eq!(
            check_name("../../etc/passwd", FileKind::Jpeg),
            Err(UploadRefusal::BadName)
        );
        assert_eq!(
            check_name("..\\evil.jpg", FileKind::Jpeg),
            Err(UploadRefusal::BadName)
        );
        assert_eq!(
            check_name("invoice.jpg", FileKind::Pdf),
            Err(UploadRefusal::NameMismatch)
        );
        assert_eq!(check_name("IMG_0001.JPG", FileKind::Jpeg), Ok(()));
        assert_eq!(check_name("scan", FileKind::Pdf), Ok(()));
        assert_eq!(check_name("", FileKind::Png), Ok(()));
    }

    #[test]
    fn names_are_for_display_only() {
        assert_eq!(display_name("../../etc/passwd", FileKind::Jpeg), "passwd");
        assert_eq!(
            display_name("C:\\Users\\x\\photo 1.jpg", FileKind::Jpeg),
            "photo 1.jpg"
        );
        assert_eq!(display_name("..", FileKind::Png), "file.png");
        assert_eq!(
            display_name("a\u{0}b\n<script>.pdf", FileKind::Pdf),
            "abscript.pdf"
        );
        assert_eq!(display_name(&"x".repeat(300), FileKind::Pdf).len(), 100);
    }
}

//! Files attached to an order (progress photos, sample photos, receipt photos): checking a
//! batch, storing it, recording the attachments, and serving them to the order's parties.

use serde_json::{Value, json};

use super::load_for;
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db::{self, Conn};
use crate::domain::ids::{OrderId, TenantId};
use crate::domain::upload::{FileKind, UploadLimits, check_name, classify, display_name};
use crate::service::{AuditEvent, FieldErrors, ServiceError, ServiceResult, actions, audit};
use crate::storage::{FileStore, Prepared, Stored};

/// A file as received: the name the device gave it and the bytes.
pub struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Checks every file (type from the bytes, name, size, count) and decodes images, adding
/// problems to `errors` under `files`. All or nothing: any problem fails the whole batch,
/// together with the form's other errors.
pub async fn check_and_prepare(
    uploads: Vec<Upload>,
    limits: &UploadLimits,
    mut errors: FieldErrors,
) -> ServiceResult<Vec<(String, Prepared)>> {
    if uploads.len() > limits.max_files {
        errors.add("files", "upload.too_many");
    }
    let mut kinds = Vec::new();
    for upload in uploads.into_iter().take(limits.max_files) {
        match classify(&upload.bytes, limits)
            .and_then(|kind| check_name(&upload.name, kind).map(|()| kind))
        {
            Ok(kind) => kinds.push((display_name(&upload.name, kind), upload.bytes, kind)),
            Err(refusal) => errors.add("files", refusal.message_key()),
        }
    }
    errors.into_result()?;
    let mut files = Vec::new();
    for (name, bytes, kind) in kinds {
        match FileStore::prepare(bytes, kind).await {
            Ok(prepared) => files.push((name, prepared)),
            Err(refusal) => {
                let mut errors = FieldErrors::default();
                errors.add("files", refusal.message_key());
                return Err(ServiceError::Invalid(errors));
            }
        }
    }
    Ok(files)
}

/// A file on disk, named as the user named it.
pub struct Written {
    pub name: String,
    pub stored: Stored,
    pub kind: FileKind,
}

/// Writes checked files under their digests (outside any transaction: a blob nobody refers to
/// is harmless, and the same content is stored once).
pub async fn write_all(
    state: &AppState,
    files: &[(String, Prepared)],
) -> ServiceResult<Vec<Written>> {
    let store = FileStore::new(&state.config.data_dir);
    let mut written = Vec::new();
    for (name, file) in files {
        let stored = store.write(file).await.map_err(anyhow::Error::from)?;
        written.push(Written {
            name: name.clone(),
            stored,
            kind: file.kind,
        });
    }
    Ok(written)
}

/// Records the files as attachments of `owner` (a progress post, a sample, a receipt) inside
/// the caller's transaction; returns what a statement says of them.
pub async fn attach_all(
    conn: &mut Conn,
    tenant: TenantId,
    order: OrderId,
    owner: &str,
    written: &[Written],
    now: i64,
) -> ServiceResult<Vec<Value>> {
    let mut described = Vec::new();
    for file in written {
        db::progress::upsert_file(
            conn,
            &file.stored.sha256,
            file.stored.size,
            file.kind.content_type(),
            file.stored.has_thumb,
            now,
        )
        .await?;
        let id = uuid::Uuid::now_v7().to_string();
        db::progress::insert_attachment(
            conn,
            tenant,
            &id,
            order,
            owner,
            &file.stored.sha256,
            &file.name,
            now,
        )
        .await?;
        described.push(json!({ "name": file.name, "sha256": file.stored.sha256, "content_type": file.kind.content_type() }));
    }
    Ok(described)
}

pub struct FileDownload {
    pub bytes: Vec<u8>,
    pub content_type: String,
    pub name: String,
}

/// A file attached to the order, for its parties only. Full downloads are audited; thumbnails
/// (shown on the order page) are not.
pub async fn file(
    state: &AppState,
    actor: &Actor,
    id: OrderId,
    attachment: &str,
    thumb: bool,
) -> ServiceResult<FileDownload> {
    let mut tx = state.db.begin().await?;
    let (tenant, order, _) = load_for(&mut tx, actor, id).await?;
    let found = db::progress::attachment(&mut tx, tenant, order.id, attachment)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if thumb && found.has_thumb == 0 {
        return Err(ServiceError::NotFound);
    }
    if !thumb {
        audit(
            &mut tx,
            actor,
            Some(tenant),
            AuditEvent::new(actions::ORDER_FILE_DOWNLOADED, "attachment", &found.id)
                .detail(json!({ "order": order.id.to_string() })),
        )
        .await?;
    }
    tx.commit().await?;
    let bytes = FileStore::new(&state.config.data_dir)
        .read(&found.sha256, thumb)
        .await
        .map_err(|e| {
            ServiceError::Internal(anyhow::anyhow!(
                "stored file {} unreadable: {e}",
                found.sha256
            ))
        })?;
    Ok(FileDownload {
        bytes,
        content_type: if thumb {
            "image/jpeg".to_owned()
        } else {
            found.content_type
        },
        name: found.file_name,
    })
}

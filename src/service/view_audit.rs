//! Audit entries for views of sensitive records, written with group commit. A view is recorded
//! durably before its page is shown, as before; but a view is a write, and one transaction per
//! view would cap every audited page at the disk's commit rate (one `fsync` per view on SQLite,
//! one turn on the tenant's chain head on PostgreSQL). So views queue here and one writer task
//! appends everything queued in one transaction, then answers each waiting request. Under load
//! many views share a commit; alone, a view costs what it did.

use tokio::sync::{mpsc, oneshot};

use super::AuditEvent;
use crate::auth::actor::Actor;
use crate::db::{self, Db};
use crate::domain::ids::{OrgId, TenantId, UserId};
use crate::domain::time::UtcMillis;

/// Entries appended per transaction at most; a longer queue waits for the next commit.
const MAX_BATCH: usize = 256;

struct Pending {
    tenant_id: Option<TenantId>,
    user: UserId,
    org: OrgId,
    action: String,
    subject_type: String,
    subject_id: Option<String>,
    detail: serde_json::Value,
    client_addr: Option<String>,
    at: i64,
    done: oneshot::Sender<Result<(), ()>>,
}

/// The queue of view entries; cheap to clone.
#[derive(Clone, Debug)]
pub struct ViewAudit {
    queue: mpsc::UnboundedSender<Pending>,
}

impl ViewAudit {
    /// Starts the writer task on the current runtime.
    pub fn start(db: Db) -> Self {
        let (queue, rx) = mpsc::unbounded_channel();
        // Entries of every brand share the writer: it works across brands (see `db::scope`).
        tokio::spawn(db::scope::system(write_batches(db, rx)));
        ViewAudit { queue }
    }

    /// Records that the actor viewed something; returns once the entry is committed.
    pub async fn record(
        &self,
        actor: &Actor,
        tenant: Option<TenantId>,
        event: AuditEvent<'_>,
    ) -> Result<(), sqlx::Error> {
        let (done, committed) = oneshot::channel();
        let pending = Pending {
            tenant_id: tenant,
            user: actor.user_id,
            org: actor.org_id,
            action: event.action.to_owned(),
            subject_type: event.subject_type.to_owned(),
            subject_id: event.subject_id,
            detail: event.detail,
            client_addr: actor.client_addr.clone(),
            at: UtcMillis::now().0,
            done,
        };
        let stopped = || sqlx::Error::Protocol("the audit writer stopped".into());
        // The writer needs a connection of the pool this request may be holding one of.
        db::request_reader::release();
        self.queue.send(pending).map_err(|_| stopped())?;
        match committed.await {
            Ok(Ok(())) => Ok(()),
            _ => Err(stopped()),
        }
    }
}

async fn write_batches(db: Db, mut rx: mpsc::UnboundedReceiver<Pending>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let result = append_all(&db, &batch).await;
        if let Err(err) = &result {
            tracing::error!(error = %err, entries = batch.len(), "could not record views in the audit log");
        }
        for pending in batch.drain(..) {
            let _ = pending
                .done
                .send(result.as_ref().map(|_| ()).map_err(|_| ()));
        }
    }
}

async fn append_all(db: &Db, batch: &[Pending]) -> Result<(), sqlx::Error> {
    let entries: Vec<db::audit::NewEntry<'_>> = batch
        .iter()
        .map(|p| db::audit::NewEntry {
            tenant_id: p.tenant_id,
            actor_user_id: Some(p.user),
            actor_org_id: Some(p.org),
            action: &p.action,
            subject_type: &p.subject_type,
            subject_id: p.subject_id.clone(),
            detail: p.detail.clone(),
            client_addr: p.client_addr.as_deref(),
            at: p.at,
        })
        .collect();
    let mut tx = db.begin().await?;
    db::audit::append_many(&mut tx, &entries).await?;
    tx.commit().await
}

//! Audit entries for views of sensitive records, written with group commit. A view is recorded
//! durably before its page is shown; but a view is a write, and one transaction per view would
//! cap every audited page at the disk's commit rate. So views queue here and one writer task
//! commits everything queued at once, then answers each waiting request. Under load many views
//! share a commit; alone, a view costs one commit.
//!
//! Where a view is committed depends on the engine:
//!
//! - PostgreSQL (and SQLite in memory): straight into the audit chain.
//! - SQLite on a file: into the views file (`db::pending_views`), and the same task moves what
//!   waits there into the chain every [`FOLD_EVERY`], in order, keeping each entry's id and
//!   time. A commit to the main file makes every reading connection read its pages again, so
//!   the main file now changes once per fold instead of once per view. The audit page and
//!   `portico audit verify` move what waits first ([`ViewAudit::flush`], [`fold_pending`]), so
//!   they always see every view.

use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::AuditEvent;
use crate::auth::actor::Actor;
use crate::db::pending_views::PendingView;
use crate::db::{self, Db};
use crate::domain::ids::{AuditId, TenantId};
use crate::domain::time::UtcMillis;

/// Entries committed per transaction at most; a longer queue waits for the next commit.
const MAX_BATCH: usize = 256;
/// How long views wait in their file before they join the chain.
pub const FOLD_EVERY: Duration = Duration::from_secs(1);
/// Views moved into the chain per transaction.
const FOLD_BATCH: i64 = 100;

type Done = oneshot::Sender<Result<(), ()>>;

enum Work {
    View(Box<PendingView>, Done),
    /// Move every waiting view into the chain now.
    Flush(Done),
}

/// The queue of view entries; cheap to clone.
#[derive(Clone, Debug)]
pub struct ViewAudit {
    queue: mpsc::UnboundedSender<Work>,
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
        let view = PendingView {
            n: 0,
            id: AuditId::new().to_string(),
            tenant_id: tenant.map(|t| t.to_string()),
            actor_user_id: Some(actor.user_id.to_string()),
            actor_org_id: Some(actor.org_id.to_string()),
            action: event.action.to_owned(),
            subject_type: event.subject_type.to_owned(),
            subject_id: event.subject_id,
            detail: event.detail.to_string(),
            client_addr: actor.client_addr.clone(),
            at: UtcMillis::now().0,
        };
        self.send(|done| Work::View(Box::new(view), done)).await
    }

    /// Returns once every view recorded so far is in the audit chain.
    pub async fn flush(&self) -> Result<(), sqlx::Error> {
        self.send(Work::Flush).await
    }

    async fn send(&self, work: impl FnOnce(Done) -> Work) -> Result<(), sqlx::Error> {
        let (done, committed) = oneshot::channel();
        let stopped = || sqlx::Error::Protocol("the audit writer stopped".into());
        // The writer needs a connection of the pool this request may be holding one of; and
        // the request's reads after this should see what it committed.
        db::request_reader::release();
        self.queue.send(work(done)).map_err(|_| stopped())?;
        match committed.await {
            Ok(Ok(())) => Ok(()),
            _ => Err(stopped()),
        }
    }
}

async fn write_batches(db: Db, mut rx: mpsc::UnboundedReceiver<Work>) {
    let staged = db.views_file().is_some();
    // When the views in the file are due in the chain; views a previous run left are due now.
    let mut fold_at = staged.then(Instant::now);
    let mut batch = Vec::with_capacity(MAX_BATCH);
    loop {
        let received = match fold_at {
            // Views that wait are committed first; the fold comes due all the same under steady
            // load, and goes one batch at a time so views arriving meanwhile wait little.
            Some(at) => {
                match tokio::time::timeout_at(at, rx.recv_many(&mut batch, MAX_BATCH)).await {
                    Ok(n) => n,
                    Err(_) => {
                        fold_at = match fold_once(&db).await {
                            Ok(moved) if moved as i64 == FOLD_BATCH => Some(Instant::now()),
                            Ok(_) => None,
                            Err(err) => {
                                tracing::error!(error = %err, "could not move recorded views into the audit chain");
                                Some(Instant::now() + FOLD_EVERY)
                            }
                        };
                        continue;
                    }
                }
            }
            None => rx.recv_many(&mut batch, MAX_BATCH).await,
        };
        if received == 0 {
            return;
        }
        let (mut views, mut answers, mut flushes) = (Vec::new(), Vec::new(), Vec::new());
        for work in batch.drain(..) {
            match work {
                Work::View(view, done) => {
                    views.push(*view);
                    answers.push(done);
                }
                Work::Flush(done) => flushes.push(done),
            }
        }
        let result = commit_views(&db, staged, &views).await;
        if let Err(err) = &result {
            tracing::error!(error = %err, entries = views.len(), "could not record views in the audit log");
        }
        answer(answers, result.is_ok());
        if staged && !views.is_empty() && fold_at.is_none() {
            fold_at = Some(Instant::now() + FOLD_EVERY);
        }
        if !flushes.is_empty() {
            let folded = match fold_pending(&db).await {
                Ok(_) => true,
                Err(err) => {
                    tracing::error!(error = %err, "could not move recorded views into the audit chain");
                    false
                }
            };
            fold_at = (!folded).then(|| Instant::now() + FOLD_EVERY);
            answer(flushes, folded);
        }
    }
}

fn answer(waiting: impl IntoIterator<Item = Done>, ok: bool) {
    for done in waiting {
        let _ = done.send(if ok { Ok(()) } else { Err(()) });
    }
}

/// Commits views: into the views file (SQLite on a file), else straight into the chain.
async fn commit_views(db: &Db, staged: bool, views: &[PendingView]) -> Result<(), sqlx::Error> {
    if views.is_empty() {
        return Ok(());
    }
    if staged {
        // One statement: committed (and durable) on its own, without touching the main file.
        let mut conn = db.writer().acquire().await?;
        return db::pending_views::stage(&mut conn, views).await;
    }
    let mut tx = db.begin().await?;
    db::audit::append_many(&mut tx, &entries(views)).await?;
    tx.commit().await
}

fn entries(views: &[PendingView]) -> Vec<db::audit::NewEntry<'_>> {
    views
        .iter()
        .map(|v| db::audit::NewEntry {
            id: Some(v.id.clone()),
            tenant_id: v.tenant_id.as_deref().and_then(|t| t.parse().ok()),
            actor_user_id: v.actor_user_id.as_deref().and_then(|u| u.parse().ok()),
            actor_org_id: v.actor_org_id.as_deref().and_then(|o| o.parse().ok()),
            action: &v.action,
            subject_type: &v.subject_type,
            subject_id: v.subject_id.clone(),
            detail: serde_json::from_str(&v.detail).unwrap_or(serde_json::Value::Null),
            client_addr: v.client_addr.as_deref(),
            at: v.at,
        })
        .collect()
}

/// Moves every view waiting in the views file into the audit chain, oldest first, and returns
/// how many moved; nothing to do without a views file.
pub async fn fold_pending(db: &Db) -> Result<usize, sqlx::Error> {
    let mut moved = 0;
    loop {
        let n = fold_once(db).await?;
        moved += n;
        if (n as i64) < FOLD_BATCH {
            return Ok(moved);
        }
    }
}

/// Moves up to [`FOLD_BATCH`] of the oldest waiting views into the chain, in one transaction
/// over both files.
async fn fold_once(db: &Db) -> Result<usize, sqlx::Error> {
    if db.views_file().is_none() {
        return Ok(0);
    }
    let mut tx = db.begin().await?;
    db::pending_views::forget_folded(&mut tx).await?;
    let views = db::pending_views::oldest(&mut tx, FOLD_BATCH).await?;
    let Some(last) = views.last().map(|v| v.n) else {
        // Commits what `forget_folded` removed, if anything.
        tx.commit().await?;
        return Ok(0);
    };
    db::audit::append_many(&mut tx, &entries(&views)).await?;
    db::pending_views::remove_through(&mut tx, last).await?;
    tx.commit().await?;
    Ok(views.len())
}

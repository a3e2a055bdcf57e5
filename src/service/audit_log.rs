//! A brand admin's view of the brand's audit log: who did what, when, from where; filtered,
//! paged and exported as CSV. Exporting is itself audited.

use serde_json::json;

use super::{AuditEvent, ServiceError, ServiceResult, actions, audit, tenant_of};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db::audit::{AuditFilter, ListedEntry};
use crate::db::{self};
use crate::domain::org::{OrgKind, Permission};
use crate::domain::time::UtcMillis;

#[derive(Clone, Debug, Default)]
pub struct Filters {
    pub actor_email: Option<String>,
    pub action: Option<String>,
    /// An order's PO number or any object id.
    pub object: Option<String>,
    /// `YYYY-MM-DD`, inclusive, UTC.
    pub from: Option<String>,
    pub to: Option<String>,
}

/// The largest export in one file.
pub const EXPORT_LIMIT: i64 = 50_000;

fn require_admin(actor: &Actor) -> ServiceResult<()> {
    if actor.org_kind == OrgKind::Brand && actor.can(Permission::ManagePartners) {
        Ok(())
    } else {
        Err(ServiceError::NotFound)
    }
}

fn day_start(date: &str) -> Option<i64> {
    UtcMillis::parse_rfc3339(&format!("{date}T00:00:00Z")).map(|t| t.0)
}

async fn query(
    state: &AppState,
    actor: &Actor,
    f: &Filters,
    before: Option<i64>,
    limit: i64,
) -> ServiceResult<Vec<ListedEntry>> {
    require_admin(actor)?;
    let tenant = tenant_of(actor)?.tenant_id;
    // Views wait a moment before they join the chain; the log shows them all.
    state.view_audit.flush().await?;
    let mut conn = state.db.read().await?;
    // A PO number stands for its order's id.
    let object = match f.object.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
        Some(o) => Some(
            match db::orders::id_by_po_number(&mut conn, tenant, o).await? {
                Some(id) => id.to_string(),
                None => o.to_owned(),
            },
        ),
        None => None,
    };
    let to_ms = f.to.as_deref().and_then(day_start).map(|t| t + 86_400_000);
    Ok(db::audit::list_for_tenant(
        &mut conn,
        &AuditFilter {
            tenant,
            actor_email: f
                .actor_email
                .as_deref()
                .map(str::trim)
                .filter(|e| !e.is_empty()),
            action: f.action.as_deref().filter(|a| !a.is_empty()),
            subject_id: object.as_deref(),
            from_ms: f.from.as_deref().and_then(day_start),
            to_ms,
            before_seq: before,
            limit,
        },
    )
    .await?)
}

pub async fn list(
    state: &AppState,
    actor: &Actor,
    f: &Filters,
    before: Option<i64>,
) -> ServiceResult<Vec<ListedEntry>> {
    query(state, actor, f, before, super::PAGE_SIZE).await
}

/// The filtered log as CSV text; the export is recorded in the log it exports.
pub async fn export_csv(state: &AppState, actor: &Actor, f: &Filters) -> ServiceResult<String> {
    let rows = query(state, actor, f, None, EXPORT_LIMIT).await?;
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header = [
        "seq",
        "time_utc",
        "actor",
        "actor_org",
        "action",
        "object_type",
        "object_id",
        "client_addr",
        "detail",
    ];
    writer.write_record(header).map_err(anyhow::Error::from)?;
    for r in &rows {
        writer
            .write_record([
                r.seq.to_string(),
                UtcMillis(r.at).rfc3339(),
                r.actor_email.clone().unwrap_or_default(),
                r.actor_org_name.clone().unwrap_or_default(),
                r.action.clone(),
                r.subject_type.clone(),
                r.subject_id.clone().unwrap_or_default(),
                r.client_addr.clone().unwrap_or_default(),
                r.detail.clone(),
            ])
            .map_err(anyhow::Error::from)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| anyhow::anyhow!("csv: {e}"))?;
    let tenant = tenant_of(actor)?.tenant_id;
    let mut tx = state.db.begin().await?;
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::about(actions::AUDIT_EXPORTED, "audit_log").detail(json!({
            "rows": rows.len(), "actor": f.actor_email, "action": f.action, "object": f.object,
            "from": f.from, "to": f.to,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(String::from_utf8(bytes).map_err(anyhow::Error::from)?)
}

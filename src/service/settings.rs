//! A brand's settings, changed by its admins.

use serde_json::json;

use super::{AuditEvent, ServiceError, ServiceResult, actions, audit, tenant_of};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db;
use crate::domain::org::{OrgKind, Permission};
use crate::domain::time::UtcMillis;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BrandSettings {
    /// Production milestones wait for an approved first sample.
    pub production_requires_sample: bool,
}

fn require_admin(actor: &Actor) -> ServiceResult<()> {
    if actor.org_kind == OrgKind::Brand && actor.can(Permission::ManageBrandSettings) {
        Ok(())
    } else {
        Err(ServiceError::NotFound)
    }
}

pub async fn get(state: &AppState, actor: &Actor) -> ServiceResult<BrandSettings> {
    require_admin(actor)?;
    let tenant = tenant_of(actor)?.tenant_id;
    let mut conn = state.db.reader().acquire().await?;
    Ok(BrandSettings {
        production_requires_sample: db::samples::production_requires_sample(&mut conn, tenant)
            .await?,
    })
}

pub async fn set(state: &AppState, actor: &Actor, new: BrandSettings) -> ServiceResult<()> {
    require_admin(actor)?;
    let tenant = tenant_of(actor)?.tenant_id;
    let mut tx = state.db.begin().await?;
    let old = db::samples::production_requires_sample(&mut tx, tenant).await?;
    db::samples::set_production_requires_sample(
        &mut tx,
        tenant,
        new.production_requires_sample,
        UtcMillis::now().0,
    )
    .await?;
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::about(actions::BRAND_SETTINGS_CHANGED, "brand_settings").detail(json!({
            "production_requires_sample": { "from": old, "to": new.production_requires_sample },
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

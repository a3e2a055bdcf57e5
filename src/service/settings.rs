//! A brand's settings, changed by its admins.

use serde_json::json;

use super::{AuditEvent, FieldErrors, ServiceError, ServiceResult, actions, audit, tenant_of};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db;
use crate::domain::org::{OrgKind, Permission};
use crate::domain::settings::{BrandSettings, parse_acceptance_threshold, parse_ship_tolerance};
use crate::domain::time::UtcMillis;

/// The settings form as typed.
#[derive(Clone, Debug, Default)]
pub struct SettingsInput {
    pub production_requires_sample: bool,
    pub ship_tolerance_pct: String,
    /// Blank, or whole units of an invoice's currency.
    pub invoice_second_acceptance_above: String,
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
    let mut conn = state.db.read().await?;
    Ok(db::brand_settings::get(&mut conn, tenant).await?)
}

pub async fn set(state: &AppState, actor: &Actor, input: &SettingsInput) -> ServiceResult<()> {
    require_admin(actor)?;
    let mut errors = FieldErrors::default();
    let tolerance = errors.check(
        "ship_tolerance_pct",
        parse_ship_tolerance(&input.ship_tolerance_pct),
    );
    let threshold = errors.check(
        "invoice_second_acceptance_above",
        parse_acceptance_threshold(&input.invoice_second_acceptance_above),
    );
    errors.into_result()?;
    let new = BrandSettings {
        production_requires_sample: input.production_requires_sample,
        ship_tolerance_pct: tolerance.unwrap_or_default(),
        invoice_second_acceptance_above: threshold.flatten(),
    };
    let tenant = tenant_of(actor)?.tenant_id;
    let mut tx = state.db.begin().await?;
    let old = db::brand_settings::get(&mut tx, tenant).await?;
    db::brand_settings::save(&mut tx, tenant, &new, UtcMillis::now().0).await?;
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::about(actions::BRAND_SETTINGS_CHANGED, "brand_settings").detail(json!({
            "production_requires_sample": { "from": old.production_requires_sample, "to": new.production_requires_sample },
            "ship_tolerance_pct": { "from": old.ship_tolerance_pct, "to": new.ship_tolerance_pct },
            "invoice_second_acceptance_above": { "from": old.invoice_second_acceptance_above, "to": new.invoice_second_acceptance_above },
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

//! A brand's partners: the list, one partner's page, suspending and reactivating.

use serde_json::json;

use super::{AuditEvent, ServiceError, ServiceResult, actions, audit, tenant_of};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db;
use crate::db::partnerships::PartnerRow;
use crate::db::users::User;
use crate::domain::ids::OrgId;
use crate::domain::org::{OrgKind, Permission};
use crate::domain::time::UtcMillis;

fn require_brand_viewer(actor: &Actor) -> ServiceResult<()> {
    // Partners do not see a brand's other partners; to them the pages do not exist.
    if actor.org_kind == OrgKind::Brand && actor.can(Permission::ViewPartners) {
        Ok(())
    } else {
        Err(ServiceError::NotFound)
    }
}

pub async fn list(
    state: &AppState,
    actor: &Actor,
    after: Option<(String, OrgId)>,
) -> ServiceResult<Vec<PartnerRow>> {
    require_brand_viewer(actor)?;
    let tenant = tenant_of(actor)?.tenant_id;
    let mut conn = state.db.read().await?;
    let after = after.as_ref().map(|(name, id)| (name.as_str(), *id));
    Ok(db::partnerships::list_for_tenant(&mut conn, tenant, after, super::PAGE_SIZE).await?)
}

/// One partner of the actor's brand, without its people.
pub async fn summary(state: &AppState, actor: &Actor, partner: OrgId) -> ServiceResult<PartnerRow> {
    require_brand_viewer(actor)?;
    let tenant = tenant_of(actor)?.tenant_id;
    let mut conn = state.db.read().await?;
    db::partnerships::get(&mut conn, tenant, partner)
        .await?
        .ok_or(ServiceError::NotFound)
}

pub struct PartnerDetail {
    pub partner: PartnerRow,
    /// The partner's people, shown to brand admins only (personal contact data).
    pub contacts: Option<Vec<User>>,
}

/// One partner of the actor's brand. Viewing contact details is audited.
pub async fn detail(
    state: &AppState,
    actor: &Actor,
    partner: OrgId,
) -> ServiceResult<PartnerDetail> {
    require_brand_viewer(actor)?;
    let tenant = tenant_of(actor)?.tenant_id;
    let mut conn = state.db.read().await?;
    let row = db::partnerships::get(&mut conn, tenant, partner)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let contacts = if actor.can(Permission::ManagePartners) {
        let users = db::users::list_in_org(&mut conn, partner, None, super::PAGE_SIZE).await?;
        drop(conn);
        let mut tx = state.db.begin().await?;
        audit(
            &mut tx,
            actor,
            Some(tenant),
            AuditEvent::new(actions::PARTNER_CONTACTS_VIEWED, "org", partner),
        )
        .await?;
        tx.commit().await?;
        Some(users)
    } else {
        None
    };
    Ok(PartnerDetail {
        partner: row,
        contacts,
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartnershipChange {
    Suspend,
    Reactivate,
}

pub async fn change_status(
    state: &AppState,
    actor: &Actor,
    partner: OrgId,
    change: PartnershipChange,
) -> ServiceResult<PartnerRow> {
    require_brand_viewer(actor)?;
    let tenant = tenant_of(actor)?.tenant_id;
    let mut tx = state.db.begin().await?;
    let row = db::partnerships::get(&mut tx, tenant, partner)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if !actor.can(Permission::ManagePartners) {
        return Err(ServiceError::Forbidden);
    }
    let next = match change {
        PartnershipChange::Suspend => row.status.suspend(),
        PartnershipChange::Reactivate => row.status.reactivate(),
    }
    .map_err(|refusal| ServiceError::Refused(refusal.message_key()))?;
    db::partnerships::set_status(&mut tx, tenant, partner, next, UtcMillis::now().0).await?;
    let action = match change {
        PartnershipChange::Suspend => actions::PARTNER_SUSPENDED,
        PartnershipChange::Reactivate => actions::PARTNER_REACTIVATED,
    };
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::new(action, "org", partner)
            .detail(json!({ "from": row.status.as_str(), "to": next.as_str() })),
    )
    .await?;
    tx.commit().await?;
    Ok(PartnerRow {
        status: next,
        ..row
    })
}

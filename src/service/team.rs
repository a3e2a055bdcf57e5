//! An organisation's own people: list, roles, disabling and enabling. An organisation never
//! loses its last active admin.

use serde_json::json;

use super::{AuditEvent, ServiceError, ServiceResult, actions, audit};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db;
use crate::db::users::User;
use crate::domain::ids::UserId;
use crate::domain::org::{Permission, Role};
use crate::domain::time::UtcMillis;

fn require_admin(actor: &Actor) -> ServiceResult<()> {
    if actor.can(Permission::ManageOwnUsers) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

pub async fn list(
    state: &AppState,
    actor: &Actor,
    after: Option<&str>,
) -> ServiceResult<Vec<User>> {
    require_admin(actor)?;
    let mut conn = state.db.read().await?;
    Ok(db::users::list_in_org(&mut conn, actor.org_id, after, super::PAGE_SIZE).await?)
}

pub async fn get(state: &AppState, actor: &Actor, id: UserId) -> ServiceResult<User> {
    if !actor.can(Permission::ManageOwnUsers) {
        return Err(ServiceError::NotFound);
    }
    let mut conn = state.db.read().await?;
    db::users::get_in_org(&mut conn, actor.org_id, id)
        .await?
        .ok_or(ServiceError::NotFound)
}

pub async fn change_role(
    state: &AppState,
    actor: &Actor,
    id: UserId,
    role_input: &str,
) -> ServiceResult<()> {
    let user = get(state, actor, id).await?;
    let role = Role::parse_for(actor.org_kind, role_input)
        .ok_or(ServiceError::Refused("validation.role"))?;
    if user.id == actor.user_id {
        return Err(ServiceError::Refused("team.cannot_change_self"));
    }
    let mut tx = state.db.begin().await?;
    if user.role == Role::Admin
        && role != Role::Admin
        && db::users::count_admins_in_org(&mut tx, actor.org_id).await? <= 1
    {
        return Err(ServiceError::Refused("team.last_admin"));
    }
    db::users::set_role(&mut tx, actor.org_id, id, role).await?;
    let tenant = actor.scope.as_ref().map(|s| s.tenant_id);
    audit(
        &mut tx,
        actor,
        tenant,
        AuditEvent::new(actions::USER_ROLE_CHANGED, "user", id)
            .detail(json!({ "from": user.role.as_str(), "to": role.as_str() })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn set_active(
    state: &AppState,
    actor: &Actor,
    id: UserId,
    active: bool,
) -> ServiceResult<()> {
    let user = get(state, actor, id).await?;
    if user.id == actor.user_id {
        return Err(ServiceError::Refused("team.cannot_change_self"));
    }
    if user.is_active() == active {
        return Err(ServiceError::Refused(if active {
            "team.already_active"
        } else {
            "team.already_disabled"
        }));
    }
    let mut tx = state.db.begin().await?;
    if !active
        && user.role == Role::Admin
        && db::users::count_admins_in_org(&mut tx, actor.org_id).await? <= 1
    {
        return Err(ServiceError::Refused("team.last_admin"));
    }
    db::users::set_active(&mut tx, actor.org_id, id, active, UtcMillis::now().0).await?;
    let tenant = actor.scope.as_ref().map(|s| s.tenant_id);
    let action = if active {
        actions::USER_ENABLED
    } else {
        actions::USER_DISABLED
    };
    audit(&mut tx, actor, tenant, AuditEvent::new(action, "user", id)).await?;
    tx.commit().await?;
    Ok(())
}

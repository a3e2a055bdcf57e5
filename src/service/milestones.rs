//! The brand's milestone template, edited by its admins: rename, reorder and switch off the
//! built-in milestones, add its own.

use serde_json::json;

use super::{AuditEvent, FieldErrors, ServiceError, ServiceResult, actions, audit, tenant_of};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db::{self, Conn};
use crate::domain::ids::TenantId;
use crate::domain::order::milestones::{Step, TemplateRefusal, check_template, default_template};
use crate::domain::org::{OrgKind, Permission};

/// One row of the template form as typed.
#[derive(Clone, Debug, Default)]
pub struct StepInput {
    pub code: String,
    pub label: String,
    pub position: String,
    pub active: bool,
    pub production: bool,
}

/// The brand's template: as saved, else the defaults.
pub(crate) async fn of_tenant(conn: &mut Conn, tenant: TenantId) -> ServiceResult<Vec<Step>> {
    let saved = db::milestones::template(conn, tenant).await?;
    Ok(if saved.is_empty() {
        default_template()
    } else {
        saved
    })
}

fn require_admin(actor: &Actor) -> ServiceResult<TenantId> {
    if actor.org_kind == OrgKind::Brand && actor.can(Permission::ManageBrandSettings) {
        Ok(tenant_of(actor)?.tenant_id)
    } else {
        Err(ServiceError::NotFound)
    }
}

pub async fn template(state: &AppState, actor: &Actor) -> ServiceResult<Vec<Step>> {
    let tenant = require_admin(actor)?;
    let mut conn = state.db.read().await?;
    of_tenant(&mut conn, tenant).await
}

/// Checks and stores a template, auditing what it was and what it becomes.
async fn store(
    state: &AppState,
    actor: &Actor,
    tenant: TenantId,
    before: &[Step],
    after: Vec<Step>,
    mut errors: FieldErrors,
) -> ServiceResult<()> {
    match check_template(&after) {
        Ok(()) => {}
        Err((Some(code), TemplateRefusal::DuplicateLabel)) => {
            // Mark every milestone with that name: the admin may have changed either.
            let name = |s: &Step| s.label.trim().to_lowercase();
            let taken = after.iter().find(|s| s.code == code).map(name);
            for step in after.iter().filter(|s| Some(name(s)) == taken) {
                errors.add(
                    format!("steps.{}.label", step.code),
                    TemplateRefusal::DuplicateLabel.message_key(),
                );
            }
        }
        Err((Some(code), refusal)) => {
            errors.add(format!("steps.{code}.label"), refusal.message_key())
        }
        Err((None, refusal)) => errors.add("steps", refusal.message_key()),
    }
    errors.into_result()?;
    let mut tx = state.db.begin().await?;
    db::milestones::replace(&mut tx, tenant, &after).await?;
    let describe = |steps: &[Step]| -> Vec<serde_json::Value> {
        steps
            .iter()
            .map(|s| json!({ "code": s.code, "label": s.label, "active": s.active, "production": s.is_production() }))
            .collect()
    };
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::about(actions::MILESTONES_CHANGED, "milestone_template")
            .detail(json!({ "from": describe(before), "to": describe(&after) })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Saves names, order and use of the existing milestones.
pub async fn save(state: &AppState, actor: &Actor, rows: &[StepInput]) -> ServiceResult<()> {
    let tenant = require_admin(actor)?;
    let before = {
        let mut conn = state.db.read().await?;
        of_tenant(&mut conn, tenant).await?
    };
    let mut errors = FieldErrors::default();
    let mut placed = Vec::new();
    for (index, step) in before.iter().enumerate() {
        let Some(row) = rows.iter().find(|r| r.code == step.code) else {
            placed.push((index as i64 + 1, step.clone()));
            continue;
        };
        let position = match row.position.trim().parse::<i64>() {
            Ok(p) if (1..=99).contains(&p) => p,
            _ => {
                errors.add(
                    format!("steps.{}.position", step.code),
                    "milestones.refused.position",
                );
                index as i64 + 1
            }
        };
        let mut next = step.clone();
        next.label = row.label.trim().to_owned();
        next.active = row.active;
        if next.builtin().is_none() {
            next.production = row.production;
        }
        placed.push((position, next));
    }
    // Stable: equal positions keep their current order.
    placed.sort_by_key(|(position, _)| *position);
    let after = placed.into_iter().map(|(_, step)| step).collect();
    store(state, actor, tenant, &before, after, errors).await
}

/// Adds a milestone of the brand's own at the end.
pub async fn add(
    state: &AppState,
    actor: &Actor,
    label: &str,
    production: bool,
) -> ServiceResult<()> {
    let tenant = require_admin(actor)?;
    let before = {
        let mut conn = state.db.read().await?;
        of_tenant(&mut conn, tenant).await?
    };
    let code = format!("own-{}", &uuid::Uuid::now_v7().simple().to_string()[20..]);
    let mut after = before.clone();
    after.push(Step {
        code: code.clone(),
        label: label.trim().to_owned(),
        production,
        active: true,
    });
    let mut errors = FieldErrors::default();
    if let Err((Some(c), refusal)) = check_template(&after)
        && c == code
    {
        // Report a problem with the new name on the add form itself.
        errors.add("new_label", refusal.message_key());
        return Err(ServiceError::Invalid(errors));
    }
    store(state, actor, tenant, &before, after, errors).await
}

//! Brand admins tune the SLA policies: per clock kind a default, and optionally one for a kind
//! of partner or a single partner. Every save is a new version: running clocks keep the
//! version they started with, and the history shows who changed what.

use serde_json::{Value, json};

use super::calendars::{admin_of, brand_of, require_admin};
use super::setup::{self, snapshot};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db;
use crate::db::sla_setup::{PolicyRow, PolicyVersion};
use crate::domain::org::{OrgKind, Role};
use crate::domain::sla::policy::Kind;
use crate::domain::sla::timer::Target;
use crate::service::{AuditEvent, FieldErrors, ServiceError, ServiceResult, actions, audit};

/// Roles that can be told of warnings, breaches and escalations.
pub const ALERT_ROLES: [&str; 4] = ["admin", "ops", "quality", "finance"];

pub struct PolicyInput {
    pub version: String,
    pub active: bool,
    pub target_amount: String,
    pub target_unit: String,
    pub calendar: String,
    pub warn_percent: String,
    pub pause_on_brand: bool,
    pub warning_roles: Vec<String>,
    pub breach_roles: Vec<String>,
    pub again_after_hours: String,
    pub again_roles: Vec<String>,
}

pub async fn list(state: &AppState, actor: &Actor) -> ServiceResult<Vec<PolicyRow>> {
    let tenant = admin_of(actor)?;
    let mut tx = state.db.begin().await?;
    setup::ensure_defaults(&mut tx, tenant, state.now().0).await?;
    let rows = db::sla_setup::policies(&mut tx, tenant).await?;
    tx.commit().await?;
    Ok(rows)
}

pub async fn history(
    state: &AppState,
    actor: &Actor,
    id: &str,
) -> ServiceResult<(PolicyRow, Vec<PolicyVersion>)> {
    let tenant = brand_of(actor)?;
    let mut conn = state.db.read().await?;
    let policy = db::sla_setup::policy(&mut conn, tenant, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    require_admin(actor)?;
    let versions = db::sla_setup::policy_versions(&mut conn, tenant, id).await?;
    Ok((policy, versions))
}

/// Adds a policy for a kind of partner (`scope` = "kind:factory") or one partner
/// ("partner:<id>"), starting from the brand's default for that clock. Returns its id.
pub async fn add_scoped(
    state: &AppState,
    actor: &Actor,
    kind: &str,
    scope: &str,
) -> ServiceResult<String> {
    let tenant = admin_of(actor)?;
    let mut e = FieldErrors::default();
    let kind = e.check("kind", Kind::parse(kind).ok_or("sla.refused.kind"));
    let mut tx = state.db.begin().await?;
    setup::ensure_defaults(&mut tx, tenant, state.now().0).await?;
    let (partner_kind, partner_org_id) = match scope.split_once(':') {
        Some(("kind", k))
            if OrgKind::parse(k).is_some_and(|k| OrgKind::PARTNER_KINDS.contains(&k)) =>
        {
            (Some(k.to_owned()), None)
        }
        Some(("partner", id)) => {
            let partners =
                db::partnerships::active_of_kinds(&mut tx, tenant, &OrgKind::PARTNER_KINDS).await?;
            match partners.iter().find(|(p, _, _)| p.to_string() == id) {
                Some((p, _, _)) => (None, Some(p.to_string())),
                None => {
                    e.add("scope", "sla.refused.scope");
                    (None, None)
                }
            }
        }
        _ => {
            e.add("scope", "sla.refused.scope");
            (None, None)
        }
    };
    e.into_result()?;
    let kind = kind.ok_or(ServiceError::NotFound)?;
    let base = db::sla_setup::policy(&mut tx, tenant, &format!("default-{}", kind.code()))
        .await?
        .ok_or(ServiceError::NotFound)?;
    let policy = PolicyRow {
        id: uuid::Uuid::now_v7().to_string(),
        partner_kind,
        partner_org_id,
        version: 1,
        ..base
    };
    if !db::sla_setup::insert_policy(
        &mut tx,
        tenant,
        &policy,
        &snapshot(&policy),
        Some(actor.user_id),
        state.now().0,
    )
    .await?
    {
        return Err(ServiceError::Refused("sla.refused.scope_exists"));
    }
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::new(actions::SLA_POLICY_CHANGED, "sla_policy", &policy.id)
            .detail(json!({ "created": serde_json::from_str::<Value>(&snapshot(&policy)).unwrap_or_default() })),
    )
    .await?;
    tx.commit().await?;
    Ok(policy.id)
}

/// Saves new rules as the next version. Refused when someone saved since the form was opened.
pub async fn save(
    state: &AppState,
    actor: &Actor,
    id: &str,
    input: &PolicyInput,
) -> ServiceResult<()> {
    let tenant = brand_of(actor)?;
    let mut tx = state.db.begin().await?;
    let before = db::sla_setup::policy(&mut tx, tenant, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    require_admin(actor)?;
    let calendars = db::sla_setup::calendars(&mut tx, tenant).await?;
    let mut e = FieldErrors::default();
    let amount = e.check(
        "target_amount",
        input
            .target_amount
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .ok_or("sla.refused.target"),
    );
    let target = amount.and_then(|n| {
        e.check(
            "target_unit",
            Target::parse(&input.target_unit, n).ok_or("sla.refused.unit"),
        )
    });
    let calendar = if input.calendar.is_empty() {
        None
    } else {
        e.check(
            "calendar",
            calendars
                .iter()
                .find(|c| c.id == input.calendar)
                .map(|c| c.id.clone())
                .ok_or("sla.refused.calendar"),
        )
    };
    let warn = e.check(
        "warn_percent",
        input
            .warn_percent
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=99).contains(n))
            .ok_or("sla.refused.warn_percent"),
    );
    let again = e.check(
        "again_after_hours",
        input
            .again_after_hours
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| (0..=720).contains(n))
            .ok_or("sla.refused.again"),
    );
    let roles = |list: &[String], field: &str, e: &mut FieldErrors| -> Vec<String> {
        if list
            .iter()
            .any(|r| !ALERT_ROLES.contains(&r.as_str()) || Role::parse(r).is_none())
        {
            e.add(field, "sla.refused.roles");
        }
        list.to_vec()
    };
    let escalation = json!({
        "warning": roles(&input.warning_roles, "warning_roles", &mut e),
        "breach": roles(&input.breach_roles, "breach_roles", &mut e),
        "again_after_hours": again.unwrap_or(0),
        "again": roles(&input.again_roles, "again_roles", &mut e),
    });
    e.into_result()?;
    if input.version.trim() != before.version.to_string() {
        return Err(ServiceError::Refused("sla.refused.stale"));
    }
    let target = target.ok_or(ServiceError::NotFound)?;
    let after = PolicyRow {
        active: input.active.into(),
        target_unit: target.unit().into(),
        target_amount: target.amount().into(),
        calendar_id: calendar,
        warn_percent: warn.unwrap_or(80),
        pause_on_brand: input.pause_on_brand.into(),
        escalation: escalation.to_string(),
        ..before.clone()
    };
    if !db::sla_setup::save_policy_version(
        &mut tx,
        tenant,
        &after,
        &snapshot(&after),
        actor.user_id,
        state.now().0,
    )
    .await?
    {
        return Err(ServiceError::Refused("sla.refused.stale"));
    }
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::new(actions::SLA_POLICY_CHANGED, "sla_policy", id).detail(json!({
            "version": before.version + 1,
            "before": serde_json::from_str::<Value>(&snapshot(&before)).unwrap_or_default(),
            "after": serde_json::from_str::<Value>(&snapshot(&after)).unwrap_or_default(),
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The brand's active partners a policy can be scoped to: (id, name).
pub async fn partner_choices(
    state: &AppState,
    actor: &Actor,
) -> ServiceResult<Vec<(String, String)>> {
    let tenant = admin_of(actor)?;
    let mut conn = state.db.read().await?;
    Ok(
        db::partnerships::active_of_kinds(&mut conn, tenant, &OrgKind::PARTNER_KINDS)
            .await?
            .into_iter()
            .map(|(id, name, _)| (id.to_string(), name))
            .collect(),
    )
}

//! Handling an alert on the ops dashboard: acknowledge it, assign it to a colleague, comment,
//! or snooze it with a reason. Brand admins and ops only; every step is audited and makes open
//! dashboards reload.

use serde_json::json;

use super::board::{brand_watcher, touch};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db;
use crate::domain::ids::{TenantId, UserId};
use crate::domain::org::Permission;
use crate::service::{AuditEvent, FieldErrors, ServiceError, ServiceResult, actions, audit};

/// The longest snooze offered (a week); longer is refused.
pub const MAX_SNOOZE_HOURS: i64 = 7 * 24;
/// The longest comment or snooze reason.
pub const MAX_TEXT: usize = 1000;

pub enum Handling {
    Acknowledge,
    Assign { to: String },
    Comment { body: String },
    Snooze { hours: String, reason: String },
}

pub async fn handle(
    state: &AppState,
    actor: &Actor,
    alert_id: &str,
    step: &Handling,
) -> ServiceResult<()> {
    // Partners have no alerts to handle: to them none exists.
    let tenant = brand_watcher(actor).map_err(|_| ServiceError::NotFound)?;
    let mut tx = state.db.begin().await?;
    // Looked up before the permission check: another brand's alert does not exist here.
    let alert = db::sla_board::alert(&mut tx, tenant, alert_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if !actor.can(Permission::ManageOrders) {
        return Err(ServiceError::Forbidden);
    }
    let now = state.now().0;
    let (action, detail) = match step {
        Handling::Acknowledge => {
            if !db::sla_board::acknowledge(&mut tx, tenant, &alert.id, actor.user_id, now).await? {
                return Err(ServiceError::Refused("sla.refused.already_acknowledged"));
            }
            (actions::SLA_ALERT_ACKNOWLEDGED, json!({}))
        }
        Handling::Assign { to } => {
            let to = assignee(&mut tx, tenant, to).await?;
            db::sla_board::assign(&mut tx, tenant, &alert.id, to).await?;
            (
                actions::SLA_ALERT_ASSIGNED,
                json!({ "to": to.map(|u| u.to_string()) }),
            )
        }
        Handling::Comment { body } => {
            let body = required_text(body, "body")?;
            db::sla_board::add_comment(&mut tx, tenant, &alert.id, actor.user_id, &body, now)
                .await?;
            (actions::SLA_ALERT_COMMENTED, json!({ "body": body }))
        }
        Handling::Snooze { hours, reason } => {
            let mut errors = FieldErrors::default();
            let hours = errors.check(
                "hours",
                hours
                    .trim()
                    .parse::<i64>()
                    .ok()
                    .filter(|h| (1..=MAX_SNOOZE_HOURS).contains(h))
                    .ok_or("sla.refused.snooze_hours"),
            );
            let reason = errors.check(
                "reason",
                required_text(reason, "reason").map_err(|_| "sla.refused.snooze_reason"),
            );
            errors.into_result()?;
            let (hours, reason) = (hours.unwrap_or(1), reason.unwrap_or_default());
            let until = now + hours * 3_600_000;
            db::sla_board::snooze(&mut tx, tenant, &alert.id, until, &reason).await?;
            (
                actions::SLA_ALERT_SNOOZED,
                json!({ "hours": hours, "reason": reason }),
            )
        }
    };
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::new(action, "sla_alert", &alert.id).detail(json!({
            "order": alert.order_id.to_string(), "level": alert.level, "step": detail,
        })),
    )
    .await?;
    touch(&mut tx, tenant).await?;
    tx.commit().await?;
    Ok(())
}

/// What one alert's handling forms show: the alert, and the colleagues it can go to. The
/// dashboard loads these when a row's "Assign, comment, snooze" opens, so the board does not
/// carry three forms and the whole team list for every row.
pub struct HandlingView {
    pub alert: db::sla_board::AlertCard,
    pub assignees: Vec<(UserId, String)>,
}

pub async fn handling_view(
    state: &AppState,
    actor: &Actor,
    alert_id: &str,
) -> ServiceResult<HandlingView> {
    let tenant = brand_watcher(actor).map_err(|_| ServiceError::NotFound)?;
    let mut conn = state.db.read().await?;
    let alert = db::sla_board::alert_card(&mut conn, tenant, alert_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if !actor.can(Permission::ManageOrders) {
        return Err(ServiceError::Forbidden);
    }
    let assignees = db::sla_board::assignees(&mut conn, tenant.into()).await?;
    Ok(HandlingView { alert, assignees })
}

/// A colleague who can act on orders, or nobody (unassign).
async fn assignee(
    conn: &mut db::Conn,
    tenant: TenantId,
    to: &str,
) -> ServiceResult<Option<UserId>> {
    if to.trim().is_empty() {
        return Ok(None);
    }
    let allowed = db::sla_board::assignees(conn, tenant.into()).await?;
    allowed
        .into_iter()
        .map(|(id, _)| id)
        .find(|id| id.to_string() == to.trim())
        .map(Some)
        .ok_or_else(|| {
            let mut e = FieldErrors::default();
            e.add("to", "sla.refused.assignee");
            ServiceError::Invalid(e)
        })
}

fn required_text(text: &str, field: &str) -> ServiceResult<String> {
    let text = text.trim();
    let mut e = FieldErrors::default();
    if text.is_empty() {
        e.add(field, "validation.required");
    } else if text.chars().count() > MAX_TEXT {
        e.add(field, "validation.text_too_long");
    }
    e.into_result()?;
    Ok(text.to_owned())
}

//! Reminders for lines short of materials as their planned production start nears: the factory
//! and the brand's ops hear once per planned date.

use time::Date;

use super::kitting_status::statuses_of_order_lines;
use crate::app::AppState;
use crate::db;
use crate::domain::order::kitting::{REMINDER_LEAD_DAYS, needs_reminder};
use crate::service::{ServiceResult, notifications};

fn parse_day(text: &str) -> Option<Date> {
    Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}

/// Sends the reminders due on `today`; returns how many lines were reminded.
pub async fn remind_due(state: &AppState, today: Date) -> ServiceResult<usize> {
    // A pass crosses brands: every brand's planned lines.
    crate::db::scope::system(remind_due_in_system_scope(state, today)).await
}

async fn remind_due_in_system_scope(state: &AppState, today: Date) -> ServiceResult<usize> {
    let until = (today + time::Duration::days(REMINDER_LEAD_DAYS)).to_string();
    let plans = {
        let mut conn = state.db.read().await?;
        db::kitting::plans_due(&mut conn, &until).await?
    };
    let mut sent = 0;
    for plan in plans {
        let Some(start) = parse_day(&plan.planned_start) else {
            continue;
        };
        let mut tx = state.db.begin().await?;
        let Some(order) = db::orders::get(&mut tx, plan.tenant_id, plan.order_id).await? else {
            continue;
        };
        let status = statuses_of_order_lines(&mut tx, plan.tenant_id, order.id)
            .await?
            .get(&plan.line_no)
            .copied()
            .unwrap_or(crate::domain::order::kitting::KitStatus::NoBom);
        let days = (start - today).whole_days();
        let open = order.state != crate::domain::order::state::OrderState::Cancelled;
        if !(open && needs_reminder(status, days, false)) {
            continue;
        }
        if !db::kitting::mark_reminded(&mut tx, &plan).await? {
            continue;
        }
        notifications::kitting_short(&mut tx, state, &order).await?;
        tx.commit().await?;
        sent += 1;
    }
    if sent > 0 {
        state.outbox_wake.notify_one();
    }
    Ok(sent)
}

//! Brand admins keep the working calendars SLA clocks run on: time zone, hours per weekday,
//! holidays entered one by one or imported from a CSV or iCalendar file.

use jiff::tz::TimeZone;
use serde_json::json;

use super::setup;
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db::sla_setup::CalendarRow;
use crate::db::{self, Conn};
use crate::domain::ids::TenantId;
use crate::domain::org::{OrgKind, Permission};
use crate::domain::sla::holidays::{self, Holiday, RowProblem};
use crate::domain::sla::hours::WeekHours;
use crate::service::{
    AuditEvent, FieldErrors, ServiceError, ServiceResult, actions, audit, tenant_of,
};

const MAX_NAME: usize = 80;

pub struct CalendarInput {
    pub name: String,
    pub time_zone: String,
    /// Monday first.
    pub hours: [String; 7],
}

pub struct CalendarView {
    pub row: CalendarRow,
    pub week: WeekHours,
    pub holidays: Vec<(String, String)>,
}

/// The brand whose setup this is. Partners have none: to them it does not exist.
pub(super) fn brand_of(actor: &Actor) -> ServiceResult<TenantId> {
    let tenant = tenant_of(actor)?.tenant_id;
    if actor.org_kind != OrgKind::Brand {
        return Err(ServiceError::NotFound);
    }
    Ok(tenant)
}

/// Only the brand's admins change it (checked after the object was found in the brand).
pub(super) fn require_admin(actor: &Actor) -> ServiceResult<()> {
    if actor.can(Permission::ManageBrandSettings) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

pub(super) fn admin_of(actor: &Actor) -> ServiceResult<TenantId> {
    let tenant = brand_of(actor)?;
    require_admin(actor)?;
    Ok(tenant)
}

pub async fn list(state: &AppState, actor: &Actor) -> ServiceResult<Vec<CalendarView>> {
    let tenant = admin_of(actor)?;
    let mut tx = state.db.begin().await?;
    setup::ensure_defaults(&mut tx, tenant, state.now().0).await?;
    let mut out = Vec::new();
    for row in db::sla_setup::calendars(&mut tx, tenant).await? {
        let holidays = db::sla_setup::holidays(&mut tx, tenant, &row.id).await?;
        let week = week_of(&row);
        out.push(CalendarView {
            row,
            week,
            holidays,
        });
    }
    tx.commit().await?;
    Ok(out)
}

fn week_of(row: &CalendarRow) -> WeekHours {
    let texts: Vec<&str> = row.hours.split('|').collect();
    let mut days = [""; 7];
    for (slot, text) in days.iter_mut().zip(texts) {
        *slot = text;
    }
    WeekHours::parse(&days).unwrap_or_default()
}

/// Checks a calendar form; returns the stored form of its hours.
fn validate(input: &CalendarInput) -> ServiceResult<(String, String, String)> {
    let mut e = FieldErrors::default();
    let name = input.name.trim().to_owned();
    if name.is_empty() {
        e.add("name", "validation.required");
    } else if name.chars().count() > MAX_NAME {
        e.add("name", "validation.text_too_long");
    }
    let tz = input.time_zone.trim().to_owned();
    if TimeZone::get(&tz).is_err() {
        e.add("time_zone", "calendar.refused.time_zone");
    }
    let texts: [&str; 7] = std::array::from_fn(|i| input.hours[i].as_str());
    match WeekHours::parse(&texts) {
        Ok(week) if week.is_closed_all_week() => e.add("hours", "calendar.refused.no_hours"),
        Ok(_) => {}
        Err((day, err)) => e.add(format!("hours.{day}"), err.message_key()),
    }
    e.into_result()?;
    let hours = texts.iter().map(|t| t.trim()).collect::<Vec<_>>().join("|");
    Ok((name, tz, hours))
}

/// Adds a calendar; returns its id.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    input: &CalendarInput,
) -> ServiceResult<String> {
    let tenant = admin_of(actor)?;
    let (name, time_zone, hours) = validate(input)?;
    let row = CalendarRow {
        id: uuid::Uuid::now_v7().to_string(),
        name,
        time_zone,
        hours,
    };
    let mut tx = state.db.begin().await?;
    if !db::sla_setup::insert_calendar(&mut tx, tenant, &row, Some(actor.user_id), state.now().0)
        .await?
    {
        return Err(name_taken());
    }
    audited(
        &mut tx,
        actor,
        tenant,
        &row.id,
        json!({ "created": row.name, "time_zone": row.time_zone, "hours": row.hours }),
    )
    .await?;
    tx.commit().await?;
    Ok(row.id)
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: &str,
    input: &CalendarInput,
) -> ServiceResult<()> {
    let tenant = brand_of(actor)?;
    let mut tx = state.db.begin().await?;
    let before = db::sla_setup::calendar(&mut tx, tenant, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    require_admin(actor)?;
    let (name, time_zone, hours) = validate(input)?;
    let row = CalendarRow {
        id: before.id.clone(),
        name,
        time_zone,
        hours,
    };
    if !db::sla_setup::update_calendar(&mut tx, tenant, &row, actor.user_id, state.now().0).await? {
        return Err(name_taken());
    }
    audited(
        &mut tx,
        actor,
        tenant,
        id,
        json!({
            "before": { "name": before.name, "time_zone": before.time_zone, "hours": before.hours },
            "after": { "name": row.name, "time_zone": row.time_zone, "hours": row.hours },
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn add_holiday(
    state: &AppState,
    actor: &Actor,
    id: &str,
    day: &str,
    name: &str,
) -> ServiceResult<()> {
    let tenant = brand_of(actor)?;
    let mut tx = state.db.begin().await?;
    db::sla_setup::calendar(&mut tx, tenant, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    require_admin(actor)?;
    let mut e = FieldErrors::default();
    let day = e.check("day", holidays::parse_date(day).ok_or("validation.date"));
    let name = e.check("holiday_name", holidays::clean_name(name));
    e.into_result()?;
    let (day, name) = (
        day.unwrap_or_default().to_string(),
        name.unwrap_or_default(),
    );
    if !db::sla_setup::add_holiday(&mut tx, tenant, id, &day, &name).await? {
        return Err(ServiceError::Refused("calendar.refused.holiday_exists"));
    }
    audited(
        &mut tx,
        actor,
        tenant,
        id,
        json!({ "holiday_added": day, "name": name }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove_holiday(
    state: &AppState,
    actor: &Actor,
    id: &str,
    day: &str,
) -> ServiceResult<()> {
    let tenant = brand_of(actor)?;
    let mut tx = state.db.begin().await?;
    db::sla_setup::calendar(&mut tx, tenant, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    require_admin(actor)?;
    if !db::sla_setup::remove_holiday(&mut tx, tenant, id, day.trim()).await? {
        return Err(ServiceError::NotFound);
    }
    audited(
        &mut tx,
        actor,
        tenant,
        id,
        json!({ "holiday_removed": day.trim() }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Imports a file of holidays: all of it or, when any row is wrong, none (the problems by row).
/// Days the calendar already has are skipped. Returns how many were added.
pub async fn import(
    state: &AppState,
    actor: &Actor,
    id: &str,
    bytes: &[u8],
) -> ServiceResult<Result<usize, Vec<RowProblem>>> {
    let tenant = brand_of(actor)?;
    let mut tx = state.db.begin().await?;
    db::sla_setup::calendar(&mut tx, tenant, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    require_admin(actor)?;
    let parsed: Vec<Holiday> = match holidays::parse_file(bytes) {
        Ok(h) => h,
        Err(problems) => return Ok(Err(problems)),
    };
    let mut added = 0;
    for h in &parsed {
        if db::sla_setup::add_holiday(&mut tx, tenant, id, &h.day.to_string(), &h.name).await? {
            added += 1;
        }
    }
    audited(
        &mut tx,
        actor,
        tenant,
        id,
        json!({ "holidays_imported": added, "rows": parsed.len() }),
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(added))
}

fn name_taken() -> ServiceError {
    let mut e = FieldErrors::default();
    e.add("name", "calendar.refused.name_taken");
    ServiceError::Invalid(e)
}

async fn audited(
    conn: &mut Conn,
    actor: &Actor,
    tenant: TenantId,
    id: &str,
    detail: serde_json::Value,
) -> ServiceResult<()> {
    audit(
        conn,
        actor,
        Some(tenant),
        AuditEvent::new(actions::SLA_CALENDAR_CHANGED, "calendar", id).detail(detail),
    )
    .await?;
    Ok(())
}

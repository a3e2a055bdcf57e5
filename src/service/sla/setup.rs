//! A brand's SLA setup: the defaults every brand starts with (one office calendar and a policy
//! per clock kind, seeded the first time a clock needs them), and calendars as the engine uses
//! them.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde_json::json;

use crate::db::sla_setup::{CalendarRow, PolicyRow};
use crate::db::{self, Conn};
use crate::domain::ids::{OrgId, TenantId};
use crate::domain::sla::calendar::Calendar;
use crate::domain::sla::hours::WeekHours;
use crate::domain::sla::policy::{DEFAULT_WARN_PERCENT, Kind};
use crate::domain::sla::timer::Target;

/// The default calendar's id in every brand (ids are per tenant).
pub const OFFICE_CALENDAR: &str = "office";
const OFFICE_HOURS: &str = "09:00-17:00";

/// Who is told by default: ops at the warning, ops and admins at the breach, admins again
/// after a further working day.
pub fn default_escalation() -> serde_json::Value {
    json!({ "warning": ["ops"], "breach": ["ops", "admin"], "again_after_hours": 24, "again": ["admin"] })
}

/// Seeds the brand's default calendar and policies unless it has them (idempotent; safe when
/// two transactions race: the inserts skip what exists).
pub async fn ensure_defaults(
    conn: &mut Conn,
    tenant: TenantId,
    now: i64,
) -> Result<(), sqlx::Error> {
    // Seeded in one transaction with its policies: once the calendar is there, all of it is.
    if db::sla_setup::calendar(conn, tenant, OFFICE_CALENDAR)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let hours = [
        OFFICE_HOURS,
        OFFICE_HOURS,
        OFFICE_HOURS,
        OFFICE_HOURS,
        OFFICE_HOURS,
        "",
        "",
    ];
    db::sla_setup::insert_calendar(
        conn,
        tenant,
        &CalendarRow {
            id: OFFICE_CALENDAR.into(),
            name: "Office hours (UTC)".into(),
            time_zone: "UTC".into(),
            hours: hours.join("|"),
        },
        None,
        now,
    )
    .await?;
    for kind in Kind::ALL {
        let target = kind.default_target();
        let policy = PolicyRow {
            id: format!("default-{}", kind.code()),
            kind: kind.code().into(),
            partner_kind: None,
            partner_org_id: None,
            version: 1,
            active: 1,
            target_unit: target.unit().into(),
            target_amount: target.amount().into(),
            calendar_id: Some(OFFICE_CALENDAR.into()),
            warn_percent: DEFAULT_WARN_PERCENT.into(),
            pause_on_brand: kind.pauses_on_brand_by_default().into(),
            escalation: default_escalation().to_string(),
        };
        db::sla_setup::insert_policy(conn, tenant, &policy, &snapshot(&policy), None, now).await?;
    }
    Ok(())
}

/// A policy as its version history keeps it.
pub fn snapshot(p: &PolicyRow) -> String {
    json!({
        "kind": p.kind, "partner_kind": p.partner_kind, "partner_org_id": p.partner_org_id,
        "active": p.active == 1, "target_unit": p.target_unit, "target_amount": p.target_amount,
        "calendar_id": p.calendar_id, "warn_percent": p.warn_percent,
        "pause_on_brand": p.pause_on_brand == 1,
        "escalation": serde_json::from_str::<serde_json::Value>(&p.escalation).unwrap_or_default(),
    })
    .to_string()
}

/// The policy for a partner: its own over its kind's over the brand's default.
pub async fn policy_for(
    conn: &mut Conn,
    tenant: TenantId,
    kind: Kind,
    partner: OrgId,
    partner_kind: &str,
    now: i64,
) -> Result<Option<PolicyRow>, sqlx::Error> {
    ensure_defaults(conn, tenant, now).await?;
    let candidates =
        db::sla_setup::policies_for(conn, tenant, kind.code(), partner, partner_kind).await?;
    let partner = partner.to_string();
    let rank = |p: &PolicyRow| {
        if p.partner_org_id.as_deref() == Some(partner.as_str()) {
            0
        } else if p.partner_kind.is_some() {
            1
        } else {
            2
        }
    };
    Ok(candidates.into_iter().min_by_key(rank))
}

/// The target and warning percentage of the policy version a clock started under.
pub async fn version_terms(
    conn: &mut Conn,
    row: &crate::db::sla::TimerRow,
) -> Result<Option<(Target, u8)>, sqlx::Error> {
    let Some(snapshot) =
        db::sla_setup::policy_snapshot(conn, row.tenant_id, &row.policy_id, row.policy_version)
            .await?
    else {
        return Ok(None);
    };
    let v: serde_json::Value = serde_json::from_str(&snapshot).unwrap_or_default();
    let target = v["target_unit"]
        .as_str()
        .and_then(|unit| Target::parse(unit, u32::try_from(v["target_amount"].as_i64()?).ok()?));
    let warn = u8::try_from(v["warn_percent"].as_i64().unwrap_or(80).clamp(1, 100)).unwrap_or(80);
    Ok(target.map(|t| (t, warn)))
}

pub fn target_of(p: &PolicyRow) -> Option<Target> {
    Target::parse(&p.target_unit, u32::try_from(p.target_amount).ok()?)
}

/// The calendar a clock runs on (round the clock in UTC when it has none or it is gone).
pub async fn load_calendar(
    conn: &mut Conn,
    tenant: TenantId,
    id: Option<&str>,
) -> Result<Calendar, sqlx::Error> {
    let Some(id) = id else {
        return Ok(Calendar::always());
    };
    let Some(row) = db::sla_setup::calendar(conn, tenant, id).await? else {
        return Ok(Calendar::always());
    };
    let holidays = db::sla_setup::holidays(conn, tenant, id).await?;
    Ok(calendar_of(&row, holidays.iter().map(|(d, _)| d.as_str())))
}

/// Builds the engine's calendar from stored text (validated when it was saved; anything
/// unreadable now falls back to UTC and no hours rather than failing a business transaction).
pub fn calendar_of<'a>(row: &CalendarRow, holidays: impl Iterator<Item = &'a str>) -> Calendar {
    let tz = TimeZone::get(&row.time_zone).unwrap_or(TimeZone::UTC);
    let texts: Vec<&str> = row.hours.split('|').collect();
    let mut days = [""; 7];
    for (slot, text) in days.iter_mut().zip(texts) {
        *slot = text;
    }
    let week = WeekHours::parse(&days).unwrap_or_default();
    let holidays = holidays.filter_map(|d| d.parse::<Date>().ok());
    Calendar::new(tz, week, holidays)
}

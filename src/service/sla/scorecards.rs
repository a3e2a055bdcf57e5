//! Partner scorecards: per partner and clock, the on-time rate, median and 90th-percentile time
//! (working time for business clocks) and met/late per week, for any date range. The brand sees
//! every partner; a partner sees only its own record with that brand.

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;

use super::clocks::ts;
use super::setup;
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db;
use crate::domain::org::OrgKind;
use crate::domain::sla::calendar::Calendar;
use crate::domain::sla::stats::{self, Finished, Score};
use crate::service::{
    AuditEvent, FieldErrors, ServiceError, ServiceResult, actions, audit, tenant_of,
};

/// The longest range one scorecard covers (about five years of weeks).
const MAX_DAYS: i64 = 5 * 366;

pub struct Range {
    pub from: Date,
    pub to: Date,
}

pub struct Line {
    pub partner: String,
    pub kind: String,
    pub score: Score,
    pub weeks: Vec<(Date, usize, usize)>,
}

pub struct Scorecard {
    pub lines: Vec<Line>,
    pub range: Range,
    /// Partners the brand can pick (empty for a partner looking at its own).
    pub partners: Vec<(String, String)>,
}

/// Today, by the business clock, in UTC (ranges are whole UTC days).
pub fn today(state: &AppState) -> Date {
    ts(state.now().0)
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date()
}

/// Reads the range typed (default: the last 12 weeks up to today).
pub fn range(from: &str, to: &str, today: Date) -> ServiceResult<Range> {
    let mut e = FieldErrors::default();
    let parse = |t: &str, default: Date| -> Result<Date, &'static str> {
        if t.trim().is_empty() {
            Ok(default)
        } else {
            crate::domain::sla::holidays::parse_date(t).ok_or("validation.date")
        }
    };
    let default_from = today.checked_sub(jiff::ToSpan::days(83)).unwrap_or(today);
    let from = e.check("from", parse(from, default_from));
    let to = e.check("to", parse(to, today));
    if let (Some(f), Some(t)) = (from, to)
        && (t < f || (t - f).get_days() as i64 > MAX_DAYS)
    {
        e.add("to", "sla.refused.range");
    }
    e.into_result()?;
    Ok(Range {
        from: from.unwrap_or(default_from),
        to: to.unwrap_or(today),
    })
}

pub async fn scorecard(
    state: &AppState,
    actor: &Actor,
    range: Range,
    partner: Option<&str>,
    kind: Option<&str>,
) -> ServiceResult<Scorecard> {
    let tenant = tenant_of(actor)?.tenant_id;
    // A partner's scorecard is its own, whatever it asks for.
    let own = actor.org_id.to_string();
    let (partner, is_brand) = match actor.org_kind {
        OrgKind::Brand => (partner.filter(|p| !p.is_empty()), true),
        OrgKind::Platform => return Err(ServiceError::NotFound),
        _ => (Some(own.as_str()), false),
    };
    let utc = |d: Date| {
        d.to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp().as_millisecond())
            .unwrap_or(0)
    };
    let bounds = (
        utc(range.from),
        utc(range.to.tomorrow().unwrap_or(range.to)),
    );
    let mut conn = state.db.read().await?;
    let rows = db::sla::finished(
        &mut conn,
        tenant,
        bounds,
        partner,
        kind.filter(|k| !k.is_empty()),
    )
    .await?;
    let mut calendars: HashMap<Option<String>, Calendar> = HashMap::new();
    let mut groups: BTreeMap<(String, String), Vec<Finished>> = BTreeMap::new();
    for row in rows {
        if !calendars.contains_key(&row.calendar_id) {
            let cal = setup::load_calendar(&mut conn, tenant, row.calendar_id.as_deref()).await?;
            calendars.insert(row.calendar_id.clone(), cal);
        }
        let cal = &calendars[&row.calendar_id];
        let (start, stop) = (ts(row.started_at), ts(row.stopped_at));
        let took = if row.business == 1 {
            cal.elapsed(start, stop)
        } else {
            stop.duration_since(start)
        };
        let stopped_on = stop.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
        groups
            .entry((row.partner_name, row.kind))
            .or_default()
            .push(Finished {
                stopped_on,
                took,
                late: row.outcome == "late",
            });
    }
    let lines = groups
        .into_iter()
        .map(|((partner, kind), items)| Line {
            partner,
            kind,
            score: stats::score(&items),
            weeks: stats::weekly(&items, range.from, range.to),
        })
        .collect();
    let partners = if is_brand {
        db::partnerships::active_of_kinds(&mut conn, tenant, &OrgKind::PARTNER_KINDS)
            .await?
            .into_iter()
            .map(|(id, name, _)| (id.to_string(), name))
            .collect()
    } else {
        Vec::new()
    };
    Ok(Scorecard {
        lines,
        range,
        partners,
    })
}

/// The scorecard as CSV (audited: it is an export of partners' records).
pub async fn csv(
    state: &AppState,
    actor: &Actor,
    range: Range,
    partner: Option<&str>,
    kind: Option<&str>,
) -> ServiceResult<String> {
    let card = scorecard(state, actor, range, partner, kind).await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let hours = |d: jiff::SignedDuration| format!("{:.1}", d.as_secs_f64() / 3600.0);
    out.write_record([
        "partner",
        "clock",
        "finished",
        "late",
        "on_time_percent",
        "median_hours",
        "p90_hours",
    ])
    .map_err(|e| ServiceError::Internal(e.into()))?;
    for line in &card.lines {
        out.write_record([
            line.partner.clone(),
            line.kind.clone(),
            line.score.total.to_string(),
            line.score.late.to_string(),
            line.score.on_time_percent().to_string(),
            hours(line.score.median),
            hours(line.score.p90),
        ])
        .map_err(|e| ServiceError::Internal(e.into()))?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("{e}")))?;
    let tenant = tenant_of(actor)?.tenant_id;
    let mut tx = state.db.begin().await?;
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::about(actions::SLA_SCORECARD_EXPORTED, "scorecard").detail(serde_json::json!({
            "from": card.range.from.to_string(), "to": card.range.to.to_string(),
            "partner": partner, "kind": kind,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

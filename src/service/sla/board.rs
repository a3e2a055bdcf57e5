//! The brand-ops dashboard: clocks at risk and breached, soonest deadline first, with what each
//! has left on its own working calendar; and the revision open dashboards watch to reload live.

use std::collections::HashMap;

use jiff::SignedDuration;

use super::clocks::ts;
use super::setup;
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db::sla_board::{BoardFilter, BoardRow};
use crate::db::{self, Conn};
use crate::domain::ids::TenantId;
use crate::domain::org::{OrgKind, Permission};
use crate::domain::sla::calendar::Calendar;
use crate::service::{ServiceError, ServiceResult, tenant_of};

/// Rows shown at once, the most urgent first; the filters narrow it down. Fifty fit an ops
/// lead's morning look and keep the page light on a phone (at 200 it weighed 880 KB).
pub const BOARD_LIMIT: i64 = 50;

pub struct Filters {
    pub partner: Option<String>,
    pub kind: Option<String>,
    pub policy: Option<String>,
}

pub struct Entry {
    pub row: BoardRow,
    /// Working time left on the clock's calendar (negative once late).
    pub left: SignedDuration,
    pub snoozed: bool,
    /// The newest comment: who and what.
    pub last_comment: Option<(String, String)>,
}

pub struct Board {
    pub entries: Vec<Entry>,
    /// The list stopped at `BOARD_LIMIT` rows: more clocks are at risk than are shown.
    pub truncated: bool,
    pub partners: Vec<(String, String)>,
    pub policies: Vec<(String, String)>,
    pub revision: i64,
    pub can_act: bool,
}

/// Only the brand's own people watch its clocks; partners see their own elsewhere.
pub(super) fn brand_watcher(actor: &Actor) -> ServiceResult<TenantId> {
    let tenant = tenant_of(actor)?.tenant_id;
    if actor.org_kind != OrgKind::Brand || !actor.can(Permission::ViewPartners) {
        return Err(ServiceError::Forbidden);
    }
    Ok(tenant)
}

pub async fn board(state: &AppState, actor: &Actor, f: &Filters) -> ServiceResult<Board> {
    let tenant = brand_watcher(actor)?;
    let now = ts(state.now().0);
    let mut conn = state.db.read().await?;
    let revision = db::sla::revision(&mut conn, tenant).await?;
    let rows = db::sla_board::board(
        &mut conn,
        &BoardFilter {
            tenant,
            partner: f.partner.as_deref().filter(|s| !s.is_empty()),
            kind: f.kind.as_deref().filter(|s| !s.is_empty()),
            policy: f.policy.as_deref().filter(|s| !s.is_empty()),
            limit: BOARD_LIMIT,
        },
    )
    .await?;
    let truncated = rows.len() as i64 >= BOARD_LIMIT;
    let alert_ids: Vec<String> = rows.iter().map(|r| r.alert_id.clone()).collect();
    let mut comments: HashMap<String, (String, String)> = HashMap::new();
    for (alert, who, body, _) in
        db::sla_board::latest_comments(&mut conn, tenant, &alert_ids).await?
    {
        comments.entry(alert).or_insert((who, body));
    }
    let mut calendars: HashMap<Option<String>, Calendar> = HashMap::new();
    let mut entries = Vec::with_capacity(rows.len());
    for row in rows {
        let cal = match calendars.get(&row.calendar_id) {
            Some(cal) => cal.clone(),
            None => {
                let cal =
                    setup::load_calendar(&mut conn, tenant, row.calendar_id.as_deref()).await?;
                calendars.insert(row.calendar_id.clone(), cal.clone());
                cal
            }
        };
        let left = time_left(&row, &cal, now);
        let snoozed = row
            .snoozed_until
            .is_some_and(|until| until > now.as_millisecond());
        let last_comment = comments.remove(&row.alert_id);
        entries.push(Entry {
            row,
            left,
            snoozed,
            last_comment,
        });
    }
    // Breached first, then least time left (on each clock's own calendar).
    entries.sort_by_key(|e| e.left);
    let partners = state
        .board_partners
        .choices(
            &mut conn,
            tenant,
            revision,
            f.partner.as_deref().filter(|s| !s.is_empty()),
        )
        .await?;
    let policies = db::sla_setup::policies(&mut conn, tenant)
        .await?
        .into_iter()
        .map(|p| (p.id.clone(), policy_label(&p)))
        .collect();
    Ok(Board {
        entries,
        truncated,
        partners,
        policies,
        revision,
        can_act: actor.can(Permission::ManageOrders),
    })
}

fn time_left(row: &BoardRow, cal: &Calendar, now: jiff::Timestamp) -> SignedDuration {
    if row.state == "paused" {
        return SignedDuration::from_millis(row.left_to_deadline_ms.unwrap_or(0));
    }
    let deadline = ts(row.deadline_at);
    let measure = |a, b| {
        if row.business == 1 {
            cal.elapsed(a, b)
        } else {
            jiff::Timestamp::duration_since(b, a)
        }
    };
    if now <= deadline {
        measure(now, deadline)
    } else {
        -measure(deadline, now)
    }
}

/// A policy's name in lists: its kind and scope ("po_confirmation · factory").
fn policy_label(p: &db::sla_setup::PolicyRow) -> String {
    let scope = p
        .partner_kind
        .clone()
        .or_else(|| p.partner_org_id.as_ref().map(|_| "partner".to_owned()))
        .unwrap_or_else(|| "default".to_owned());
    format!("{} · {scope}", p.kind)
}

/// The revision an open dashboard compares with what it shows.
pub async fn revision(state: &AppState, actor: &Actor) -> ServiceResult<i64> {
    let tenant = brand_watcher(actor)?;
    let mut conn = state.db.read().await?;
    Ok(db::sla::revision(&mut conn, tenant).await?)
}

/// Working time as people say it, to the nearest minute: "45 min", "3 h 12 min", "26 h".
/// Hours, not days: a working day's length depends on the calendar.
pub fn human(d: SignedDuration) -> String {
    let minutes = (d.as_secs().unsigned_abs() + 30) / 60;
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

pub(super) async fn touch(conn: &mut Conn, tenant: TenantId) -> ServiceResult<()> {
    db::sla::bump_revision(conn, tenant).await?;
    Ok(())
}

/// A partner's own clock on an order, as its inbox shows it.
pub struct Badge {
    pub kind: &'static str,
    pub left: SignedDuration,
}

impl Badge {
    pub fn is_late(&self) -> bool {
        self.left.is_negative()
    }

    /// The time left (or late by), in words a phone screen fits.
    pub fn left_text(&self) -> String {
        human(self.left)
    }
}

/// For a partner's list of orders (a warehouse's inbound shipments): the clock it owes on each
/// (the most urgent one), with the working time left on that clock's calendar. Brands get none
/// here (they have the dashboard).
pub async fn partner_badges(
    state: &AppState,
    actor: &Actor,
    orders: &[crate::domain::ids::OrderId],
) -> ServiceResult<HashMap<crate::domain::ids::OrderId, Badge>> {
    let tenant = tenant_of(actor)?.tenant_id;
    if actor.org_kind == OrgKind::Brand {
        return Ok(HashMap::new());
    }
    let owed = match actor.org_kind {
        OrgKind::Warehouse => crate::domain::sla::policy::Owes::Warehouse,
        OrgKind::Financier => crate::domain::sla::policy::Owes::Financier,
        _ => crate::domain::sla::policy::Owes::Partner,
    };
    let now = ts(state.now().0);
    let mut conn = state.db.read().await?;
    let rows = db::sla::open_for_partner(&mut conn, tenant, actor.org_id, orders).await?;
    let mut calendars: HashMap<Option<String>, Calendar> = HashMap::new();
    let mut out = HashMap::new();
    for row in rows {
        let Some(kind) = crate::domain::sla::policy::Kind::parse(&row.kind) else {
            continue;
        };
        if kind.owes() != owed || out.contains_key(&row.order_id) {
            continue;
        }
        if !calendars.contains_key(&row.calendar_id) {
            let cal = setup::load_calendar(&mut conn, tenant, row.calendar_id.as_deref()).await?;
            calendars.insert(row.calendar_id.clone(), cal);
        }
        let cal = &calendars[&row.calendar_id];
        let left = crate::domain::sla::timer::SlaClock::time_left(
            &super::clocks::clock_of(&row),
            cal,
            now,
        );
        out.insert(
            row.order_id,
            Badge {
                kind: kind.label_key(),
                left,
            },
        );
    }
    Ok(out)
}

//! The deadlines setup pages as they render: what a refused form shows again, and the helpers
//! the templates use.

use askama::Template;

use crate::db::sla_setup::{PolicyRow, PolicyVersion};
use crate::domain::sla::holidays::RowProblem;
use crate::domain::sla::policy::Kind;
use crate::service::FieldErrors;
use crate::service::sla::calendars::{CalendarInput, CalendarView};
use crate::web::shell::PageCtx;

/// What was refused, to show it again with its errors and what was typed.
#[derive(Default)]
pub(super) enum Refused {
    #[default]
    Nothing,
    /// A calendar form ("new" or the calendar's id).
    Calendar(String, FieldErrors, Box<CalendarInput>),
    Import(String, Vec<RowProblem>),
    Policy(String, FieldErrors),
}

#[derive(Template)]
#[template(path = "admin/sla.html")]
pub(super) struct SetupPage {
    pub(super) ctx: PageCtx,
    pub(super) calendars: Vec<CalendarView>,
    pub(super) policies: Vec<PolicyRow>,
    pub(super) refused: Refused,
    pub(super) weekdays: [&'static str; 7],
    pub(super) units: [&'static str; 4],
    pub(super) roles: [&'static str; 4],
    pub(super) scopes: Vec<(String, String)>,
}

impl SetupPage {
    fn calendar_error(&self, id: &str, field: &str) -> Option<&'static str> {
        match &self.refused {
            Refused::Calendar(c, e, _) if c == id => e.get(field),
            _ => None,
        }
    }

    /// A calendar form's field: as typed after a refusal, else as saved.
    fn calendar_value(
        &self,
        id: &str,
        field: &str,
        day: impl std::borrow::Borrow<usize>,
    ) -> String {
        let day = *day.borrow();
        if let Refused::Calendar(c, _, input) = &self.refused
            && c == id
        {
            return match field {
                "name" => input.name.clone(),
                "time_zone" => input.time_zone.clone(),
                _ => input.hours[day].clone(),
            };
        }
        let Some(cal) = self.calendars.iter().find(|c| c.row.id == id) else {
            return match field {
                "time_zone" => "UTC".into(),
                "hours" if day < 5 => "09:00-17:00".into(),
                _ => String::new(),
            };
        };
        match field {
            "name" => cal.row.name.clone(),
            "time_zone" => cal.row.time_zone.clone(),
            _ => cal.week.day_text(day),
        }
    }

    /// An import's problems as lines to show ("Row 3: Enter a date as YYYY-MM-DD.").
    fn problems(&self, id: &str) -> Vec<String> {
        let Refused::Import(c, problems) = &self.refused else {
            return Vec::new();
        };
        if c != id {
            return Vec::new();
        }
        problems
            .iter()
            .map(|p| match p.row {
                0 => self.ctx.t(p.key).to_owned(),
                row => format!(
                    "{}: {}",
                    self.ctx.t1("sla.setup.row", row),
                    self.ctx.t(p.key)
                ),
            })
            .collect()
    }

    fn week_days(&self) -> Vec<(usize, &'static str, &'static str)> {
        const LABELS: [&str; 7] = [
            "weekday.mon",
            "weekday.tue",
            "weekday.wed",
            "weekday.thu",
            "weekday.fri",
            "weekday.sat",
            "weekday.sun",
        ];
        self.weekdays
            .iter()
            .enumerate()
            .map(|(i, d)| (i, *d, LABELS[i]))
            .collect()
    }

    fn day_error(&self, id: &str, day: &usize) -> Option<&'static str> {
        self.calendar_error(id, &format!("hours.{day}"))
    }

    fn unit_label(&self, unit: &str) -> &'static str {
        match unit {
            "business_hours" => "sla.unit.business_hours",
            "business_days" => "sla.unit.business_days",
            "calendar_hours" => "sla.unit.calendar_hours",
            _ => "sla.unit.calendar_days",
        }
    }

    fn role_label(&self, role: &str) -> &'static str {
        match role {
            "admin" => "role.admin",
            "ops" => "role.ops",
            "quality" => "role.quality",
            _ => "role.finance",
        }
    }

    fn policy_error(&self, id: &str, field: &str) -> Option<&'static str> {
        match &self.refused {
            Refused::Policy(p, e) if p == id => e.get(field),
            _ => None,
        }
    }

    fn kinds(&self) -> Vec<(&'static str, &'static str)> {
        Kind::ALL
            .iter()
            .map(|k| (k.code(), k.label_key()))
            .collect()
    }

    fn kind_label(&self, code: &str) -> &'static str {
        Kind::parse(code).map_or("sla.kind.unknown", Kind::label_key)
    }

    fn scope_label(&self, p: &PolicyRow) -> String {
        if let Some(partner) = &p.partner_org_id {
            let key = format!("partner:{partner}");
            return self
                .scopes
                .iter()
                .find(|(k, _)| *k == key)
                .map_or(partner.clone(), |(_, n)| n.clone());
        }
        match &p.partner_kind {
            Some(k) => self
                .ctx
                .t1("sla.setup.every_kind", self.ctx.t(&format!("org_kind.{k}"))),
            None => self.ctx.t("sla.setup.all_partners").to_owned(),
        }
    }

    fn role_on(&self, p: &PolicyRow, level: &str, role: &str) -> bool {
        serde_json::from_str::<serde_json::Value>(&p.escalation)
            .ok()
            .and_then(|v| v[level].as_array().cloned())
            .is_some_and(|a| a.iter().any(|r| r == role))
    }

    fn again_hours(&self, p: &PolicyRow) -> i64 {
        serde_json::from_str::<serde_json::Value>(&p.escalation)
            .ok()
            .and_then(|v| v["again_after_hours"].as_i64())
            .unwrap_or(0)
    }
}

#[derive(Template)]
#[template(path = "admin/sla_policy.html")]
pub(super) struct HistoryPage {
    pub(super) ctx: PageCtx,
    pub(super) policy: PolicyRow,
    pub(super) versions: Vec<PolicyVersion>,
}

impl HistoryPage {
    fn kind_label(&self, code: &str) -> &'static str {
        Kind::parse(code).map_or("sla.kind.unknown", Kind::label_key)
    }

    /// One version's rules in a line, as the history lists them.
    fn summary(&self, v: &PolicyVersion) -> String {
        let s: serde_json::Value = serde_json::from_str(&v.snapshot).unwrap_or_default();
        let unit = s["target_unit"].as_str().unwrap_or("");
        format!(
            "{} {} · {} {}% · {}",
            s["target_amount"],
            self.ctx.t(&format!("sla.unit.{unit}")),
            self.ctx.t("sla.setup.warn_at"),
            s["warn_percent"],
            if s["active"].as_bool().unwrap_or(false) {
                self.ctx.t("sla.setup.active")
            } else {
                self.ctx.t("sla.setup.inactive")
            },
        )
    }
}

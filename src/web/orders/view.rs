//! What the order page shows: the order, its lines and timeline, progress, samples and
//! shipments, with the forms the viewer may use (and a refused one shown again).

use askama::Template;

use super::submission_token;
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db::order_history::Event;
use crate::db::orders::{Line, Order};
use crate::db::progress::{Attachment, Post};
use crate::db::qc::Inspection;
use crate::db::samples::Sample;
use crate::db::shipping::{Asn, AsnLine};
use crate::domain::ids::OrderId;
use crate::domain::order::line::LineState;
use crate::domain::order::milestones::Step;
use crate::domain::order::qc::AQL_LEVELS;
use crate::domain::order::sample::SampleStatus;
use crate::domain::order::state::OrderState;
use crate::domain::org::Permission;
use crate::error::AppResult;
use crate::service::FieldErrors;
use crate::service::orders::Party;
use crate::service::orders::decision_form::DecisionInput;
use crate::service::orders::progress::{self, ProgressInput};
use crate::service::orders::qc::{self, QcInput};
use crate::service::orders::query;
use crate::service::orders::samples::{self, SampleInput};
use crate::service::orders::shipping::{self, AsnInput};
use crate::signing::bundle::StatementCheck;
use crate::web::shell::{PageCtx, Shell};

#[derive(Template)]
#[template(path = "orders/order.html")]
pub struct OrderTemplate {
    ctx: PageCtx,
    order: Order,
    lines: Vec<Line>,
    events: Vec<Event>,
    checks: Vec<StatementCheck>,
    all_verified: bool,
    is_brand: bool,
    is_partner: bool,
    can_decide: bool,
    submission: String,
    /// A form that was refused, shown again with its errors and what was typed.
    refused: Failed,
    posts: Vec<(Post, Vec<Attachment>)>,
    can_post_progress: bool,
    /// The brand's template: (code, name, waits for the sample) of what the partner may
    /// report, in order.
    milestones: Vec<(String, String, bool)>,
    /// The name of every milestone of the template, in use or not.
    milestone_names: std::collections::HashMap<String, String>,
    samples: Vec<(Sample, Vec<Attachment>)>,
    can_submit_sample: bool,
    can_decide_sample: bool,
    /// False for the warehouse: its copy of the order carries no prices at all.
    prices_visible: bool,
    can_ship: bool,
    asns: Vec<(Asn, Vec<AsnLine>, Vec<Attachment>)>,
    open_quantities: std::collections::HashMap<i64, rust_decimal::Decimal>,
    warehouses: Vec<(crate::domain::ids::OrgId, String)>,
    inspections: Vec<(Inspection, Vec<Attachment>)>,
    /// A failed inspection holds the goods.
    qc_blocked: bool,
    can_inspect: bool,
    can_waive: bool,
}

impl OrderTemplate {
    fn partner_may_decide(&self, line: &Line) -> bool {
        self.is_partner
            && self.can_decide
            && self.order.state.open_for_decisions()
            && line.state == LineState::Open
    }

    fn partner_may_change_date(&self, line: &Line) -> bool {
        self.is_partner
            && self.can_decide
            && self.order.state.open_for_decisions()
            && line.state == LineState::Accepted
    }

    fn brand_may_decide(&self, line: &Line) -> bool {
        self.is_brand
            && self.can_decide
            && self.order.state.open_for_decisions()
            && matches!(
                line.state,
                LineState::ChangeProposed | LineState::DateChangeProposed
            )
    }

    /// The brand's accept and decline actions for a line's pending proposal.
    fn brand_actions(&self, line: &Line) -> (&'static str, &'static str) {
        if line.state == LineState::ChangeProposed {
            ("accept_proposal", "decline_proposal")
        } else {
            ("accept_date", "decline_date")
        }
    }

    fn has_open_lines(&self) -> bool {
        self.lines.iter().any(|l| l.state == LineState::Open)
    }

    /// The refused decision form of `line`, if that is what was refused.
    fn line_refused(&self, line: &Line) -> Option<(&FieldErrors, &DecisionInput)> {
        match &self.refused {
            Failed::Line(n, e, i) if *n == line.line_no => Some((e, i)),
            _ => None,
        }
    }

    /// Whether the form named `form` was refused (its section opens to show why).
    fn reopened(&self, form: &str) -> bool {
        matches!(
            (&self.refused, form),
            (Failed::Line(..), "line")
                | (Failed::Progress(..), "progress")
                | (Failed::Sample(..), "sample")
                | (Failed::Asn(..), "asn")
                | (Failed::Qc(..), "qc")
        )
    }

    fn error_for(&self, line: &Line, field: &str) -> Option<&'static str> {
        self.line_refused(line).and_then(|(e, _)| e.get(field))
    }

    fn typed(&self, line: &Line, field: &str) -> String {
        let Some((_, input)) = self.line_refused(line) else {
            return String::new();
        };
        match field {
            "reason" => input.reason.clone(),
            "quantity" => input.quantity.clone(),
            "date" => input.date.clone(),
            "price" => input.price.clone(),
            _ => input.comment.clone(),
        }
    }

    fn failed_action(&self, line: &Line) -> &str {
        self.line_refused(line)
            .map(|(_, i)| i.action.as_str())
            .unwrap_or("")
    }

    fn event_label(&self, kind: &str) -> &'static str {
        self.ctx.t(&format!("event.{kind}"))
    }

    /// The name of an organisation that made a statement on this order.
    fn org_name(&self, org_id: &str) -> String {
        if org_id == self.order.partner_org_id.to_string() {
            self.order.partner_name.clone()
        } else if org_id == self.order.tenant_id.to_string() {
            self.ctx
                .user
                .as_ref()
                .and_then(|u| u.active_brand.as_ref())
                .map(|(_, n)| n.clone())
                .unwrap_or_default()
        } else {
            org_id.to_owned()
        }
    }

    fn progress_error(&self, field: &str) -> Option<&'static str> {
        match &self.refused {
            Failed::Progress(e, _) => e.get(field),
            _ => None,
        }
    }

    fn progress_typed(&self, field: &str) -> String {
        let Failed::Progress(_, input) = &self.refused else {
            return String::new();
        };
        match field {
            "milestone" => input.milestone.clone(),
            "line" => input.line.clone(),
            "quantity_produced" => input.quantity_produced.clone(),
            "planned_completion" => input.planned_completion.clone(),
            "expected_completion" => input.expected_completion.clone(),
            _ => input.note.clone(),
        }
    }

    fn asn_refused(&self) -> Option<&AsnInput> {
        match &self.refused {
            Failed::Asn(_, i) => Some(i),
            _ => None,
        }
    }

    fn asn_error(&self, field: &str) -> Option<&'static str> {
        match &self.refused {
            Failed::Asn(e, _) => e.get(field),
            _ => None,
        }
    }

    /// The warehouse chosen on the ASN form: as typed, else the order's ship-to.
    fn warehouse_selected(&self, id: &crate::domain::ids::OrgId) -> bool {
        let typed = self.asn_typed("warehouse");
        if typed.is_empty() {
            self.order.ship_to_org_id.as_ref() == Some(id)
        } else {
            typed == id.to_string()
        }
    }

    fn asn_typed(&self, field: &str) -> String {
        let Some(i) = self.asn_refused() else {
            return String::new();
        };
        match field {
            "warehouse" => i.warehouse.clone(),
            "carrier" => i.carrier.clone(),
            "tracking" => i.tracking.clone(),
            "ship_date" => i.ship_date.clone(),
            "eta" => i.eta.clone(),
            _ => i.cartons.clone(),
        }
    }

    /// The quantity to ship of a line: as typed after an error, else what is still open.
    fn ship_qty(&self, line: &Line) -> String {
        if let Some(i) = self.asn_refused() {
            return i
                .lines
                .iter()
                .find(|(n, ..)| *n == line.line_no)
                .map(|(_, q, _)| q.clone())
                .unwrap_or_default();
        }
        self.open_quantities
            .get(&line.line_no)
            .map(|q| q.normalize().to_string())
            .unwrap_or_default()
    }

    fn ship_lots(&self, line: &Line) -> String {
        self.asn_refused()
            .and_then(|i| {
                i.lines
                    .iter()
                    .find(|(n, ..)| *n == line.line_no)
                    .map(|(_, _, l)| l.clone())
            })
            .unwrap_or_default()
    }

    fn ship_line_error(&self, line: &Line) -> Option<&'static str> {
        self.asn_error(&format!("lines.{}.quantity", line.line_no))
    }

    fn ships(&self, line: &Line) -> bool {
        line.state.may_ship()
    }

    fn sample_error(&self, field: &str) -> Option<&'static str> {
        match &self.refused {
            Failed::Sample(e, _) => e.get(field),
            _ => None,
        }
    }

    fn sample_typed(&self, field: &str) -> String {
        match &self.refused {
            Failed::Sample(_, i) if field == "measurements" => i.measurements.clone(),
            Failed::Sample(_, i) => i.note.clone(),
            _ => String::new(),
        }
    }

    fn qc_error(&self, field: &str) -> Option<&'static str> {
        match &self.refused {
            Failed::Qc(e, _) => e.get(field),
            _ => None,
        }
    }

    /// The QC form's fields: as typed after an error, else sensible defaults (AQL 2.5, the
    /// usual major-defect level for apparel; no defects).
    fn qc_typed(&self, field: &str) -> String {
        let Failed::Qc(_, i) = &self.refused else {
            return match field {
                "aql" => "2.5".into(),
                "critical" | "major" | "minor" => "0".into(),
                _ => String::new(),
            };
        };
        match field {
            "inspector" => i.inspector.clone(),
            "sample_size" => i.sample_size.clone(),
            "aql" => i.aql.clone(),
            "critical" => i.critical.clone(),
            "major" => i.major.clone(),
            "minor" => i.minor.clone(),
            "result" => i.result.clone(),
            _ => i.defects_note.clone(),
        }
    }

    fn aql_levels(&self) -> &'static [&'static str] {
        &AQL_LEVELS
    }

    fn sample_status(&self, code: &str) -> &'static str {
        SampleStatus::parse(code)
            .map(|s| self.ctx.t(s.label_key()))
            .unwrap_or("")
    }

    fn milestone_label<'a>(&'a self, code: &'a str) -> &'a str {
        self.milestone_names
            .get(code)
            .map(String::as_str)
            .unwrap_or(code)
    }

    fn is_draft(&self) -> bool {
        self.order.state == OrderState::Draft
    }
}

/// A milestone's name: the brand's, else the standard one in the reader's language.
pub fn step_name(ctx: &PageCtx, step: &Step) -> String {
    match step.builtin() {
        Some(m) if step.label.is_empty() => ctx.t(m.label_key()).to_owned(),
        _ => step.label.clone(),
    }
}

/// A form on the order page that was refused, shown again with its errors and what was typed.
pub enum Failed {
    None,
    Line(i64, FieldErrors, DecisionInput),
    Progress(FieldErrors, ProgressInput),
    Sample(FieldErrors, SampleInput),
    Asn(FieldErrors, AsnInput),
    Qc(FieldErrors, QcInput),
}

/// The order page, optionally with a refused form shown again.
pub async fn render_order_with(
    state: &AppState,
    shell: &Shell,
    actor: &Actor,
    id: OrderId,
    refused: Failed,
) -> AppResult<OrderTemplate> {
    let page = query::view(state, actor, id).await?;
    let posts = progress::list(state, actor, id).await?;
    let samples = samples::list(state, actor, id).await?;
    let asns = shipping::of_order(state, actor, id).await?;
    let open_quantities = shipping::open_quantities(state, actor, id).await?;
    let warehouses = shipping::asn_warehouses(state, actor, id).await?;
    let (inspections, qc_blocked) = qc::list(state, actor, id).await?;
    let pending_sample = samples
        .first()
        .is_some_and(|(s, _)| s.status == "submitted");
    let sample_done = samples.iter().any(|(s, _)| s.status == "approved");
    let all_verified = !page.checks.is_empty() && page.checks.iter().all(|c| c.result.is_ok());
    let page_is_brand = page.party == Party::Brand;
    let prices_visible = page.party != Party::ShipTo;
    let partner_at_work = page.party == Party::Partner
        && actor.can(Permission::RespondToOrders)
        && page.order.state != OrderState::Cancelled;
    let can_post_progress =
        partner_at_work && page.lines.iter().any(|l| l.state == LineState::Accepted);
    let goods_exist = page.lines.iter().any(|l| l.state.may_ship());
    let can_ship = partner_at_work && goods_exist;
    let quality = page_is_brand && actor.can(Permission::ApproveSamples);
    let can_inspect =
        (partner_at_work || (quality && page.order.state != OrderState::Cancelled)) && goods_exist;
    let (template, production_waits) = progress::milestones(state, actor, id).await?;
    let ctx = shell.page().await?;
    let milestones = template
        .iter()
        .filter(|s| s.active && s.partner_reports())
        .map(|s| {
            let waits = production_waits && s.is_production();
            (s.code.clone(), step_name(&ctx, s), waits)
        })
        .collect();
    let milestone_names = template
        .iter()
        .map(|s| (s.code.clone(), step_name(&ctx, s)))
        .collect();
    Ok(OrderTemplate {
        is_brand: page.party == Party::Brand,
        is_partner: page.party == Party::Partner,
        can_decide: page.can_decide,
        order: page.order,
        lines: page.lines,
        events: page.events,
        checks: page.checks,
        all_verified,
        submission: submission_token(),
        refused,
        posts,
        ctx,
        can_post_progress,
        milestones,
        milestone_names,
        can_submit_sample: can_post_progress && !pending_sample && !sample_done,
        can_decide_sample: quality && pending_sample,
        samples,
        prices_visible,
        can_ship,
        asns,
        open_quantities,
        warehouses,
        inspections,
        can_waive: quality && qc_blocked,
        qc_blocked,
        can_inspect,
    })
}

//! What the order page shows: the order, its lines and timeline, progress, samples, kitting, QC
//! and shipments, with the forms the viewer may use (and a refused one shown again).

mod kitting_forms;
mod shipping_forms;

use askama::Template;

use super::submission_token;
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db::order_history::Event;
use crate::db::order_lines::Line;
use crate::db::orders::Order;
use crate::db::progress::{Attachment, Post};
use crate::db::qc::Inspection;
use crate::db::samples::Sample;
use crate::db::shipping::{Asn, AsnLine};
use crate::domain::ids::OrderId;
use crate::domain::order::kitting::KitStatus;
use crate::domain::order::line::LineState;
use crate::domain::order::milestones::Step;
use crate::domain::order::sample::SampleStatus;
use crate::domain::order::state::OrderState;
use crate::domain::org::Permission;
use crate::error::AppResult;
use crate::service::FieldErrors;
use crate::service::orders::Party;
use crate::service::orders::decision_form::DecisionInput;
use crate::service::orders::kitting::{ComponentInput, StockInput};
use crate::service::orders::kitting_status::{self, LineKit};
use crate::service::orders::progress::{self, ProgressInput};
use crate::service::orders::qc::{self, QcInput};
use crate::service::orders::query;
use crate::service::orders::samples::{self, SampleInput};
use crate::service::orders::shipping::{self, AsnInput};
use crate::signing::bundle_check::StatementCheck;
use crate::web::shell::{PageCtx, Shell};

#[derive(Template)]
#[template(path = "orders/order.html")]
pub struct OrderTemplate {
    ctx: PageCtx,
    order: Order,
    /// The order's invoices (empty for those who see no amounts).
    invoices: Vec<crate::db::invoices::Invoice>,
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
    kits: Vec<LineKit>,
    kit_status: KitStatus,
    /// Either side's order people list materials; the factory records stock and plans.
    can_edit_bom: bool,
    can_record_stock: bool,
}

impl OrderTemplate {
    fn invoice_state_key(&self, code: &str) -> String {
        format!("invoice.state.{code}")
    }

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
                | (Failed::Bom(..), "bom")
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
    Bom(FieldErrors, ComponentInput),
    /// The stock form of one component.
    Stock(String, FieldErrors, StockInput),
    /// The planned start of one line.
    Plan(i64, FieldErrors, String),
}

/// The order page, optionally with a refused form shown again.
pub async fn render_order_with(
    state: &AppState,
    shell: &Shell,
    actor: &Actor,
    id: OrderId,
    refused: Failed,
) -> AppResult<OrderTemplate> {
    // The sections below each check the actor's access to the order; they share one lookup.
    crate::service::orders::rendering_one_order(render_sections(state, shell, actor, id, refused))
        .await
}

async fn render_sections(
    state: &AppState,
    shell: &Shell,
    actor: &Actor,
    id: OrderId,
    refused: Failed,
) -> AppResult<OrderTemplate> {
    let posts = progress::list(state, actor, id).await?;
    let samples = samples::list(state, actor, id).await?;
    let asns = shipping::of_order(state, actor, id).await?;
    let open_quantities = shipping::open_quantities(state, actor, id).await?;
    let warehouses = shipping::asn_warehouses(state, actor, id).await?;
    let (inspections, qc_blocked) = qc::list(state, actor, id).await?;
    let (kits, kit_status) = kitting_status::of_order(state, actor, id).await?;
    let invoices = crate::service::invoices::of_order(state, actor, id).await?;
    let (template, production_waits) = progress::milestones(state, actor, id).await?;
    let ctx = shell.page().await?;
    // The audited view comes last: its audit entry waits for a commit, for which the request
    // hands its reading connection back; every read is done by then, so none takes another.
    let page = query::view(state, actor, id).await?;
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
    let can_edit_bom = page.order.state != OrderState::Cancelled
        && ((page_is_brand && actor.can(Permission::ManageOrders)) || partner_at_work);
    let quality = page_is_brand && actor.can(Permission::ApproveSamples);
    let can_inspect =
        (partner_at_work || (quality && page.order.state != OrderState::Cancelled)) && goods_exist;
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
        kits,
        kit_status,
        can_edit_bom,
        can_record_stock: partner_at_work,
        qc_blocked,
        can_inspect,
        invoices,
    })
}

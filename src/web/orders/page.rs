//! The order page and every decision taken on it, plus the evidence bundle download.

use askama::Template;
use axum::Form;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::submission_token;
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::auth::session::Flash;
use crate::db::order_history::Event;
use crate::db::orders::{Line, Order};
use crate::db::progress::{Attachment, Post};
use crate::db::samples::Sample;
use crate::domain::ids::OrderId;
use crate::domain::order::line::{LineState, Side};
use crate::domain::order::progress::Milestone;
use crate::domain::order::sample::SampleStatus;
use crate::domain::order::state::OrderState;
use crate::domain::org::Permission;
use crate::error::{AppError, AppResult};
use crate::service::orders::Party;
use crate::service::orders::decide::{self, Outcome, Seen};
use crate::service::orders::decision_form::{DecisionInput, parse_decision};
use crate::service::orders::evidence;
use crate::service::orders::progress::{self, ProgressInput};
use crate::service::orders::query;
use crate::service::orders::samples::{self, SampleInput};
use crate::service::{FieldErrors, ServiceError};
use crate::signing::bundle::StatementCheck;
use crate::web::shell::{PageCtx, Shell};
use crate::web::{Routes, render};

pub fn routes() -> Routes {
    Routes::new()
        .tenant("/orders/{id}", get(order_get))
        .tenant("/orders/{id}/issue", post(issue_post))
        .tenant("/orders/{id}/cancel", get(cancel_get).post(cancel_post))
        .tenant("/orders/{id}/decide", post(decide_post))
        .tenant("/orders/{id}/accept-all", post(accept_all_post))
        .tenant("/orders/{id}/evidence.json", get(evidence_get))
}

fn order_id(raw: &str) -> AppResult<OrderId> {
    raw.parse().map_err(|_| AppError::NotFound)
}

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
    /// A line form that failed: its line, the errors and what was typed.
    failed: Option<(i64, FieldErrors, DecisionInput)>,
    posts: Vec<(Post, Vec<Attachment>)>,
    can_post_progress: bool,
    milestones: Vec<Milestone>,
    /// The progress form that failed, with what was typed.
    progress_failed: Option<(FieldErrors, ProgressInput)>,
    samples: Vec<(Sample, Vec<Attachment>)>,
    can_submit_sample: bool,
    can_decide_sample: bool,
    sample_failed: Option<(FieldErrors, SampleInput)>,
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

    fn error_for(&self, line: &Line, field: &str) -> Option<&'static str> {
        self.failed
            .as_ref()
            .filter(|(n, _, _)| *n == line.line_no)
            .and_then(|(_, e, _)| e.get(field))
    }

    fn typed(&self, line: &Line, field: &str) -> String {
        let Some((_, _, input)) = self.failed.as_ref().filter(|(n, _, _)| *n == line.line_no)
        else {
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
        self.failed
            .as_ref()
            .filter(|(n, _, _)| *n == line.line_no)
            .map(|(_, _, i)| i.action.as_str())
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
        self.progress_failed
            .as_ref()
            .and_then(|(e, _)| e.get(field))
    }

    fn progress_typed(&self, field: &str) -> String {
        let Some((_, input)) = &self.progress_failed else {
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

    fn sample_error(&self, field: &str) -> Option<&'static str> {
        self.sample_failed.as_ref().and_then(|(e, _)| e.get(field))
    }

    fn sample_typed(&self, field: &str) -> String {
        match &self.sample_failed {
            Some((_, i)) if field == "measurements" => i.measurements.clone(),
            Some((_, i)) => i.note.clone(),
            None => String::new(),
        }
    }

    fn sample_status(&self, code: &str) -> &'static str {
        SampleStatus::parse(code)
            .map(|s| self.ctx.t(s.label_key()))
            .unwrap_or("")
    }

    fn milestone_label(&self, code: &str) -> &'static str {
        Milestone::parse(code)
            .map(|m| self.ctx.t(m.label_key()))
            .unwrap_or("")
    }

    fn is_draft(&self) -> bool {
        self.order.state == OrderState::Draft
    }
}

/// A form on the order page that was refused, shown again with its errors and what was typed.
pub enum Failed {
    None,
    Line(i64, FieldErrors, DecisionInput),
    Progress(FieldErrors, ProgressInput),
    Sample(FieldErrors, SampleInput),
}

/// The order page, optionally with a refused form shown again.
pub async fn render_order_with(
    state: &AppState,
    shell: &Shell,
    actor: &Actor,
    id: OrderId,
    failed_form: Failed,
) -> AppResult<OrderTemplate> {
    let (failed, progress_failed, sample_failed) = match failed_form {
        Failed::None => (None, None, None),
        Failed::Line(n, e, i) => (Some((n, e, i)), None, None),
        Failed::Progress(e, i) => (None, Some((e, i)), None),
        Failed::Sample(e, i) => (None, None, Some((e, i))),
    };
    let page = query::view(state, actor, id).await?;
    let posts = progress::list(state, actor, id).await?;
    let samples = samples::list(state, actor, id).await?;
    let pending_sample = samples
        .first()
        .is_some_and(|(s, _)| s.status == "submitted");
    let sample_done = samples.iter().any(|(s, _)| s.status == "approved");
    let all_verified = !page.checks.is_empty() && page.checks.iter().all(|c| c.result.is_ok());
    let page_is_brand = page.party == Party::Brand;
    let accepted = page.lines.iter().any(|l| l.state == LineState::Accepted);
    let can_post_progress = page.party == Party::Partner
        && actor.can(Permission::RespondToOrders)
        && accepted
        && page.order.state != OrderState::Cancelled;
    Ok(OrderTemplate {
        ctx: shell.page().await?,
        is_brand: page.party == Party::Brand,
        is_partner: page.party == Party::Partner,
        can_decide: page.can_decide,
        order: page.order,
        lines: page.lines,
        events: page.events,
        checks: page.checks,
        all_verified,
        submission: submission_token(),
        failed,
        posts,
        can_post_progress,
        milestones: Milestone::DEFAULTS
            .into_iter()
            .filter(|m| m.partner_reports())
            .collect(),
        progress_failed,
        can_submit_sample: can_post_progress && !pending_sample && !sample_done,
        can_decide_sample: page_is_brand && actor.can(Permission::ApproveSamples) && pending_sample,
        samples,
        sample_failed,
    })
}

async fn order_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let page = render_order_with(&state, &shell, &actor, order_id(&id)?, Failed::None).await?;
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
struct SeenForm {
    version: i64,
    submission: String,
}

impl SeenForm {
    fn seen(&self, order: OrderId) -> Seen {
        Seen {
            order,
            version: self.version,
            submission: self.submission.clone(),
        }
    }
}

/// After a decision: back to the order with a message saying what happened.
async fn back_to_order(
    shell: &Shell,
    id: OrderId,
    result: Result<Outcome, ServiceError>,
    done: &str,
) -> AppResult<Response> {
    let flash = match result {
        Ok(Outcome::Applied) => Flash::success(done),
        Ok(Outcome::AlreadyApplied) => Flash::info("orders.already_applied"),
        Err(ServiceError::Refused(key)) => Flash::error(key),
        Err(err) => return Err(err.into()),
    };
    shell.flash(flash).await?;
    Ok(Redirect::to(&format!("/orders/{id}")).into_response())
}

async fn issue_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
    Form(form): Form<SeenForm>,
) -> AppResult<Response> {
    let id = order_id(&id)?;
    let result = decide::issue(&state, &actor, &form.seen(id)).await;
    back_to_order(&shell, id, result, "orders.issued_done").await
}

async fn cancel_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let page = query::view(&state, &actor, order_id(&id)?).await?;
    if page.party != Party::Brand || !page.can_decide {
        return Err(AppError::Forbidden);
    }
    let ctx = shell.page().await?;
    let confirm = CancelPage {
        title: ctx.t1("orders.cancel_title", &page.order.po_number),
        id: page.order.id,
        version: page.order.version,
        submission: submission_token(),
        ctx,
    };
    Ok(render(&confirm)?.into_response())
}

#[derive(Template)]
#[template(path = "orders/cancel.html")]
struct CancelPage {
    ctx: PageCtx,
    title: String,
    id: OrderId,
    version: i64,
    submission: String,
}

#[derive(Deserialize)]
struct CancelForm {
    version: i64,
    submission: String,
    #[serde(default)]
    reason: String,
}

async fn cancel_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
    Form(form): Form<CancelForm>,
) -> AppResult<Response> {
    let id = order_id(&id)?;
    let seen = Seen {
        order: id,
        version: form.version,
        submission: form.submission,
    };
    let result = decide::cancel(&state, &actor, &seen, &form.reason).await;
    back_to_order(&shell, id, result, "orders.cancelled_done").await
}

#[derive(Deserialize)]
struct DecideForm {
    version: i64,
    submission: String,
    line: i64,
    #[serde(flatten)]
    input: DecisionInput,
}

async fn decide_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
    Form(form): Form<DecideForm>,
) -> AppResult<Response> {
    let id = order_id(&id)?;
    let (party, currency) = query::party_and_currency(&state, &actor, id).await?;
    let side = match party {
        Party::Brand => Side::Brand,
        Party::Partner => Side::Partner,
        Party::ShipTo => return Err(AppError::Forbidden),
    };
    let action = match parse_decision(&form.input, &currency) {
        Ok(action) => action,
        Err(errors) => {
            let template = render_order_with(
                &state,
                &shell,
                &actor,
                id,
                Failed::Line(form.line, errors, form.input),
            )
            .await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&template)?).into_response());
        }
    };
    let seen = Seen {
        order: id,
        version: form.version,
        submission: form.submission,
    };
    let result = decide::decide_lines(&state, &actor, &seen, side, &[(form.line, action)]).await;
    back_to_order(&shell, id, result, "orders.decision_done").await
}

async fn accept_all_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
    Form(form): Form<SeenForm>,
) -> AppResult<Response> {
    let id = order_id(&id)?;
    let result = decide::accept_all(&state, &actor, &form.seen(id)).await;
    back_to_order(&shell, id, result, "orders.accepted_all_done").await
}

async fn evidence_get(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let bundle = evidence::evidence(&state, &actor, order_id(&id)?).await?;
    let mut response = Json(&bundle).into_response();
    let disposition = format!("attachment; filename=\"evidence-{}.json\"", bundle.order_id);
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

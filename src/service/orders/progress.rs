//! Production progress from the factory floor: a milestone, quantities and dates, a note and
//! photos or documents. A post is a signed statement on the order; a retried upload (same
//! submission token) is stored once.

use serde_json::json;

use super::decide::{Outcome, Seen};
use super::evidence::sign_statement;
use super::{Party, load_for, order_hash};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db;
use crate::db::progress::{Attachment, NewPost, Post};
use crate::domain::ids::OrderId;
use crate::domain::order::fields::{parse_date, parse_quantity, parse_text};
use crate::domain::order::line::LineState;
use crate::domain::order::progress::{SampleGate, may_report};
use crate::domain::order::sample::SampleStatus;
use crate::domain::org::Permission;
use crate::domain::upload::UploadLimits;
use crate::service::{
    AuditEvent, FieldErrors, ServiceError, ServiceResult, actions, audit, notifications,
};
use crate::storage::Prepared;

use super::files;
pub use super::files::Upload;

#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct ProgressInput {
    #[serde(default)]
    pub milestone: String,
    #[serde(default)]
    pub line: String,
    #[serde(default)]
    pub quantity_produced: String,
    #[serde(default)]
    pub planned_completion: String,
    #[serde(default)]
    pub expected_completion: String,
    #[serde(default)]
    pub note: String,
}

struct Checked {
    /// The milestone's code, checked against the brand's template in the transaction.
    milestone: String,
    line_no: Option<i64>,
    quantity: Option<String>,
    planned: Option<String>,
    expected: Option<String>,
    note: String,
    files: Vec<(String, Prepared)>,
}

async fn check(
    input: &ProgressInput,
    uploads: Vec<Upload>,
    limits: &UploadLimits,
) -> ServiceResult<Checked> {
    let mut errors = FieldErrors::default();
    let optional = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
    let milestone = errors.check(
        "milestone",
        optional(&input.milestone).ok_or("validation.milestone"),
    );
    let line_no = match optional(&input.line) {
        Some(l) => errors
            .check("line", l.parse::<i64>().map_err(|_| "validation.line"))
            .map(Some)
            .unwrap_or(None),
        None => None,
    };
    let quantity = optional(&input.quantity_produced).and_then(|q| {
        errors
            .check("quantity_produced", parse_quantity(&q))
            .map(|d| d.to_string())
    });
    let planned = optional(&input.planned_completion)
        .and_then(|d| errors.check("planned_completion", parse_date(&d)));
    let expected = optional(&input.expected_completion)
        .and_then(|d| errors.check("expected_completion", parse_date(&d)));
    let note = errors
        .check("note", parse_text(&input.note, 1000, false))
        .unwrap_or_default();
    let files = files::check_and_prepare(uploads, limits, errors).await?;
    Ok(Checked {
        milestone: milestone.ok_or_else(|| ServiceError::Internal(anyhow::anyhow!("checked")))?,
        line_no,
        quantity,
        planned,
        expected,
        note,
        files,
    })
}

pub async fn post_progress(
    state: &AppState,
    actor: &Actor,
    seen: &Seen,
    input: &ProgressInput,
    uploads: Vec<Upload>,
) -> ServiceResult<Outcome> {
    let checked = check(input, uploads, &UploadLimits::default()).await?;
    // Refuse early (before writing any file) when the actor may not post here at all.
    {
        let mut conn = state.db.read().await?;
        let (_, _, party) = load_for(&mut conn, actor, seen.order).await?;
        if party != Party::Partner || !actor.can(Permission::RespondToOrders) {
            return Err(ServiceError::Forbidden);
        }
    }
    let written = files::write_all(state, &checked.files).await?;

    let mut tx = state.db.begin().await?;
    let (tenant, order, _) = load_for(&mut tx, actor, seen.order).await?;
    let now = state.now().0;
    if !db::order_history::claim_submission(&mut tx, tenant, &seen.submission, actor.user_id, now)
        .await?
    {
        return Ok(Outcome::AlreadyApplied);
    }
    let lines = db::order_lines::of_order(&mut tx, tenant, order.id).await?;
    let accepted = lines
        .iter()
        .filter(|l| l.state == LineState::Accepted)
        .count();
    let gate = sample_gate(&mut tx, tenant, order.id).await?;
    let step = crate::service::milestones::of_tenant(&mut tx, tenant)
        .await?
        .into_iter()
        .find(|s| s.active && s.code == checked.milestone)
        .ok_or_else(|| {
            let mut errors = FieldErrors::default();
            errors.add("milestone", "validation.milestone");
            ServiceError::Invalid(errors)
        })?;
    may_report(order.state, accepted, &step, gate)
        .map_err(|r| ServiceError::Refused(r.message_key()))?;
    if let Some(n) = checked.line_no
        && !lines.iter().any(|l| l.line_no == n)
    {
        let mut errors = FieldErrors::default();
        errors.add("line", "validation.line");
        return Err(ServiceError::Invalid(errors));
    }
    let post_id = uuid::Uuid::now_v7().to_string();
    db::progress::insert_post(
        &mut tx,
        &NewPost {
            tenant,
            order: order.id,
            id: &post_id,
            line_no: checked.line_no,
            milestone: step.code.as_str(),
            quantity_produced: checked.quantity.as_deref(),
            planned_completion: checked.planned.as_deref(),
            expected_completion: checked.expected.as_deref(),
            note: &checked.note,
            user: actor.user_id,
            org: actor.org_id,
            now,
        },
    )
    .await?;
    let files = files::attach_all(&mut tx, tenant, order.id, &post_id, &written, now).await?;
    super::timeline_event(
        &mut tx,
        actor,
        &order,
        "progress",
        checked.line_no,
        json!({ "milestone": step.code.as_str(), "files": files.len() }),
        now,
    )
    .await?;
    let attests = format!(
        "{} reports {} on PO {}{}",
        actor.org_name,
        if step.label.is_empty() {
            step.code.replace('_', " ")
        } else {
            step.label.clone()
        },
        order.po_number,
        if files.is_empty() {
            String::new()
        } else {
            format!(" with {} file(s)", files.len())
        }
    );
    let body = json!({
        "milestone": step.code.as_str(), "line_no": checked.line_no,
        "quantity_produced": checked.quantity, "planned_completion": checked.planned,
        "expected_completion": checked.expected, "note": checked.note, "files": files,
    });
    let seen_hash = order_hash(&order, &lines)?;
    sign_statement(
        &mut tx,
        state,
        actor,
        &order,
        "po.progress",
        &seen_hash,
        attests,
        body,
    )
    .await?;
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::new(actions::ORDER_PROGRESS_POSTED, "order", order.id)
            .detail(json!({ "milestone": step.code.as_str(), "files": files })),
    )
    .await?;
    notifications::progress_posted(&mut tx, state, &order, &actor.org_name).await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(Outcome::Applied)
}

/// The order's progress posts, newest first, with their files.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    id: OrderId,
) -> ServiceResult<Vec<(Post, Vec<Attachment>)>> {
    let mut conn = state.db.read().await?;
    let (tenant, order, _) = load_for(&mut conn, actor, id).await?;
    let posts = db::progress::posts(&mut conn, tenant, order.id).await?;
    let files = super::page_memo::attachments(&mut conn, tenant, order.id).await?;
    Ok(posts
        .into_iter()
        .map(|p| {
            let mine = files
                .iter()
                .filter(|f| f.post_id == p.id)
                .cloned()
                .collect();
            (p, mine)
        })
        .collect())
}

/// The brand's milestone template as the order's parties see it (names and which are in use),
/// and whether production steps still wait for the first sample's approval.
pub async fn milestones(
    state: &AppState,
    actor: &Actor,
    id: OrderId,
) -> ServiceResult<(Vec<crate::domain::order::milestones::Step>, bool)> {
    let mut conn = state.db.read().await?;
    let (tenant, order, _) = load_for(&mut conn, actor, id).await?;
    let template = crate::service::milestones::of_tenant(&mut conn, tenant).await?;
    let gate = sample_gate(&mut conn, tenant, order.id).await?;
    Ok((template, gate.required && !gate.approved))
}

async fn sample_gate(
    conn: &mut db::Conn,
    tenant: crate::domain::ids::TenantId,
    order: OrderId,
) -> ServiceResult<SampleGate> {
    Ok(SampleGate {
        required: db::brand_settings::get(conn, tenant)
            .await?
            .production_requires_sample,
        approved: super::page_memo::samples(conn, tenant, order)
            .await?
            .iter()
            .any(|s| s.status == SampleStatus::Approved.as_str()),
    })
}

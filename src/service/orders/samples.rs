//! First-sample approval: the factory submits a sample record (photos, measurements, note);
//! brand quality approves or rejects it with comments. Both are signed statements.

use serde_json::json;

use super::decide::{Outcome, Seen};
use super::evidence::sign_statement;
use super::files::{self, Upload};
use super::{Party, load_for, order_hash, timeline_event};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db;
use crate::db::progress::Attachment;
use crate::db::samples::{NewSample, Sample};
use crate::domain::ids::{OrderId, TenantId};
use crate::domain::order::fields::parse_text;
use crate::domain::order::sample::{self as machine, SampleStatus};
use crate::domain::org::Permission;
use crate::domain::upload::UploadLimits;
use crate::service::{
    AuditEvent, FieldErrors, ServiceError, ServiceResult, actions, audit, notifications,
};

#[derive(Clone, Debug, Default)]
pub struct SampleInput {
    pub measurements: String,
    pub note: String,
}

pub async fn submit(
    state: &AppState,
    actor: &Actor,
    seen: &Seen,
    input: &SampleInput,
    uploads: Vec<Upload>,
) -> ServiceResult<Outcome> {
    let mut errors = FieldErrors::default();
    let measurements = errors.check("measurements", parse_text(&input.measurements, 2000, true));
    let note = errors
        .check("note", parse_text(&input.note, 1000, false))
        .unwrap_or_default();
    if uploads.is_empty() {
        errors.add("files", "sample.photos_required");
    }
    let checked = files::check_and_prepare(uploads, &UploadLimits::default(), errors).await?;
    let measurements = measurements.unwrap_or_default();
    {
        let mut conn = state.db.read().await?;
        let (_, _, party) = load_for(&mut conn, actor, seen.order).await?;
        if party != Party::Partner || !actor.can(Permission::RespondToOrders) {
            return Err(ServiceError::Forbidden);
        }
    }
    let written = files::write_all(state, &checked).await?;

    let mut tx = state.db.begin().await?;
    let (tenant, order, _) = load_for(&mut tx, actor, seen.order).await?;
    let now = state.now().0;
    if !db::order_history::claim_submission(&mut tx, tenant, &seen.submission, actor.user_id, now)
        .await?
    {
        return Ok(Outcome::AlreadyApplied);
    }
    let latest = latest_status(&mut tx, tenant, order.id).await?;
    machine::may_submit(latest).map_err(|r| ServiceError::Refused(r.message_key()))?;
    let lines = db::order_lines::of_order(&mut tx, tenant, order.id).await?;
    if !lines
        .iter()
        .any(|l| l.state == crate::domain::order::line::LineState::Accepted)
    {
        return Err(ServiceError::Refused("progress.refused.not_confirmed"));
    }
    let id = uuid::Uuid::now_v7().to_string();
    db::samples::insert(
        &mut tx,
        &NewSample {
            tenant,
            order: order.id,
            id: &id,
            measurements: &measurements,
            note: &note,
            by: actor.user_id,
            now,
        },
    )
    .await?;
    let files = files::attach_all(&mut tx, tenant, order.id, &id, &written, now).await?;
    timeline_event(
        &mut tx,
        actor,
        &order,
        "sample_submitted",
        None,
        json!({ "files": files.len() }),
        state.now().0,
    )
    .await?;
    let attests = format!(
        "{} submitted the first sample of PO {} with {} photo(s)",
        actor.org_name,
        order.po_number,
        files.len()
    );
    let body =
        json!({ "sample_id": id, "measurements": measurements, "note": note, "files": files });
    sign_statement(
        &mut tx,
        state,
        actor,
        &order,
        "po.sample_submitted",
        &order_hash(&order, &lines)?,
        attests,
        body,
    )
    .await?;
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::new(actions::SAMPLE_SUBMITTED, "sample", &id),
    )
    .await?;
    notifications::sample_submitted(&mut tx, state, &order, &actor.org_name).await?;
    crate::service::sla::clocks::sync(&mut tx, state, tenant, order.id).await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(Outcome::Applied)
}

async fn latest_status(
    conn: &mut db::Conn,
    tenant: TenantId,
    order: OrderId,
) -> ServiceResult<Option<SampleStatus>> {
    Ok(db::samples::of_order(conn, tenant, order)
        .await?
        .first()
        .and_then(|s| SampleStatus::parse(&s.status)))
}

/// Brand quality's decision on a submitted sample.
pub async fn decide(
    state: &AppState,
    actor: &Actor,
    seen: &Seen,
    sample_id: &str,
    approve: bool,
    comment: &str,
) -> ServiceResult<Outcome> {
    let mut tx = state.db.begin().await?;
    let (tenant, order, party) = load_for(&mut tx, actor, seen.order).await?;
    let sample = db::samples::get(&mut tx, tenant, order.id, sample_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if party != Party::Brand || !actor.can(Permission::ApproveSamples) {
        return Err(ServiceError::Forbidden);
    }
    let now = state.now().0;
    if !db::order_history::claim_submission(&mut tx, tenant, &seen.submission, actor.user_id, now)
        .await?
    {
        return Ok(Outcome::AlreadyApplied);
    }
    let comment = parse_text(comment, 1000, false).map_err(ServiceError::Refused)?;
    let status = SampleStatus::parse(&sample.status).ok_or(ServiceError::NotFound)?;
    let next = machine::decide(status, approve, &comment)
        .map_err(|r| ServiceError::Refused(r.message_key()))?;
    if !db::samples::decide(
        &mut tx,
        tenant,
        sample_id,
        next.as_str(),
        actor.user_id,
        &comment,
        now,
    )
    .await?
    {
        return Err(ServiceError::Refused("sample.refused.decided"));
    }
    let kind = if approve {
        "sample_approved"
    } else {
        "sample_rejected"
    };
    timeline_event(
        &mut tx,
        actor,
        &order,
        kind,
        None,
        json!({ "comment": comment }),
        state.now().0,
    )
    .await?;
    let lines = db::order_lines::of_order(&mut tx, tenant, order.id).await?;
    let verb = if approve { "approved" } else { "rejected" };
    let attests = format!(
        "{} {verb} the first sample of PO {}",
        actor.org_name, order.po_number
    );
    let body = json!({ "sample_id": sample_id, "decision": next.as_str(), "comment": comment });
    sign_statement(
        &mut tx,
        state,
        actor,
        &order,
        "po.sample_decided",
        &order_hash(&order, &lines)?,
        attests,
        body,
    )
    .await?;
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::new(actions::SAMPLE_DECIDED, "sample", sample_id)
            .detail(json!({ "from": "submitted", "to": next.as_str(), "comment": comment })),
    )
    .await?;
    notifications::sample_decided(&mut tx, state, &order, &actor.org_name, approve).await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(Outcome::Applied)
}

/// The order's samples, newest first, with their photos.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    id: OrderId,
) -> ServiceResult<Vec<(Sample, Vec<Attachment>)>> {
    let mut conn = state.db.read().await?;
    let (tenant, order, _) = load_for(&mut conn, actor, id).await?;
    let samples = super::page_memo::samples(&mut conn, tenant, order.id).await?;
    let files = super::page_memo::attachments(&mut conn, tenant, order.id).await?;
    Ok(samples
        .into_iter()
        .map(|s| {
            let mine = files
                .iter()
                .filter(|f| f.post_id == s.id)
                .cloned()
                .collect();
            (s, mine)
        })
        .collect())
}

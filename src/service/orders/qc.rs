//! QC inspections: the factory's inspector or brand quality records what was found (sample size,
//! AQL, defects by severity, result, photos) as a signed statement. A failed inspection blocks
//! shipment until a later inspection passes or brand quality waives it, signed, with a reason.

use serde_json::json;

use super::decide::{Outcome, Seen};
use super::evidence::sign_statement;
use super::files::{self, Upload};
use super::{Party, load_for, order_hash, timeline_event};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db::progress::Attachment;
use crate::db::qc::{Inspection, NewInspection, NewWaiver};
use crate::db::{self, Conn};
use crate::domain::ids::{OrderId, TenantId};
use crate::domain::order::fields::parse_text;
use crate::domain::order::qc::{
    AQL_LEVELS, Defects, QcResult, QcStep, check_inspection, may_waive,
};
use crate::domain::order::state::OrderState;
use crate::domain::org::Permission;
use crate::domain::upload::UploadLimits;
use crate::service::{
    AuditEvent, FieldErrors, ServiceError, ServiceResult, actions, audit, notifications,
};

/// The inspection form as typed.
#[derive(Clone, Debug, Default)]
pub struct QcInput {
    pub inspector: String,
    pub sample_size: String,
    pub aql: String,
    pub critical: String,
    pub major: String,
    pub minor: String,
    pub defects_note: String,
    pub result: String,
}

/// The order's QC history, oldest first, from its inspections (newest first).
fn history(inspections: &[Inspection]) -> Vec<QcStep> {
    let mut steps = Vec::new();
    for q in inspections.iter().rev() {
        steps.push(QcStep::Inspected(
            QcResult::parse(&q.result).unwrap_or(QcResult::Fail),
        ));
        if q.waived_at.is_some() {
            steps.push(QcStep::Waived);
        }
    }
    steps
}

/// Whether QC blocks shipping the order now.
pub(super) async fn blocks_shipment(
    conn: &mut Conn,
    tenant: TenantId,
    order: OrderId,
) -> ServiceResult<bool> {
    let inspections = db::qc::of_order(conn, tenant, order).await?;
    Ok(crate::domain::order::qc::blocks_shipment(&history(
        &inspections,
    )))
}

fn count(errors: &mut FieldErrors, field: &str, text: &str) -> i64 {
    if text.trim().is_empty() {
        return 0;
    }
    errors
        .check(
            field,
            text.trim()
                .parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .ok_or("qc.refused.count"),
        )
        .unwrap_or_default()
}

/// Who may record an inspection: the order's factory or supplier, or brand quality.
fn may_inspect(actor: &Actor, party: Party) -> bool {
    match party {
        Party::Partner => actor.can(Permission::RespondToOrders),
        Party::Brand => actor.can(Permission::ApproveSamples),
        Party::ShipTo => false,
    }
}

pub async fn record(
    state: &AppState,
    actor: &Actor,
    seen: &Seen,
    input: &QcInput,
    uploads: Vec<Upload>,
) -> ServiceResult<Outcome> {
    let mut errors = FieldErrors::default();
    let inspector = errors.check("inspector", parse_text(&input.inspector, 120, true));
    let sample_size = errors.check(
        "sample_size",
        input
            .sample_size
            .trim()
            .parse::<i64>()
            .map_err(|_| "qc.refused.sample_size"),
    );
    let aql = AQL_LEVELS.iter().find(|l| **l == input.aql.trim()).copied();
    if aql.is_none() {
        errors.add("aql", "qc.refused.aql");
    }
    let defects = Defects {
        critical: count(&mut errors, "critical", &input.critical),
        major: count(&mut errors, "major", &input.major),
        minor: count(&mut errors, "minor", &input.minor),
    };
    let defects_note = errors
        .check("defects_note", parse_text(&input.defects_note, 2000, false))
        .unwrap_or_default();
    let result = QcResult::parse(input.result.trim());
    if result.is_none() {
        errors.add("result", "qc.refused.result");
    }
    if let (Some(size), Some(result)) = (sample_size, result)
        && let Err(refusal) = check_inspection(size, defects, result)
    {
        let field = match refusal {
            crate::domain::order::qc::QcRefusal::SampleSize => "sample_size",
            crate::domain::order::qc::QcRefusal::CriticalPass => "result",
            _ => "critical",
        };
        errors.add(field, refusal.message_key());
    }
    let checked = files::check_and_prepare(uploads, &UploadLimits::default(), errors).await?;
    {
        let mut conn = state.db.read().await?;
        let (_, _, party) = load_for(&mut conn, actor, seen.order).await?;
        if !may_inspect(actor, party) {
            return Err(ServiceError::Forbidden);
        }
    }
    let (Some(inspector), Some(sample_size), Some(aql), Some(result)) =
        (inspector, sample_size, aql, result)
    else {
        return Err(ServiceError::Internal(anyhow::anyhow!(
            "checked fields missing"
        )));
    };
    let written = files::write_all(state, &checked).await?;

    let mut tx = state.db.begin().await?;
    let (tenant, order, party) = load_for(&mut tx, actor, seen.order).await?;
    let now = state.now().0;
    if !db::order_history::claim_submission(&mut tx, tenant, &seen.submission, actor.user_id, now)
        .await?
    {
        return Ok(Outcome::AlreadyApplied);
    }
    if order.state == OrderState::Cancelled {
        return Err(ServiceError::Refused("asn.refused.cancelled"));
    }
    let lines = db::order_lines::of_order(&mut tx, tenant, order.id).await?;
    if !lines.iter().any(|l| l.state.may_ship()) {
        return Err(ServiceError::Refused("progress.refused.not_confirmed"));
    }
    let id = uuid::Uuid::now_v7().to_string();
    db::qc::insert(
        &mut tx,
        &NewInspection {
            tenant,
            id: &id,
            order: order.id,
            inspector: &inspector,
            sample_size,
            aql,
            critical: defects.critical,
            major: defects.major,
            minor: defects.minor,
            defects_note: &defects_note,
            result: result.as_str(),
            by: actor.user_id,
            now,
        },
    )
    .await?;
    let photos = files::attach_all(&mut tx, tenant, order.id, &id, &written, now).await?;
    let kind = match result {
        QcResult::Pass => "qc_passed",
        QcResult::Fail => "qc_failed",
    };
    timeline_event(
        &mut tx,
        actor,
        &order,
        kind,
        None,
        json!({ "inspection": id }),
        state.now().0,
    )
    .await?;
    let attests = format!(
        "{} recorded a QC inspection of PO {} by {inspector}: {} (sample {sample_size}, AQL {aql}, \
         defects {}/{}/{} critical/major/minor)",
        actor.org_name,
        order.po_number,
        result.as_str(),
        defects.critical,
        defects.major,
        defects.minor
    );
    let body = json!({
        "inspection_id": id, "inspector": inspector, "sample_size": sample_size, "aql": aql,
        "defects": { "critical": defects.critical, "major": defects.major, "minor": defects.minor },
        "defects_note": defects_note, "result": result.as_str(), "files": photos,
    });
    sign_statement(
        &mut tx,
        state,
        actor,
        &order,
        "po.qc_inspected",
        &order_hash(&order, &lines)?,
        attests,
        body,
    )
    .await?;
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::new(actions::QC_RECORDED, "qc_inspection", &id)
            .detail(json!({ "order": order.id.to_string(), "result": result.as_str() })),
    )
    .await?;
    notifications::qc_recorded(&mut tx, state, &order, &actor.org_name, party, result).await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(Outcome::Applied)
}

/// Brand quality lets goods ship despite the latest, failed inspection.
pub async fn waive(
    state: &AppState,
    actor: &Actor,
    seen: &Seen,
    inspection_id: &str,
    reason: &str,
) -> ServiceResult<Outcome> {
    let mut tx = state.db.begin().await?;
    let (tenant, order, party) = load_for(&mut tx, actor, seen.order).await?;
    let inspections = db::qc::of_order(&mut tx, tenant, order.id).await?;
    if !inspections.iter().any(|q| q.id == inspection_id) {
        return Err(ServiceError::NotFound);
    }
    if party != Party::Brand || !actor.can(Permission::ApproveSamples) {
        return Err(ServiceError::Forbidden);
    }
    let now = state.now().0;
    if !db::order_history::claim_submission(&mut tx, tenant, &seen.submission, actor.user_id, now)
        .await?
    {
        return Ok(Outcome::AlreadyApplied);
    }
    let reason = parse_text(reason, 1000, false).map_err(ServiceError::Refused)?;
    // Only the latest inspection can be waived: an older failure was already overtaken.
    if inspections.first().map(|q| q.id.as_str()) != Some(inspection_id) {
        return Err(ServiceError::Refused("qc.refused.nothing_to_waive"));
    }
    may_waive(&history(&inspections), &reason)
        .map_err(|r| ServiceError::Refused(r.message_key()))?;
    let id = uuid::Uuid::now_v7().to_string();
    let waiver = NewWaiver {
        tenant,
        id: &id,
        order: order.id,
        inspection: inspection_id,
        reason: &reason,
        by: actor.user_id,
        now,
    };
    if !db::qc::insert_waiver(&mut tx, &waiver).await? {
        return Err(ServiceError::Refused("qc.refused.nothing_to_waive"));
    }
    timeline_event(
        &mut tx,
        actor,
        &order,
        "qc_waived",
        None,
        json!({ "inspection": inspection_id, "reason": reason }),
        state.now().0,
    )
    .await?;
    let lines = db::order_lines::of_order(&mut tx, tenant, order.id).await?;
    let attests = format!(
        "{} waived the failed QC inspection of PO {} so the goods may ship: {reason}",
        actor.org_name, order.po_number
    );
    let body = json!({ "waiver_id": id, "inspection_id": inspection_id, "reason": reason });
    sign_statement(
        &mut tx,
        state,
        actor,
        &order,
        "po.qc_waived",
        &order_hash(&order, &lines)?,
        attests,
        body,
    )
    .await?;
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::new(actions::QC_WAIVED, "qc_inspection", inspection_id)
            .detail(json!({ "reason": reason })),
    )
    .await?;
    notifications::qc_waived(&mut tx, state, &order, &actor.org_name).await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(Outcome::Applied)
}

/// The order's inspections, newest first, with their photos, and whether QC blocks shipment.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    id: OrderId,
) -> ServiceResult<(Vec<(Inspection, Vec<Attachment>)>, bool)> {
    let mut conn = state.db.read().await?;
    let (tenant, order, _) = load_for(&mut conn, actor, id).await?;
    let inspections = db::qc::of_order(&mut conn, tenant, order.id).await?;
    let blocked = crate::domain::order::qc::blocks_shipment(&history(&inspections));
    let files = super::page_memo::attachments(&mut conn, tenant, order.id).await?;
    let listed = inspections
        .into_iter()
        .map(|q| {
            let mine = files
                .iter()
                .filter(|f| f.post_id == q.id)
                .cloned()
                .collect();
            (q, mine)
        })
        .collect();
    Ok((listed, blocked))
}

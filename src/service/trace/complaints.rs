//! Complaints: brand quality opens one against its order, shipment or a lot that reached its
//! goods, with a description and photos; the reverse trace at that moment is kept with it. The
//! suspected root (a batch or material lot of that trace) is then chosen, and its forward
//! trace is the affected scope a hold acts on (`holds`).

use serde_json::json;

use super::view::{self, Trace, Viewer};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db::complaints::{Complaint, NewComplaint};
use crate::db::progress::Attachment;
use crate::db::{self, Conn};
use crate::domain::ids::{OrderId, TenantId};
use crate::domain::order::fields::parse_text;
use crate::domain::org::{OrgKind, Permission};
use crate::domain::trace::NodeKind;
use crate::domain::upload::UploadLimits;
use crate::service::orders::files::{self, Upload};
use crate::service::{
    AuditEvent, FieldErrors, ServiceError, ServiceResult, actions, audit, tenant_of,
};

/// Complaints are a brand's: anyone else finds none (checked before anything is loaded).
pub fn brand_viewer(actor: &Actor) -> ServiceResult<TenantId> {
    if actor.org_kind != OrgKind::Brand {
        return Err(ServiceError::NotFound);
    }
    Ok(tenant_of(actor)?.tenant_id)
}

/// Its quality team (and admins) act on them; checked once the object is known visible, so a
/// foreign complaint or node is not found rather than forbidden.
pub fn require_quality(actor: &Actor) -> ServiceResult<()> {
    if !actor.can(Permission::ManageComplaints) {
        return Err(ServiceError::Forbidden);
    }
    Ok(())
}

pub struct OpenInput {
    pub subject_kind: String,
    pub subject_id: String,
    pub description: String,
}

/// The brand's order a trace concerns: the subject itself, a shipment's order, or the nearest
/// of the brand's orders a lot reached.
fn order_of(trace: &Trace, tenant: TenantId) -> Option<OrderId> {
    let start = trace.nodes.get(&trace.start)?;
    if let Some(order) = &start.order_id {
        return order.parse().ok();
    }
    let t = tenant.to_string();
    trace
        .forward
        .graph
        .nodes
        .iter()
        .filter(|((kind, _), _)| *kind == NodeKind::Order)
        .filter(|(key, _)| trace.nodes.get(key).and_then(|n| n.tenant.as_deref()) == Some(&t))
        .min_by_key(|(_, depth)| **depth)
        .and_then(|((_, id), _)| id.parse().ok())
}

/// The reverse trace as kept with a complaint: each link by the codes people know.
fn snapshot(trace: &Trace) -> serde_json::Value {
    let code = |key: &(NodeKind, String)| {
        trace
            .nodes
            .get(key)
            .map(|n| n.code.clone())
            .unwrap_or_default()
    };
    json!(
        trace
            .reverse
            .graph
            .links
            .iter()
            .map(|l| json!({
                "from": { "kind": l.from.0.code(), "id": l.from.1, "code": code(&l.from) },
                "to": { "kind": l.to.0.code(), "id": l.to.1, "code": code(&l.to) },
                "quantity": l.quantity, "unit": l.unit,
            }))
            .collect::<Vec<_>>()
    )
}

pub async fn open(
    state: &AppState,
    actor: &Actor,
    input: &OpenInput,
    photos: Vec<Upload>,
) -> ServiceResult<String> {
    let tenant = brand_viewer(actor)?;
    let kind = NodeKind::parse(&input.subject_kind).ok_or(ServiceError::NotFound)?;
    // Visible first (nothing is written for a subject the brand cannot see), then allowed.
    view::trace(state, actor, (kind, &input.subject_id)).await?;
    require_quality(actor)?;
    let mut errors = FieldErrors::default();
    let description = errors.check("description", parse_text(&input.description, 4000, true));
    let checked = files::check_and_prepare(photos, &UploadLimits::default(), errors).await?;
    let description = description.unwrap_or_default();
    let written = files::write_all(state, &checked).await?;
    let mut tx = state.db.begin().await?;
    let trace = view::trace_in(&mut tx, Viewer::Brand(tenant), (kind, &input.subject_id)).await?;
    let order = order_of(&trace, tenant).ok_or(ServiceError::NotFound)?;
    let id = uuid::Uuid::now_v7().to_string();
    let now = state.now().0;
    let number = db::complaints::insert(
        &mut tx,
        &NewComplaint {
            tenant,
            id: &id,
            subject: (kind.code(), &input.subject_id),
            order,
            description: &description,
            reverse_trace: &snapshot(&trace).to_string(),
            by: actor.user_id,
            now,
        },
    )
    .await?;
    let photos = files::attach_all(&mut tx, tenant, order, &id, &written, now).await?;
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::new(actions::COMPLAINT_OPENED, "complaint", &id).detail(json!({
            "number": number, "subject": { "kind": kind.code(), "id": input.subject_id },
            "order": order.to_string(), "photos": photos,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub struct ComplaintView {
    pub complaint: Complaint,
    /// The trace from the complaint's subject as it is now (the kept one is in `complaint`).
    pub trace: Trace,
    /// The affected scope: the forward trace from the suspected root, once chosen.
    pub scope: Option<Trace>,
    /// What the complaint's hold covers: (kind, id).
    pub holds: Vec<(String, String)>,
    pub photos: Vec<Attachment>,
}

pub async fn get(state: &AppState, actor: &Actor, id: &str) -> ServiceResult<ComplaintView> {
    let tenant = brand_viewer(actor)?;
    let mut conn = state.db.read().await?;
    load(&mut conn, tenant, id).await
}

pub(super) async fn load(
    conn: &mut Conn,
    tenant: TenantId,
    id: &str,
) -> ServiceResult<ComplaintView> {
    let complaint = db::complaints::get(conn, tenant, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let viewer = Viewer::Brand(tenant);
    let kind = NodeKind::parse(&complaint.subject_kind).ok_or(ServiceError::NotFound)?;
    let trace = view::trace_in(conn, viewer, (kind, &complaint.subject_id)).await?;
    let scope = match (&complaint.root_kind, &complaint.root_id) {
        (Some(kind), Some(root)) => match NodeKind::parse(kind) {
            Some(kind) => Some(view::trace_in(conn, viewer, (kind, root)).await?),
            None => None,
        },
        _ => None,
    };
    let holds = db::complaints::holds(conn, tenant, id).await?;
    let photos = db::progress::attachments_of_order(conn, tenant, complaint.order_id)
        .await?
        .into_iter()
        .filter(|a| a.post_id == complaint.id)
        .collect();
    Ok(ComplaintView {
        complaint,
        trace,
        scope,
        holds,
        photos,
    })
}

/// The brand's complaints, newest first.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    before: Option<(i64, &str)>,
) -> ServiceResult<Vec<Complaint>> {
    let tenant = brand_viewer(actor)?;
    let mut conn = state.db.read().await?;
    Ok(db::complaints::list(&mut conn, tenant, before, crate::service::PAGE_SIZE).await?)
}

/// Names the suspected root: a batch or material lot on the complaint's reverse trace.
pub async fn set_root(
    state: &AppState,
    actor: &Actor,
    id: &str,
    root: (&str, &str),
) -> ServiceResult<()> {
    let tenant = brand_viewer(actor)?;
    let mut tx = state.db.begin().await?;
    let view = load(&mut tx, tenant, id).await?;
    require_quality(actor)?;
    if view.complaint.status != "open" {
        return Err(ServiceError::Refused("complaint.refused.not_open"));
    }
    let kind = NodeKind::parse(root.0)
        .filter(|k| matches!(k, NodeKind::Batch | NodeKind::MaterialLot))
        .ok_or(ServiceError::Refused("complaint.refused.root_kind"))?;
    if !view
        .trace
        .reverse
        .graph
        .nodes
        .contains_key(&(kind, root.1.to_owned()))
    {
        return Err(ServiceError::Refused("complaint.refused.root_not_on_trace"));
    }
    db::complaints::set_root(&mut tx, tenant, id, (kind.code(), root.1)).await?;
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::new(actions::COMPLAINT_ROOT_SET, "complaint", id)
            .detail(json!({ "root": { "kind": kind.code(), "id": root.1 } })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

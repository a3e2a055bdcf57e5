//! Complaints: the brand's list, opening one from a trace (description and photos), and one
//! page per complaint with the reverse trace kept at opening, the choice of the suspected root,
//! the affected scope from it, the hold, and closing it (which releases the hold).

use askama::Template;
use axum::Form;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::orders::progress::{MAX_POST_BYTES, read_form};
use super::shell::{PageCtx, Shell};
use super::trace::{TraceShow, kind_key};
use super::{Routes, StateListQuery, next_page, refusal_flash, render};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::auth::session::Flash;
use crate::db::complaints::Complaint;
use crate::db::progress::Attachment;
use crate::domain::ids::OrderId;
use crate::domain::trace::NodeKind;
use crate::error::{AppError, AppResult};
use crate::service::trace::complaints::{self, OpenInput};
use crate::service::trace::{closing, holds, view};
use crate::service::{FieldErrors, ServiceError};

pub fn routes() -> Routes {
    Routes::new()
        .tenant("/complaints", get(list_get))
        .tenant(
            "/complaints/new",
            get(new_get)
                .post(open_post)
                .layer(DefaultBodyLimit::max(MAX_POST_BYTES + 64 * 1024)),
        )
        .tenant("/complaints/{complaint}", get(complaint_get))
        .tenant("/complaints/{complaint}/root", post(root_post))
        .tenant("/complaints/{complaint}/hold", post(hold_post))
        .tenant("/complaints/{complaint}/close", post(close_post))
}

#[derive(Template)]
#[template(path = "complaints/list.html")]
struct ListPage {
    ctx: PageCtx,
    complaints: Vec<Complaint>,
    next_page: Option<String>,
}

/// The message key of a complaint's status.
pub fn status_key(status: &str) -> &'static str {
    match status {
        "held" => "complaint.status.held",
        "closed" => "complaint.status.closed",
        _ => "complaint.status.open",
    }
}

impl ListPage {
    fn status_key(&self, status: &str) -> &'static str {
        status_key(status)
    }
}

async fn list_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Query(q): Query<StateListQuery>,
) -> AppResult<Html<String>> {
    let complaints = complaints::list(&state, &actor, q.before()).await?;
    let next_page = next_page(&complaints, |c| q.after(c.created_at, &c.id));
    render(&ListPage {
        ctx: shell.page().await?,
        complaints,
        next_page,
    })
}

#[derive(Template)]
#[template(path = "complaints/new.html")]
struct NewPage {
    ctx: PageCtx,
    t: TraceShow,
    description: String,
    errors: FieldErrors,
}

impl NewPage {
    fn kind_key(&self, kind: &NodeKind) -> &'static str {
        kind_key(*kind)
    }
}

#[derive(Deserialize)]
struct Subject {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    id: String,
}

async fn new_page(
    state: &AppState,
    shell: &Shell,
    actor: &Actor,
    subject: &Subject,
    description: String,
    errors: FieldErrors,
) -> AppResult<NewPage> {
    let kind = NodeKind::parse(&subject.kind).ok_or(AppError::from(ServiceError::NotFound))?;
    let trace = view::trace(state, actor, (kind, &subject.id)).await?;
    complaints::require_quality(actor)?;
    Ok(NewPage {
        ctx: shell.page().await?,
        t: TraceShow::new(trace, actor),
        description,
        errors,
    })
}

async fn new_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Query(subject): Query<Subject>,
) -> AppResult<Html<String>> {
    let page = new_page(
        &state,
        &shell,
        &actor,
        &subject,
        String::new(),
        FieldErrors::default(),
    )
    .await?;
    render(&page)
}

async fn open_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    multipart: Multipart,
) -> AppResult<Response> {
    let (fields, uploads) = read_form(multipart).await?;
    let value = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let input = OpenInput {
        subject_kind: value("kind"),
        subject_id: value("id"),
        description: value("description"),
    };
    match complaints::open(&state, &actor, &input, uploads).await {
        Ok(id) => {
            shell.flash(Flash::success("complaint.opened")).await?;
            Ok(Redirect::to(&format!("/complaints/{id}")).into_response())
        }
        Err(ServiceError::Invalid(errors)) => {
            let subject = Subject {
                kind: input.subject_kind,
                id: input.subject_id,
            };
            let page =
                new_page(&state, &shell, &actor, &subject, input.description, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(err) => Err(err.into()),
    }
}

#[derive(Template)]
#[template(path = "complaints/complaint.html")]
struct ComplaintPage {
    ctx: PageCtx,
    complaint: Complaint,
    /// The reverse trace kept at opening: (from kind, from code, to kind, to code, quantity).
    kept: Vec<(String, String, String, String, String)>,
    t: TraceShow,
    scope: Option<TraceShow>,
    holds: Vec<(String, String)>,
    photos: Vec<Attachment>,
    order_id: OrderId,
    can_act: bool,
    tenant: String,
    /// The closing form's text, kept when it is refused.
    resolution: String,
    errors: FieldErrors,
}

impl ComplaintPage {
    fn status_key(&self, status: &str) -> &'static str {
        status_key(status)
    }

    fn kind_key(&self, kind: &NodeKind) -> &'static str {
        kind_key(*kind)
    }

    fn kind_key_of(&self, code: &str) -> &'static str {
        NodeKind::parse(code).map_or("trace.kind.unknown", kind_key)
    }

    /// The batches and material lots of the reverse trace: the candidates for the root.
    fn root_choices(&self) -> Vec<(NodeKind, String, String)> {
        let mut out: Vec<_> = self
            .t
            .trace
            .reverse
            .graph
            .nodes
            .keys()
            .filter(|(k, _)| matches!(k, NodeKind::Batch | NodeKind::MaterialLot))
            .map(|key| (key.0, key.1.clone(), self.t.code(key)))
            .collect();
        out.sort();
        out
    }

    fn is_root(&self, kind: &NodeKind, id: &str) -> bool {
        self.complaint.root_kind.as_deref() == Some(kind.code())
            && self.complaint.root_id.as_deref() == Some(id)
    }

    fn max_resolution(&self) -> usize {
        closing::MAX_RESOLUTION
    }

    /// What the hold would cover: finished lots and this brand's shipments on their way.
    fn scope_counts(&self) -> (usize, usize) {
        self.scope
            .as_ref()
            .map_or((0, 0), |s| holds::targets(&s.trace, &self.tenant))
    }
}

async fn complaint_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    let page = complaint_page(
        &state,
        &shell,
        &actor,
        &id,
        String::new(),
        FieldErrors::default(),
    );
    render(&page.await?)
}

async fn complaint_page(
    state: &AppState,
    shell: &Shell,
    actor: &Actor,
    id: &str,
    resolution: String,
    errors: FieldErrors,
) -> AppResult<ComplaintPage> {
    let view = complaints::get(state, actor, id).await?;
    let kept = serde_json::from_str::<Vec<serde_json::Value>>(&view.complaint.reverse_trace)
        .unwrap_or_default()
        .iter()
        .map(|l| {
            let s = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
            (
                s(&l["from"]["kind"]),
                s(&l["from"]["code"]),
                s(&l["to"]["kind"]),
                s(&l["to"]["code"]),
                format!("{} {}", s(&l["quantity"]), s(&l["unit"])),
            )
        })
        .collect();
    Ok(ComplaintPage {
        ctx: shell.page().await?,
        order_id: view.complaint.order_id,
        complaint: view.complaint,
        kept,
        t: TraceShow::new(view.trace, actor),
        scope: view.scope.map(|s| TraceShow::new(s, actor)),
        holds: view.holds,
        photos: view.photos,
        can_act: actor.can(crate::domain::org::Permission::ManageComplaints),
        tenant: actor
            .scope
            .as_ref()
            .map(|s| s.tenant_id.to_string())
            .unwrap_or_default(),
        resolution,
        errors,
    })
}

#[derive(Deserialize)]
struct RootForm {
    #[serde(default)]
    root: String,
}

async fn root_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
    Form(form): Form<RootForm>,
) -> AppResult<Response> {
    let (kind, root) = form.root.split_once(':').unwrap_or(("", ""));
    let flash = match complaints::set_root(&state, &actor, &id, (kind, root)).await {
        Ok(()) => Flash::success("complaint.root_done"),
        Err(err) => refusal_flash(err)?,
    };
    shell.flash(flash).await?;
    Ok(Redirect::to(&format!("/complaints/{id}#scope")).into_response())
}

#[derive(Deserialize)]
struct HoldForm {
    #[serde(default)]
    confirm: String,
}

async fn hold_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
    Form(form): Form<HoldForm>,
) -> AppResult<Response> {
    let flash = if form.confirm != "yes" {
        Flash::error("complaint.hold_confirm_needed")
    } else {
        match holds::place(&state, &actor, &id).await {
            Ok(placed) => Flash::success("complaint.held")
                .with_arg((placed.finished_lots + placed.shipments).to_string()),
            Err(err) => refusal_flash(err)?,
        }
    };
    shell.flash(flash).await?;
    Ok(Redirect::to(&format!("/complaints/{id}")).into_response())
}

#[derive(Deserialize)]
struct CloseForm {
    #[serde(default)]
    resolution: String,
    #[serde(default)]
    confirm: String,
}

/// Closes the complaint, releasing its holds. A refused resolution comes back beside its field
/// with the text kept; a missing confirmation of a release likewise.
async fn close_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
    Form(form): Form<CloseForm>,
) -> AppResult<Response> {
    let result = if form.confirm == "yes" {
        closing::close(&state, &actor, &id, &form.resolution).await
    } else {
        let mut errors = FieldErrors::default();
        errors.add("confirm", "complaint.close_confirm_needed");
        Err(ServiceError::Invalid(errors))
    };
    let flash = match result {
        Ok(released) => Flash::success("complaint.closed")
            .with_arg((released.finished_lots + released.shipments).to_string()),
        Err(ServiceError::Invalid(errors)) => {
            let page = complaint_page(&state, &shell, &actor, &id, form.resolution, errors);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page.await?)?).into_response());
        }
        Err(err) => refusal_flash(err)?,
    };
    shell.flash(flash).await?;
    Ok(Redirect::to(&format!("/complaints/{id}")).into_response())
}

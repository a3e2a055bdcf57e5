//! The brand-ops dashboard of SLA clocks: the page, its table as a fragment for live reloads,
//! the Server-Sent Events stream that says when to reload, and the alert-handling forms.

use std::convert::Infallible;
use std::time::Duration;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use futures_util::Stream;
use serde::Deserialize;

use super::shell::{PageCtx, Shell};
use super::{Routes, refusal_flash, render};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::auth::session::Flash;
use crate::db::scope;
use crate::domain::sla::policy::Kind;
use crate::error::AppResult;
use crate::service::sla::alerts::{self, Handling, HandlingView, MAX_SNOOZE_HOURS};
use crate::service::sla::board::{self, Board, Entry, Filters};
use crate::service::{FieldErrors, ServiceError};

/// How often an open dashboard's stream looks at the revision, and how long one stream lives
/// before the browser reconnects (so idle connections do not pile up).
const POLL: Duration = Duration::from_secs(1);
const STREAM_LIFETIME: Duration = Duration::from_secs(600);

pub fn routes() -> Routes {
    Routes::new()
        .tenant("/sla", get(board_get))
        .tenant("/sla/live", get(live_get))
        .tenant("/sla/alerts/{alert}/handle", get(handle_get))
        .tenant("/sla/alerts/{alert}/acknowledge", post(acknowledge_post))
        .tenant("/sla/alerts/{alert}/assign", post(assign_post))
        .tenant("/sla/alerts/{alert}/comment", post(comment_post))
        .tenant("/sla/alerts/{alert}/snooze", post(snooze_post))
}

#[derive(Deserialize, Default)]
struct BoardQuery {
    partner: Option<String>,
    kind: Option<String>,
    policy: Option<String>,
    fragment: Option<String>,
}

#[derive(Template)]
#[template(path = "sla/board.html")]
struct BoardPage {
    ctx: PageCtx,
    board: Board,
    filter_partner: String,
    filter_kind: String,
    filter_policy: String,
    /// The query string of the filters, for the live reload of the same view.
    filter_query: String,
}

#[derive(Template)]
#[template(path = "sla/board_rows.html")]
struct BoardRows {
    ctx: PageCtx,
    board: Board,
}

impl BoardPage {
    fn kinds(&self) -> Vec<(&'static str, &'static str)> {
        Kind::ALL
            .iter()
            .map(|k| (k.code(), k.label_key()))
            .collect()
    }
}

/// Helpers the board, its fragment and an alert's page share.
trait Rows {
    fn left_text(&self, e: &Entry) -> String {
        board::human(e.left)
    }

    fn kind_label(&self, code: &str) -> &'static str {
        Kind::parse(code).map_or("sla.kind.unknown", Kind::label_key)
    }

    fn late(&self, e: &Entry) -> bool {
        e.left.is_negative()
    }

    fn max_text(&self) -> usize {
        alerts::MAX_TEXT
    }
}

impl Rows for BoardPage {}
impl Rows for BoardRows {}

const SNOOZE_HOURS: [i64; 4] = [1, 4, 24, MAX_SNOOZE_HOURS];

async fn board_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Query(q): Query<BoardQuery>,
) -> AppResult<Response> {
    let filters = Filters {
        partner: q.partner.clone(),
        kind: q.kind.clone(),
        policy: q.policy.clone(),
    };
    let board = board::board(&state, &actor, &filters).await?;
    if q.fragment.is_some() {
        let rows = BoardRows {
            ctx: shell.page().await?,
            board,
        };
        return Ok(render(&rows)?.into_response());
    }
    let pairs: Vec<(&str, &str)> = [
        ("partner", &q.partner),
        ("kind", &q.kind),
        ("policy", &q.policy),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.as_deref().filter(|v| !v.is_empty()).map(|v| (k, v)))
    .collect();
    let page = BoardPage {
        ctx: shell.page().await?,
        board,
        filter_query: serde_urlencoded::to_string(pairs).unwrap_or_default(),
        filter_partner: q.partner.clone().unwrap_or_default(),
        filter_kind: q.kind.clone().unwrap_or_default(),
        filter_policy: q.policy.clone().unwrap_or_default(),
    };
    Ok(render(&page)?.into_response())
}

/// One alert's assign, comment and snooze forms: the fragment a board row loads when its
/// "Assign, comment, snooze" opens, or a page of their own without JavaScript.
#[derive(Template)]
#[template(path = "sla/alert_forms.html")]
struct AlertForms {
    ctx: PageCtx,
    view: HandlingView,
    snooze_hours: [i64; 4],
    typed: Typed,
    errors: FieldErrors,
}

/// What was typed into a refused comment or snooze, shown again beside the reason.
#[derive(Default)]
struct Typed {
    comment: String,
    hours: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "sla/alert.html")]
struct AlertPage {
    ctx: PageCtx,
    view: HandlingView,
    snooze_hours: [i64; 4],
    typed: Typed,
    errors: FieldErrors,
}

impl Rows for AlertPage {}
impl Rows for AlertForms {}

async fn handle_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    headers: HeaderMap,
    Path(alert): Path<String>,
) -> AppResult<Response> {
    let view = alerts::handling_view(&state, &actor, &alert).await?;
    let ctx = shell.page().await?;
    let snooze_hours = SNOOZE_HOURS;
    if headers.contains_key("hx-request") {
        return Ok(render(&AlertForms {
            ctx,
            view,
            snooze_hours,
            typed: Typed::default(),
            errors: FieldErrors::default(),
        })?
        .into_response());
    }
    Ok(render(&AlertPage {
        ctx,
        view,
        snooze_hours,
        typed: Typed::default(),
        errors: FieldErrors::default(),
    })?
    .into_response())
}

/// A comment or snooze refused for what was typed: the alert's page again with the text kept
/// and the reason beside its field, instead of the board with the text lost.
async fn handled_or_retyped(
    state: &AppState,
    shell: &Shell,
    actor: &Actor,
    alert: &str,
    result: Result<(), ServiceError>,
    done: &'static str,
    typed: Typed,
) -> AppResult<Response> {
    let Err(ServiceError::Invalid(errors)) = result else {
        return handled(shell, result, done).await;
    };
    let view = alerts::handling_view(state, actor, alert).await?;
    let page = AlertPage {
        ctx: shell.page().await?,
        view,
        snooze_hours: SNOOZE_HOURS,
        typed,
        errors,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

#[derive(Deserialize)]
struct LiveQuery {
    rev: Option<i64>,
}

/// Sends `rev` with the new revision whenever the brand's SLA picture changes (raised alerts,
/// handled alerts, clocks paused or stopped), on whichever replica it happened.
async fn live_get(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<LiveQuery>,
) -> AppResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    // Checked before the stream opens, so a partner gets the refusal, not an empty stream.
    let current = board::revision(&state, &actor).await?;
    let seen = q.rev.unwrap_or(current);
    let started = tokio::time::Instant::now();
    let stream = futures_util::stream::unfold(
        (state, actor, seen),
        move |(state, actor, mut seen)| async move {
            loop {
                if started.elapsed() > STREAM_LIFETIME {
                    return None;
                }
                // The body streams after the handler returned, outside the request's scope.
                let rev = scope::within(actor.db_scope(), board::revision(&state, &actor))
                    .await
                    .ok()?;
                if rev != seen {
                    seen = rev;
                    let event = Event::default().event("rev").data(rev.to_string());
                    return Some((Ok(event), (state, actor, seen)));
                }
                tokio::time::sleep(POLL).await;
            }
        },
    );
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

async fn handled(
    shell: &Shell,
    result: Result<(), ServiceError>,
    done: &'static str,
) -> AppResult<Response> {
    let flash = match result {
        Ok(()) => Flash::success(done),
        Err(err) => refusal_flash(err)?,
    };
    shell.flash(flash).await?;
    Ok(Redirect::to("/sla").into_response())
}

async fn acknowledge_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(alert): Path<String>,
) -> AppResult<Response> {
    let result = alerts::handle(&state, &actor, &alert, &Handling::Acknowledge).await;
    handled(&shell, result, "sla.acknowledged").await
}

#[derive(Deserialize)]
struct AssignForm {
    #[serde(default)]
    to: String,
}

async fn assign_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(alert): Path<String>,
    Form(form): Form<AssignForm>,
) -> AppResult<Response> {
    let result = alerts::handle(&state, &actor, &alert, &Handling::Assign { to: form.to }).await;
    handled(&shell, result, "sla.assigned").await
}

#[derive(Deserialize)]
struct CommentForm {
    #[serde(default)]
    body: String,
}

async fn comment_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(alert): Path<String>,
    Form(form): Form<CommentForm>,
) -> AppResult<Response> {
    let step = Handling::Comment {
        body: form.body.clone(),
    };
    let result = alerts::handle(&state, &actor, &alert, &step).await;
    let typed = Typed {
        comment: form.body,
        ..Typed::default()
    };
    handled_or_retyped(
        &state,
        &shell,
        &actor,
        &alert,
        result,
        "sla.commented",
        typed,
    )
    .await
}

#[derive(Deserialize)]
struct SnoozeForm {
    #[serde(default)]
    hours: String,
    #[serde(default)]
    reason: String,
}

async fn snooze_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(alert): Path<String>,
    Form(form): Form<SnoozeForm>,
) -> AppResult<Response> {
    let step = Handling::Snooze {
        hours: form.hours.clone(),
        reason: form.reason.clone(),
    };
    let result = alerts::handle(&state, &actor, &alert, &step).await;
    let typed = Typed {
        hours: form.hours,
        reason: form.reason,
        ..Typed::default()
    };
    handled_or_retyped(&state, &shell, &actor, &alert, result, "sla.snoozed", typed).await
}

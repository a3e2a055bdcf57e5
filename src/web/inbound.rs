//! The 3PL warehouse's inbound shipments: the list by ETA, one ASN with its arrival at the dock
//! (which starts the receipt clock) and its receipt form, and a CSV export for the warehouse's
//! own systems. None of it carries a price.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::orders::progress::{MAX_POST_BYTES, read_form};
use super::orders::submission_token;
use super::shell::{PageCtx, Shell};
use super::{Routes, next_page, render};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::auth::session::Flash;
use crate::db::progress::Attachment;
use crate::db::shipping::{Asn, AsnLine};
use crate::domain::ids::OrderId;
use crate::error::AppResult;
use crate::service::orders::decide::Outcome;
use crate::service::orders::receiving::{self, ReceiptInput};
use crate::service::sla::board::{self, Badge};
use crate::service::{FieldErrors, ServiceError};

pub fn routes() -> Routes {
    Routes::new()
        .tenant("/inbound", get(list_get))
        .tenant("/inbound/export.csv", get(export_get))
        .tenant("/inbound/{asn}", get(asn_get))
        .tenant("/inbound/{asn}/arrived", post(arrived_post))
        .tenant(
            "/inbound/{asn}/receipt",
            post(receipt_post).layer(DefaultBodyLimit::max(MAX_POST_BYTES + 64 * 1024)),
        )
}

#[derive(Template)]
#[template(path = "inbound/list.html")]
struct ListPage {
    ctx: PageCtx,
    asns: Vec<Asn>,
    /// The receipt clock of each order with goods at the dock.
    clocks: HashMap<OrderId, Badge>,
    next_page: Option<String>,
    /// Received shipments too, not only those on their way.
    show_all: bool,
}

#[derive(Deserialize)]
struct PageQuery {
    after_eta: Option<String>,
    after_id: Option<String>,
    show: Option<String>,
}

async fn list_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Query(q): Query<PageQuery>,
) -> AppResult<Html<String>> {
    let after = q.after_eta.as_deref().zip(q.after_id.as_deref());
    let show_all = q.show.as_deref() == Some("all");
    let asns = receiving::inbound(&state, &actor, after, !show_all).await?;
    let next_page = next_page(&asns, |a| {
        let mut query = vec![("after_eta", a.eta.clone()), ("after_id", a.id.clone())];
        if show_all {
            query.push(("show", "all".to_owned()));
        }
        query
    });
    let orders: Vec<OrderId> = asns.iter().map(|a| a.order_id).collect();
    let clocks = board::partner_badges(&state, &actor, &orders).await?;
    render(&ListPage {
        ctx: shell.page().await?,
        asns,
        clocks,
        next_page,
        show_all,
    })
}

async fn export_get(State(state): State<AppState>, actor: Actor) -> AppResult<Response> {
    let csv = receiving::inbound_csv(&state, &actor).await?;
    let mut response = csv.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"portico-inbound.csv\""),
    );
    Ok(response)
}

impl ListPage {
    /// The receipt clock of a shipment at the dock (none once received or not yet arrived).
    fn clock(&self, asn: &Asn) -> Option<&Badge> {
        if asn.arrived_at.is_none() || asn.status != "in_transit" {
            return None;
        }
        self.clocks.get(&asn.order_id)
    }
}

#[derive(Template)]
#[template(path = "inbound/asn.html")]
struct AsnPage {
    ctx: PageCtx,
    asn: Asn,
    clock: Option<Badge>,
    lines: Vec<AsnLine>,
    files: Vec<Attachment>,
    submission: String,
    errors: FieldErrors,
    typed: ReceiptInput,
}

impl AsnPage {
    fn error(&self, line: &AsnLine, field: &str) -> Option<&'static str> {
        self.errors.get(&format!("lines.{}.{field}", line.line_no))
    }

    fn typed(&self, line: &AsnLine, field: &str) -> String {
        let Some((_, r, d, why)) = self.typed.lines.iter().find(|(n, ..)| *n == line.line_no)
        else {
            return if field == "received" {
                line.quantity.clone()
            } else {
                String::new()
            };
        };
        match field {
            "received" => r.clone(),
            "damaged" => d.clone(),
            _ => why.clone(),
        }
    }

    fn in_transit(&self) -> bool {
        self.asn.status == "in_transit"
    }
}

async fn asn_page(
    state: &AppState,
    shell: &Shell,
    actor: &Actor,
    id: &str,
    errors: FieldErrors,
    typed: ReceiptInput,
) -> AppResult<AsnPage> {
    let (asn, lines, files) = receiving::asn_for_receipt(state, actor, id).await?;
    let clock = if asn.arrived_at.is_some() && asn.status == "in_transit" {
        board::partner_badges(state, actor, &[asn.order_id])
            .await?
            .remove(&asn.order_id)
    } else {
        None
    };
    Ok(AsnPage {
        ctx: shell.page().await?,
        asn,
        clock,
        lines,
        files,
        submission: submission_token(),
        errors,
        typed,
    })
}

async fn asn_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    render(
        &asn_page(
            &state,
            &shell,
            &actor,
            &id,
            FieldErrors::default(),
            ReceiptInput::default(),
        )
        .await?,
    )
}

async fn arrived_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let flash = match receiving::mark_arrived(&state, &actor, &id).await {
        Ok(Outcome::Applied) => Flash::success("inbound.arrived_done"),
        Ok(Outcome::AlreadyApplied) => Flash::info("inbound.arrived_already"),
        Err(err) => super::refusal_flash(err)?,
    };
    shell.flash(flash).await?;
    Ok(Redirect::to(&format!("/inbound/{id}")).into_response())
}

async fn receipt_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
    multipart: Multipart,
) -> AppResult<Response> {
    let (fields, uploads) = read_form(multipart).await?;
    let many = |name: &str| {
        fields
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect::<Vec<_>>()
    };
    let (nos, received, damaged, reasons) = (
        many("line_no"),
        many("received"),
        many("damaged"),
        many("reason"),
    );
    let at = |v: &Vec<String>, i: usize| v.get(i).cloned().unwrap_or_default();
    let input = ReceiptInput {
        lines: nos
            .iter()
            .enumerate()
            .filter_map(|(i, n)| {
                Some((
                    n.parse().ok()?,
                    at(&received, i),
                    at(&damaged, i),
                    at(&reasons, i),
                ))
            })
            .collect(),
    };
    let submission = fields
        .iter()
        .find(|(k, _)| k == "submission")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let flash =
        match receiving::post_receipt(&state, &actor, &id, &submission, &input, uploads).await {
            Ok(Outcome::Applied) => Flash::success("receipt.done"),
            Ok(Outcome::AlreadyApplied) => Flash::info("orders.already_applied"),
            Err(ServiceError::Refused(key)) => Flash::error(key),
            Err(ServiceError::Invalid(errors)) => {
                let page = asn_page(&state, &shell, &actor, &id, errors, input).await?;
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
            }
            Err(err) => return Err(err.into()),
        };
    shell.flash(flash).await?;
    Ok(Redirect::to(&format!("/inbound/{id}")).into_response())
}

//! Fulfilment through the API: production progress (with photos), advance ship notices,
//! goods receipts and invoices. Each calls the same use case as its page, so the same checks,
//! signatures, notifications and SLA clocks apply.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::with_scope;
use super::extract::ApiJson;
use super::orders::order_id;
use super::problem::{ApiError, ApiResult, Problem};
use crate::app::AppState;
use crate::db::shipping::Asn;
use crate::domain::time::UtcMillis;
use crate::service::FieldErrors;
use crate::service::api_auth::ApiCaller;
use crate::service::invoices::{self, Created, InvoiceInput};
use crate::service::orders::decide::Seen;
use crate::service::orders::progress::{self, ProgressInput, Upload};
use crate::service::orders::receiving::{self, ReceiptInput};
use crate::service::orders::shipping::{self, AsnInput};

fn submission() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// A file sent inline.
#[derive(Deserialize, ToSchema)]
pub struct InlineFile {
    pub name: String,
    /// The bytes, base64 (standard alphabet).
    pub content_base64: String,
}

#[derive(Deserialize, ToSchema)]
pub struct ProgressRequest {
    pub order_version: i64,
    /// A milestone code of the brand's template, e.g. `cutting`.
    pub milestone: String,
    /// The order line it concerns; the whole order when absent.
    pub line_no: Option<i64>,
    #[serde(default)]
    pub quantity_produced: String,
    /// YYYY-MM-DD
    #[serde(default)]
    pub planned_completion: String,
    /// YYYY-MM-DD
    #[serde(default)]
    pub expected_completion: String,
    #[serde(default)]
    pub note: String,
    /// Photos or documents (JPEG, PNG, WebP, PDF), up to the page's limits.
    #[serde(default)]
    pub files: Vec<InlineFile>,
}

/// What a step did.
#[derive(Serialize, ToSchema)]
pub struct Applied {
    /// `applied`
    pub status: &'static str,
    /// The new object's id, where the step made one (an invoice).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

fn applied(id: Option<String>) -> (StatusCode, Json<Applied>) {
    (
        StatusCode::CREATED,
        Json(Applied {
            status: "applied",
            id,
        }),
    )
}

fn decode_files(files: &[InlineFile]) -> ApiResult<Vec<Upload>> {
    let mut errors = FieldErrors::default();
    let mut out = Vec::new();
    for (i, f) in files.iter().enumerate() {
        match STANDARD.decode(f.content_base64.trim()) {
            Ok(bytes) => out.push(Upload {
                name: f.name.clone(),
                bytes,
            }),
            Err(_) => errors.add(format!("files.{i}.content_base64"), "upload.damaged"),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(ApiError::Invalid(errors))
    }
}

#[utoipa::path(post, path = "/api/v1/orders/{id}/progress", tag = "production",
    params(("id" = String, Path, description = "The order id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retried request take effect once")),
    request_body = ProgressRequest,
    security(("bearer" = ["production:write"])),
    responses(
        (status = 201, description = "Posted (signed)", body = Applied),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Missing scope or role", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such order for this client", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Refused now", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn post_progress(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ProgressRequest>,
) -> ApiResult<(StatusCode, Json<Applied>)> {
    let actor = with_scope(&caller, "production:write")?;
    let id = order_id(&id)?;
    let uploads = decode_files(&body.files)?;
    let input = ProgressInput {
        milestone: body.milestone,
        line: body.line_no.map(|n| n.to_string()).unwrap_or_default(),
        quantity_produced: body.quantity_produced,
        planned_completion: body.planned_completion,
        expected_completion: body.expected_completion,
        note: body.note,
    };
    let seen = Seen {
        order: id,
        version: body.order_version,
        submission: submission(),
    };
    progress::post_progress(&state, actor, &seen, &input, uploads).await?;
    Ok(applied(None))
}

#[derive(Deserialize, ToSchema)]
pub struct AsnLineRequest {
    pub line_no: i64,
    pub quantity: String,
    /// Finished lot codes: `FL-1` or `FL-1:300, FL-2:200`.
    #[serde(default)]
    pub lots: String,
}

#[derive(Deserialize, ToSchema)]
pub struct AsnRequest {
    pub order_version: i64,
    /// The receiving warehouse's organisation id.
    pub warehouse: String,
    pub carrier: String,
    pub tracking: String,
    /// YYYY-MM-DD
    pub ship_date: String,
    /// YYYY-MM-DD
    pub eta: String,
    pub cartons: i64,
    pub lines: Vec<AsnLineRequest>,
}

#[derive(Serialize, ToSchema)]
pub struct AsnView {
    pub id: String,
    pub order_id: String,
    pub po_number: String,
    pub warehouse: String,
    pub carrier: String,
    pub tracking: String,
    pub ship_date: String,
    pub eta: String,
    pub cartons: i64,
    pub status: String,
    pub created_at: String,
}

fn asn_view(a: &Asn) -> AsnView {
    AsnView {
        id: a.id.clone(),
        order_id: a.order_id.to_string(),
        po_number: a.po_number.clone(),
        warehouse: a.warehouse_org_id.to_string(),
        carrier: a.carrier.clone(),
        tracking: a.tracking.clone(),
        ship_date: a.ship_date.clone(),
        eta: a.eta.clone(),
        cartons: a.cartons,
        status: a.status.clone(),
        created_at: UtcMillis(a.created_at).rfc3339(),
    }
}

#[utoipa::path(post, path = "/api/v1/orders/{id}/asns", tag = "shipments",
    params(("id" = String, Path, description = "The order id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retried request take effect once")),
    request_body = AsnRequest,
    security(("bearer" = ["shipments:write"])),
    responses(
        (status = 201, description = "The ASN was created (signed); the order's ASNs now", body = [AsnView]),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Missing scope or role", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such order for this client", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Refused now", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_asn(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AsnRequest>,
) -> ApiResult<(StatusCode, Json<Vec<AsnView>>)> {
    let actor = with_scope(&caller, "shipments:write")?;
    let id = order_id(&id)?;
    let input = AsnInput {
        warehouse: body.warehouse,
        carrier: body.carrier,
        tracking: body.tracking,
        ship_date: body.ship_date,
        eta: body.eta,
        cartons: body.cartons.to_string(),
        lines: body
            .lines
            .into_iter()
            .map(|l| (l.line_no, l.quantity, l.lots))
            .collect(),
    };
    let seen = Seen {
        order: id,
        version: body.order_version,
        submission: submission(),
    };
    shipping::create_asn(&state, actor, &seen, &input).await?;
    let asns = shipping::of_order(&state, actor, id).await?;
    Ok((
        StatusCode::CREATED,
        Json(asns.iter().map(|(a, ..)| asn_view(a)).collect()),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ReceiptLineRequest {
    pub line_no: i64,
    pub received: String,
    #[serde(default)]
    pub damaged: String,
    /// Why the count differs from the ASN, when it does.
    #[serde(default)]
    pub reason: String,
}

#[derive(Deserialize, ToSchema)]
pub struct ReceiptRequest {
    pub lines: Vec<ReceiptLineRequest>,
}

#[utoipa::path(post, path = "/api/v1/asns/{asn}/receipts", tag = "receipts",
    params(("asn" = String, Path, description = "The ASN id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retried request take effect once")),
    request_body = ReceiptRequest,
    security(("bearer" = ["receipts:write"])),
    responses(
        (status = 201, description = "The receipt was posted (signed)", body = Applied),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Missing scope or role", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ASN for this client", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Refused now", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn post_receipt(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(asn): Path<String>,
    ApiJson(body): ApiJson<ReceiptRequest>,
) -> ApiResult<(StatusCode, Json<Applied>)> {
    let actor = with_scope(&caller, "receipts:write")?;
    let input = ReceiptInput {
        lines: body
            .lines
            .into_iter()
            .map(|l| (l.line_no, l.received, l.damaged, l.reason))
            .collect(),
    };
    receiving::post_receipt(&state, actor, &asn, &submission(), &input, Vec::new()).await?;
    Ok(applied(None))
}

#[derive(Deserialize, ToSchema)]
pub struct InvoiceLineRequest {
    pub line_no: i64,
    pub quantity: String,
}

#[derive(Deserialize, ToSchema)]
pub struct InvoiceRequest {
    pub number: String,
    /// YYYY-MM-DD
    pub invoice_date: String,
    /// YYYY-MM-DD
    pub due_date: String,
    pub lines: Vec<InvoiceLineRequest>,
}

#[utoipa::path(post, path = "/api/v1/orders/{id}/invoices", tag = "invoices",
    params(("id" = String, Path, description = "The order id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retried request take effect once")),
    request_body = InvoiceRequest,
    security(("bearer" = ["invoices:write"])),
    responses(
        (status = 201, description = "The invoice was registered (signed)", body = Applied),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Missing scope or role", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such order for this client", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Refused now", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_invoice(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<InvoiceRequest>,
) -> ApiResult<(StatusCode, Json<Applied>)> {
    let actor = with_scope(&caller, "invoices:write")?;
    let id = order_id(&id)?;
    let input = InvoiceInput {
        submission: submission(),
        number: body.number,
        invoice_date: body.invoice_date,
        due_date: body.due_date,
        lines: body
            .lines
            .into_iter()
            .map(|l| (l.line_no, l.quantity))
            .collect(),
    };
    match invoices::create(&state, actor, id, &input).await? {
        Created::Invoice(invoice) => Ok(applied(Some(invoice))),
        Created::AlreadyApplied => Err(ApiError::Refused("orders.refused.stale")),
    }
}

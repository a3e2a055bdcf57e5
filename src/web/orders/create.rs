//! The new-order form: header and lines, with "add a line" that works without JavaScript.
//! Errors show beside each field, everything typed stays.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::auth::session::Flash;
use crate::db;
use crate::domain::ids::OrgId;
use crate::domain::money::Currency;
use crate::domain::order::fields::UNITS;
use crate::domain::org::{OrgKind, Permission};
use crate::error::{AppError, AppResult};
use crate::service::orders::create::{self, DraftInput, INCOTERMS, LineInput};
use crate::service::{FieldErrors, ServiceError, tenant_of};
use crate::web::shell::{PageCtx, Shell};
use crate::web::{Routes, render};

pub fn routes() -> Routes {
    Routes::new().tenant("/orders/new", get(new_get).post(new_post))
}

const BLANK_ROWS: usize = 3;

#[derive(Template)]
#[template(path = "orders/new.html")]
struct NewPage {
    ctx: PageCtx,
    submission: String,
    input: DraftInput,
    partners: Vec<(OrgId, String, OrgKind)>,
    warehouses: Vec<(OrgId, String, OrgKind)>,
    currencies: Vec<&'static str>,
    incoterms: &'static [&'static str],
    units: &'static [&'static str],
    errors: FieldErrors,
}

impl NewPage {
    fn line_error(&self, index: &usize, field: &str) -> Option<&'static str> {
        self.errors.get(&format!("lines.{index}.{field}"))
    }
}

async fn page(
    state: &AppState,
    shell: &Shell,
    actor: &Actor,
    input: DraftInput,
    errors: FieldErrors,
) -> AppResult<NewPage> {
    let tenant = tenant_of(actor).map_err(AppError::from)?.tenant_id;
    let mut conn = state.db.read().await?;
    let partners = db::partnerships::active_of_kinds(
        &mut conn,
        tenant,
        &[OrgKind::Supplier, OrgKind::Factory],
    )
    .await?;
    let warehouses =
        db::partnerships::active_of_kinds(&mut conn, tenant, &[OrgKind::Warehouse]).await?;
    drop(conn);
    Ok(NewPage {
        ctx: shell.page().await?,
        submission: if input.submission.is_empty() {
            super::submission_token()
        } else {
            input.submission.clone()
        },
        input,
        partners,
        warehouses,
        currencies: Currency::all().map(|c| c.code()).collect(),
        incoterms: INCOTERMS,
        units: UNITS,
        errors,
    })
}

async fn new_get(State(state): State<AppState>, shell: Shell, actor: Actor) -> AppResult<Response> {
    if !actor.can(Permission::ManageOrders) {
        return Err(AppError::Forbidden);
    }
    let input = DraftInput {
        currency: "USD".into(),
        incoterms: "FOB".into(),
        payment_terms: "Net 60".into(),
        lines: vec![
            LineInput {
                unit: "pcs".into(),
                ..LineInput::default()
            };
            BLANK_ROWS
        ],
        ..DraftInput::default()
    };
    Ok(
        render(&page(&state, &shell, &actor, input, FieldErrors::default()).await?)?
            .into_response(),
    )
}

/// Reads the form: header fields once, line fields repeated in row order.
fn draft_from_form(form: &[(String, String)]) -> (DraftInput, bool) {
    let one = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let many = |name: &str| {
        form.iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect::<Vec<_>>()
    };
    let (skus, descriptions, hs_codes, quantities, units, prices, dates) = (
        many("line_sku"),
        many("line_description"),
        many("line_hs_code"),
        many("line_quantity"),
        many("line_unit"),
        many("line_unit_price"),
        many("line_delivery_date"),
    );
    let at = |values: &Vec<String>, i: usize| values.get(i).cloned().unwrap_or_default();
    let lines = (0..skus.len())
        .map(|i| LineInput {
            sku: at(&skus, i),
            description: at(&descriptions, i),
            hs_code: at(&hs_codes, i),
            quantity: at(&quantities, i),
            unit: at(&units, i),
            unit_price: at(&prices, i),
            delivery_date: at(&dates, i),
        })
        .collect();
    let input = DraftInput {
        po_number: one("po_number"),
        partner: one("partner"),
        ship_to: one("ship_to"),
        currency: one("currency"),
        incoterms: one("incoterms"),
        payment_terms: one("payment_terms"),
        requested_delivery: one("requested_delivery"),
        lines,
        submission: one("submission"),
    };
    (input, form.iter().any(|(k, _)| k == "add_line"))
}

async fn new_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Form(form): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (mut input, add_line) = draft_from_form(&form);
    if add_line {
        input.lines.push(LineInput {
            unit: "pcs".into(),
            ..LineInput::default()
        });
        return Ok(
            render(&page(&state, &shell, &actor, input, FieldErrors::default()).await?)?
                .into_response(),
        );
    }
    match create::create_draft(&state, &actor, &input).await {
        Ok(id) => {
            shell.flash(Flash::success("orders.draft_created")).await?;
            Ok(Redirect::to(&format!("/orders/{id}")).into_response())
        }
        Err(ServiceError::Invalid(errors)) => {
            let page = page(&state, &shell, &actor, input, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(err) => Err(err.into()),
    }
}

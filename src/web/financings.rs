//! Financing requests: the supplier asks from its invoice's page, everyone involved follows one
//! page per financing (the financier's verification panel, offer and disbursement; the
//! supplier's acceptance; the brand's assignment notice and repayment), and the list.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Json, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::shell::{PageCtx, Shell};
use super::{Routes, StateListQuery, next_page, refusal_flash, render};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::auth::session::{self, Flash};
use crate::db::financings::FinancingRow;
use crate::domain::finance::financing::FinancingState;
use crate::domain::finance::risk::RiskFlag;
use crate::error::AppResult;
use crate::service::financing::offers::{self, OfferInput};
use crate::service::financing::settle::{self, Approved};
use crate::service::financing::{self, FinancingPage, RequestInput, Side};
use crate::service::sla::scorecards::today;
use crate::service::{FieldErrors, ServiceError};

pub fn routes() -> Routes {
    Routes::new()
        .tenant("/invoices/{invoice}/financing", post(request_post))
        .tenant("/financings", get(list_get))
        .tenant("/financings/{financing}", get(financing_get))
        .tenant("/financings/{financing}/evidence", get(evidence_get))
        .tenant("/financings/{financing}/offer", post(offer_post))
        .tenant("/financings/{financing}/decline", post(decline_post))
        .tenant("/financings/{financing}/accept", post(accept_post))
        .tenant("/financings/{financing}/withdraw", post(withdraw_post))
        .tenant("/financings/{financing}/approve", post(approve_post))
        .tenant("/financings/{financing}/repay", post(repay_post))
}

pub fn state_key(code: &str) -> String {
    format!("financing.state.{code}")
}

#[derive(Deserialize)]
struct RequestForm {
    #[serde(default)]
    program: String,
    #[serde(default)]
    password: String,
}

async fn request_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(invoice): Path<String>,
    Form(form): Form<RequestForm>,
) -> AppResult<Response> {
    let input = RequestInput {
        program: form.program,
        password: form.password,
    };
    match financing::request(&state, &actor, &invoice, &input).await {
        Ok((id, reauthenticated)) => {
            if reauthenticated {
                session::mark_reauthenticated(shell.session()).await?;
            }
            shell
                .flash(Flash::success("financing.requested_done"))
                .await?;
            Ok(Redirect::to(&format!("/financings/{id}")).into_response())
        }
        Err(err) => {
            shell.flash(refusal_flash(err)?).await?;
            Ok(Redirect::to(&format!("/invoices/{invoice}#financing")).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "financing/list.html")]
struct ListPage {
    ctx: PageCtx,
    financings: Vec<FinancingRow>,
    states: [FinancingState; 8],
    filter: String,
    today: String,
    next_page: Option<String>,
}

impl ListPage {
    fn state_label(&self, code: &str) -> String {
        state_key(code)
    }

    fn overdue(&self, f: &FinancingRow) -> bool {
        f.state == "disbursed" && f.due_date < self.today
    }
}

async fn list_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Query(q): Query<StateListQuery>,
) -> AppResult<Html<String>> {
    let list = financing::list(&state, &actor, q.state.as_deref(), q.before()).await?;
    let next_page = next_page(&list, |f| q.after(f.requested_at, &f.id));
    let filter = q.filter();
    render(&ListPage {
        ctx: shell.page().await?,
        financings: list,
        states: FinancingState::ALL,
        filter,
        today: today(&state).to_string(),
        next_page,
    })
}

#[derive(Template)]
#[template(path = "financing/financing.html")]
struct DetailPage {
    ctx: PageCtx,
    p: FinancingPage,
    offer_typed: OfferInput,
    errors: FieldErrors,
    needs_reauth: bool,
    can_act: bool,
}

impl DetailPage {
    fn state_label(&self) -> String {
        state_key(&self.p.row.state)
    }

    fn is(&self, side: &str) -> bool {
        matches!(
            (side, self.p.side),
            ("supplier", Side::Supplier) | ("financier", Side::Financier) | ("brand", Side::Brand)
        )
    }

    fn at(&self, step: &str) -> bool {
        self.p.row.state == step
    }

    fn money(&self, minor: &Option<i64>) -> String {
        crate::domain::money::display(minor.unwrap_or(0), &self.p.row.currency)
    }

    fn percent(&self, bps: &Option<i64>) -> String {
        let bps = bps.unwrap_or(0);
        format!("{}.{:02} %", bps / 100, bps % 100)
    }

    fn flag_text(&self, flag: &RiskFlag) -> String {
        let ctx = &self.ctx;
        match flag {
            RiskFlag::LookAlike { of_number } => ctx.t1("financing.flag.look_alike", of_number),
            RiskFlag::ReceiptDiscrepancy { receipts } => {
                ctx.t1("financing.flag.discrepancy", receipts)
            }
            RiskFlag::SlaRecord {
                on_time_percent,
                late,
            } => ctx.t2("financing.flag.sla", on_time_percent, late),
            RiskFlag::Concentration { percent } => ctx.t1("financing.flag.concentration", percent),
            RiskFlag::Disputes { invoices } => ctx.t1("financing.flag.disputes", invoices),
        }
    }

    fn day_count_label(&self) -> String {
        format!("financing.day_count.{}", self.p.program.day_count)
    }

    fn pricing_label(&self) -> String {
        format!("financing.pricing.{}", self.p.program.pricing)
    }

    fn typed_value_date(&self) -> &str {
        &self.offer_typed.value_date
    }
}

async fn detail_page(
    state: &AppState,
    shell: &Shell,
    actor: &Actor,
    id: &str,
    offer_typed: Option<OfferInput>,
    errors: FieldErrors,
) -> AppResult<DetailPage> {
    let p = financing::get(state, actor, id).await?;
    let can_act = match p.side {
        Side::Supplier => actor.can(crate::domain::org::Permission::RespondToOrders),
        Side::Financier => actor.can(crate::domain::org::Permission::DecideFinancing),
        Side::Brand => actor.can(crate::domain::org::Permission::DecideInvoices),
    };
    let offer_typed = offer_typed.unwrap_or_else(|| OfferInput {
        value_date: today(state).to_string(),
        collection_account: String::new(),
    });
    Ok(DetailPage {
        ctx: shell.page().await?,
        p,
        offer_typed,
        errors,
        needs_reauth: financing::needs_reauth(actor),
        can_act,
    })
}

async fn financing_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    let page = detail_page(&state, &shell, &actor, &id, None, FieldErrors::default()).await?;
    render(&page)
}

async fn evidence_get(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let bundle = financing::evidence_bundle(&state, &actor, &id).await?;
    let mut response = Json(&bundle).into_response();
    let disposition = format!("attachment; filename=\"financing-evidence-{id}.json\"");
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

async fn back(shell: &Shell, id: &str, flash: Flash) -> AppResult<Response> {
    shell.flash(flash).await?;
    Ok(Redirect::to(&format!("/financings/{id}")).into_response())
}

#[derive(Deserialize)]
struct OfferForm {
    #[serde(default)]
    value_date: String,
    #[serde(default)]
    collection_account: String,
}

async fn offer_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
    Form(form): Form<OfferForm>,
) -> AppResult<Response> {
    let typed = OfferInput {
        value_date: form.value_date,
        collection_account: form.collection_account,
    };
    match offers::offer(&state, &actor, &id, &typed).await {
        Ok(()) => back(&shell, &id, Flash::success("financing.offered_done")).await,
        Err(ServiceError::Invalid(errors)) => {
            let page = detail_page(&state, &shell, &actor, &id, Some(typed), errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(err) => back(&shell, &id, refusal_flash(err)?).await,
    }
}

#[derive(Deserialize)]
struct ReasonForm {
    #[serde(default)]
    reason: String,
}

async fn decline_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
    Form(form): Form<ReasonForm>,
) -> AppResult<Response> {
    let flash = match offers::decline(&state, &actor, &id, &form.reason).await {
        Ok(()) => Flash::success("financing.declined_done"),
        Err(err) => refusal_flash(err)?,
    };
    back(&shell, &id, flash).await
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    password: String,
}

async fn accept_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    let flash = match offers::accept(&state, &actor, &id, &form.password).await {
        Ok(reauthenticated) => {
            if reauthenticated {
                session::mark_reauthenticated(shell.session()).await?;
            }
            Flash::success("financing.accepted_done")
        }
        Err(err) => refusal_flash(err)?,
    };
    back(&shell, &id, flash).await
}

async fn withdraw_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let flash = match offers::withdraw(&state, &actor, &id).await {
        Ok(()) => Flash::success("financing.withdrawn_done"),
        Err(err) => refusal_flash(err)?,
    };
    back(&shell, &id, flash).await
}

async fn approve_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let flash = match settle::approve(&state, &actor, &id).await {
        Ok(Approved::Disbursed) => Flash::success("financing.disbursed_done"),
        Ok(Approved::AwaitingSecond) => Flash::info("financing.second_done"),
        Err(err) => refusal_flash(err)?,
    };
    back(&shell, &id, flash).await
}

async fn repay_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let flash = match settle::repay(&state, &actor, &id).await {
        Ok(()) => Flash::success("financing.repaid_done"),
        Err(err) => refusal_flash(err)?,
    };
    back(&shell, &id, flash).await
}

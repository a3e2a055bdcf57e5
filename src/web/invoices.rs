//! Invoices: the supplier's form on a received order, the list (a brand's finance people see
//! all, a supplier its own), one invoice with the brand's accept / dispute and the supplier's
//! withdrawal.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::orders::{order_id, submission_token};
use super::shell::{PageCtx, Shell};
use super::{Routes, StateListQuery, next_page, refusal_flash, render};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::auth::session::Flash;
use crate::db::financings::FinancingRow;
use crate::db::invoices::Invoice;
use crate::db::orders::Order;
use crate::domain::finance::financing::FinancingState;
use crate::domain::finance::invoice::InvoiceState;
use crate::domain::ids::OrderId;
use crate::domain::org::{OrgKind, Permission};
use crate::error::AppResult;
use crate::service::financing::{self, RequestChoice};
use crate::service::invoices::acceptance::{self, Accepted};
use crate::service::invoices::{self, Created, InvoiceInput, InvoiceLines, InvoiceableLine};
use crate::service::{FieldErrors, ServiceError};

pub fn routes() -> Routes {
    Routes::new()
        .tenant("/orders/{id}/invoices/new", get(new_get).post(new_post))
        .tenant("/invoices", get(list_get))
        .tenant("/invoices/{invoice}", get(invoice_get))
        .tenant("/invoices/{invoice}/accept", post(accept_post))
        .tenant("/invoices/{invoice}/dispute", post(dispute_post))
        .tenant("/invoices/{invoice}/cancel", post(cancel_post))
}

fn state_key(code: &str) -> String {
    format!("invoice.state.{code}")
}

#[derive(Template)]
#[template(path = "invoices/new.html")]
struct NewPage {
    ctx: PageCtx,
    order: Order,
    lines: Vec<InvoiceableLine>,
    typed: InvoiceInput,
    errors: FieldErrors,
}

impl NewPage {
    fn typed_qty(&self, line: &InvoiceableLine) -> String {
        self.typed
            .lines
            .iter()
            .find(|(n, _)| *n == line.line_no)
            .map(|(_, q)| q.clone())
            .unwrap_or_else(|| {
                let open = line.open();
                if open.is_zero() {
                    String::new()
                } else {
                    open.normalize().to_string()
                }
            })
    }

    fn line_error(&self, line: &InvoiceableLine) -> Option<&'static str> {
        self.errors.get(&format!("lines.{}", line.line_no))
    }

    fn nothing_open(&self) -> bool {
        self.lines.iter().all(|l| l.open().is_zero())
    }
}

async fn new_page(
    state: &AppState,
    shell: &Shell,
    actor: &Actor,
    id: OrderId,
    typed: InvoiceInput,
    errors: FieldErrors,
) -> AppResult<NewPage> {
    let (order, lines) = invoices::form(state, actor, id).await?;
    Ok(NewPage {
        ctx: shell.page().await?,
        order,
        lines,
        typed,
        errors,
    })
}

async fn new_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    let typed = InvoiceInput {
        submission: submission_token(),
        invoice_date: state.now().rfc3339()[..10].to_owned(),
        ..InvoiceInput::default()
    };
    let page = new_page(
        &state,
        &shell,
        &actor,
        order_id(&id)?,
        typed,
        FieldErrors::default(),
    );
    render(&page.await?)
}

async fn new_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let id = order_id(&id)?;
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let lines = fields
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("qty_")?.parse().ok()?, v.clone())))
        .collect();
    let typed = InvoiceInput {
        submission: field("submission"),
        number: field("number"),
        invoice_date: field("invoice_date"),
        due_date: field("due_date"),
        lines,
    };
    match invoices::create(&state, &actor, id, &typed).await {
        Ok(Created::Invoice(invoice)) => {
            shell
                .flash(Flash::success("invoice.submitted_done"))
                .await?;
            Ok(Redirect::to(&format!("/invoices/{invoice}")).into_response())
        }
        Ok(Created::AlreadyApplied) => {
            shell.flash(Flash::info("orders.already_applied")).await?;
            Ok(Redirect::to("/invoices").into_response())
        }
        Err(ServiceError::Invalid(errors)) => {
            shown_again(&state, &shell, &actor, id, typed, errors).await
        }
        Err(ServiceError::Refused(key)) => {
            let mut errors = FieldErrors::default();
            errors.add("number", key);
            shown_again(&state, &shell, &actor, id, typed, errors).await
        }
        Err(err) => Err(err.into()),
    }
}

/// The form again after a refusal, with what was typed and a fresh submission token.
async fn shown_again(
    state: &AppState,
    shell: &Shell,
    actor: &Actor,
    id: OrderId,
    typed: InvoiceInput,
    errors: FieldErrors,
) -> AppResult<Response> {
    let typed = InvoiceInput {
        submission: submission_token(),
        ..typed
    };
    let page = new_page(state, shell, actor, id, typed, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

#[derive(Template)]
#[template(path = "invoices/list.html")]
struct ListPage {
    ctx: PageCtx,
    invoices: Vec<Invoice>,
    states: [InvoiceState; 7],
    filter: String,
    is_brand: bool,
    next_page: Option<String>,
}

impl ListPage {
    fn state_label(&self, code: &str) -> String {
        state_key(code)
    }
}

async fn list_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Query(q): Query<StateListQuery>,
) -> AppResult<Html<String>> {
    let list = invoices::list(&state, &actor, q.state.as_deref(), q.before()).await?;
    let next_page = next_page(&list, |i| q.after(i.created_at, &i.id));
    let filter = q.filter();
    render(&ListPage {
        ctx: shell.page().await?,
        invoices: list,
        states: InvoiceState::ALL,
        filter,
        is_brand: actor.org_kind == OrgKind::Brand,
        next_page,
    })
}

#[derive(Template)]
#[template(path = "invoices/invoice.html")]
struct InvoicePage {
    ctx: PageCtx,
    invoice: Invoice,
    lines: InvoiceLines,
    can_decide: bool,
    can_cancel: bool,
    awaiting_second: bool,
    financings: Vec<FinancingRow>,
    /// Programs the supplier may ask under (empty unless it may ask now).
    choices: Vec<RequestChoice>,
    needs_reauth: bool,
}

impl InvoicePage {
    fn state_label(&self) -> String {
        state_key(&self.invoice.state)
    }

    fn financing_label(&self, code: &str) -> String {
        super::financings::state_key(code)
    }

    fn estimate(&self, c: &RequestChoice) -> String {
        match &c.estimate {
            Ok(q) => format!(
                "{} − {} = {}",
                crate::domain::money::display(q.advance_minor, &self.invoice.currency),
                crate::domain::money::display(q.fee_minor, &self.invoice.currency),
                crate::domain::money::display(q.net_minor, &self.invoice.currency)
            ),
            Err(_) => String::new(),
        }
    }

    fn refusal_key(&self, c: &RequestChoice) -> &'static str {
        match &c.estimate {
            Ok(_) => "",
            Err(why) => why.message_key(),
        }
    }
}

async fn invoice_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    let (invoice, lines) = invoices::get(&state, &actor, &id).await?;
    let open = matches!(
        InvoiceState::parse(&invoice.state),
        Some(InvoiceState::Submitted | InvoiceState::AwaitingSecondAcceptance)
    );
    let can_decide =
        open && actor.org_kind == OrgKind::Brand && actor.can(Permission::DecideInvoices);
    let can_cancel = matches!(
        InvoiceState::parse(&invoice.state),
        Some(
            InvoiceState::Submitted
                | InvoiceState::AwaitingSecondAcceptance
                | InvoiceState::Disputed
        )
    ) && invoice.supplier_org_id == actor.org_id;
    let financings = financing::of_invoice(&state, &invoice).await?;
    let live = financings
        .iter()
        .any(|f| FinancingState::parse(&f.state).is_some_and(FinancingState::is_live));
    let (mut choices, needs_reauth) = financing::request_choices(&state, &actor, &invoice).await?;
    if live || invoice.state != InvoiceState::Accepted.code() {
        choices.clear();
    }
    render(&InvoicePage {
        ctx: shell.page().await?,
        financings,
        choices,
        needs_reauth,
        awaiting_second: invoice.state == InvoiceState::AwaitingSecondAcceptance.code(),
        invoice,
        lines,
        can_decide,
        can_cancel,
    })
}

async fn back(shell: &Shell, id: &str, flash: Flash) -> AppResult<Response> {
    shell.flash(flash).await?;
    Ok(Redirect::to(&format!("/invoices/{id}")).into_response())
}

async fn accept_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let flash = match acceptance::accept(&state, &actor, &id).await {
        Ok(Accepted::Done) => Flash::success("invoice.accepted_done"),
        Ok(Accepted::AwaitingSecond) => Flash::info("invoice.awaiting_second_done"),
        Err(err) => refusal_flash(err)?,
    };
    back(&shell, &id, flash).await
}

#[derive(Deserialize)]
struct DisputeForm {
    #[serde(default)]
    reason: String,
}

async fn dispute_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
    Form(form): Form<DisputeForm>,
) -> AppResult<Response> {
    let flash = match acceptance::dispute(&state, &actor, &id, &form.reason).await {
        Ok(()) => Flash::success("invoice.disputed_done"),
        Err(err) => refusal_flash(err)?,
    };
    back(&shell, &id, flash).await
}

async fn cancel_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let flash = match invoices::cancel(&state, &actor, &id).await {
        Ok(()) => Flash::success("invoice.cancelled_done"),
        Err(err) => refusal_flash(err)?,
    };
    back(&shell, &id, flash).await
}

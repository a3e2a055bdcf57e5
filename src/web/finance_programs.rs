//! Financing programs: the brand admin's setup (`/admin/finance`) and the supplier's opt-in
//! (`/financing`).

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use super::shell::{PageCtx, Shell};
use super::{Routes, refusal_flash, render};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::auth::session::Flash;
use crate::db::finance_programs::ProgramRow;
use crate::domain::finance::financing::Evidence;
use crate::domain::finance::program::TermsInput;
use crate::domain::money::Currency;
use crate::error::AppResult;
use crate::service::finance_programs::{self, BrandPrograms, ProgramInput};
use crate::service::{FieldErrors, ServiceError};

pub fn routes() -> Routes {
    Routes::new()
        .tenant("/admin/finance", get(admin_get))
        .tenant("/admin/finance/programs", post(create_post))
        .tenant("/admin/finance/programs/{program}", post(update_post))
        .tenant(
            "/admin/finance/programs/{program}/suppliers",
            post(suppliers_post),
        )
        .tenant("/financing", get(supplier_get))
        .tenant("/financing/programs/{program}/opt-in", post(opt_in_post))
}

/// A program's terms as the form shows them.
fn typed_from(row: &ProgramRow) -> ProgramInput {
    let exponent = Currency::parse(&row.currency).map_or(2, Currency::exponent);
    let whole = |minor: i64| (minor / 10i64.pow(exponent)).to_string();
    let pct = |bps: i64| {
        let text = format!("{}.{:02}", bps / 100, bps % 100);
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    };
    ProgramInput {
        name: row.name.clone(),
        financier: row.financier_org_id.to_string(),
        active: row.status == "active",
        terms: TermsInput {
            currency: row.currency.clone(),
            advance_pct: pct(row.advance_bps),
            pricing: row.pricing.clone(),
            rate_pct: pct(row.rate_bps),
            day_count: row.day_count.clone(),
            max_tenor_days: row.max_tenor_days.to_string(),
            supplier_limit: whole(row.supplier_limit_minor),
            total_limit: whole(row.total_limit_minor),
            evidence: row.evidence.split(',').map(str::to_owned).collect(),
            invoice_confirmed: row.invoice_confirmed == 1,
            disbursement_second_above: row
                .disbursement_second_above_minor
                .map(whole)
                .unwrap_or_default(),
        },
    }
}

fn blank_program() -> ProgramInput {
    ProgramInput {
        active: true,
        terms: TermsInput {
            currency: "USD".into(),
            pricing: "discount".into(),
            day_count: "act360".into(),
            max_tenor_days: "120".into(),
            evidence: Evidence::ALL.iter().map(|e| e.code().to_owned()).collect(),
            ..TermsInput::default()
        },
        ..ProgramInput::default()
    }
}

/// One program form: `id` "new" or the program's id, with what it shows.
pub struct ProgramForm {
    pub id: String,
    pub typed: ProgramInput,
    pub errors: FieldErrors,
}

impl ProgramForm {
    pub fn error(&self, field: &str) -> Option<&'static str> {
        self.errors.get(field)
    }

    /// The plain text fields: (name, label key, value).
    pub fn text_fields(&self) -> Vec<(&'static str, &'static str, String)> {
        let t = &self.typed.terms;
        vec![
            ("currency", "program.currency", t.currency.clone()),
            ("advance_pct", "program.advance_pct", t.advance_pct.clone()),
            ("rate_pct", "program.rate_pct", t.rate_pct.clone()),
            (
                "max_tenor_days",
                "program.max_tenor_days",
                t.max_tenor_days.clone(),
            ),
            (
                "supplier_limit",
                "program.supplier_limit",
                t.supplier_limit.clone(),
            ),
            ("total_limit", "program.total_limit", t.total_limit.clone()),
            (
                "disbursement_second_above",
                "program.disbursement_second_above",
                t.disbursement_second_above.clone(),
            ),
        ]
    }

    pub fn has_evidence(&self, code: &str) -> bool {
        self.typed.terms.evidence.iter().any(|e| e == code)
    }
}

#[derive(Template)]
#[template(path = "admin/finance.html")]
struct AdminPage {
    ctx: PageCtx,
    view: BrandPrograms,
    forms: Vec<ProgramForm>,
    new_form: ProgramForm,
    evidence: [Evidence; 3],
}

impl AdminPage {
    fn form_of(&self, id: &str) -> Option<&ProgramForm> {
        self.forms.iter().find(|f| f.id == id)
    }

    fn is_eligible(&self, program: &str, supplier: &crate::domain::ids::OrgId) -> bool {
        self.view
            .programs
            .iter()
            .find(|p| p.row.id == program)
            .is_some_and(|p| p.suppliers.iter().any(|(s, ..)| s == supplier))
    }
}

async fn admin_page(
    state: &AppState,
    shell: &Shell,
    actor: &Actor,
    failed: Option<ProgramForm>,
) -> AppResult<AdminPage> {
    let view = finance_programs::brand_view(state, actor).await?;
    let mut new_form = ProgramForm {
        id: "new".into(),
        typed: blank_program(),
        errors: FieldErrors::default(),
    };
    let mut forms: Vec<ProgramForm> = view
        .programs
        .iter()
        .map(|p| ProgramForm {
            id: p.row.id.clone(),
            typed: typed_from(&p.row),
            errors: FieldErrors::default(),
        })
        .collect();
    if let Some(f) = failed {
        if f.id == "new" {
            new_form = f;
        } else if let Some(slot) = forms.iter_mut().find(|x| x.id == f.id) {
            *slot = f;
        }
    }
    Ok(AdminPage {
        ctx: shell.page().await?,
        view,
        forms,
        new_form,
        evidence: Evidence::ALL,
    })
}

async fn admin_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
) -> AppResult<Html<String>> {
    render(&admin_page(&state, &shell, &actor, None).await?)
}

fn input_from(fields: &[(String, String)]) -> ProgramInput {
    let one = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    ProgramInput {
        name: one("name"),
        financier: one("financier"),
        active: fields.iter().any(|(k, _)| k == "active"),
        terms: TermsInput {
            currency: one("currency"),
            advance_pct: one("advance_pct"),
            pricing: one("pricing"),
            rate_pct: one("rate_pct"),
            day_count: one("day_count"),
            max_tenor_days: one("max_tenor_days"),
            supplier_limit: one("supplier_limit"),
            total_limit: one("total_limit"),
            evidence: fields
                .iter()
                .filter(|(k, _)| k == "evidence")
                .map(|(_, v)| v.clone())
                .collect(),
            invoice_confirmed: fields.iter().any(|(k, _)| k == "invoice_confirmed"),
            disbursement_second_above: one("disbursement_second_above"),
        },
    }
}

async fn saved(
    state: &AppState,
    shell: &Shell,
    actor: &Actor,
    id: Option<String>,
    fields: Vec<(String, String)>,
) -> AppResult<Response> {
    let typed = input_from(&fields);
    match finance_programs::save(state, actor, id.as_deref(), &typed).await {
        Ok(_) => {
            shell.flash(Flash::success("program.saved")).await?;
            Ok(Redirect::to("/admin/finance").into_response())
        }
        Err(ServiceError::Invalid(errors)) => {
            let form = ProgramForm {
                id: id.unwrap_or_else(|| "new".into()),
                typed,
                errors,
            };
            let page = admin_page(state, shell, actor, Some(form)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(err) => {
            shell.flash(refusal_flash(err)?).await?;
            Ok(Redirect::to("/admin/finance").into_response())
        }
    }
}

async fn create_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    saved(&state, &shell, &actor, None, fields).await
}

async fn update_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(program): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    saved(&state, &shell, &actor, Some(program), fields).await
}

async fn suppliers_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(program): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let chosen: Vec<String> = fields
        .into_iter()
        .filter(|(k, _)| k == "supplier")
        .map(|(_, v)| v)
        .collect();
    let flash = match finance_programs::set_suppliers(&state, &actor, &program, &chosen).await {
        Ok(()) => Flash::success("program.suppliers_saved"),
        Err(err) => refusal_flash(err)?,
    };
    shell.flash(flash).await?;
    Ok(Redirect::to("/admin/finance").into_response())
}

#[derive(Template)]
#[template(path = "financing/programs.html")]
struct SupplierPage {
    ctx: PageCtx,
    programs: Vec<(ProgramRow, Option<i64>, i64)>,
}

impl SupplierPage {
    fn terms(&self, row: &ProgramRow) -> String {
        let pct = |bps: i64| format!("{}.{:02} %", bps / 100, bps % 100);
        let pricing = if row.pricing == "flat" {
            format!("{} flat", pct(row.rate_bps))
        } else {
            format!(
                "{} p.a. ({})",
                pct(row.rate_bps),
                row.day_count.to_uppercase()
            )
        };
        format!(
            "{} advance · {pricing} · up to {} days",
            pct(row.advance_bps),
            row.max_tenor_days
        )
    }
}

async fn supplier_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
) -> AppResult<Html<String>> {
    let programs = finance_programs::supplier_view(&state, &actor).await?;
    render(&SupplierPage {
        ctx: shell.page().await?,
        programs,
    })
}

async fn opt_in_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(program): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let join = fields.iter().any(|(k, v)| k == "join" && v == "yes");
    let auto = fields.iter().any(|(k, _)| k == "auto_finance");
    let flash = match finance_programs::opt_in(&state, &actor, &program, join, auto).await {
        Ok(()) if join => Flash::success("program.joined"),
        Ok(()) => Flash::success("program.left"),
        Err(err) => refusal_flash(err)?,
    };
    shell.flash(flash).await?;
    Ok(Redirect::to("/financing").into_response())
}

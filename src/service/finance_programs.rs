//! Financing programs: a brand admin sets one up with a financier it works with (terms,
//! limits, evidence required) and names the eligible suppliers; each supplier opts in, with or
//! without auto-financing.

use serde_json::json;

use super::{AuditEvent, FieldErrors, ServiceError, ServiceResult, actions, audit, tenant_of};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db;
use crate::db::finance_programs::ProgramRow;
use crate::domain::finance::pricing::Pricing;
use crate::domain::finance::program::{TermsInput, parse_terms};
use crate::domain::ids::{OrgId, TenantId};
use crate::domain::order::fields::parse_text;
use crate::domain::org::{OrgKind, Permission};

/// The program form as typed.
#[derive(Clone, Debug, Default)]
pub struct ProgramInput {
    pub name: String,
    pub financier: String,
    pub active: bool,
    pub terms: TermsInput,
}

/// A program with its eligible suppliers: (supplier, name, opted in at, auto-financing).
pub struct ProgramView {
    pub row: ProgramRow,
    pub suppliers: Vec<(OrgId, String, Option<i64>, i64)>,
}

pub struct BrandPrograms {
    pub programs: Vec<ProgramView>,
    pub financiers: Vec<(OrgId, String)>,
    pub suppliers: Vec<(OrgId, String)>,
}

fn require_admin(actor: &Actor) -> ServiceResult<TenantId> {
    let tenant = tenant_of(actor)?.tenant_id;
    if actor.org_kind == OrgKind::Brand && actor.can(Permission::ManageBrandSettings) {
        Ok(tenant)
    } else {
        Err(ServiceError::NotFound)
    }
}

async fn partners_of(
    conn: &mut db::Conn,
    tenant: TenantId,
    kinds: &[OrgKind],
) -> ServiceResult<Vec<(OrgId, String)>> {
    Ok(db::partnerships::active_of_kinds(conn, tenant, kinds)
        .await?
        .into_iter()
        .map(|(id, name, _)| (id, name))
        .collect())
}

pub async fn brand_view(state: &AppState, actor: &Actor) -> ServiceResult<BrandPrograms> {
    let tenant = require_admin(actor)?;
    let mut conn = state.db.read().await?;
    let mut programs = Vec::new();
    for row in db::finance_programs::of_brand(&mut conn, tenant).await? {
        let suppliers = db::finance_programs::suppliers(&mut conn, tenant, &row.id).await?;
        programs.push(ProgramView { row, suppliers });
    }
    Ok(BrandPrograms {
        programs,
        financiers: partners_of(&mut conn, tenant, &[OrgKind::Financier]).await?,
        suppliers: partners_of(&mut conn, tenant, &[OrgKind::Supplier, OrgKind::Factory]).await?,
    })
}

/// Creates (`id` None) or changes a program; returns its id.
pub async fn save(
    state: &AppState,
    actor: &Actor,
    id: Option<&str>,
    input: &ProgramInput,
) -> ServiceResult<String> {
    let tenant = require_admin(actor)?;
    let mut e = FieldErrors::default();
    let name = e.check("name", parse_text(&input.name, 80, true));
    let terms = match parse_terms(&input.terms) {
        Ok(t) => Some(t),
        Err(errors) => {
            for (field, key) in errors {
                e.add(field, key);
            }
            None
        }
    };
    let mut tx = state.db.begin().await?;
    if let Some(id) = id
        && db::finance_programs::get(&mut tx, tenant, id)
            .await?
            .is_none()
    {
        return Err(ServiceError::NotFound);
    }
    let financiers = partners_of(&mut tx, tenant, &[OrgKind::Financier]).await?;
    let financier = financiers
        .iter()
        .find(|(f, _)| f.to_string() == input.financier)
        .map(|(f, _)| *f);
    if financier.is_none() {
        e.add("financier", "program.refused.financier");
    }
    e.into_result()?;
    let (Some(name), Some(terms), Some(financier)) = (name, terms, financier) else {
        return Err(ServiceError::Invalid(FieldErrors::default()));
    };
    let (pricing, rate_bps, day_count) = match terms.pricing {
        Pricing::Discount {
            bps_per_annum,
            day_count,
        } => ("discount", bps_per_annum, day_count.code()),
        Pricing::Flat { bps } => ("flat", bps, input.terms.day_count.as_str()),
    };
    let row = ProgramRow {
        tenant_id: tenant,
        id: id.map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_owned),
        name,
        financier_org_id: financier,
        financier_name: String::new(),
        currency: terms.currency.code().to_owned(),
        advance_bps: terms.advance_bps.into(),
        pricing: pricing.into(),
        rate_bps: rate_bps.into(),
        day_count: if day_count == "act365" {
            "act365"
        } else {
            "act360"
        }
        .into(),
        max_tenor_days: terms.max_tenor_days,
        supplier_limit_minor: terms.supplier_limit_minor,
        total_limit_minor: terms.total_limit_minor,
        evidence: terms
            .evidence
            .iter()
            .map(|e| e.code())
            .collect::<Vec<_>>()
            .join(","),
        invoice_confirmed: i64::from(terms.invoice_confirmed),
        disbursement_second_above_minor: terms.disbursement_second_above_minor,
        status: if input.active { "active" } else { "closed" }.into(),
    };
    let now = state.now().0;
    if !db::finance_programs::save(&mut tx, &row, actor.user_id, now).await? {
        return Err(ServiceError::Refused("program.refused.name_taken"));
    }
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::new(actions::PROGRAM_SAVED, "finance_program", &row.id).detail(json!({
            "name": row.name, "financier": financier.to_string(), "advance_bps": row.advance_bps,
            "pricing": row.pricing, "rate_bps": row.rate_bps, "day_count": row.day_count,
            "max_tenor_days": row.max_tenor_days, "status": row.status,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(row.id)
}

/// Makes exactly the chosen suppliers eligible (each must be an active supplier or factory of
/// the brand).
pub async fn set_suppliers(
    state: &AppState,
    actor: &Actor,
    program: &str,
    chosen: &[String],
) -> ServiceResult<()> {
    let tenant = require_admin(actor)?;
    let mut tx = state.db.begin().await?;
    if db::finance_programs::get(&mut tx, tenant, program)
        .await?
        .is_none()
    {
        return Err(ServiceError::NotFound);
    }
    let eligible = partners_of(&mut tx, tenant, &[OrgKind::Supplier, OrgKind::Factory]).await?;
    let mut ids = Vec::new();
    for c in chosen {
        match eligible.iter().find(|(id, _)| id.to_string() == *c) {
            Some((id, _)) => ids.push(*id),
            None => return Err(ServiceError::Refused("program.refused.supplier")),
        }
    }
    db::finance_programs::set_suppliers(&mut tx, tenant, program, &ids, state.now().0).await?;
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::new(actions::PROGRAM_SUPPLIERS_SET, "finance_program", program).detail(
            json!({ "suppliers": ids.iter().map(ToString::to_string).collect::<Vec<_>>() }),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn require_supplier(actor: &Actor) -> ServiceResult<TenantId> {
    let tenant = tenant_of(actor)?.tenant_id;
    if matches!(actor.org_kind, OrgKind::Supplier | OrgKind::Factory) {
        Ok(tenant)
    } else {
        Err(ServiceError::NotFound)
    }
}

/// The brand's active programs the supplier is eligible for, with its choice.
pub async fn supplier_view(
    state: &AppState,
    actor: &Actor,
) -> ServiceResult<Vec<(ProgramRow, Option<i64>, i64)>> {
    let tenant = require_supplier(actor)?;
    let mut conn = state.db.read().await?;
    Ok(db::finance_programs::for_supplier(&mut conn, tenant, actor.org_id).await?)
}

/// The supplier joins (optionally with auto-financing) or leaves a program it is eligible for.
pub async fn opt_in(
    state: &AppState,
    actor: &Actor,
    program: &str,
    join: bool,
    auto_finance: bool,
) -> ServiceResult<()> {
    let tenant = require_supplier(actor)?;
    if !actor.can(Permission::RespondToOrders) {
        return Err(ServiceError::Forbidden);
    }
    let mut tx = state.db.begin().await?;
    let active = db::finance_programs::get(&mut tx, tenant, program)
        .await?
        .is_some_and(|p| p.status == "active");
    let at = join.then(|| state.now().0);
    if !active
        || !db::finance_programs::set_opt_in(
            &mut tx,
            tenant,
            program,
            actor.org_id,
            at,
            join && auto_finance,
            actor.user_id,
        )
        .await?
    {
        return Err(ServiceError::NotFound);
    }
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::new(actions::PROGRAM_OPT_IN, "finance_program", program)
            .detail(json!({ "joined": join, "auto_finance": join && auto_finance })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

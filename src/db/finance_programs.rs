//! Financing programs and their suppliers.

use sqlx::FromRow;

use super::Conn;
use crate::domain::ids::{OrgId, TenantId, UserId};

#[derive(Clone, Debug, FromRow)]
pub struct ProgramRow {
    pub tenant_id: TenantId,
    pub id: String,
    pub name: String,
    pub financier_org_id: OrgId,
    pub financier_name: String,
    pub currency: String,
    pub advance_bps: i64,
    pub pricing: String,
    pub rate_bps: i64,
    pub day_count: String,
    pub max_tenor_days: i64,
    pub supplier_limit_minor: i64,
    pub total_limit_minor: i64,
    pub evidence: String,
    pub invoice_confirmed: i64,
    pub disbursement_second_above_minor: Option<i64>,
    pub status: String,
}

const PROGRAM: &str = "SELECT p.tenant_id, p.id, p.name, p.financier_org_id, f.name AS financier_name, \
     p.currency, p.advance_bps, p.pricing, p.rate_bps, p.day_count, p.max_tenor_days, \
     p.supplier_limit_minor, p.total_limit_minor, p.evidence, p.invoice_confirmed, \
     p.disbursement_second_above_minor, p.status \
     FROM finance_programs p JOIN orgs f ON f.id = p.financier_org_id";

pub async fn of_brand(conn: &mut Conn, tenant: TenantId) -> Result<Vec<ProgramRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{PROGRAM} WHERE p.tenant_id = $1 ORDER BY p.name, p.id"
    ))
    .bind(tenant)
    .fetch_all(conn)
    .await
}

pub async fn get(
    conn: &mut Conn,
    tenant: TenantId,
    id: &str,
) -> Result<Option<ProgramRow>, sqlx::Error> {
    sqlx::query_as(&format!("{PROGRAM} WHERE p.tenant_id = $1 AND p.id = $2"))
        .bind(tenant)
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Saves a program (insert or update by id); false when another of the brand's has the name.
pub async fn save(
    conn: &mut Conn,
    p: &ProgramRow,
    by: UserId,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let taken: Option<(String,)> = sqlx::query_as(
        "SELECT id FROM finance_programs WHERE tenant_id = $1 AND name = $2 AND id <> $3",
    )
    .bind(p.tenant_id)
    .bind(&p.name)
    .bind(&p.id)
    .fetch_optional(&mut *conn)
    .await?;
    if taken.is_some() {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO finance_programs (tenant_id, id, name, financier_org_id, currency, advance_bps, \
           pricing, rate_bps, day_count, max_tenor_days, supplier_limit_minor, total_limit_minor, \
           evidence, invoice_confirmed, disbursement_second_above_minor, status, updated_by, \
           created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18) \
         ON CONFLICT (tenant_id, id) DO UPDATE SET name = $3, financier_org_id = $4, currency = $5, \
           advance_bps = $6, pricing = $7, rate_bps = $8, day_count = $9, max_tenor_days = $10, \
           supplier_limit_minor = $11, total_limit_minor = $12, evidence = $13, \
           invoice_confirmed = $14, disbursement_second_above_minor = $15, status = $16, \
           updated_by = $17, updated_at = $18",
    )
    .bind(p.tenant_id)
    .bind(&p.id)
    .bind(&p.name)
    .bind(p.financier_org_id)
    .bind(&p.currency)
    .bind(p.advance_bps)
    .bind(&p.pricing)
    .bind(p.rate_bps)
    .bind(&p.day_count)
    .bind(p.max_tenor_days)
    .bind(p.supplier_limit_minor)
    .bind(p.total_limit_minor)
    .bind(&p.evidence)
    .bind(p.invoice_confirmed)
    .bind(p.disbursement_second_above_minor)
    .bind(&p.status)
    .bind(by)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(true)
}

/// A program's suppliers: (supplier, name, opted in at, auto-financing).
pub async fn suppliers(
    conn: &mut Conn,
    tenant: TenantId,
    program: &str,
) -> Result<Vec<(OrgId, String, Option<i64>, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT s.supplier_org_id, o.name, s.opted_in_at, s.auto_finance FROM program_suppliers s \
         JOIN orgs o ON o.id = s.supplier_org_id \
         WHERE s.tenant_id = $1 AND s.program_id = $2 ORDER BY o.name",
    )
    .bind(tenant)
    .bind(program)
    .fetch_all(conn)
    .await
}

/// Makes exactly these suppliers eligible (those already in keep their opt-in).
pub async fn set_suppliers(
    conn: &mut Conn,
    tenant: TenantId,
    program: &str,
    suppliers: &[OrgId],
    now: i64,
) -> Result<(), sqlx::Error> {
    let current = self::suppliers(&mut *conn, tenant, program).await?;
    for (id, ..) in &current {
        if !suppliers.contains(id) {
            sqlx::query(
                "DELETE FROM program_suppliers WHERE tenant_id = $1 AND program_id = $2 \
                 AND supplier_org_id = $3",
            )
            .bind(tenant)
            .bind(program)
            .bind(id)
            .execute(&mut *conn)
            .await?;
        }
    }
    for id in suppliers {
        sqlx::query(
            "INSERT INTO program_suppliers (tenant_id, program_id, supplier_org_id, eligible_since) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, program_id, supplier_org_id) DO NOTHING",
        )
        .bind(tenant)
        .bind(program)
        .bind(id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Programs a supplier is eligible for in this brand: (program, opted in at, auto-financing).
pub async fn for_supplier(
    conn: &mut Conn,
    tenant: TenantId,
    supplier: OrgId,
) -> Result<Vec<(ProgramRow, Option<i64>, i64)>, sqlx::Error> {
    let programs = of_brand(&mut *conn, tenant).await?;
    let rows: Vec<(String, Option<i64>, i64)> = sqlx::query_as(
        "SELECT program_id, opted_in_at, auto_finance FROM program_suppliers \
         WHERE tenant_id = $1 AND supplier_org_id = $2",
    )
    .bind(tenant)
    .bind(supplier)
    .fetch_all(conn)
    .await?;
    Ok(programs
        .into_iter()
        .filter(|p| p.status == "active")
        .filter_map(|p| {
            let (_, at, auto) = rows.iter().find(|(id, ..)| *id == p.id)?.clone();
            Some((p, at, auto))
        })
        .collect())
}

/// The supplier's choice (None: opted out); false when it is not eligible.
pub async fn set_opt_in(
    conn: &mut Conn,
    tenant: TenantId,
    program: &str,
    supplier: OrgId,
    opted_in_at: Option<i64>,
    auto_finance: bool,
    by: UserId,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE program_suppliers SET opted_in_at = $4, auto_finance = $5, opted_in_by = $6 \
         WHERE tenant_id = $1 AND program_id = $2 AND supplier_org_id = $3",
    )
    .bind(tenant)
    .bind(program)
    .bind(supplier)
    .bind(opted_in_at)
    .bind(i64::from(auto_finance))
    .bind(by)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The supplier's standing in one program: (opted in at, auto-financing, who opted in).
pub async fn membership(
    conn: &mut Conn,
    tenant: TenantId,
    program: &str,
    supplier: OrgId,
) -> Result<Option<(Option<i64>, i64, Option<UserId>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT opted_in_at, auto_finance, opted_in_by FROM program_suppliers \
         WHERE tenant_id = $1 AND program_id = $2 AND supplier_org_id = $3",
    )
    .bind(tenant)
    .bind(program)
    .bind(supplier)
    .fetch_optional(conn)
    .await
}

/// Holds the program against concurrent requests until the transaction ends, so two requests
/// cannot both fit under a limit only one fits under. SQLite's write transactions already run
/// one at a time; PostgreSQL locks the program's row.
pub async fn lock(
    conn: &mut Conn,
    engine: super::Engine,
    tenant: TenantId,
    program: &str,
) -> Result<(), sqlx::Error> {
    if engine == super::Engine::Postgres {
        sqlx::query("SELECT id FROM finance_programs WHERE tenant_id = $1 AND id = $2 FOR UPDATE")
            .bind(tenant)
            .bind(program)
            .fetch_optional(conn)
            .await?;
    }
    Ok(())
}

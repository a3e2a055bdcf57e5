//! A brand's milestone template rows.

use sqlx::Row;

use super::Conn;
use crate::domain::ids::TenantId;
use crate::domain::order::milestones::Step;

/// The brand's saved template in order; empty when it never saved one.
pub async fn template(conn: &mut Conn, tenant: TenantId) -> Result<Vec<Step>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT code, label, production, active FROM milestone_steps \
         WHERE tenant_id = $1 ORDER BY position, code",
    )
    .bind(tenant)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Step {
                code: row.try_get(0)?,
                label: row.try_get(1)?,
                production: row.try_get::<i64, _>(2)? != 0,
                active: row.try_get::<i64, _>(3)? != 0,
            })
        })
        .collect()
}

/// Replaces the brand's template with `steps`, in that order.
pub async fn replace(conn: &mut Conn, tenant: TenantId, steps: &[Step]) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM milestone_steps WHERE tenant_id = $1")
        .bind(tenant)
        .execute(&mut *conn)
        .await?;
    for (position, step) in steps.iter().enumerate() {
        sqlx::query(
            "INSERT INTO milestone_steps (tenant_id, code, label, position, production, active) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(tenant)
        .bind(&step.code)
        .bind(&step.label)
        .bind(position as i64)
        .bind(i64::from(step.production))
        .bind(i64::from(step.active))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

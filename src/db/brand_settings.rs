//! A brand's settings row; a brand that never saved any gets the defaults.

use sqlx::Row;

use super::Conn;
use crate::domain::ids::TenantId;
use crate::domain::settings::BrandSettings;

pub async fn get(conn: &mut Conn, tenant: TenantId) -> Result<BrandSettings, sqlx::Error> {
    let row = sqlx::query(
        "SELECT production_requires_sample, ship_tolerance_pct, invoice_second_acceptance_above \
         FROM brand_settings \
         WHERE tenant_id = $1",
    )
    .bind(tenant)
    .fetch_optional(conn)
    .await?;
    Ok(match row {
        Some(row) => BrandSettings {
            production_requires_sample: row.try_get::<i64, _>(0)? != 0,
            ship_tolerance_pct: row.try_get(1)?,
            invoice_second_acceptance_above: row.try_get(2)?,
        },
        None => BrandSettings::default(),
    })
}

pub async fn save(
    conn: &mut Conn,
    tenant: TenantId,
    settings: &BrandSettings,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO brand_settings (tenant_id, production_requires_sample, ship_tolerance_pct, \
           invoice_second_acceptance_above, updated_at) \
         VALUES ($1, $2, $3, $5, $4) \
         ON CONFLICT (tenant_id) DO UPDATE SET production_requires_sample = $2, \
           ship_tolerance_pct = $3, invoice_second_acceptance_above = $5, updated_at = $4",
    )
    .bind(tenant)
    .bind(i64::from(settings.production_requires_sample))
    .bind(settings.ship_tolerance_pct)
    .bind(now)
    .bind(settings.invoice_second_acceptance_above)
    .execute(conn)
    .await?;
    Ok(())
}

//! The traceability chain's records: material lots, production batches and the finished lots
//! they yield, each owned by the factory that records it.

use super::Conn;
use crate::domain::ids::{OrgId, UserId};

/// A material lot: (id, material, supplier, supplier's lot code, received, unit).
pub type MaterialLot = (String, String, String, String, String, String);

pub struct NewMaterialLot<'a> {
    pub id: &'a str,
    pub owner: OrgId,
    pub material: &'a str,
    pub supplier_name: &'a str,
    pub supplier_lot_code: &'a str,
    pub received_qty: &'a str,
    pub unit: &'a str,
    pub by: UserId,
    pub now: i64,
}

/// Records a lot; false when the owner has that supplier's lot code already.
pub async fn insert_material_lot(
    conn: &mut Conn,
    l: &NewMaterialLot<'_>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO material_lots (id, owner_org_id, material, supplier_name, \
           supplier_lot_code, received_qty, unit, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
    )
    .bind(l.id)
    .bind(l.owner)
    .bind(l.material)
    .bind(l.supplier_name)
    .bind(l.supplier_lot_code)
    .bind(l.received_qty)
    .bind(l.unit)
    .bind(l.by)
    .bind(l.now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The owner's lot with this supplier lot code (as scanned), if one.
pub async fn material_lot_by_code(
    conn: &mut Conn,
    owner: OrgId,
    code: &str,
) -> Result<Option<MaterialLot>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, material, supplier_name, supplier_lot_code, received_qty, unit \
         FROM material_lots WHERE owner_org_id = $1 AND supplier_lot_code = $2 \
         ORDER BY created_at LIMIT 1",
    )
    .bind(owner)
    .bind(code)
    .fetch_optional(conn)
    .await
}

/// What batches took of a lot so far, one quantity per batch.
pub async fn consumed(conn: &mut Conn, lot: &str) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT quantity FROM trace_edges WHERE from_kind = 'material_lot' AND from_id = $1",
    )
    .bind(lot)
    .fetch_all(conn)
    .await
}

pub struct NewBatch<'a> {
    pub id: &'a str,
    pub owner: OrgId,
    pub code: &'a str,
    pub line: &'a str,
    pub shift: &'a str,
    pub operator: &'a str,
    pub started_at: i64,
    pub ended_at: Option<i64>,
    pub by: UserId,
    pub now: i64,
}

/// Records a batch; false when the owner has that batch code already.
pub async fn insert_batch(conn: &mut Conn, b: &NewBatch<'_>) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO production_batches (id, owner_org_id, code, line, shift, operator, \
           started_at, ended_at, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING",
    )
    .bind(b.id)
    .bind(b.owner)
    .bind(b.code)
    .bind(b.line)
    .bind(b.shift)
    .bind(b.operator)
    .bind(b.started_at)
    .bind(b.ended_at)
    .bind(b.by)
    .bind(b.now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records the finished lot a batch yields; false when the owner has that lot code already.
#[allow(clippy::too_many_arguments)]
pub async fn insert_finished_lot(
    conn: &mut Conn,
    id: &str,
    owner: OrgId,
    code: &str,
    batch: &str,
    quantity: &str,
    unit: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO finished_lots (id, owner_org_id, code, batch_id, quantity, unit, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
    )
    .bind(id)
    .bind(owner)
    .bind(code)
    .bind(batch)
    .bind(quantity)
    .bind(unit)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The owner's finished lot with this code: (id, quantity, unit, held). Held is a hold of any
/// brand: held goods ship to nobody.
pub async fn finished_lot_by_code(
    conn: &mut Conn,
    owner: OrgId,
    code: &str,
) -> Result<Option<(String, String, String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT f.id, f.quantity, f.unit, CASE WHEN EXISTS (SELECT 1 \
           FROM finished_lots_held_by_any_brand h WHERE h.lot_id = f.id) THEN 1 ELSE 0 END \
         FROM finished_lots f WHERE f.owner_org_id = $1 AND f.code = $2",
    )
    .bind(owner)
    .bind(code)
    .fetch_optional(conn)
    .await
}

/// What shipments took of a finished lot so far, one quantity per shipment, whichever brand
/// each went to (the lot is the factory's: no brand may take more than is left of it).
pub async fn shipped_from(conn: &mut Conn, lot: &str) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT quantity FROM trace_edges_all_brands WHERE from_kind = 'finished_lot' \
           AND from_id = $1",
    )
    .bind(lot)
    .fetch_all(conn)
    .await
}

/// Holds these material lots against concurrent batches until the transaction ends, so two
/// batches cannot both take what is left of a lot only one of them fits in.
pub async fn lock_material_lots(conn: &mut Conn, ids: &[&str]) -> Result<(), sqlx::Error> {
    lock_rows(
        conn,
        "SELECT id FROM material_lots WHERE id = $1 FOR UPDATE",
        ids,
    )
    .await
}

/// Holds these finished lots against concurrent shipments until the transaction ends, so two
/// shipments cannot both take what is left of a lot only one of them fits in.
pub async fn lock_finished_lots(conn: &mut Conn, ids: &[&str]) -> Result<(), sqlx::Error> {
    lock_rows(
        conn,
        "SELECT id FROM finished_lots WHERE id = $1 FOR UPDATE",
        ids,
    )
    .await
}

/// SQLite's write transactions already run one at a time; PostgreSQL locks the rows, in id
/// order so that two transactions locking the same rows cannot deadlock.
async fn lock_rows(conn: &mut Conn, sql: &str, ids: &[&str]) -> Result<(), sqlx::Error> {
    if conn.backend_name() != "PostgreSQL" {
        return Ok(());
    }
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for id in ids {
        sqlx::query(sql).bind(id).fetch_optional(&mut *conn).await?;
    }
    Ok(())
}

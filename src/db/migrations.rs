//! Whether a PostgreSQL schema is up to date, checked without the rights to change it.

use sqlx::migrate::Migrator;

use super::Conn;

/// True when every migration is applied, successfully and unchanged, and nothing else is: then
/// running the migrator would do nothing. It only reads, so a login that may not create tables
/// (one that row-level security applies to) can start against a schema the owner migrated.
pub(super) async fn up_to_date(conn: &mut Conn, migrator: &Migrator) -> Result<bool, sqlx::Error> {
    let exists: Option<String> =
        sqlx::query_scalar("SELECT CAST(to_regclass('_sqlx_migrations') AS TEXT)")
            .fetch_one(&mut *conn)
            .await?;
    if exists.is_none() {
        return Ok(false);
    }
    let mut applied: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT version, encode(checksum, 'hex'), CAST(success AS INTEGER) FROM _sqlx_migrations",
    )
    .fetch_all(conn)
    .await?;
    applied.sort();
    let mut wanted: Vec<(i64, String, i64)> = migrator
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .map(|m| (m.version, hex::encode(&m.checksum), 1))
        .collect();
    wanted.sort();
    Ok(applied == wanted)
}

//! Bulk loading for the data generator: rows gathered per table and written many to one INSERT,
//! many statements to one transaction, on a connection of its own whose settings favour a
//! one-off load (closed at the end). `Loader::open` is the single way in, so a database-wide
//! scope (e.g. a row-level-security "system" role) can be set in one place.

use std::time::Duration;

use sqlx::{Connection, Executor};

use super::{Db, Engine};

/// One value of a row. NULLs carry their column's type: PostgreSQL checks a parameter's type
/// even when it is NULL.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    T(String),
    I(i64),
    B(Vec<u8>),
    NullText,
    NullInt,
}

impl From<&str> for Val {
    fn from(v: &str) -> Self {
        Val::T(v.to_owned())
    }
}

impl From<String> for Val {
    fn from(v: String) -> Self {
        Val::T(v)
    }
}

impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Val::I(v)
    }
}

impl From<Option<String>> for Val {
    fn from(v: Option<String>) -> Self {
        v.map_or(Val::NullText, Val::T)
    }
}

impl From<Option<i64>> for Val {
    fn from(v: Option<i64>) -> Self {
        v.map_or(Val::NullInt, Val::I)
    }
}

/// Rows for one table, in the order its `columns` name.
#[derive(Clone, Debug)]
pub struct Table {
    pub name: &'static str,
    pub columns: &'static [&'static str],
    /// `ON CONFLICT DO NOTHING`: rows several batches make (a lot shared by many orders).
    pub skip_existing: bool,
    values: Vec<Val>,
}

impl Table {
    pub fn new(name: &'static str, columns: &'static [&'static str]) -> Table {
        Table {
            name,
            columns,
            skip_existing: false,
            values: Vec::new(),
        }
    }

    pub fn skipping_existing(mut self) -> Table {
        self.skip_existing = true;
        self
    }

    /// Adds a row; it must have one value per column.
    pub fn row(&mut self, values: Vec<Val>) {
        assert_eq!(
            values.len(),
            self.columns.len(),
            "a row of {} has the wrong width",
            self.name
        );
        self.values.extend(values);
    }

    pub fn len(&self) -> usize {
        self.values.len() / self.columns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    pub fn clear(&mut self) {
        self.values.clear();
    }
}

/// Rows per INSERT on PostgreSQL, bounded by its 65535 parameters; what is left over goes in
/// smaller fixed sizes, so few distinct statements get prepared.
const PG_CHUNKS: [usize; 5] = [256, 64, 16, 4, 1];
/// On SQLite (at most 32766 parameters). Its placeholders are anonymous (`?`): binding a
/// numbered one looks its name up in a list as long as the statement's parameters, which makes
/// a statement's binding cost grow with its square.
const SQLITE_CHUNKS: [usize; 5] = [128, 32, 8, 2, 1];

fn insert_sql(table: &Table, rows: usize, engine: Engine) -> String {
    let width = table.columns.len();
    let mut sql = format!(
        "INSERT INTO {} ({}) VALUES ",
        table.name,
        table.columns.join(", ")
    );
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..width {
            if c > 0 {
                sql.push_str(", ");
            }
            match engine {
                Engine::Sqlite => sql.push('?'),
                Engine::Postgres => sql.push_str(&format!("${}", r * width + c + 1)),
            }
        }
        sql.push(')');
    }
    if table.skip_existing {
        sql.push_str(" ON CONFLICT DO NOTHING");
    }
    sql
}

/// The connection a bulk load writes through. It is taken out of the pool, so its load settings
/// never reach the app's own writes: dropped on an error, it closes; `finish` closes it.
pub struct Loader {
    conn: super::Conn,
    engine: Engine,
}

impl Loader {
    /// Takes the database's write connection and sets it up for loading: on SQLite, foreign keys
    /// unchecked (the generator makes them right; a test checks) and a large page cache; on
    /// PostgreSQL, commits that do not wait for the disk.
    pub async fn open(db: &Db) -> anyhow::Result<Loader> {
        let mut conn = db.write.acquire().await?.detach();
        match db.engine() {
            Engine::Sqlite => {
                conn.execute("PRAGMA foreign_keys = OFF").await?;
                conn.execute("PRAGMA synchronous = NORMAL").await?;
                conn.execute("PRAGMA cache_size = -524288").await?;
            }
            Engine::Postgres => {
                conn.execute("SET synchronous_commit = off").await?;
            }
        }
        Ok(Loader {
            conn,
            engine: db.engine(),
        })
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    pub async fn count(&mut self, table: &str) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&mut self.conn)
            .await
    }

    /// Whether a row of `table` has `column` = `value`.
    pub async fn exists(
        &mut self,
        table: &str,
        column: &str,
        value: &str,
    ) -> Result<bool, sqlx::Error> {
        let found: Option<i64> = sqlx::query_scalar(&format!(
            "SELECT 1 FROM {table} WHERE {column} = $1 LIMIT 1"
        ))
        .bind(value)
        .fetch_optional(&mut self.conn)
        .await?;
        Ok(found.is_some())
    }

    /// Writes all `tables` in one transaction, in the order given.
    pub async fn load(&mut self, tables: &[&Table]) -> Result<(), sqlx::Error> {
        let mut tx = match self.engine {
            Engine::Sqlite => self.conn.begin_with("BEGIN IMMEDIATE").await?,
            Engine::Postgres => self.conn.begin().await?,
        };
        for table in tables {
            insert(&mut tx, table, self.engine).await?;
        }
        tx.commit().await
    }

    /// The connection, for setup steps that use the ordinary per-row functions.
    pub fn conn(&mut self) -> &mut super::Conn {
        &mut self.conn
    }

    /// Refreshes the planner's statistics (on PostgreSQL, vacuums too) and closes the connection.
    pub async fn finish(mut self) -> anyhow::Result<Duration> {
        let started = std::time::Instant::now();
        match self.engine {
            Engine::Sqlite => {
                // A bounded sample per index: exact counts of tens of millions of rows would
                // take minutes and plan no better.
                self.conn.execute("PRAGMA analysis_limit = 2000").await?;
                self.conn.execute("ANALYZE").await?;
                self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").await?;
            }
            Engine::Postgres => {
                // Statistics are the tables' owner's to refresh: back to the login's own role
                // (the pool switched to the application's), then ANALYZE skips, with a warning,
                // what that login does not own. VACUUM as well: it marks the freshly written
                // pages all-visible, as autovacuum would soon, so index-only scans need not
                // visit the table (measuring before that would measure the load, not the app).
                self.conn.execute("RESET ROLE").await?;
                self.conn.execute("VACUUM (ANALYZE)").await?;
            }
        }
        let took = started.elapsed();
        self.conn.close().await?;
        Ok(took)
    }
}

/// An order of `partner` in `tenant` for a benchmark to open: the newest shipped one (its lots
/// are on the trace), else the newest issued one. (id, PO number, shipped).
pub async fn sample_order(
    conn: &mut super::Conn,
    tenant: crate::domain::ids::TenantId,
    partner: crate::domain::ids::OrgId,
) -> Result<Option<(String, String, bool)>, sqlx::Error> {
    let shipped: Option<(String, String)> = sqlx::query_as(
        "SELECT o.id, o.po_number FROM orders o \
         JOIN asns a ON a.tenant_id = o.tenant_id AND a.order_id = o.id \
         WHERE o.tenant_id = $1 AND o.partner_org_id = $2 ORDER BY o.created_at DESC LIMIT 1",
    )
    .bind(tenant)
    .bind(partner)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some((id, po)) = shipped {
        return Ok(Some((id, po, true)));
    }
    let any: Option<(String, String)> = sqlx::query_as(
        "SELECT id, po_number FROM orders WHERE tenant_id = $1 AND partner_org_id = $2 \
         AND state <> 'draft' ORDER BY created_at DESC LIMIT 1",
    )
    .bind(tenant)
    .bind(partner)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(any.map(|(id, po)| (id, po, false)))
}

async fn insert(conn: &mut super::Conn, table: &Table, engine: Engine) -> Result<(), sqlx::Error> {
    let chunks: &[usize] = match engine {
        Engine::Sqlite => &SQLITE_CHUNKS,
        Engine::Postgres => &PG_CHUNKS,
    };
    let width = table.columns.len();
    let rows = table.len();
    let mut done = 0;
    for &size in chunks {
        while rows - done >= size {
            let sql = insert_sql(table, size, engine);
            let mut query = sqlx::query(&sql);
            for v in &table.values[done * width..(done + size) * width] {
                query = match v {
                    Val::T(s) => query.bind(s.as_str()),
                    Val::I(i) => query.bind(*i),
                    Val::B(b) => query.bind(b.clone()),
                    Val::NullText => query.bind(None::<String>),
                    Val::NullInt => query.bind(None::<i64>),
                };
            }
            // Only the full-size statement is worth keeping prepared.
            query
                .persistent(size == chunks[0])
                .execute(&mut *conn)
                .await?;
            done += size;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_insert_numbers_its_placeholders_row_by_row_on_postgres_only() {
        let t = Table::new("t", &["a", "b"]).skipping_existing();
        assert_eq!(
            insert_sql(&t, 2, Engine::Postgres),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4) ON CONFLICT DO NOTHING"
        );
        assert_eq!(
            insert_sql(&t, 1, Engine::Sqlite),
            "INSERT INTO t (a, b) VALUES (?, ?) ON CONFLICT DO NOTHING"
        );
    }

    #[test]
    fn rows_are_counted_by_width() {
        let mut t = Table::new("t", &["a", "b"]);
        t.row(vec![Val::from("x"), Val::I(1)]);
        t.row(vec![Val::NullText, Val::NullInt]);
        assert_eq!(t.len(), 2);
    }

    #[test]
    fn the_largest_statements_stay_under_the_parameter_limits() {
        // The widest generated table (financings) has 32 columns.
        assert!(PG_CHUNKS[0] * 32 < 65_535);
        assert!(SQLITE_CHUNKS[0] * 32 < 32_766);
    }
}

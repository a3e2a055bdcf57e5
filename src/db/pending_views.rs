//! SQLite: audit entries of views, committed to a file of their own before their page is shown
//! and moved into the audit chain in bulk (`service::view_audit`).
//!
//! Why a second file: any commit to the main database makes every reading connection drop its
//! whole page cache at its next read, and an order page is a view that must be committed. With
//! each view committed to the main file, every order page read its ~90-150 pages again from the
//! operating system. Committed here instead, the main file changes once per fold, not per view.
//!
//! The file is attached to the writing connection only, as schema `views`; the table's name is
//! unique across both files. A fold is one transaction over both files, which SQLite does not
//! make atomic across files in WAL mode: after a crash between the two commits an entry can be
//! both in the chain and still pending, so a fold first forgets pending entries whose id the
//! chain already holds.

use sqlx::{Executor, FromRow};

use super::Conn;

/// The views file of a SQLite database URL: `portico.db` → `portico-views.db` beside it. `None`
/// for a database in memory (views are then appended to the chain at once).
pub fn file_of(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or("");
    if path.is_empty() || path.starts_with(":memory:") || url.contains("mode=memory") {
        return None;
    }
    Some(match path.strip_suffix(".db") {
        Some(stem) => format!("{stem}-views.db"),
        None => format!("{path}-views.db"),
    })
}

/// Attaches the views file (created when missing) to a writing connection, durable as the main
/// file, with its one table.
pub async fn attach(conn: &mut Conn, file: &str) -> Result<(), sqlx::Error> {
    conn.execute(sqlx::query("ATTACH DATABASE $1 AS views").bind(file.to_owned()))
        .await?;
    conn.execute("PRAGMA views.journal_mode = WAL").await?;
    conn.execute("PRAGMA views.synchronous = FULL").await?;
    conn.execute(
        "CREATE TABLE IF NOT EXISTS views.pending_views ( \
           n INTEGER PRIMARY KEY, \
           id TEXT NOT NULL UNIQUE, \
           tenant_id TEXT, \
           actor_user_id TEXT, \
           actor_org_id TEXT, \
           action TEXT NOT NULL, \
           subject_type TEXT NOT NULL, \
           subject_id TEXT, \
           detail TEXT NOT NULL, \
           client_addr TEXT, \
           at BIGINT NOT NULL)",
    )
    .await?;
    Ok(())
}

/// A view waiting to be moved into its chain.
#[derive(Clone, Debug, FromRow)]
pub struct PendingView {
    pub n: i64,
    pub id: String,
    pub tenant_id: Option<String>,
    pub actor_user_id: Option<String>,
    pub actor_org_id: Option<String>,
    pub action: String,
    pub subject_type: String,
    pub subject_id: Option<String>,
    pub detail: String,
    pub client_addr: Option<String>,
    pub at: i64,
}

const COLUMNS: usize = 10;

/// Commits views in one statement (atomic, and durable once it returns).
pub async fn stage(conn: &mut Conn, views: &[PendingView]) -> Result<(), sqlx::Error> {
    if views.is_empty() {
        return Ok(());
    }
    // Anonymous parameters: SQLite binds them by position, where numbered ones are looked up
    // by name one by one (the square of their number for a batch of views).
    let row = format!("({})", ["?"; COLUMNS].join(", "));
    let rows = vec![row; views.len()];
    let sql = format!(
        "INSERT INTO views.pending_views (id, tenant_id, actor_user_id, actor_org_id, action, \
           subject_type, subject_id, detail, client_addr, at) VALUES {}",
        rows.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for v in views {
        query = query
            .bind(&v.id)
            .bind(&v.tenant_id)
            .bind(&v.actor_user_id)
            .bind(&v.actor_org_id)
            .bind(&v.action)
            .bind(&v.subject_type)
            .bind(&v.subject_id)
            .bind(&v.detail)
            .bind(&v.client_addr)
            .bind(v.at);
    }
    query.execute(conn).await?;
    Ok(())
}

/// Forgets pending views the chain already holds (a fold interrupted between its two files).
pub async fn forget_folded(conn: &mut Conn) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(
        "DELETE FROM views.pending_views \
         WHERE EXISTS (SELECT 1 FROM main.audit_log a WHERE a.id = pending_views.id)",
    )
    .execute(conn)
    .await?
    .rows_affected())
}

/// The oldest pending views, in the order they were committed.
pub async fn oldest(conn: &mut Conn, limit: i64) -> Result<Vec<PendingView>, sqlx::Error> {
    sqlx::query_as(
        "SELECT n, id, tenant_id, actor_user_id, actor_org_id, action, subject_type, subject_id, \
                detail, client_addr, at \
         FROM views.pending_views ORDER BY n LIMIT $1",
    )
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Removes the pending views up to and including `n` (moved into the chain).
pub async fn remove_through(conn: &mut Conn, n: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM views.pending_views WHERE n <= $1")
        .bind(n)
        .execute(conn)
        .await?;
    Ok(())
}

/// How many views wait to be moved into the chain.
pub async fn count(conn: &mut Conn) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM views.pending_views")
        .fetch_one(conn)
        .await
}

#[cfg(test)]
mod tests {
    use super::file_of;

    #[test]
    fn the_views_file_sits_beside_the_database_and_memory_databases_have_none() {
        assert_eq!(
            file_of("sqlite://data/portico.db").as_deref(),
            Some("data/portico-views.db")
        );
        assert_eq!(
            file_of("sqlite:///srv/p/portico.db?mode=rwc").as_deref(),
            Some("/srv/p/portico-views.db")
        );
        assert_eq!(
            file_of("sqlite:bench.sqlite").as_deref(),
            Some("bench.sqlite-views.db")
        );
        assert_eq!(file_of("sqlite::memory:"), None);
        assert_eq!(file_of("sqlite://x.db?mode=memory&cache=shared"), None);
        assert_eq!(file_of("postgres://localhost/p"), None);
    }
}

//! Opening the pools: SQLite's single writer (with the views file attached) and read-only
//! readers, PostgreSQL's one pool in the application's role and the task's tenant scope.

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

use super::{pending_views, scope};

/// The PostgreSQL pool: the application's role and the task's tenant scope on every
/// connection. Setting the scope replaces the idle-connection ping (a failed `set_config`
/// discards the connection just as a failed ping would), so an acquire costs no more round
/// trips than before.
pub(super) fn postgres_pool(url: &str, app_role: Option<String>) -> anyhow::Result<AnyPool> {
    let set_role = app_role.as_deref().map(set_role);
    let pool = AnyPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(10))
        .test_before_acquire(false)
        .after_connect(move |conn, _meta| {
            let set_role = set_role.clone();
            // Runs in the acquiring task, or in the pool's upkeep task (no scope: nothing); the
            // scope is set again on every acquire either way.
            let scope = scope::current();
            Box::pin(async move {
                if let Some(set_role) = set_role {
                    conn.execute(set_role.as_str()).await?;
                }
                scope::apply(conn, scope).await
            })
        })
        .before_acquire(|conn, _meta| {
            let scope = scope::current();
            Box::pin(async move {
                scope::apply(conn, scope).await?;
                Ok(true)
            })
        })
        .connect_lazy(url)?;
    Ok(pool)
}

/// `SET ROLE` with the role name quoted as an identifier.
pub(super) fn set_role(role: &str) -> String {
    format!("SET ROLE \"{}\"", role.replace('"', "\"\""))
}

/// A pool on a SQLite file; the writer's connections attach the views file when there is one.
pub(super) async fn sqlite_pool(
    url: &str,
    max: u32,
    read_only: bool,
    views: Option<String>,
) -> anyhow::Result<AnyPool> {
    let options = AnyConnectOptions::from_str(&sqlite_url(url, read_only))?;
    let pool = AnyPoolOptions::new()
        .max_connections(max)
        .min_connections(if read_only { 0 } else { 1 })
        .acquire_timeout(Duration::from_secs(30))
        // An in-process SQLite connection does not go stale; the default ping on every acquire
        // is a round trip to the connection's worker thread (two context switches) for nothing.
        .test_before_acquire(false)
        .after_connect(move |conn, _meta| {
            let views = views.clone();
            Box::pin(async move {
                conn.execute("PRAGMA busy_timeout = 15000").await?;
                if !read_only {
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                }
                conn.execute("PRAGMA synchronous = FULL").await?;
                conn.execute("PRAGMA foreign_keys = ON").await?;
                if let Some(file) = &views {
                    pending_views::attach(conn, file).await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await?;
    Ok(pool)
}

/// Adds the open mode to a SQLite URL: the writer creates the file, readers never write.
fn sqlite_url(url: &str, read_only: bool) -> String {
    let mode = if read_only { "ro" } else { "rwc" };
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("mode="))
        .collect();
    let mut out = format!("{base}?mode={mode}");
    for param in kept {
        out.push('&');
        out.push_str(param);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_role_name_is_quoted_as_an_identifier() {
        assert_eq!(set_role("portico_app"), r#"SET ROLE "portico_app""#);
        assert_eq!(
            set_role(r#"a"; RESET ROLE; --"#),
            r#"SET ROLE "a""; RESET ROLE; --""#
        );
    }

    #[test]
    fn sqlite_urls_get_the_right_open_mode() {
        assert_eq!(
            sqlite_url("sqlite://data/p.db", true),
            "sqlite://data/p.db?mode=ro"
        );
        assert_eq!(
            sqlite_url("sqlite://data/p.db?mode=rwc&cache=shared", false),
            "sqlite://data/p.db?mode=rwc&cache=shared"
        );
    }
}

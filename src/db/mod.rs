//! Persistence. One code path for SQLite and PostgreSQL through sqlx's `Any` driver with
//! portable SQL (`$n` placeholders bind by number on both engines). Functions here take a
//! connection and, for tenant-scoped data, the tenant id first; they never decide business rules.

pub mod api_clients;
pub mod audit;
pub mod brand_settings;
pub mod bulk;
mod codec;
pub mod complaints;
pub mod digests;
pub mod events;
pub mod finance_programs;
pub mod financing_figures;
pub mod financings;
pub mod identity;
pub mod invitations;
pub mod invoices;
pub mod kitting;
mod migrations;
pub mod milestones;
pub mod notifications;
pub mod order_history;
pub mod order_lines;
pub mod orders;
pub mod org_keys;
pub mod orgs;
pub mod partnerships;
pub mod password_resets;
pub mod pending_views;
pub mod pg_sessions;
mod pools;
pub mod progress;
pub mod qc;
pub mod request_reader;
pub mod samples;
pub mod scope;
pub mod sessions;
pub mod shipping;
pub mod sla;
pub mod sla_board;
pub mod sla_setup;
pub mod sso;
pub mod throttle;
pub mod trace;
pub mod trace_nodes;
pub mod trace_records;
pub mod users;
pub mod webhooks;

use sqlx::migrate::Migrator;
use sqlx::{AnyConnection, AnyPool, Connection, Executor, Transaction};

pub type Conn = AnyConnection;
pub type Tx = Transaction<'static, sqlx::Any>;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn of_url(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Engine::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Engine::Postgres)
        } else {
            anyhow::bail!("DATABASE_URL must start with sqlite: or postgres://")
        }
    }
}

/// The database handle. On SQLite, writes go through a single-connection pool (SQLite has one
/// writer; queueing in the pool beats `SQLITE_BUSY` retries) and reads through a pool of
/// read-only connections. On PostgreSQL both are the same pool.
#[derive(Clone, Debug)]
pub struct Db {
    engine: Engine,
    /// Shared: the pool handle is cloned with every request's state.
    url: std::sync::Arc<str>,
    /// PostgreSQL: the role the pool switches to.
    app_role: Option<std::sync::Arc<str>>,
    read: AnyPool,
    write: AnyPool,
    /// SQLite: the file views are committed to before they join the audit chain
    /// (`pending_views`), attached to the writing connection.
    views_file: Option<std::sync::Arc<str>>,
}

impl Db {
    /// Opens the pools. On PostgreSQL every connection switches to `app_role` (when given)
    /// after connecting, so row-level security applies to it, and carries the scope of the task
    /// that acquires it (`scope.rs`). `None` keeps the login's own role: a dedicated login that
    /// row-level security applies to, or the owner (the tests' own handle). The PostgreSQL pool
    /// connects on first use: the login may switch to the role only once migration 0021 ran.
    pub async fn connect(url: &str, app_role: Option<&str>) -> anyhow::Result<Self> {
        sqlx::any::install_default_drivers();
        let engine = Engine::of_url(url)?;
        match engine {
            Engine::Sqlite => {
                let views_file = pending_views::file_of(url);
                let write = pools::sqlite_pool(url, 1, false, views_file.clone()).await?;
                // The writer creates the file and switches it to WAL before readers open it.
                let read = pools::sqlite_pool(url, 8, true, None).await?;
                Ok(Db {
                    engine,
                    url: url.into(),
                    app_role: None,
                    read,
                    write,
                    views_file: views_file.map(Into::into),
                })
            }
            Engine::Postgres => {
                let app_role = app_role.filter(|r| !r.is_empty()).map(str::to_owned);
                let pool = pools::postgres_pool(url, app_role.clone())?;
                Ok(Db {
                    engine,
                    url: url.into(),
                    app_role: app_role.map(Into::into),
                    read: pool.clone(),
                    write: pool,
                    views_file: None,
                })
            }
        }
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// SQLite on a file: where views wait for their fold into the audit chain.
    pub fn views_file(&self) -> Option<&str> {
        self.views_file.as_deref()
    }

    /// The pool for queries that only read. Use cases read through [`Db::read`], which shares
    /// one connection per request.
    pub fn reader(&self) -> &AnyPool {
        &self.read
    }

    /// The pool of the one writing connection (PostgreSQL: the pool). Use cases write through
    /// [`Db::begin`]; a single statement that commits on its own may take a connection here.
    pub fn writer(&self) -> &AnyPool {
        &self.write
    }

    /// Starts the one transaction a use case writes in. On SQLite it takes the write lock at
    /// once (`BEGIN IMMEDIATE`): a deferred transaction that reads first cannot upgrade when the
    /// session store committed in between, and fails instead of waiting.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        match self.engine {
            Engine::Sqlite => {
                // The request's snapshot ends here, so its reads after the write see it.
                request_reader::release();
                self.write.begin_with("BEGIN IMMEDIATE").await
            }
            Engine::Postgres => {
                // The request's reading connection goes back first: reads and writes share the
                // pool, and a full pool of requests each holding one while waiting for a second
                // would wait on each other.
                request_reader::release();
                self.write.begin().await
            }
        }
    }

    /// Brings the schema up to date. On PostgreSQL this runs on a connection of its own as the
    /// login of the URL (the owner), never through the application's role; a schema that is
    /// up to date already is only checked, so a login that may not change it can start too.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match self.engine {
            Engine::Sqlite => SQLITE_MIGRATIONS.run(&self.write).await?,
            Engine::Postgres => {
                let mut conn = AnyConnection::connect(&self.url).await?;
                if !migrations::up_to_date(&mut conn, &POSTGRES_MIGRATIONS).await? {
                    POSTGRES_MIGRATIONS.run(&mut conn).await.map_err(|err| {
                        anyhow::anyhow!(
                            "{err} (migrations need the tables' owner: run `portico migrate` \
                             with the owner's DATABASE_URL)"
                        )
                    })?;
                }
                conn.close().await?;
            }
        }
        Ok(())
    }

    /// Checks on a connection of its own that the login may switch to the application's role,
    /// so a missing grant is named at start rather than as a pool timeout later.
    pub async fn check_app_role(&self) -> anyhow::Result<()> {
        let Some(role) = &self.app_role else {
            return Ok(());
        };
        let mut conn = AnyConnection::connect(&self.url).await?;
        let switched = conn.execute(pools::set_role(role).as_str()).await;
        conn.close().await?;
        switched.map_err(|err| {
            anyhow::anyhow!(
                "the database login cannot switch to the role {role} ({err}): grant it \
                 (GRANT {role} TO <login>), or set PORTICO_DB_APP_ROLE= (empty) for a login that \
                 row-level security applies to already"
            )
        })?;
        Ok(())
    }

    /// Cheap round trip for `/readyz`.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        let mut conn = self.read.acquire().await?;
        conn.ping().await
    }

    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}

/// SQL assembled at run time (optional filters) with numbered placeholders, which both engines
/// bind the same way.
#[derive(Default)]
pub(crate) struct DynamicSql {
    pub sql: String,
    args: Vec<DynamicArg>,
}

enum DynamicArg {
    Text(String),
    Int(i64),
}

impl DynamicSql {
    /// Adds a text argument and returns its placeholder.
    pub fn text(&mut self, value: String) -> String {
        self.args.push(DynamicArg::Text(value));
        format!("${}", self.args.len())
    }

    pub fn int(&mut self, value: i64) -> String {
        self.args.push(DynamicArg::Int(value));
        format!("${}", self.args.len())
    }

    /// The tail of a newest-first page keyed on (`at`, `id`) columns: rows strictly before the
    /// last row of the previous page (if any), ordered and limited.
    pub fn newest_first(
        &mut self,
        (at_col, id_col): (&str, &str),
        before: Option<(i64, &str)>,
        limit: i64,
    ) -> String {
        let mut sql = String::new();
        if let Some((at, id)) = before {
            let (a, b, c) = (self.int(at), self.int(at), self.text(id.to_owned()));
            sql.push_str(&format!(
                " AND ({at_col} < {a} OR ({at_col} = {b} AND {id_col} < {c}))"
            ));
        }
        let n = self.int(limit);
        sql.push_str(&format!(" ORDER BY {at_col} DESC, {id_col} DESC LIMIT {n}"));
        sql
    }

    pub async fn fetch_all<T>(self, conn: &mut Conn) -> Result<Vec<T>, sqlx::Error>
    where
        T: Send + Unpin + for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
    {
        let mut query = sqlx::query_as::<_, T>(&self.sql);
        for arg in self.args {
            query = match arg {
                DynamicArg::Text(t) => query.bind(t),
                DynamicArg::Int(i) => query.bind(i),
            };
        }
        query.fetch_all(conn).await
    }
}

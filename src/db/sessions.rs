//! Session storage in Portico's own database on either engine, so server processes keep no
//! state and several replicas can share one PostgreSQL.

use async_trait::async_trait;
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use std::str::FromStr;
use std::time::Duration;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use super::Engine;

#[derive(Clone, Debug)]
pub enum PorticoSessionStore {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl PorticoSessionStore {
    /// Opens a small pool of its own on the same database and creates the session table.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let store = match Engine::of_url(url)? {
            Engine::Sqlite => {
                let options = SqliteConnectOptions::from_str(url)?
                    .busy_timeout(Duration::from_secs(15))
                    .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sqlx::sqlite::SqliteSynchronous::Full)
                    .create_if_missing(true);
                let pool = SqlitePoolOptions::new()
                    .max_connections(4)
                    .test_before_acquire(false)
                    .connect_with(options)
                    .await?;
                let store = SqliteStore::new(pool);
                store.migrate().await?;
                PorticoSessionStore::Sqlite(store)
            }
            Engine::Postgres => {
                let pool = PgPoolOptions::new().max_connections(4).connect(url).await?;
                // Only the owner may create the table (`portico migrate` does); a login that
                // row-level security applies to finds it there.
                let exists: bool =
                    sqlx::query_scalar("SELECT to_regclass('tower_sessions.session') IS NOT NULL")
                        .fetch_one(&pool)
                        .await?;
                let store = PostgresStore::new(pool);
                if !exists {
                    store.migrate().await?;
                }
                PorticoSessionStore::Postgres(store)
            }
        };
        Ok(store)
    }

    /// Removes expired sessions every `period` until the process stops.
    pub fn spawn_cleanup(&self, period: Duration) {
        let store = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(period);
            loop {
                tick.tick().await;
                if let Err(err) = store.delete_expired().await {
                    tracing::warn!(error = %err, "could not delete expired sessions");
                }
            }
        });
    }
}

#[async_trait]
impl SessionStore for PorticoSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            PorticoSessionStore::Sqlite(s) => s.create(record).await,
            PorticoSessionStore::Postgres(s) => s.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            PorticoSessionStore::Sqlite(s) => s.save(record).await,
            PorticoSessionStore::Postgres(s) => s.save(record).await,
        }
    }

    async fn load(&self, session_id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            PorticoSessionStore::Sqlite(s) => s.load(session_id).await,
            PorticoSessionStore::Postgres(s) => s.load(session_id).await,
        }
    }

    async fn delete(&self, session_id: &Id) -> session_store::Result<()> {
        match self {
            PorticoSessionStore::Sqlite(s) => s.delete(session_id).await,
            PorticoSessionStore::Postgres(s) => s.delete(session_id).await,
        }
    }
}

#[async_trait]
impl ExpiredDeletion for PorticoSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match self {
            PorticoSessionStore::Sqlite(s) => s.delete_expired().await,
            PorticoSessionStore::Postgres(s) => s.delete_expired().await,
        }
    }
}

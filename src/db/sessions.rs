//! Session storage in Portico's own database on either engine, so server processes keep no
//! state and several replicas can share one PostgreSQL.

use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use std::str::FromStr;
use std::time::Duration;
use tower_sessions::CachingSessionStore;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions_moka_store::MokaStore;
use tower_sessions_sqlx_store::SqliteStore;

use super::pg_sessions::PgSessions;
use super::{Db, Engine};

/// Sessions kept in memory at most (a few hundred bytes each); the least used past this are read
/// from the table again.
const CACHED_SESSIONS: u64 = 50_000;

#[derive(Clone, Debug)]
pub enum PorticoSessionStore {
    /// The table behind a write-through cache, so a signed-in request reads its session without a
    /// round trip to a database thread. Safe because one process serves an SQLite file: every
    /// change to a session goes through this store. Expired records leave the cache at their
    /// expiry; sign-out deletes from both.
    Sqlite {
        cached: CachingSessionStore<MokaStore, SqliteStore>,
        table: SqliteStore,
    },
    /// No cache: replicas share the table, and a sign-out on one must end the session on all.
    /// Read through the request's own connection (`pg_sessions.rs`).
    Postgres(PgSessions),
}

impl PorticoSessionStore {
    /// On SQLite: opens a small pool of its own on the same file and creates the session
    /// table. On PostgreSQL: uses the application's pool (see [`PgSessions`]).
    pub async fn connect(db: &Db) -> anyhow::Result<Self> {
        let store = match db.engine() {
            Engine::Sqlite => {
                let options = SqliteConnectOptions::from_str(db.url())?
                    .busy_timeout(Duration::from_secs(15))
                    .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sqlx::sqlite::SqliteSynchronous::Full)
                    .create_if_missing(true);
                let pool = SqlitePoolOptions::new()
                    .max_connections(4)
                    .test_before_acquire(false)
                    .connect_with(options)
                    .await?;
                let table = SqliteStore::new(pool);
                table.migrate().await?;
                let cache = MokaStore::new(Some(CACHED_SESSIONS));
                PorticoSessionStore::Sqlite {
                    cached: CachingSessionStore::new(cache, table.clone()),
                    table,
                }
            }
            Engine::Postgres => PorticoSessionStore::Postgres(PgSessions::open(db.clone()).await?),
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
            PorticoSessionStore::Sqlite { cached, .. } => cached.create(record).await,
            PorticoSessionStore::Postgres(s) => s.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            PorticoSessionStore::Sqlite { cached, .. } => cached.save(record).await,
            PorticoSessionStore::Postgres(s) => s.save(record).await,
        }
    }

    async fn load(&self, session_id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            PorticoSessionStore::Sqlite { cached, .. } => cached.load(session_id).await,
            PorticoSessionStore::Postgres(s) => s.load(session_id).await,
        }
    }

    async fn delete(&self, session_id: &Id) -> session_store::Result<()> {
        match self {
            PorticoSessionStore::Sqlite { cached, .. } => cached.delete(session_id).await,
            PorticoSessionStore::Postgres(s) => s.delete(session_id).await,
        }
    }
}

#[async_trait]
impl ExpiredDeletion for PorticoSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match self {
            PorticoSessionStore::Sqlite { table, .. } => table.delete_expired().await,
            PorticoSessionStore::Postgres(s) => s.delete_expired().await,
        }
    }
}

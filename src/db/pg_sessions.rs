//! Sessions in PostgreSQL through Portico's own pool.
//!
//! `tower-sessions-sqlx-store`'s store keeps a pool of its own and reads a session with two
//! round trips (the pool's ping, then the query) before the request reads anything else. Here
//! the read goes through [`Db::read`]: the request's reading connection, in the scope that
//! crosses brands, which the sign-in identity read that follows shares. The table and the
//! record's encoding (MessagePack) are the crate's, so sessions survive the switch.

use sqlx::{AnyConnection, Connection, Executor};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, Error};

use super::{Db, identity, scope};

/// The record's keys of the signed-in user and of the brand the session works in (written by
/// `auth::session`), kept in columns of their own as well.
pub const USER_KEY: &str = "uid";
pub const TENANT_KEY: &str = "tenant";

#[derive(Clone, Debug)]
pub struct PgSessions {
    db: Db,
}

fn backend(err: sqlx::Error) -> Error {
    Error::Backend(err.to_string())
}

impl PgSessions {
    /// Creates the session table when missing, on a connection of the login of the URL (only
    /// the owner may; a login that row-level security applies to finds it there).
    pub async fn open(db: Db) -> anyhow::Result<Self> {
        let mut conn = AnyConnection::connect(db.url()).await?;
        let exists: bool =
            sqlx::query_scalar("SELECT to_regclass('tower_sessions.session') IS NOT NULL")
                .fetch_one(&mut conn)
                .await?;
        if !exists {
            conn.execute(
                "CREATE SCHEMA IF NOT EXISTS tower_sessions; \
                 CREATE TABLE IF NOT EXISTS tower_sessions.session ( \
                     id text PRIMARY KEY NOT NULL, \
                     data bytea NOT NULL, \
                     expiry_date timestamptz NOT NULL)",
            )
            .await?;
        }
        // Who the session names, beside the record, so the identity is read with the session
        // (`identity::session_with_identity`). Rows saved before these columns have NULLs there;
        // their requests read the identity on its own until the session is next saved.
        conn.execute(
            "ALTER TABLE tower_sessions.session \
                 ADD COLUMN IF NOT EXISTS user_id text, \
                 ADD COLUMN IF NOT EXISTS active_tenant text",
        )
        .await?;
        conn.close().await?;
        Ok(PgSessions { db })
    }

    pub async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        scope::system(async {
            let mut tx = self.db.begin().await.map_err(backend)?;
            loop {
                let taken: bool = sqlx::query_scalar(
                    "SELECT EXISTS (SELECT 1 FROM tower_sessions.session WHERE id = $1)",
                )
                .bind(record.id.to_string())
                .fetch_one(&mut *tx)
                .await
                .map_err(backend)?;
                if !taken {
                    break;
                }
                record.id = Id::default();
            }
            upsert(&mut tx, record).await?;
            tx.commit().await.map_err(backend)
        })
        .await
    }

    pub async fn save(&self, record: &Record) -> session_store::Result<()> {
        scope::system(async {
            let mut tx = self.db.begin().await.map_err(backend)?;
            upsert(&mut tx, record).await?;
            tx.commit().await.map_err(backend)
        })
        .await
    }

    pub async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let data: Option<Vec<u8>> = scope::system(async {
            let mut conn = self.db.read().await?;
            let row = identity::session_with_identity(&mut conn, &id.to_string()).await?;
            Ok::<_, sqlx::Error>(row.map(|row| {
                conn.moved_to(row.scope_now);
                row.data
            }))
        })
        .await
        .map_err(backend)?;
        data.map(|data| rmp_serde::from_slice(&data).map_err(|e| Error::Decode(e.to_string())))
            .transpose()
    }

    pub async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.execute("DELETE FROM tower_sessions.session WHERE id = $1", Some(id))
            .await
    }

    pub async fn delete_expired(&self) -> session_store::Result<()> {
        self.execute(
            "DELETE FROM tower_sessions.session WHERE expiry_date < now()",
            None,
        )
        .await
    }

    async fn execute(&self, sql: &str, id: Option<&Id>) -> session_store::Result<()> {
        scope::system(async {
            let mut tx = self.db.begin().await.map_err(backend)?;
            let mut query = sqlx::query(sql);
            if let Some(id) = id {
                query = query.bind(id.to_string());
            }
            query.execute(&mut *tx).await.map_err(backend)?;
            tx.commit().await.map_err(backend)
        })
        .await
    }
}

async fn upsert(tx: &mut super::Tx, record: &Record) -> session_store::Result<()> {
    let data = rmp_serde::to_vec(record).map_err(|e| Error::Encode(e.to_string()))?;
    let named = |key: &str| {
        record
            .data
            .get(key)
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    sqlx::query(
        "INSERT INTO tower_sessions.session (id, data, expiry_date, user_id, active_tenant) \
         VALUES ($1, $2, to_timestamp($3), $4, $5) \
         ON CONFLICT (id) DO UPDATE SET data = excluded.data, expiry_date = excluded.expiry_date, \
             user_id = excluded.user_id, active_tenant = excluded.active_tenant",
    )
    .bind(record.id.to_string())
    .bind(data)
    .bind(record.expiry_date.unix_timestamp())
    .bind(named(USER_KEY))
    .bind(named(TENANT_KEY))
    .execute(&mut **tx)
    .await
    .map_err(backend)?;
    Ok(())
}

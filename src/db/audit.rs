//! The audit log: append-only (the schema refuses updates and deletes).

use sqlx::FromRow;

use super::Conn;
use crate::domain::ids::{AuditId, OrgId, TenantId, UserId};
use crate::signing::audit_chain::{ChainedEntry, GENESIS, entry_hash};

pub struct NewEntry<'a> {
    /// Given for an entry that has an id already (a view moved in from its file keeps it);
    /// else a new one.
    pub id: Option<String>,
    pub tenant_id: Option<TenantId>,
    pub actor_user_id: Option<UserId>,
    pub actor_org_id: Option<OrgId>,
    pub action: &'a str,
    pub subject_type: &'a str,
    pub subject_id: Option<String>,
    pub detail: serde_json::Value,
    pub client_addr: Option<&'a str>,
    pub at: i64,
}

#[derive(Clone, Debug, FromRow)]
pub struct Entry {
    pub id: AuditId,
    pub tenant_id: Option<String>,
    pub actor_user_id: Option<String>,
    pub action: String,
    pub subject_type: String,
    pub subject_id: Option<String>,
    pub detail: String,
    pub at: i64,
}

/// Appends an entry to its tenant's chain (or the platform chain) in the caller's transaction.
/// Bumping the chain head first locks it, so concurrent appends to one chain take turns.
pub async fn append(conn: &mut Conn, entry: &NewEntry<'_>) -> Result<(), sqlx::Error> {
    append_many(conn, std::slice::from_ref(entry)).await
}

/// Appends entries in order, each to its own chain, in the caller's transaction: per chain one
/// head bump for all of its entries and one insert of all their rows, so a batch of group-
/// committed views costs two statements per chain on PostgreSQL (three on SQLite, whose
/// statements make no round trip), not several per entry.
pub async fn append_many(conn: &mut Conn, entries: &[NewEntry<'_>]) -> Result<(), sqlx::Error> {
    let mut chains: Vec<(String, Vec<&NewEntry<'_>>)> = Vec::new();
    for entry in entries {
        let chain = entry
            .tenant_id
            .map(|t| t.to_string())
            .unwrap_or_else(|| PLATFORM_CHAIN.to_owned());
        match chains.iter_mut().find(|(c, _)| *c == chain) {
            Some((_, of_chain)) => of_chain.push(entry),
            None => chains.push((chain, vec![entry])),
        }
    }
    for (chain, of_chain) in chains {
        append_to_chain(conn, &chain, &of_chain).await?;
    }
    Ok(())
}

async fn append_to_chain(
    conn: &mut Conn,
    chain: &str,
    entries: &[&NewEntry<'_>],
) -> Result<(), sqlx::Error> {
    let count = entries.len() as i64;
    let (last_seq, mut prev_hash) = match bump_head(conn, chain, count).await? {
        Some(head) => head,
        // A chain's first entry: its head starts at the genesis hash.
        None => {
            sqlx::query(
                "INSERT INTO audit_heads (chain, seq, hash) VALUES ($1, 0, $2) \
                 ON CONFLICT (chain) DO NOTHING",
            )
            .bind(chain)
            .bind(GENESIS)
            .execute(&mut *conn)
            .await?;
            bump_head(conn, chain, count)
                .await?
                .ok_or(sqlx::Error::RowNotFound)?
        }
    };
    let mut rows = Vec::with_capacity(entries.len());
    for (seq, entry) in (last_seq - count + 1..).zip(entries) {
        let chained = ChainedEntry {
            chain: chain.to_owned(),
            seq,
            id: entry
                .id
                .clone()
                .unwrap_or_else(|| AuditId::new().to_string()),
            tenant_id: entry.tenant_id.map(|t| t.to_string()),
            actor_user_id: entry.actor_user_id.map(|u| u.to_string()),
            actor_org_id: entry.actor_org_id.map(|o| o.to_string()),
            action: entry.action.to_owned(),
            subject_type: entry.subject_type.to_owned(),
            subject_id: entry.subject_id.clone(),
            detail: entry.detail.to_string(),
            client_addr: entry.client_addr.map(str::to_owned),
            at: entry.at,
        };
        let hash = entry_hash(&chained, &prev_hash);
        rows.push((
            chained,
            std::mem::replace(&mut prev_hash, hash.clone()),
            hash,
        ));
    }
    // On PostgreSQL the last insert also moves the head's hash on (a data-modifying `WITH`, one
    // round trip less per batch); SQLite has no such `WITH`, and its statements cost no trip.
    let joined = conn.backend_name() == "PostgreSQL";
    let chunks: Vec<_> = rows.chunks(ROWS_PER_INSERT).collect();
    for (i, chunk) in chunks.iter().enumerate() {
        let head = (joined && i + 1 == chunks.len()).then_some((chain, prev_hash.as_str()));
        insert_rows(&mut *conn, chunk, head).await?;
    }
    if !joined {
        sqlx::query("UPDATE audit_heads SET hash = $2 WHERE chain = $1")
            .bind(chain)
            .bind(&prev_hash)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Moves a chain's head `count` entries on and returns (its new seq, the hash it had); none
/// when the chain has no head yet. Bumping locks the head until the transaction ends.
async fn bump_head(
    conn: &mut Conn,
    chain: &str,
    count: i64,
) -> Result<Option<(i64, String)>, sqlx::Error> {
    sqlx::query_as("UPDATE audit_heads SET seq = seq + $2 WHERE chain = $1 RETURNING seq, hash")
        .bind(chain)
        .bind(count)
        .fetch_optional(conn)
        .await
}

/// Columns of an `audit_log` row, in the order `insert_rows` binds them.
const LOG_COLUMNS: usize = 14;
/// Rows per `INSERT`: SQLite looks each numbered parameter's name up in a list, so binding a
/// statement costs the square of its parameters (a fold of 500 views bound 7,000 of them).
const ROWS_PER_INSERT: usize = 32;

/// One `INSERT` of every row: (entry, previous hash, its hash); with `head` (chain, hash), the
/// same statement sets that chain head's hash (PostgreSQL only).
async fn insert_rows(
    conn: &mut Conn,
    rows: &[(ChainedEntry, String, String)],
    head: Option<(&str, &str)>,
) -> Result<(), sqlx::Error> {
    let values: Vec<String> = (0..rows.len())
        .map(|row| {
            let first = row * LOG_COLUMNS + 1;
            let params: Vec<String> = (first..first + LOG_COLUMNS)
                .map(|n| format!("${n}"))
                .collect();
            format!("({})", params.join(", "))
        })
        .collect();
    let mut sql = format!(
        "INSERT INTO audit_log (id, tenant_id, actor_user_id, actor_org_id, action, subject_type, \
                                subject_id, detail, client_addr, at, chain, chain_seq, prev_hash, entry_hash) \
         VALUES {}",
        values.join(", ")
    );
    if head.is_some() {
        let next = rows.len() * LOG_COLUMNS + 1;
        sql = format!(
            "WITH appended AS ({sql}) UPDATE audit_heads SET hash = ${} WHERE chain = ${next}",
            next + 1
        );
    }
    let mut query = sqlx::query(&sql);
    for (chained, prev_hash, hash) in rows {
        query = query
            .bind(&chained.id)
            .bind(&chained.tenant_id)
            .bind(&chained.actor_user_id)
            .bind(&chained.actor_org_id)
            .bind(&chained.action)
            .bind(&chained.subject_type)
            .bind(&chained.subject_id)
            .bind(&chained.detail)
            .bind(&chained.client_addr)
            .bind(chained.at)
            .bind(&chained.chain)
            .bind(chained.seq)
            .bind(prev_hash)
            .bind(hash);
    }
    if let Some((chain, hash)) = head {
        query = query.bind(chain).bind(hash);
    }
    query.execute(conn).await?;
    Ok(())
}

/// The chain of entries that belong to no tenant.
pub const PLATFORM_CHAIN: &str = "platform";

#[derive(FromRow)]
struct StoredEntry {
    id: String,
    tenant_id: Option<String>,
    actor_user_id: Option<String>,
    actor_org_id: Option<String>,
    action: String,
    subject_type: String,
    subject_id: Option<String>,
    detail: String,
    client_addr: Option<String>,
    at: i64,
    chain: String,
    chain_seq: i64,
    prev_hash: String,
    entry_hash: String,
}

pub async fn chains(conn: &mut Conn) -> Result<Vec<(String, i64, String)>, sqlx::Error> {
    sqlx::query_as("SELECT chain, seq, hash FROM audit_heads ORDER BY chain")
        .fetch_all(conn)
        .await
}

/// One page of a chain, in order, as `(entry, stored prev_hash, stored entry_hash)`.
pub async fn chain_page(
    conn: &mut Conn,
    chain: &str,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<(ChainedEntry, String, String)>, sqlx::Error> {
    let rows: Vec<StoredEntry> = sqlx::query_as(
        "SELECT id, tenant_id, actor_user_id, actor_org_id, action, subject_type, subject_id, \
                detail, client_addr, at, chain, chain_seq, prev_hash, entry_hash \
         FROM audit_log WHERE chain = $1 AND chain_seq > $2 ORDER BY chain_seq LIMIT $3",
    )
    .bind(chain)
    .bind(after_seq)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let entry = ChainedEntry {
                chain: r.chain,
                seq: r.chain_seq,
                id: r.id,
                tenant_id: r.tenant_id,
                actor_user_id: r.actor_user_id,
                actor_org_id: r.actor_org_id,
                action: r.action,
                subject_type: r.subject_type,
                subject_id: r.subject_id,
                detail: r.detail,
                client_addr: r.client_addr,
                at: r.at,
            };
            (entry, r.prev_hash, r.entry_hash)
        })
        .collect())
}

/// Entries written before the chain existed (databases created before migration 0002).
pub async fn unchained_count(conn: &mut Conn) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE chain IS NULL")
        .fetch_one(conn)
        .await
}

/// The newest entries with a given action, for tests and the admin's activity view.
pub async fn recent_with_action(
    conn: &mut Conn,
    action: &str,
    limit: i64,
) -> Result<Vec<Entry>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, tenant_id, actor_user_id, action, subject_type, subject_id, detail, at \
         FROM audit_log WHERE action = $1 ORDER BY seq DESC LIMIT $2",
    )
    .bind(action)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// An entry as the audit page lists it.
#[derive(Clone, Debug, FromRow)]
pub struct ListedEntry {
    pub seq: i64,
    pub actor_email: Option<String>,
    pub actor_org_name: Option<String>,
    pub action: String,
    pub subject_type: String,
    pub subject_id: Option<String>,
    pub detail: String,
    pub client_addr: Option<String>,
    pub at: i64,
}

pub struct AuditFilter<'a> {
    pub tenant: TenantId,
    pub actor_email: Option<&'a str>,
    pub action: Option<&'a str>,
    pub subject_id: Option<&'a str>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    /// Keyset: entries older than this sequence number.
    pub before_seq: Option<i64>,
    pub limit: i64,
}

/// A tenant's audit entries, newest first.
pub async fn list_for_tenant(
    conn: &mut Conn,
    f: &AuditFilter<'_>,
) -> Result<Vec<ListedEntry>, sqlx::Error> {
    let mut q = super::DynamicSql::default();
    let tenant = q.text(f.tenant.to_string());
    q.sql = format!(
        "SELECT a.seq, u.email AS actor_email, g.name AS actor_org_name, a.action, a.subject_type, \
                a.subject_id, a.detail, a.client_addr, a.at \
         FROM audit_log a LEFT JOIN users u ON u.id = a.actor_user_id LEFT JOIN orgs g ON g.id = a.actor_org_id \
         WHERE a.tenant_id = {tenant}"
    );
    if let Some(email) = f.actor_email {
        let p = q.text(email.to_owned());
        q.sql.push_str(&format!(" AND u.email = {p}"));
    }
    if let Some(action) = f.action {
        let p = q.text(action.to_owned());
        q.sql.push_str(&format!(" AND a.action = {p}"));
    }
    if let Some(subject) = f.subject_id {
        let p = q.text(subject.to_owned());
        q.sql.push_str(&format!(" AND a.subject_id = {p}"));
    }
    if let Some(from) = f.from_ms {
        let p = q.int(from);
        q.sql.push_str(&format!(" AND a.at >= {p}"));
    }
    if let Some(to) = f.to_ms {
        let p = q.int(to);
        q.sql.push_str(&format!(" AND a.at < {p}"));
    }
    if let Some(before) = f.before_seq {
        let p = q.int(before);
        q.sql.push_str(&format!(" AND a.seq < {p}"));
    }
    let limit = q.int(f.limit);
    q.sql
        .push_str(&format!(" ORDER BY a.seq DESC LIMIT {limit}"));
    q.fetch_all(conn).await
}

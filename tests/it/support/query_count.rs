//! Lists the SQL statements a request runs, from the test side only: sqlx emits one
//! `sqlx::query` event per statement when a subscriber wants that target at DEBUG, and the app
//! runs every request inside a `request` span carrying its `x-request-id`. A layer in the test
//! process wants those events (the app's own subscriber never does, so production pays
//! nothing), finds the request span around each one and records the statement under that
//! request's id when a test watches it. SQLite's worker thread runs statements inside the
//! caller's span, so both engines are counted.

use std::collections::HashMap;
use std::fmt;
use std::sync::{LazyLock, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Filter, Layer};
use tracing_subscriber::registry::LookupSpan;

/// Waits until every pooled connection has reported what it ran. sqlx-sqlite's worker thread
/// hands a statement's last row to the caller before it logs the statement, so the response
/// can arrive first; a worker answers the next command only after that, so one more statement
/// on each open connection is the condition to wait on. (Page views only read: the writer
/// pool runs nothing on their behalf, which the tests check.)
pub async fn settle(db: &portico::db::Db) {
    let pool = db.reader();
    let mut held = Vec::new();
    for _ in 0..pool.size() {
        held.push(pool.acquire().await.expect("a pooled connection"));
    }
    for conn in &mut held {
        sqlx::query("SELECT 1")
            .execute(&mut **conn)
            .await
            .expect("SELECT 1");
    }
}

/// The statements (their SQL) seen per watched request id.
static SEEN: LazyLock<Mutex<HashMap<String, Vec<String>>>> = LazyLock::new(Mutex::default);

/// Starts recording the statements of the request that will carry this `x-request-id` (other
/// requests are not recorded, so the record stays small).
pub fn watch(request_id: &str) {
    SEEN.lock()
        .unwrap()
        .insert(request_id.to_owned(), Vec::new());
}

/// The statements the watched request with this id ran, in order; forgets them.
pub fn statements_of(request_id: &str) -> Vec<String> {
    SEEN.lock().unwrap().remove(request_id).unwrap_or_default()
}

/// The layer to install in the test process's subscriber (with [`QueryCountFilter`]).
pub struct QueryCountLayer;

/// Wants exactly what the layer reads: `request` spans and sqlx's statement events.
pub struct QueryCountFilter;

impl<S> Filter<S> for QueryCountFilter {
    fn enabled(&self, meta: &Metadata<'_>, _: &Context<'_, S>) -> bool {
        wanted(meta)
    }

    fn callsite_enabled(&self, meta: &'static Metadata<'static>) -> tracing::subscriber::Interest {
        if wanted(meta) {
            tracing::subscriber::Interest::always()
        } else {
            tracing::subscriber::Interest::never()
        }
    }
}

fn wanted(meta: &Metadata<'_>) -> bool {
    (meta.is_span() && meta.name() == "request")
        || (meta.is_event() && meta.target() == "sqlx::query")
}

/// The request id a `request` span carries, kept in the span's extensions.
struct RequestId(String);

#[derive(Default)]
struct FindRequestId(Option<String>);

/// A statement's text: sqlx gives a one-line `summary` and, when that is cut short, the whole
/// SQL as `db.statement`.
#[derive(Default)]
struct FindSql {
    summary: String,
    full: String,
}

impl Visit for FindSql {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "summary" => self.summary = value.to_owned(),
            "db.statement" => self.full = value.trim().to_owned(),
            _ => {}
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "summary" {
            self.summary = format!("{value:?}");
        }
    }
}

impl Visit for FindRequestId {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "request_id" {
            self.0 = Some(value.to_owned());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "request_id" {
            self.0 = Some(format!("{value:?}"));
        }
    }
}

impl<S> Layer<S> for QueryCountLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut found = FindRequestId::default();
        attrs.record(&mut found);
        if let (Some(request_id), Some(span)) = (found.0, ctx.span(id)) {
            span.extensions_mut().insert(RequestId(request_id));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.event_span(event) else {
            return;
        };
        let request_id = span
            .scope()
            .find_map(|s| s.extensions().get::<RequestId>().map(|r| r.0.clone()));
        if let Some(request_id) = request_id {
            let mut sql = FindSql::default();
            event.record(&mut sql);
            let text = if sql.full.is_empty() {
                sql.summary
            } else {
                sql.full
            };
            // A connection the pool opens mid-request is set up with pragmas (SQLite) or its role
            // (PostgreSQL): the pool's work, not the page's, and it happens only now and then.
            // (The tenant scope every acquire sets is counted: it is per acquire.)
            let upper = text.to_ascii_uppercase();
            if upper.starts_with("PRAGMA") || upper.starts_with("SET ROLE") {
                return;
            }
            if let Some(seen) = SEEN.lock().unwrap().get_mut(&request_id) {
                seen.push(text);
            }
        }
    }
}

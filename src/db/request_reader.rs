//! One reading connection per request.
//!
//! Inside a request ([`within_request`]) a read ([`Db::read`]) takes the connection the request
//! already holds and hands it back when done, so the page's reads share one connection:
//!
//! - On PostgreSQL every connection the pool hands out first gets the task's tenant scope for
//!   row-level security (`db::scope`), a round trip of its own; a page that read through five
//!   acquires paid five of them. The scope is set only when it changes (who is asking is read
//!   across brands, the page in its brand).
//! - On SQLite the connection holds one read transaction for the request, so the page reads one
//!   snapshot. Every commit (the view audit's among them) makes a connection drop its page cache
//!   at its next read transaction: an order page read in twenty autocommit statements while
//!   views were being committed read its pages again at nearly every statement, and every
//!   acquire cost a ping on release besides.
//!
//! A request that goes on to write gives its reading connection back first ([`Db::begin`]): on
//! PostgreSQL reads and writes share the pool, so it never holds two; on SQLite the reads after
//! the write then start a new snapshot that sees it. So does one that waits for the view
//! audit's group commit ([`release`]).

use std::cell::RefCell;
use std::ops::{Deref, DerefMut};

use sqlx::Any;
use sqlx::pool::PoolConnection;

use super::scope::{self, Scope};
use super::{Conn, Db, Engine, Tx};

enum Held {
    /// PostgreSQL: a connection with the scope set on it.
    Scoped(Scope, PoolConnection<Any>),
    /// SQLite: a read transaction (rolled back when dropped).
    Snapshot(Tx),
}

impl Held {
    fn conn(&mut self) -> &mut Conn {
        match self {
            Held::Scoped(_, conn) => conn,
            Held::Snapshot(tx) => tx,
        }
    }
}

tokio::task_local! {
    /// The request's reading connection while no read holds it.
    static HELD: RefCell<Option<Held>>;
}

/// Runs a request with a reading connection of its own, given back to the pool when it ends.
pub async fn within_request<F: std::future::Future>(request: F) -> F::Output {
    HELD.scope(RefCell::new(None), super::identity::within_request(request))
        .await
}

/// Gives the request's idle reading connection back to the pool, if it holds one. Call it
/// before waiting on other work that needs a connection of the same pool (a group commit): a
/// full pool of requests each holding one would wait on each other until the pool timed out.
pub fn release() {
    let _ = HELD.try_with(|slot| slot.borrow_mut().take());
}

impl Db {
    /// A connection to read with, in the task's scope: the request's own when it has one,
    /// else one from the pool.
    pub async fn read(&self) -> Result<Reader, sqlx::Error> {
        let taken = HELD.try_with(|slot| slot.borrow_mut().take());
        let in_request = taken.is_ok();
        let held = taken.ok().flatten();
        let now = scope::current();
        match (self.engine, held) {
            (Engine::Postgres, Some(Held::Scoped(set, mut conn))) => {
                if set != now {
                    scope::apply(&mut conn, now).await?;
                }
                Ok(Reader(Some(Held::Scoped(now, conn))))
            }
            (Engine::Sqlite, Some(held @ Held::Snapshot(_))) => Ok(Reader(Some(held))),
            (Engine::Sqlite, _) if in_request => {
                Ok(Reader(Some(Held::Snapshot(self.reader().begin().await?))))
            }
            _ => {
                let conn = self.reader().acquire().await?;
                Ok(Reader(Some(Held::Scoped(now, conn))))
            }
        }
    }
}

/// A reading connection that goes back to the request (or the pool) when dropped.
pub struct Reader(Option<Held>);

impl Deref for Reader {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        match self.0.as_ref().expect("held until dropped") {
            Held::Scoped(_, conn) => conn,
            Held::Snapshot(tx) => tx,
        }
    }
}

impl DerefMut for Reader {
    fn deref_mut(&mut self) -> &mut Conn {
        self.0.as_mut().expect("held until dropped").conn()
    }
}

impl Reader {
    /// Records that a statement moved the connection to `scope` (PostgreSQL), so the next read
    /// switches only if its task runs in another.
    pub(super) fn moved_to(&mut self, scope: Scope) {
        if let Some(Held::Scoped(set, _)) = &mut self.0 {
            *set = scope;
        }
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        let Some(held) = self.0.take() else { return };
        // Outside a request, or when the request already holds one again, it goes to the pool.
        let _ = HELD.try_with(|slot| {
            let mut slot = slot.borrow_mut();
            if slot.is_none() {
                *slot = Some(held);
            }
        });
    }
}

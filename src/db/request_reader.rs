//! One reading connection per request on PostgreSQL.
//!
//! Every connection the pool hands out first gets the task's tenant scope for row-level security
//! (`db::scope`), a round trip of its own; a page that read through five acquires paid five of
//! them. Inside a request ([`within_request`]) a read ([`Db::read`]) takes the connection the
//! request already holds and hands it back when done, so the page's reads share one connection
//! and the scope is set only when it changes (who is asking is read across brands, the page in
//! its brand). On SQLite there is no scope to set and an acquire costs nothing worth saving, so
//! reads come from the pool as before.
//!
//! Reads and writes share PostgreSQL's pool: a request that goes on to write gives its reading
//! connection back first ([`Db::begin`]), so it never holds two, and so does one that waits for
//! the view audit's group commit ([`release`]).

use std::cell::RefCell;
use std::ops::{Deref, DerefMut};

use sqlx::Any;
use sqlx::pool::PoolConnection;

use super::scope::{self, Scope};
use super::{Conn, Db, Engine};

type Held = (Scope, PoolConnection<Any>);

tokio::task_local! {
    /// The request's reading connection while no read holds it, with the scope set on it.
    static HELD: RefCell<Option<Held>>;
}

/// Runs a request with a reading connection of its own, given back to the pool when it ends.
pub async fn within_request<F: std::future::Future>(request: F) -> F::Output {
    HELD.scope(RefCell::new(None), request).await
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
        let now = scope::current();
        if self.engine == Engine::Postgres {
            let held = HELD
                .try_with(|slot| slot.borrow_mut().take())
                .ok()
                .flatten();
            if let Some((set, mut conn)) = held {
                if set != now {
                    scope::apply(&mut conn, now).await?;
                }
                return Ok(Reader(Some((now, conn))));
            }
        }
        let conn = self.reader().acquire().await?;
        Ok(Reader(Some((now, conn))))
    }
}

/// A reading connection that goes back to the request (or the pool) when dropped.
pub struct Reader(Option<Held>);

impl Deref for Reader {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        &self.0.as_ref().expect("held until dropped").1
    }
}

impl DerefMut for Reader {
    fn deref_mut(&mut self) -> &mut Conn {
        &mut self.0.as_mut().expect("held until dropped").1
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        let Some(held) = self.0.take() else { return };
        if held.1.backend_name() != "PostgreSQL" {
            return;
        }
        // Outside a request, or when the request already holds one again, it goes to the pool.
        let _ = HELD.try_with(|slot| {
            let mut slot = slot.borrow_mut();
            if slot.is_none() {
                *slot = Some(held);
            }
        });
    }
}

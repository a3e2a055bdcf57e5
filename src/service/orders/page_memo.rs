//! Reads shared by the sections of one order page while it renders.
//!
//! The page is built from independent sections (progress, samples, shipping, QC, kitting,
//! invoices), each a use case that checks the actor's access and loads what it shows. Within one
//! render the order, its lines, its attachments and its samples cannot differ between sections,
//! so the first section's read serves the others instead of a query each. Outside a render
//! (every write, every other page) nothing is shared.
//!
//! The sections also read through one pooled connection ([`reader`]): on PostgreSQL every
//! acquire sets the row-level-security scope on the connection, a round trip of its own, and a
//! page of ten sections paid ten of them.

use std::cell::RefCell;
use std::ops::{Deref, DerefMut};

use sqlx::Any;
use sqlx::pool::PoolConnection;

use crate::db::order_lines::Line;
use crate::db::orders::Order;
use crate::db::progress::Attachment;
use crate::db::samples::Sample;
use crate::db::scope::Scope;
use crate::db::{self, Conn};
use crate::domain::ids::{OrderId, TenantId, UserId};

use super::Party;

#[derive(Default)]
struct Memo {
    /// The order as the first section loaded it for this user.
    order: Option<(UserId, OrderId, (TenantId, Order, Party))>,
    /// Rows of the order the memo holds (`order`), loaded at most once.
    lines: Option<Vec<Line>>,
    attachments: Option<Vec<Attachment>>,
    samples: Option<Vec<Sample>>,
}

tokio::task_local! {
    static MEMO: RefCell<Memo>;
    /// The render's reading connection while no section holds it, with the database scope it
    /// was acquired in (row-level security was set for that scope).
    static READER: RefCell<Option<(Scope, PoolConnection<Any>)>>;
}

pub(super) async fn scope<F: std::future::Future>(render: F) -> F::Output {
    let render = READER.scope(RefCell::new(None), render);
    MEMO.scope(RefCell::new(Memo::default()), render).await
}

/// A connection to read with: the render's own when a section renders in the same database
/// scope (the sections run one after another, each handing it back when done), else one from
/// the pool as usual.
pub(crate) async fn reader(state: &crate::app::AppState) -> Result<Reader, sqlx::Error> {
    let scope = crate::db::scope::current();
    let held = READER
        .try_with(|slot| {
            let mut slot = slot.borrow_mut();
            match slot.take() {
                Some((held_in, conn)) if held_in == scope => Some(conn),
                other => {
                    *slot = other;
                    None
                }
            }
        })
        .ok()
        .flatten();
    let conn = match held {
        Some(conn) => conn,
        None => state.db.reader().acquire().await?,
    };
    Ok(Reader(Some((scope, conn))))
}

/// A reading connection that goes back to the render (or the pool) when dropped.
pub(crate) struct Reader(Option<(Scope, PoolConnection<Any>)>);

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
        // Outside a render, or when the render already holds one, it goes back to the pool.
        let _ = READER.try_with(|slot| {
            let mut slot = slot.borrow_mut();
            if slot.is_none() {
                *slot = Some(held);
            }
        });
    }
}

pub(super) fn order_for(user: UserId, id: OrderId) -> Option<(TenantId, Order, Party)> {
    MEMO.try_with(|memo| {
        memo.borrow()
            .order
            .as_ref()
            .filter(|(u, o, _)| *u == user && *o == id)
            .map(|(_, _, found)| found.clone())
    })
    .ok()
    .flatten()
}

pub(super) fn remember_order(user: UserId, id: OrderId, found: &(TenantId, Order, Party)) {
    let _ = MEMO.try_with(|memo| {
        *memo.borrow_mut() = Memo {
            order: Some((user, id, found.clone())),
            ..Memo::default()
        }
    });
}

/// Whether the memo holds this order of this tenant (the rows below are kept only for it).
fn holds(memo: &Memo, tenant: TenantId, order: OrderId) -> bool {
    memo.order
        .as_ref()
        .is_some_and(|(_, id, (t, _, _))| *id == order && *t == tenant)
}

/// `load` once per render for the memo's order, through the slot `pick` chooses.
async fn shared<T: Clone>(
    tenant: TenantId,
    order: OrderId,
    pick: fn(&mut Memo) -> &mut Option<T>,
    load: impl std::future::Future<Output = Result<T, sqlx::Error>>,
) -> Result<T, sqlx::Error> {
    let cached = MEMO
        .try_with(|memo| {
            let mut memo = memo.borrow_mut();
            if holds(&memo, tenant, order) {
                pick(&mut memo).clone()
            } else {
                None
            }
        })
        .ok()
        .flatten();
    if let Some(rows) = cached {
        return Ok(rows);
    }
    let rows = load.await?;
    let _ = MEMO.try_with(|memo| {
        let mut memo = memo.borrow_mut();
        if holds(&memo, tenant, order) {
            *pick(&mut memo) = Some(rows.clone());
        }
    });
    Ok(rows)
}

pub(crate) async fn lines(
    conn: &mut Conn,
    tenant: TenantId,
    order: OrderId,
) -> Result<Vec<Line>, sqlx::Error> {
    let load = db::order_lines::of_order(conn, tenant, order);
    shared(tenant, order, |m| &mut m.lines, load).await
}

pub(crate) async fn attachments(
    conn: &mut Conn,
    tenant: TenantId,
    order: OrderId,
) -> Result<Vec<Attachment>, sqlx::Error> {
    let load = db::progress::attachments_of_order(conn, tenant, order);
    shared(tenant, order, |m| &mut m.attachments, load).await
}

pub(crate) async fn samples(
    conn: &mut Conn,
    tenant: TenantId,
    order: OrderId,
) -> Result<Vec<Sample>, sqlx::Error> {
    let load = db::samples::of_order(conn, tenant, order);
    shared(tenant, order, |m| &mut m.samples, load).await
}

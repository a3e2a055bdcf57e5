//! Reads shared by the sections of one order page while it renders.
//!
//! The page is built from independent sections (progress, samples, shipping, QC, kitting,
//! invoices), each a use case that checks the actor's access and loads what it shows. Within one
//! render the order, its lines, its attachments and its samples cannot differ between sections,
//! so the first section's read serves the others instead of a query each. Outside a render
//! (every write, every other page) nothing is shared.

use std::cell::RefCell;

use crate::db::order_lines::Line;
use crate::db::orders::Order;
use crate::db::progress::Attachment;
use crate::db::samples::Sample;
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
}

pub(super) async fn scope<F: std::future::Future>(render: F) -> F::Output {
    MEMO.scope(RefCell::new(Memo::default()), render).await
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

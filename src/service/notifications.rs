//! Telling the other side: in-app notifications (with an unread count) and, for users who want
//! it, e-mail through the outbox, which sends after the transaction commits (or gathered into
//! a daily digest). Order-step events are here; SLA alerts and invoice events in `deadlines_and_invoices`.

mod deadlines_and_invoices;
mod financing;
mod webhooks;

pub(crate) use financing::financing_event;
pub(crate) use webhooks::webhook_disabled;

use serde_json::json;

use super::{ServiceResult, tenant_of};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db::notifications::{NewNotification, Notification, Recipient};
use crate::db::orders::Order;
use crate::db::{self, Conn};
use crate::domain::digest::{Delivery, next_digest_at};
use crate::domain::ids::TenantId;
use crate::domain::order::line::Side;
use crate::domain::time::UtcMillis;
use crate::i18n::Lang;

/// Brand roles that act on orders hear about partners' decisions.
const BRAND_ORDER_ROLES: &[&str] = &["admin", "ops"];

pub(super) async fn notify(
    conn: &mut Conn,
    state: &AppState,
    tenant: TenantId,
    order: &Order,
    kind: &str,
    actor_org_name: &str,
    recipients: Vec<Recipient>,
) -> ServiceResult<()> {
    notify_at(
        conn,
        state,
        tenant,
        order,
        (kind, None),
        actor_org_name,
        recipients,
    )
    .await
}

/// Like `notify`, leading to `link` (a path) instead of the order page when given.
pub(super) async fn notify_at(
    conn: &mut Conn,
    state: &AppState,
    tenant: TenantId,
    order: &Order,
    (kind, link_path): (&str, Option<&str>),
    actor_org_name: &str,
    recipients: Vec<Recipient>,
) -> ServiceResult<()> {
    let now = state.now().0;
    for recipient in recipients {
        db::notifications::insert(
            conn,
            &NewNotification {
                tenant,
                user: recipient.id,
                kind,
                order: Some(order.id),
                link: link_path,
                po_number: Some(&order.po_number),
                actor_org_name: Some(actor_org_name),
                now,
            },
        )
        .await?;
        let delivery = Delivery::parse(&recipient.email_delivery).unwrap_or(Delivery::Immediate);
        if delivery == Delivery::Off {
            continue;
        }
        let lang = recipient
            .locale
            .as_deref()
            .and_then(Lang::parse)
            .unwrap_or_default();
        let link = match link_path {
            Some(path) => format!("{}{path}", state.config.public_url),
            None => format!("{}/orders/{}", state.config.public_url, order.id),
        };
        let subject = lang.t2(
            &format!("notification.{kind}"),
            actor_org_name,
            &order.po_number,
        );
        if delivery == Delivery::Daily {
            let due = next_digest_at(UtcMillis(now), &recipient.digest_time_zone);
            db::digests::add_item(conn, recipient.id, &subject, &link, now, due.0).await?;
            continue;
        }
        let body = format!(
            "{subject}\n\n{link}\n\n{}\n",
            lang.t("mail.notification_footer")
        );
        let mail = json!({ "to": recipient.email, "subject": subject, "body": body });
        db::notifications::enqueue(conn, "email", &mail).await?;
    }
    Ok(())
}

pub(crate) async fn order_issued(
    conn: &mut Conn,
    state: &AppState,
    order: &Order,
    brand: &str,
) -> ServiceResult<()> {
    let recipients = db::notifications::recipients(conn, order.partner_org_id, &[]).await?;
    notify(
        conn,
        state,
        order.tenant_id,
        order,
        "order_issued",
        brand,
        recipients,
    )
    .await
}

pub(crate) async fn order_cancelled(
    conn: &mut Conn,
    state: &AppState,
    order: &Order,
    brand: &str,
) -> ServiceResult<()> {
    let recipients = db::notifications::recipients(conn, order.partner_org_id, &[]).await?;
    notify(
        conn,
        state,
        order.tenant_id,
        order,
        "order_cancelled",
        brand,
        recipients,
    )
    .await
}

/// After one side decided on lines, the other side hears of it.
pub(crate) async fn lines_decided(
    conn: &mut Conn,
    state: &AppState,
    order: &Order,
    side: Side,
    actor_org_name: &str,
) -> ServiceResult<()> {
    let (org, roles, kind) = match side {
        Side::Partner => (order.tenant_id.into(), BRAND_ORDER_ROLES, "partner_decided"),
        Side::Brand => (order.partner_org_id, &[][..], "brand_decided"),
    };
    let recipients = db::notifications::recipients(conn, org, roles).await?;
    notify(
        conn,
        state,
        order.tenant_id,
        order,
        kind,
        actor_org_name,
        recipients,
    )
    .await
}

pub(crate) async fn progress_posted(
    conn: &mut Conn,
    state: &AppState,
    order: &Order,
    partner: &str,
) -> ServiceResult<()> {
    let recipients =
        db::notifications::recipients(conn, order.tenant_id.into(), BRAND_ORDER_ROLES).await?;
    notify(
        conn,
        state,
        order.tenant_id,
        order,
        "progress_posted",
        partner,
        recipients,
    )
    .await
}

/// Brand quality (and admins) hear of a submitted sample.
pub(crate) async fn sample_submitted(
    conn: &mut Conn,
    state: &AppState,
    order: &Order,
    partner: &str,
) -> ServiceResult<()> {
    let recipients =
        db::notifications::recipients(conn, order.tenant_id.into(), &["admin", "quality"]).await?;
    notify(
        conn,
        state,
        order.tenant_id,
        order,
        "sample_submitted",
        partner,
        recipients,
    )
    .await
}

pub(crate) async fn sample_decided(
    conn: &mut Conn,
    state: &AppState,
    order: &Order,
    brand: &str,
    approved: bool,
) -> ServiceResult<()> {
    let recipients = db::notifications::recipients(conn, order.partner_org_id, &[]).await?;
    let kind = if approved {
        "sample_approved"
    } else {
        "sample_rejected"
    };
    notify(conn, state, order.tenant_id, order, kind, brand, recipients).await
}

/// The brand and the receiving warehouse hear of a shipment.
pub(crate) async fn asn_created(
    conn: &mut Conn,
    state: &AppState,
    order: &Order,
    warehouse: crate::domain::ids::OrgId,
    partner: &str,
) -> ServiceResult<()> {
    let brand =
        db::notifications::recipients(conn, order.tenant_id.into(), BRAND_ORDER_ROLES).await?;
    notify(
        conn,
        state,
        order.tenant_id,
        order,
        "shipped",
        partner,
        brand,
    )
    .await?;
    let dock = db::notifications::recipients(conn, warehouse, &[]).await?;
    notify(
        conn,
        state,
        order.tenant_id,
        order,
        "inbound",
        partner,
        dock,
    )
    .await
}

/// The brand hears of every receipt; a discrepancy is its own, louder notification.
pub(crate) async fn received(
    conn: &mut Conn,
    state: &AppState,
    order: &Order,
    warehouse: &str,
    discrepancy: bool,
) -> ServiceResult<()> {
    let brand =
        db::notifications::recipients(conn, order.tenant_id.into(), BRAND_ORDER_ROLES).await?;
    let kind = if discrepancy {
        "receipt_discrepancy"
    } else {
        "received"
    };
    notify(conn, state, order.tenant_id, order, kind, warehouse, brand).await?;
    let partner = db::notifications::recipients(conn, order.partner_org_id, &[]).await?;
    notify(
        conn,
        state,
        order.tenant_id,
        order,
        kind,
        warehouse,
        partner,
    )
    .await
}

/// A QC result goes to the other side: the brand hears of the factory's inspections (quality
/// and ops, since a failure holds the shipment), the factory of the brand's.
pub(crate) async fn qc_recorded(
    conn: &mut Conn,
    state: &AppState,
    order: &Order,
    recorder: &str,
    by: crate::service::orders::Party,
    result: crate::domain::order::qc::QcResult,
) -> ServiceResult<()> {
    use crate::domain::order::qc::QcResult;
    let recipients = if by == crate::service::orders::Party::Brand {
        db::notifications::recipients(conn, order.partner_org_id, &[]).await?
    } else {
        db::notifications::recipients(conn, order.tenant_id.into(), &["admin", "ops", "quality"])
            .await?
    };
    let kind = match result {
        QcResult::Pass => "qc_passed",
        QcResult::Fail => "qc_failed",
    };
    notify(
        conn,
        state,
        order.tenant_id,
        order,
        kind,
        recorder,
        recipients,
    )
    .await
}

pub(crate) async fn qc_waived(
    conn: &mut Conn,
    state: &AppState,
    order: &Order,
    brand: &str,
) -> ServiceResult<()> {
    let recipients = db::notifications::recipients(conn, order.partner_org_id, &[]).await?;
    notify(
        conn,
        state,
        order.tenant_id,
        order,
        "qc_waived",
        brand,
        recipients,
    )
    .await
}

/// A line is short of materials and its production is about to start: the factory and the
/// brand's ops hear (named after the factory, whose materials they are).
pub(crate) async fn kitting_short(
    conn: &mut Conn,
    state: &AppState,
    order: &Order,
) -> ServiceResult<()> {
    let mut recipients = db::notifications::recipients(conn, order.partner_org_id, &[]).await?;
    recipients.extend(
        db::notifications::recipients(conn, order.tenant_id.into(), BRAND_ORDER_ROLES).await?,
    );
    notify(
        conn,
        state,
        order.tenant_id,
        order,
        "kitting_short",
        &order.partner_name,
        recipients,
    )
    .await
}

pub async fn unread_count(state: &AppState, actor: &Actor) -> ServiceResult<i64> {
    let Some(scope) = &actor.scope else {
        return Ok(0);
    };
    let mut conn = state.db.read().await?;
    Ok(db::notifications::unread_count(&mut conn, scope.tenant_id, actor.user_id).await?)
}

pub async fn list(
    state: &AppState,
    actor: &Actor,
    before: Option<&str>,
) -> ServiceResult<Vec<Notification>> {
    let tenant = tenant_of(actor)?.tenant_id;
    let mut conn = state.db.read().await?;
    Ok(db::notifications::list(&mut conn, tenant, actor.user_id, before, super::PAGE_SIZE).await?)
}

pub async fn mark_all_read(state: &AppState, actor: &Actor) -> ServiceResult<u64> {
    let tenant = tenant_of(actor)?.tenant_id;
    let mut tx = state.db.begin().await?;
    let n = db::notifications::mark_all_read(&mut tx, tenant, actor.user_id, state.now().0).await?;
    tx.commit().await?;
    Ok(n)
}

pub(crate) use deadlines_and_invoices::{invoice_event, sla_alert};

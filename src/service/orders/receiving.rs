//! Receiving at the 3PL: the warehouse's inbound ASNs by ETA (and as CSV), and the goods receipt
//! it posts per line with any discrepancy explained, as a signed statement. The warehouse never
//! receives prices: nothing here reads one.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::json;

use super::decide::Outcome;
use super::evidence::sign_statement;
use super::files::{self, Upload};
use super::order_hash;
use super::shipping::decimal;
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db::progress::Attachment;
use crate::db::shipping::{Asn, AsnLine};
use crate::db::{self, Conn};
use crate::domain::ids::TenantId;
use crate::domain::order::fields::parse_text;
use crate::domain::order::shipping::{ReceiptRefusal, check_receipt_line, may_receive};
use crate::domain::org::OrgKind;
use crate::domain::upload::UploadLimits;
use crate::service::{
    AuditEvent, FieldErrors, ServiceError, ServiceResult, actions, audit, notifications, tenant_of,
};

/// An ASN for the warehouse it is addressed to; to any other warehouse it does not exist.
async fn asn_for_warehouse(
    conn: &mut Conn,
    actor: &Actor,
    id: &str,
) -> ServiceResult<(TenantId, Asn)> {
    let tenant = tenant_of(actor)?.tenant_id;
    let asn = db::shipping::get(conn, tenant, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    may_receive(actor.org_id, actor.org_kind, asn.warehouse_org_id)
        .map_err(|_| ServiceError::NotFound)?;
    Ok((tenant, asn))
}

/// The warehouse's inbound list (no prices: ASNs carry none).
pub async fn inbound(
    state: &AppState,
    actor: &Actor,
    after: Option<(&str, &str)>,
    only_in_transit: bool,
) -> ServiceResult<Vec<Asn>> {
    if actor.org_kind != OrgKind::Warehouse {
        return Err(ServiceError::NotFound);
    }
    let tenant = tenant_of(actor)?.tenant_id;
    let mut conn = state.db.read().await?;
    Ok(db::shipping::inbound(
        &mut conn,
        tenant,
        actor.org_id,
        after,
        only_in_transit,
        crate::service::PAGE_SIZE,
    )
    .await?)
}

/// Every inbound ASN line as CSV for the warehouse's own systems (audited; no prices).
pub async fn inbound_csv(state: &AppState, actor: &Actor) -> ServiceResult<String> {
    let asns = {
        if actor.org_kind != OrgKind::Warehouse {
            return Err(ServiceError::NotFound);
        }
        let tenant = tenant_of(actor)?.tenant_id;
        let mut conn = state.db.read().await?;
        db::shipping::inbound(&mut conn, tenant, actor.org_id, None, false, 10_000).await?
    };
    let tenant = tenant_of(actor)?.tenant_id;
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record([
            "asn",
            "po_number",
            "supplier",
            "eta",
            "carrier",
            "tracking",
            "cartons",
            "status",
            "line",
            "sku",
            "description",
            "quantity",
            "unit",
            "lot_codes",
        ])
        .map_err(anyhow::Error::from)?;
    let mut conn = state.db.read().await?;
    for asn in &asns {
        for line in db::shipping::lines(&mut conn, tenant, &asn.id).await? {
            writer
                .write_record([
                    asn.id.as_str(),
                    &asn.po_number,
                    &asn.partner_name,
                    &asn.eta,
                    &asn.carrier,
                    &asn.tracking,
                    &asn.cartons.to_string(),
                    &asn.status,
                    &line.line_no.to_string(),
                    &line.sku,
                    &line.description,
                    &line.quantity,
                    &line.unit,
                    &line.lot_codes,
                ])
                .map_err(anyhow::Error::from)?;
        }
    }
    drop(conn);
    let mut tx = state.db.begin().await?;
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::about(actions::INBOUND_EXPORTED, "asns").detail(json!({ "asns": asns.len() })),
    )
    .await?;
    tx.commit().await?;
    let bytes = writer
        .into_inner()
        .map_err(|e| anyhow::anyhow!("csv: {e}"))?;
    Ok(String::from_utf8(bytes).map_err(anyhow::Error::from)?)
}

/// One ASN for its warehouse: its lines and, once received, the receipt's photos.
pub async fn asn_for_receipt(
    state: &AppState,
    actor: &Actor,
    id: &str,
) -> ServiceResult<(Asn, Vec<AsnLine>, Vec<Attachment>)> {
    let mut conn = state.db.read().await?;
    let (tenant, asn) = asn_for_warehouse(&mut conn, actor, id).await?;
    let lines = db::shipping::lines(&mut conn, tenant, &asn.id).await?;
    let photos = db::progress::attachments_of_order(&mut conn, tenant, asn.order_id)
        .await?
        .into_iter()
        .filter(|f| f.post_id == asn.id)
        .collect();
    Ok((asn, lines, photos))
}

/// The goods of a shipment are at the dock: starts the warehouse's receipt clock. Reporting it
/// again is harmless (the first report stands); a received shipment cannot arrive.
pub async fn mark_arrived(state: &AppState, actor: &Actor, asn_id: &str) -> ServiceResult<Outcome> {
    let mut tx = state.db.begin().await?;
    let (tenant, asn) = asn_for_warehouse(&mut tx, actor, asn_id).await?;
    if asn.status == "received" {
        return Err(ServiceError::Refused(
            ReceiptRefusal::AlreadyReceived.message_key(),
        ));
    }
    let now = state.now().0;
    if !db::shipping::mark_arrived(&mut tx, tenant, &asn.id, actor.user_id, now).await? {
        return Ok(Outcome::AlreadyApplied);
    }
    let order = db::orders::get(&mut tx, tenant, asn.order_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    super::timeline_event(
        &mut tx,
        actor,
        &order,
        "arrived",
        None,
        json!({ "asn": asn.id }),
        now,
    )
    .await?;
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::new(actions::ASN_ARRIVED, "asn", &asn.id),
    )
    .await?;
    crate::service::sla::clocks::sync(&mut tx, state, tenant, order.id).await?;
    tx.commit().await?;
    state.sla_wake.notify_one();
    Ok(Outcome::Applied)
}

/// A receipt line as typed.
#[derive(Clone, Debug, Default)]
pub struct ReceiptInput {
    /// (order line, received, damaged, reason)
    pub lines: Vec<(i64, String, String, String)>,
}

pub async fn post_receipt(
    state: &AppState,
    actor: &Actor,
    asn_id: &str,
    submission: &str,
    input: &ReceiptInput,
    uploads: Vec<Upload>,
) -> ServiceResult<Outcome> {
    let (asn, asn_lines, _) = asn_for_receipt(state, actor, asn_id).await?;
    let mut errors = FieldErrors::default();
    let mut checked = Vec::new();
    let mut discrepancy = false;
    for line in &asn_lines {
        let typed = input.lines.iter().find(|(n, ..)| *n == line.line_no);
        let (received, damaged, reason) = match typed {
            Some((_, r, d, why)) => (r.clone(), d.clone(), why.clone()),
            None => (String::new(), String::new(), String::new()),
        };
        let parse = |text: &str, field: &str, errors: &mut FieldErrors| -> Option<Decimal> {
            if text.trim().is_empty() {
                return Some(Decimal::ZERO);
            }
            match Decimal::from_str(text.trim()) {
                Ok(v) if v.normalize().scale() <= 3 => Some(v.normalize()),
                _ => {
                    errors.add(
                        format!("lines.{}.{field}", line.line_no),
                        "validation.quantity",
                    );
                    None
                }
            }
        };
        let r = if received.trim().is_empty() {
            errors.add(
                format!("lines.{}.received", line.line_no),
                "validation.required",
            );
            None
        } else {
            parse(&received, "received", &mut errors)
        };
        let d = parse(&damaged, "damaged", &mut errors);
        let reason = parse_text(&reason, 500, false).unwrap_or_default();
        if let (Some(r), Some(d)) = (r, d) {
            match check_receipt_line(decimal(&line.quantity), r, d, &reason) {
                Ok(flag) => {
                    discrepancy |= flag;
                    checked.push((line.line_no, r, d, reason));
                }
                Err(refusal) => {
                    let field = if refusal == ReceiptRefusal::ReasonRequired {
                        "reason"
                    } else {
                        "received"
                    };
                    errors.add(
                        format!("lines.{}.{field}", line.line_no),
                        refusal.message_key(),
                    );
                }
            }
        }
    }
    let prepared = files::check_and_prepare(uploads, &UploadLimits::default(), errors).await?;
    let written = files::write_all(state, &prepared).await?;

    let mut tx = state.db.begin().await?;
    let (tenant, asn) = asn_for_warehouse(&mut tx, actor, &asn.id).await?;
    let now = state.now().0;
    if !db::order_history::claim_submission(&mut tx, tenant, submission, actor.user_id, now).await?
    {
        return Ok(Outcome::AlreadyApplied);
    }
    if !db::shipping::mark_received(&mut tx, tenant, &asn.id).await? {
        return Err(ServiceError::Refused(
            ReceiptRefusal::AlreadyReceived.message_key(),
        ));
    }
    for (line_no, r, d, reason) in &checked {
        db::shipping::insert_receipt_line(
            &mut tx,
            tenant,
            &asn.id,
            *line_no,
            &r.to_string(),
            &d.to_string(),
            reason,
            actor.user_id,
            now,
        )
        .await?;
    }
    let photos = files::attach_all(&mut tx, tenant, asn.order_id, &asn.id, &written, now).await?;
    let order = db::orders::get(&mut tx, tenant, asn.order_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let order_lines = db::order_lines::of_order(&mut tx, tenant, order.id).await?;
    let received: Vec<_> = checked
        .iter()
        .map(|(n, r, d, why)| json!({ "line_no": n, "received": r.to_string(), "damaged": d.to_string(), "reason": why }))
        .collect();
    let kind = if discrepancy {
        "received_with_discrepancy"
    } else {
        "received"
    };
    super::timeline_event(
        &mut tx,
        actor,
        &order,
        kind,
        None,
        json!({ "asn": asn.id }),
        now,
    )
    .await?;
    let attests = format!(
        "{} received ASN {} of PO {}{}",
        actor.org_name,
        &asn.id[asn.id.len() - 8..],
        order.po_number,
        if discrepancy {
            " with discrepancies"
        } else {
            " as announced"
        }
    );
    let body =
        json!({ "asn_id": asn.id, "discrepancy": discrepancy, "lines": received, "files": photos });
    sign_statement(
        &mut tx,
        state,
        actor,
        &order,
        "po.received",
        &order_hash(&order, &order_lines)?,
        attests,
        body,
    )
    .await?;
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::new(actions::RECEIPT_POSTED, "asn", &asn.id)
            .detail(json!({ "discrepancy": discrepancy, "lines": received })),
    )
    .await?;
    notifications::received(&mut tx, state, &order, &actor.org_name, discrepancy).await?;
    crate::service::sla::clocks::sync(&mut tx, state, tenant, order.id).await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(Outcome::Applied)
}

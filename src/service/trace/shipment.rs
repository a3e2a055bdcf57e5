//! The finished lots an ASN line names: "LOT-A" (the whole line from one lot) or "LOT-A:300,
//! LOT-B:200" (scanned codes with their quantities). Codes of lots the shipper recorded become
//! trace links (finished lot → shipment → order) checked against what is left of each lot and
//! refused while a lot is on hold; other text is kept on the line as it was typed (a partner
//! that does not record its chain still names its lots).

use std::str::FromStr;

use rust_decimal::Decimal;

use crate::auth::actor::Actor;
use crate::db::trace::NewLink;
use crate::db::{self, Conn};
use crate::domain::ids::{OrderId, TenantId};
use crate::domain::trace::{NodeKind, check_consumption};
use crate::service::{FieldErrors, ServiceResult};

/// A finished lot going into the shipment.
pub struct Planned {
    lot_id: String,
    quantity: Decimal,
    unit: String,
}

/// Splits what was typed or scanned into (code, quantity if given).
pub fn parse_refs(text: &str) -> Vec<(String, Option<Decimal>)> {
    text.split([',', ';', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|part| match part.rsplit_once(':') {
            Some((code, qty)) if Decimal::from_str(qty.trim()).is_ok() => {
                (code.trim().to_owned(), Decimal::from_str(qty.trim()).ok())
            }
            _ => (part.to_owned(), None),
        })
        .collect()
}

/// Checks each line's lots; problems go on `lines.N.lots`. `lines` are (line no, quantity,
/// lots as typed, unit).
pub async fn plan(
    conn: &mut Conn,
    actor: &Actor,
    lines: &[(i64, Decimal, String, String)],
    errors: &mut FieldErrors,
) -> ServiceResult<Vec<Planned>> {
    // Shipments sent at the same moment from the same lots take turns, so each sees what the
    // others took (and a hold placed meanwhile).
    let mut ids = Vec::new();
    for (_, _, text, _) in lines {
        for (code, _) in parse_refs(text) {
            if let Some((id, ..)) =
                db::trace_records::finished_lot_by_code(conn, actor.org_id, &code).await?
            {
                ids.push(id);
            }
        }
    }
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    db::trace_records::lock_finished_lots(conn, &ids).await?;
    let mut planned: Vec<Planned> = Vec::new();
    for (line_no, line_qty, text, unit) in lines {
        let field = format!("lines.{line_no}.lots");
        let refs = parse_refs(text);
        let mut known = Vec::new();
        for (code, qty) in &refs {
            if let Some(lot) =
                db::trace_records::finished_lot_by_code(conn, actor.org_id, code).await?
            {
                known.push((lot, *qty));
            }
        }
        if known.len() > 1 && known.iter().any(|(_, q)| q.is_none()) {
            errors.add(&field, "trace.invalid.lot_quantities");
            continue;
        }
        // The lots named make up the line: together never more than it ships.
        let named: Decimal = known.iter().filter_map(|(_, q)| *q).sum();
        if named > *line_qty {
            errors.add(&field, "trace.invalid.lots_exceed_line");
            continue;
        }
        for ((id, lot_qty, _, held), qty) in known {
            let qty = qty.unwrap_or(*line_qty);
            // A lot gives goods to the shipment, never takes them back.
            if qty <= Decimal::ZERO {
                errors.add(&field, "validation.quantity_positive");
                continue;
            }
            if held == 1 {
                errors.add(&field, "trace.refused.on_hold");
                continue;
            }
            let mut taken: Vec<Decimal> = db::trace_records::shipped_from(conn, &id)
                .await?
                .iter()
                .filter_map(|q| Decimal::from_str(q).ok())
                .collect();
            taken.extend(
                planned
                    .iter()
                    .filter(|p| p.lot_id == id)
                    .map(|p| p.quantity),
            );
            let made = Decimal::from_str(&lot_qty).unwrap_or_default();
            if let Err(refusal) = check_consumption(made, &taken, qty) {
                errors.add(&field, refusal.message_key());
                continue;
            }
            planned.push(Planned {
                lot_id: id,
                quantity: qty,
                unit: unit.clone(),
            });
        }
    }
    Ok(planned)
}

/// Writes the links of a saved shipment: each finished lot into it, and it into its order.
pub async fn link(
    conn: &mut Conn,
    actor: &Actor,
    tenant: TenantId,
    (asn, order): (&str, OrderId),
    planned: Vec<Planned>,
    (total, unit): (Decimal, &str),
    now: i64,
) -> ServiceResult<()> {
    let mut merged: Vec<Planned> = Vec::new();
    for p in planned {
        match merged.iter_mut().find(|m| m.lot_id == p.lot_id) {
            Some(m) => m.quantity += p.quantity,
            None => merged.push(p),
        }
    }
    for p in &merged {
        let link = NewLink {
            owner: actor.org_id,
            from: (NodeKind::FinishedLot, &p.lot_id),
            to: (NodeKind::Shipment, asn),
            quantity: &p.quantity.to_string(),
            unit: &p.unit,
            tenant: Some(tenant),
            now,
        };
        db::trace::insert_link(conn, &link).await?;
    }
    let order = order.to_string();
    let link = NewLink {
        owner: actor.org_id,
        from: (NodeKind::Shipment, asn),
        to: (NodeKind::Order, &order),
        quantity: &total.to_string(),
        unit,
        tenant: Some(tenant),
        now,
    };
    db::trace::insert_link(conn, &link).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scanned_codes_with_and_without_quantities() {
        let refs = parse_refs(" FL-1:300, FL-2 : 20.5;FL-3\nLOT:A ");
        assert_eq!(refs[0], ("FL-1".into(), Some(Decimal::from(300))));
        assert_eq!(refs[1], ("FL-2".into(), Decimal::from_str("20.5").ok()));
        assert_eq!(refs[2], ("FL-3".into(), None));
        assert_eq!(
            refs[3],
            ("LOT:A".into(), None),
            "a colon inside a code is kept"
        );
    }
}

//! Shipping and receiving: how much of a line may still ship, and what a receipt may say.

use rust_decimal::Decimal;

use super::line::LineState;
use crate::domain::ids::OrgId;
use crate::domain::org::OrgKind;

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ShipRefusal {
    #[error("only accepted lines ship")]
    LineNotAccepted,
    #[error("the quantity must be more than zero")]
    NothingShipped,
    #[error("more than the open quantity")]
    OverShipment,
    #[error("the order is cancelled")]
    Cancelled,
    #[error("a failed QC inspection holds the goods")]
    QcFailed,
}

impl ShipRefusal {
    pub fn message_key(self) -> &'static str {
        match self {
            ShipRefusal::LineNotAccepted => "asn.refused.line_not_accepted",
            ShipRefusal::NothingShipped => "asn.refused.nothing",
            ShipRefusal::OverShipment => "asn.refused.over_shipment",
            ShipRefusal::Cancelled => "asn.refused.cancelled",
            ShipRefusal::QcFailed => "asn.refused.qc_failed",
        }
    }
}

/// The most that may ship of a line: its quantity plus the brand's tolerance.
pub fn ship_limit(ordered: Decimal, tolerance_pct: i64) -> Decimal {
    ordered + ordered * Decimal::from(tolerance_pct.clamp(0, 100)) / Decimal::from(100)
}

/// Whether `quantity` more of a line may ship, given what already shipped.
pub fn check_shipment(
    state: LineState,
    ordered: Decimal,
    shipped: Decimal,
    quantity: Decimal,
    tolerance_pct: i64,
) -> Result<(), ShipRefusal> {
    if !state.may_ship() {
        return Err(ShipRefusal::LineNotAccepted);
    }
    if quantity <= Decimal::ZERO {
        return Err(ShipRefusal::NothingShipped);
    }
    if shipped + quantity > ship_limit(ordered, tolerance_pct) {
        return Err(ShipRefusal::OverShipment);
    }
    Ok(())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptRefusal {
    #[error("more received than the ASN announced")]
    MoreThanShipped,
    #[error("more damaged than received")]
    MoreDamagedThanReceived,
    #[error("a discrepancy needs a reason")]
    ReasonRequired,
    #[error("this ASN was already received")]
    AlreadyReceived,
    #[error("quantities cannot be negative")]
    Negative,
    #[error("only the warehouse the ASN is addressed to receives it")]
    NotTheAddressee,
}

impl ReceiptRefusal {
    pub fn message_key(self) -> &'static str {
        match self {
            ReceiptRefusal::MoreThanShipped => "receipt.refused.more_than_shipped",
            ReceiptRefusal::MoreDamagedThanReceived => "receipt.refused.more_damaged",
            ReceiptRefusal::ReasonRequired => "receipt.refused.reason",
            ReceiptRefusal::AlreadyReceived => "receipt.refused.already",
            ReceiptRefusal::Negative => "receipt.refused.negative",
            // Never shown: to anyone else the ASN does not exist.
            ReceiptRefusal::NotTheAddressee => "error.not_found.body",
        }
    }
}

/// Only a warehouse organisation, and only the one the ASN names, receives it.
pub fn may_receive(
    actor_org: OrgId,
    actor_kind: OrgKind,
    addressee: OrgId,
) -> Result<(), ReceiptRefusal> {
    if actor_kind == OrgKind::Warehouse && actor_org == addressee {
        Ok(())
    } else {
        Err(ReceiptRefusal::NotTheAddressee)
    }
}

/// What one receipt line says, checked against the ASN line. Returns whether it is a
/// discrepancy (less than announced, or damaged goods).
pub fn check_receipt_line(
    announced: Decimal,
    received: Decimal,
    damaged: Decimal,
    reason: &str,
) -> Result<bool, ReceiptRefusal> {
    if received < Decimal::ZERO || damaged < Decimal::ZERO {
        return Err(ReceiptRefusal::Negative);
    }
    if received > announced {
        return Err(ReceiptRefusal::MoreThanShipped);
    }
    if damaged > received {
        return Err(ReceiptRefusal::MoreDamagedThanReceived);
    }
    let discrepancy = received < announced || damaged > Decimal::ZERO;
    if discrepancy && reason.trim().is_empty() {
        return Err(ReceiptRefusal::ReasonRequired);
    }
    Ok(discrepancy)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(n: i64) -> Decimal {
        Decimal::from(n)
    }

    #[test]
    fn only_accepted_lines_ship() {
        assert!(LineState::Accepted.may_ship() && LineState::DateChangeProposed.may_ship());
        assert!(!LineState::Open.may_ship() && !LineState::Rejected.may_ship());
        for state in LineState::ALL {
            let result = check_shipment(state, d(100), d(0), d(10), 0);
            assert_eq!(result.is_ok(), state.may_ship(), "{state:?}");
        }
    }

    #[test]
    fn over_shipment_is_refused_unless_the_tolerance_allows() {
        assert_eq!(
            check_shipment(LineState::Accepted, d(100), d(60), d(40), 0),
            Ok(())
        );
        assert_eq!(
            check_shipment(LineState::Accepted, d(100), d(60), d(41), 0),
            Err(ShipRefusal::OverShipment)
        );
        assert_eq!(
            check_shipment(LineState::Accepted, d(100), d(60), d(45), 5),
            Ok(())
        );
        assert_eq!(
            check_shipment(LineState::Accepted, d(100), d(60), d(46), 5),
            Err(ShipRefusal::OverShipment)
        );
        assert_eq!(
            check_shipment(LineState::Accepted, d(100), d(0), d(0), 0),
            Err(ShipRefusal::NothingShipped)
        );
    }

    #[test]
    fn only_the_asns_warehouse_receives_it() {
        let harbor = OrgId::new();
        let other = OrgId::new();
        assert_eq!(may_receive(harbor, OrgKind::Warehouse, harbor), Ok(()));
        assert_eq!(
            may_receive(other, OrgKind::Warehouse, harbor),
            Err(ReceiptRefusal::NotTheAddressee)
        );
        for kind in [
            OrgKind::Brand,
            OrgKind::Supplier,
            OrgKind::Factory,
            OrgKind::Financier,
        ] {
            assert_eq!(
                may_receive(harbor, kind, harbor),
                Err(ReceiptRefusal::NotTheAddressee),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn a_receipt_cannot_exceed_the_asn_and_a_discrepancy_says_why() {
        assert_eq!(check_receipt_line(d(100), d(100), d(0), ""), Ok(false));
        assert_eq!(
            check_receipt_line(d(100), d(101), d(0), "x"),
            Err(ReceiptRefusal::MoreThanShipped)
        );
        assert_eq!(
            check_receipt_line(d(100), d(90), d(0), ""),
            Err(ReceiptRefusal::ReasonRequired)
        );
        assert_eq!(
            check_receipt_line(d(100), d(90), d(0), "10 short"),
            Ok(true)
        );
        assert_eq!(
            check_receipt_line(d(100), d(100), d(5), "wet cartons"),
            Ok(true)
        );
        assert_eq!(
            check_receipt_line(d(100), d(10), d(11), "x"),
            Err(ReceiptRefusal::MoreDamagedThanReceived)
        );
        assert_eq!(
            check_receipt_line(d(100), d(-1), d(0), "x"),
            Err(ReceiptRefusal::Negative)
        );
    }
}

//! What a trace shows of each node it reaches: its code and facts (material and supplier, line,
//! shift, operator, times, status), fetched one query per kind for the whole answer.

use std::collections::HashMap;
use std::str::FromStr;

use rust_decimal::Decimal;

use crate::db::{self, Conn};
use crate::domain::trace::NodeKind;
use crate::service::ServiceResult;

/// One node as the trace shows it.
#[derive(Clone, Debug)]
pub struct Node {
    pub kind: NodeKind,
    pub id: String,
    /// The code people know it by: lot code, batch code, tracking number, PO number.
    pub code: String,
    /// (message key, value) facts: material and supplier, line, shift, operator, times, …
    pub facts: Vec<(&'static str, String)>,
    /// A shipment's status or an order's state (codes); empty for other kinds.
    pub status: String,
    pub held: bool,
    /// The brand the node is data of (shipments, orders) and the partner it belongs to.
    pub tenant: Option<String>,
    pub owner: String,
    /// The order a shipment belongs to.
    pub order_id: Option<String>,
}

/// Facts whose value is a message key (statuses and states).
pub fn fact_is_key(key: &str) -> bool {
    matches!(key, "trace.fact.status" | "trace.fact.state")
}

/// The facts of every node asked for, one query per kind.
pub async fn node_facts(
    conn: &mut Conn,
    wanted: &[(NodeKind, String)],
) -> ServiceResult<HashMap<(NodeKind, String), Node>> {
    let ids = |kind: NodeKind| -> Vec<&str> {
        wanted
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, id)| id.as_str())
            .collect()
    };
    let mut out = HashMap::new();
    let mut put = |kind: NodeKind,
                   id: String,
                   code: String,
                   mut facts: Vec<(&'static str, String)>,
                   held,
                   tenant,
                   owner,
                   order| {
        // A shipment's status and an order's state are codes: kept as such for the rules,
        // shown by their message keys.
        let mut status = String::new();
        for (key, value) in &mut facts {
            // Message tables: [asn.status] and [order_state].
            let prefix = match *key {
                "trace.fact.status" => concat!("asn", ".status"),
                "trace.fact.state" => concat!("order", "_state"),
                _ => continue,
            };
            status = value.clone();
            *value = format!("{prefix}.{value}");
        }
        out.insert(
            (kind, id.clone()),
            Node {
                kind,
                id,
                code,
                facts,
                status,
                held,
                tenant,
                owner,
                order_id: order,
            },
        );
    };
    let when = |ms: i64| crate::domain::time::UtcMillis(ms).display_utc();
    let lot_ids = ids(NodeKind::MaterialLot);
    let mut taken: HashMap<String, Decimal> = HashMap::new();
    for (lot, qty) in db::trace_nodes::lots_taken(conn, &lot_ids).await? {
        *taken.entry(lot).or_default() += Decimal::from_str(&qty).unwrap_or_default();
    }
    for l in db::trace_nodes::lots(conn, &lot_ids).await? {
        let received = Decimal::from_str(&l.received_qty).unwrap_or_default();
        let left = received - taken.get(&l.id).copied().unwrap_or_default();
        let facts = vec![
            ("trace.fact.material", l.material),
            ("trace.fact.supplier", l.supplier_name),
            (
                "trace.fact.received",
                format!("{} {}", l.received_qty, l.unit),
            ),
            ("trace.fact.left", format!("{left} {}", l.unit)),
        ];
        put(
            NodeKind::MaterialLot,
            l.id,
            l.supplier_lot_code,
            facts,
            false,
            None,
            l.owner_org_id,
            None,
        );
    }
    for b in db::trace_nodes::batches(conn, &ids(NodeKind::Batch)).await? {
        let mut facts = vec![
            ("trace.fact.line", b.line),
            ("trace.fact.shift", b.shift),
            ("trace.fact.operator", b.operator),
            ("trace.fact.started", when(b.started_at)),
        ];
        if let Some(end) = b.ended_at {
            facts.push(("trace.fact.ended", when(end)));
        }
        put(
            NodeKind::Batch,
            b.id,
            b.code,
            facts,
            false,
            None,
            b.owner_org_id,
            None,
        );
    }
    for f in db::trace_nodes::finished(conn, &ids(NodeKind::FinishedLot)).await? {
        let facts = vec![("trace.fact.quantity", format!("{} {}", f.quantity, f.unit))];
        put(
            NodeKind::FinishedLot,
            f.id,
            f.code,
            facts,
            f.held == 1,
            None,
            f.owner_org_id,
            None,
        );
    }
    for s in db::trace_nodes::shipments(conn, &ids(NodeKind::Shipment)).await? {
        let facts = vec![
            ("trace.fact.carrier", s.carrier),
            ("trace.fact.shipped", s.ship_date),
            ("trace.fact.status", s.status),
        ];
        let order = Some(s.order_id);
        put(
            NodeKind::Shipment,
            s.id,
            s.tracking,
            facts,
            s.held == 1,
            Some(s.tenant_id),
            s.partner_org_id,
            order,
        );
    }
    for o in db::trace_nodes::orders(conn, &ids(NodeKind::Order)).await? {
        let facts = vec![
            ("trace.fact.partner", o.partner_name),
            ("trace.fact.state", o.state),
        ];
        let order = Some(o.id.clone());
        put(
            NodeKind::Order,
            o.id,
            o.po_number,
            facts,
            false,
            Some(o.tenant_id),
            o.partner_org_id,
            order,
        );
    }
    Ok(out)
}

//! Batch traceability as pure rules: the kinds of things a trace walks through and which may
//! feed which, the balance of a material lot (a batch cannot consume more than is left), and the
//! graph a trace answer becomes (each node once, at the depth it was first reached).

use std::collections::BTreeMap;

use rust_decimal::Decimal;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeKind {
    MaterialLot,
    Batch,
    FinishedLot,
    Shipment,
    Order,
}

impl NodeKind {
    pub const ALL: [NodeKind; 5] = [
        NodeKind::MaterialLot,
        NodeKind::Batch,
        NodeKind::FinishedLot,
        NodeKind::Shipment,
        NodeKind::Order,
    ];

    pub fn code(self) -> &'static str {
        match self {
            NodeKind::MaterialLot => "material_lot",
            NodeKind::Batch => "batch",
            NodeKind::FinishedLot => "finished_lot",
            NodeKind::Shipment => "shipment",
            NodeKind::Order => "order",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// What this kind may feed: material into batches, batches into finished lots, finished lots
    /// into shipments, shipments into orders. Links only go down this chain, so a chain
    /// recorded through the use cases has no cycle; the queries still cut any (imports).
    pub fn feeds(self, to: NodeKind) -> bool {
        matches!(
            (self, to),
            (NodeKind::MaterialLot, NodeKind::Batch)
                | (NodeKind::Batch, NodeKind::FinishedLot)
                | (NodeKind::FinishedLot, NodeKind::Shipment)
                | (NodeKind::Shipment, NodeKind::Order)
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TraceRefusal {
    #[error("this kind cannot feed that kind")]
    WrongLink,
    #[error("more than is left of the lot")]
    MoreThanLeft,
}

impl TraceRefusal {
    pub fn message_key(self) -> &'static str {
        match self {
            TraceRefusal::WrongLink => "trace.refused.wrong_link",
            TraceRefusal::MoreThanLeft => "trace.refused.more_than_left",
        }
    }
}

/// What is left of a lot after what was consumed already.
pub fn left(received: Decimal, consumed: &[Decimal]) -> Decimal {
    received - consumed.iter().copied().sum::<Decimal>()
}

/// A batch may take `wanted` of a lot only if that much is left.
pub fn check_consumption(
    received: Decimal,
    consumed: &[Decimal],
    wanted: Decimal,
) -> Result<(), TraceRefusal> {
    if wanted > left(received, consumed) {
        Err(TraceRefusal::MoreThanLeft)
    } else {
        Ok(())
    }
}

/// One link as a trace query returns it, at the depth (1 = next to the start) it was reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceRow {
    pub depth: i64,
    pub from: (NodeKind, String),
    pub to: (NodeKind, String),
    pub quantity: String,
    pub unit: String,
    /// The organisation that recorded the link, and the brand it is data of (none for a
    /// factory's own links between lots and batches).
    pub owner: String,
    pub tenant: Option<String>,
}

/// A trace answer as a graph: each node once with the depth it was first reached at (the start
/// at 0), each link once.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TraceGraph {
    pub nodes: BTreeMap<(NodeKind, String), i64>,
    pub links: Vec<TraceRow>,
}

/// Folds query rows into a graph. The queries walk by depth without remembering paths (so they
/// grow with the answer, not with the number of paths through diamonds), which may return a
/// link again at a greater depth when the graph has a cycle or a diamond; each is kept once, at
/// its smallest depth. `reverse` says the rows walk against the links (the far end is `from`).
pub fn graph(start: (NodeKind, String), rows: Vec<TraceRow>, reverse: bool) -> TraceGraph {
    let mut g = TraceGraph::default();
    g.nodes.insert(start, 0);
    let mut rows = rows;
    rows.sort_by_key(|r| r.depth);
    let mut seen = std::collections::HashSet::new();
    for row in rows {
        let far = if reverse {
            row.from.clone()
        } else {
            row.to.clone()
        };
        let depth = row.depth;
        g.nodes
            .entry(far)
            .and_modify(|d| *d = (*d).min(depth))
            .or_insert(depth);
        if seen.insert((row.from.clone(), row.to.clone())) {
            g.links.push(row);
        }
    }
    g
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn row(depth: i64, from: (NodeKind, &str), to: (NodeKind, &str)) -> TraceRow {
        TraceRow {
            depth,
            from: (from.0, from.1.into()),
            to: (to.0, to.1.into()),
            quantity: "1".into(),
            unit: "m".into(),
            owner: "o".into(),
            tenant: None,
        }
    }

    #[test]
    fn links_only_go_down_the_chain() {
        use NodeKind::*;
        assert!(MaterialLot.feeds(Batch) && Batch.feeds(FinishedLot));
        assert!(FinishedLot.feeds(Shipment) && Shipment.feeds(Order));
        for a in NodeKind::ALL {
            assert!(!a.feeds(MaterialLot), "{a:?}");
            assert!(!a.feeds(a), "{a:?}");
            assert_eq!(NodeKind::parse(a.code()), Some(a));
        }
        assert!(!MaterialLot.feeds(Order));
    }

    #[test]
    fn a_batch_cannot_take_more_than_is_left() {
        let consumed = [d("120"), d("30.5")];
        assert_eq!(left(d("200"), &consumed), d("49.5"));
        assert!(check_consumption(d("200"), &consumed, d("49.5")).is_ok());
        assert_eq!(
            check_consumption(d("200"), &consumed, d("49.6")),
            Err(TraceRefusal::MoreThanLeft)
        );
    }

    #[test]
    fn a_diamond_or_a_cycle_gives_each_node_once_at_its_nearest_depth() {
        use NodeKind::*;
        let start = (MaterialLot, "A".to_owned());
        let rows = vec![
            row(1, (MaterialLot, "A"), (Batch, "1")),
            row(1, (MaterialLot, "A"), (Batch, "2")),
            row(2, (Batch, "1"), (FinishedLot, "F")),
            row(2, (Batch, "2"), (FinishedLot, "F")),
            // A cycle back to the start, met again one level down.
            row(3, (FinishedLot, "F"), (MaterialLot, "A")),
            row(4, (MaterialLot, "A"), (Batch, "1")),
        ];
        let g = graph(start.clone(), rows, false);
        assert_eq!(g.nodes.len(), 4);
        assert_eq!(g.nodes[&start], 0);
        assert_eq!(g.nodes[&(FinishedLot, "F".to_owned())], 2);
        assert_eq!(g.links.len(), 5, "each link once");
    }
}

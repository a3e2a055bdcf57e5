//! The trace view: what a searcher may see of the chain from one node, back to the material
//! lots and forward to every order. The lot's owner (the factory that recorded it) sees its
//! whole chain; a brand sees the factory's lots and batches and its own shipments and orders,
//! and of other brands' only that there are some — never which.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::str::FromStr;

use rust_decimal::Decimal;

use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db::{self, Conn};
use crate::domain::ids::{OrgId, TenantId};
use crate::domain::org::OrgKind;
use crate::domain::trace::{NodeKind, TraceGraph, TraceRow, graph};
use crate::service::{ServiceError, ServiceResult, tenant_of};

/// How far a walk goes: the recorded chain is four links; imported chains may be longer.
pub const MAX_DEPTH: i64 = 10;

/// Who is looking, which decides what a trace shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Viewer {
    /// A factory or supplier: its own links — its lots, batches and finished lots whoever they
    /// went to, and the shipments and orders of the brand in view (another brand's are
    /// flagged, seen in that brand's context: one brand's data never shows in another's).
    Owner(OrgId, TenantId),
    /// A brand: links of no brand (a factory's lots and batches) and its own.
    Brand(TenantId),
}

pub fn viewer(actor: &Actor) -> ServiceResult<Viewer> {
    match actor.org_kind {
        OrgKind::Supplier | OrgKind::Factory => {
            Ok(Viewer::Owner(actor.org_id, tenant_of(actor)?.tenant_id))
        }
        OrgKind::Brand => Ok(Viewer::Brand(tenant_of(actor)?.tenant_id)),
        _ => Err(ServiceError::NotFound),
    }
}

impl Viewer {
    /// Whether the viewer may see this link; a link it may not see that is another brand's
    /// is counted as "other customers affected".
    fn sees(&self, row: &TraceRow) -> Visibility {
        match self {
            Viewer::Owner(org, t) if row.owner == org.to_string() => match &row.tenant {
                None => Visibility::Shown,
                Some(tenant) if *tenant == t.to_string() => Visibility::Shown,
                Some(_) => Visibility::OtherCustomer,
            },
            Viewer::Owner(..) => Visibility::Hidden,
            Viewer::Brand(t) => match &row.tenant {
                None => Visibility::Shown,
                Some(tenant) if *tenant == t.to_string() => Visibility::Shown,
                Some(_) => Visibility::OtherCustomer,
            },
        }
    }
}

#[derive(PartialEq, Eq)]
enum Visibility {
    Shown,
    Hidden,
    OtherCustomer,
}

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

/// One direction of a trace, filtered for its viewer.
#[derive(Clone, Debug, Default)]
pub struct Answer {
    pub graph: TraceGraph,
    pub others_affected: bool,
    /// What to say when others are affected: to a brand, that other customers are; to the
    /// owner, that other brands it serves are (seen in their context).
    pub others_note: &'static str,
}

pub struct Trace {
    pub start: (NodeKind, String),
    pub reverse: Answer,
    pub forward: Answer,
    pub nodes: HashMap<(NodeKind, String), Node>,
}

/// Both walks from a node the viewer may see, each one query, with every node's facts.
pub async fn trace(
    state: &AppState,
    actor: &Actor,
    start: (NodeKind, &str),
) -> ServiceResult<Trace> {
    let viewer = viewer(actor)?;
    let mut conn = state.db.reader().acquire().await?;
    trace_in(&mut conn, viewer, start).await
}

/// `trace` on the caller's connection (inside a use case's transaction).
pub async fn trace_in(
    conn: &mut Conn,
    viewer: Viewer,
    start: (NodeKind, &str),
) -> ServiceResult<Trace> {
    let forward_rows = db::trace::forward(conn, start, MAX_DEPTH).await?;
    let reverse_rows = db::trace::reverse(conn, start, MAX_DEPTH).await?;
    let start_node = node_facts(conn, &[(start.0, start.1.to_owned())])
        .await?
        .remove(&(start.0, start.1.to_owned()))
        .ok_or(ServiceError::NotFound)?;
    if !may_start(viewer, &start_node, &forward_rows) {
        return Err(ServiceError::NotFound);
    }
    let start = (start.0, start.1.to_owned());
    let forward = answer(viewer, start.clone(), forward_rows, false);
    let reverse = answer(viewer, start.clone(), reverse_rows, true);
    let wanted: Vec<(NodeKind, String)> = forward
        .graph
        .nodes
        .keys()
        .chain(reverse.graph.nodes.keys())
        .cloned()
        .collect();
    let nodes = node_facts(conn, &wanted).await?;
    Ok(Trace {
        start,
        reverse,
        forward,
        nodes,
    })
}

/// The owner starts from its own nodes and the orders it serves (once issued: a draft is the
/// brand's own business); a brand from its own orders and shipments, and from a factory's node
/// only when that node reached one of them.
fn may_start(viewer: Viewer, node: &Node, forward: &[TraceRow]) -> bool {
    match viewer {
        Viewer::Owner(org, t) => {
            let draft = node.kind == NodeKind::Order && node.status == "draft";
            let other_brand = node.tenant.as_ref().is_some_and(|n| *n != t.to_string());
            node.owner == org.to_string() && !draft && !other_brand
        }
        Viewer::Brand(t) => {
            let t = t.to_string();
            match &node.tenant {
                Some(tenant) => *tenant == t,
                None => forward.iter().any(|r| r.tenant.as_deref() == Some(&t)),
            }
        }
    }
}

/// The rows the viewer may see, folded into a graph. A hidden link hides what lies beyond it
/// too: the graph keeps only nodes still connected to the start.
pub fn answer(
    viewer: Viewer,
    start: (NodeKind, String),
    rows: Vec<TraceRow>,
    reverse: bool,
) -> Answer {
    let mut others_affected = false;
    let mut shown = Vec::new();
    let only_others = match viewer {
        Viewer::Brand(t) if !reverse => only_for_others(&rows, &t.to_string()),
        _ => HashSet::new(),
    };
    for row in rows {
        if only_others.contains(&row.to) {
            // A factory's batch or lot that went only to other customers is theirs to know.
            others_affected = true;
            continue;
        }
        match viewer.sees(&row) {
            Visibility::Shown => shown.push(row),
            Visibility::OtherCustomer => others_affected = true,
            Visibility::Hidden => {}
        }
    }
    let mut reached: BTreeMap<(NodeKind, String), ()> = BTreeMap::new();
    reached.insert(start.clone(), ());
    shown.sort_by_key(|r| r.depth);
    let mut connected = Vec::new();
    for row in shown {
        let (near, far) = if reverse {
            (&row.to, &row.from)
        } else {
            (&row.from, &row.to)
        };
        if reached.contains_key(near) {
            reached.insert(far.clone(), ());
            connected.push(row);
        }
    }
    let others_note = match viewer {
        Viewer::Owner(..) => "trace.others_your_brands",
        Viewer::Brand(_) => "trace.others_affected",
    };
    Answer {
        graph: graph(start, connected, reverse),
        others_affected,
        others_note,
    }
}

/// The nodes of a forward answer whose goods reached other brands' shipments or orders and
/// none of `tenant`'s (goods still in stock reach no brand and stay visible).
fn only_for_others(rows: &[TraceRow], tenant: &str) -> HashSet<(NodeKind, String)> {
    let mut next: HashMap<&(NodeKind, String), Vec<&TraceRow>> = HashMap::new();
    for row in rows {
        next.entry(&row.from).or_default().push(row);
    }
    // (reaches own, reaches other), computed once per node; a cycle counts as reaching nothing.
    fn reach<'a>(
        node: &'a (NodeKind, String),
        next: &HashMap<&'a (NodeKind, String), Vec<&'a TraceRow>>,
        tenant: &str,
        memo: &mut HashMap<&'a (NodeKind, String), (bool, bool)>,
    ) -> (bool, bool) {
        if let Some(known) = memo.get(node) {
            return *known;
        }
        memo.insert(node, (false, false));
        let mut flags = (false, false);
        for row in next.get(node).map(Vec::as_slice).unwrap_or_default() {
            match row.tenant.as_deref() {
                Some(t) if t == tenant => flags.0 = true,
                Some(_) => flags.1 = true,
                None => {}
            }
            let (own, other) = reach(&row.to, next, tenant, memo);
            flags = (flags.0 || own, flags.1 || other);
        }
        memo.insert(node, flags);
        flags
    }
    let mut memo = HashMap::new();
    let mut out = HashSet::new();
    for row in rows {
        let (own, other) = reach(&row.to, &next, tenant, &mut memo);
        if other && !own {
            out.insert(row.to.clone());
        }
    }
    out
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

//! The trace view: what a searcher may see of the chain from one node, back to the material
//! lots and forward to every order. The lot's owner (the factory that recorded it) sees its
//! whole chain; a brand sees the factory's lots and batches and its own shipments and orders,
//! and of other brands' only that there are some — never which.

use std::collections::{BTreeMap, HashMap, HashSet};

pub use super::nodes::{Node, fact_is_key, node_facts};
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
    let mut conn = state.db.read().await?;
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

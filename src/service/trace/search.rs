//! The trace search box: any identifier a user has in hand — PO, tracking number, finished lot,
//! batch, material lot code, complaint number — resolved to the nodes the searcher may trace.

use super::view::{self, MAX_DEPTH, Viewer};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db;
use crate::domain::trace::NodeKind;
use crate::service::{ServiceResult, tenant_of};

/// A node the identifier names, with the code to show in a choice list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub kind: NodeKind,
    pub id: String,
    pub code: String,
}

pub async fn search(state: &AppState, actor: &Actor, query: &str) -> ServiceResult<Vec<Hit>> {
    let viewer = view::viewer(actor)?;
    let query = crate::domain::order::fields::clean_search(query);
    let query = query.as_str();
    if query.is_empty() || query.chars().count() > 120 {
        return Ok(Vec::new());
    }
    let tenant = tenant_of(actor)?.tenant_id;
    let mut conn = state.db.read().await?;
    let mut found: Vec<(NodeKind, String)> = Vec::new();
    let partner = match viewer {
        Viewer::Owner(org, _) => Some(org),
        Viewer::Brand(_) => None,
    };
    for (kind, id) in db::trace_nodes::by_number(&mut conn, tenant, partner, query).await? {
        found.extend(NodeKind::parse(&kind).map(|k| (k, id)));
    }
    if let Viewer::Brand(t) = viewer
        && let Some((kind, id)) = db::complaints::subject_by_number(&mut conn, t, query).await?
    {
        found.extend(NodeKind::parse(&kind).map(|k| (k, id)));
    }
    for (kind, id, owner) in db::trace_nodes::by_code(&mut conn, query).await? {
        let Some(kind) = NodeKind::parse(&kind) else {
            continue;
        };
        match viewer {
            Viewer::Owner(org, _) if owner == org.to_string() => found.push((kind, id)),
            Viewer::Owner(..) => {}
            // A brand finds a factory's code only when it reached the brand's own goods.
            Viewer::Brand(t) => {
                let rows = db::trace::forward(&mut conn, (kind, &id), MAX_DEPTH).await?;
                if rows
                    .iter()
                    .any(|r| r.tenant.as_deref() == Some(&t.to_string()))
                {
                    found.push((kind, id));
                }
            }
        }
    }
    found.sort();
    found.dedup();
    let facts = view::node_facts(&mut conn, &found).await?;
    Ok(found
        .into_iter()
        .filter_map(|key| {
            let node = facts.get(&key)?;
            Some(Hit {
                kind: key.0,
                id: key.1,
                code: node.code.clone(),
            })
        })
        .collect())
}

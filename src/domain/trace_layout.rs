//! Where a trace graph's nodes go in its SVG picture: one column per kind in chain order
//! (material lots on the left, orders on the right), nodes stacked by depth then code, links as
//! curves from a node's right edge to the next column's left edge. Pure geometry; the page
//! template draws it.

use std::collections::HashMap;

use super::trace::NodeKind;

pub const BOX_W: i64 = 180;
pub const BOX_H: i64 = 48;
const COL_GAP: i64 = 70;
const ROW_GAP: i64 = 16;
const MARGIN: i64 = 12;

/// A node to place: its key, the code shown, its depth from the start.
pub struct Place {
    pub kind: NodeKind,
    pub id: String,
    pub code: String,
    pub depth: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Boxed {
    pub kind: NodeKind,
    pub id: String,
    pub code: String,
    pub x: i64,
    pub y: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Curve {
    /// SVG path data.
    pub path: String,
    pub label: String,
    pub label_x: i64,
    pub label_y: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Layout {
    pub width: i64,
    pub height: i64,
    pub boxes: Vec<Boxed>,
    pub curves: Vec<Curve>,
}

/// A link to draw: (from, to, label).
pub type Link<'a> = ((NodeKind, &'a str), (NodeKind, &'a str), String);

/// Lays out `nodes` and the `links` between them ((from, to), label); a link to a node not
/// placed is left out.
pub fn layout(mut nodes: Vec<Place>, links: &[Link<'_>]) -> Layout {
    let mut columns: Vec<NodeKind> = nodes.iter().map(|n| n.kind).collect();
    columns.sort();
    columns.dedup();
    nodes.sort_by(|a, b| (a.kind, a.depth, &a.code).cmp(&(b.kind, b.depth, &b.code)));
    let mut rows_in: HashMap<NodeKind, i64> = HashMap::new();
    let mut at: HashMap<(NodeKind, String), (i64, i64)> = HashMap::new();
    let mut out = Layout::default();
    for n in nodes {
        let col = columns.iter().position(|k| *k == n.kind).unwrap_or(0) as i64;
        let row = rows_in.entry(n.kind).or_insert(0);
        let (x, y) = (
            MARGIN + col * (BOX_W + COL_GAP),
            MARGIN + *row * (BOX_H + ROW_GAP),
        );
        *row += 1;
        at.insert((n.kind, n.id.clone()), (x, y));
        out.boxes.push(Boxed {
            kind: n.kind,
            id: n.id,
            code: n.code,
            x,
            y,
        });
    }
    for ((fk, fid), (tk, tid), label) in links {
        let (Some(&(x1, y1)), Some(&(x2, y2))) = (
            at.get(&(*fk, (*fid).to_owned())),
            at.get(&(*tk, (*tid).to_owned())),
        ) else {
            continue;
        };
        let (sx, sy, ex, ey) = (x1 + BOX_W, y1 + BOX_H / 2, x2, y2 + BOX_H / 2);
        let mid = (sx + ex) / 2;
        out.curves.push(Curve {
            path: format!("M{sx},{sy} C{mid},{sy} {mid},{ey} {ex},{ey}"),
            label: label.clone(),
            label_x: mid,
            label_y: (sy + ey) / 2 - 4,
        });
    }
    let rows = rows_in.values().copied().max().unwrap_or(0);
    out.width = 2 * MARGIN + columns.len() as i64 * (BOX_W + COL_GAP) - COL_GAP;
    out.height = 2 * MARGIN + rows * (BOX_H + ROW_GAP) - ROW_GAP;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(kind: NodeKind, id: &str, depth: i64) -> Place {
        Place {
            kind,
            id: id.into(),
            code: id.into(),
            depth,
        }
    }

    #[test]
    fn kinds_are_columns_in_chain_order_and_links_join_them() {
        use NodeKind::*;
        let nodes = vec![
            place(Order, "PO", 3),
            place(MaterialLot, "L1", 1),
            place(MaterialLot, "L2", 1),
            place(Batch, "B", 0),
        ];
        let links = vec![
            ((MaterialLot, "L1"), (Batch, "B"), "10 m".to_owned()),
            ((Batch, "B"), (Order, "PO"), "5 pcs".to_owned()),
            ((Batch, "B"), (Order, "gone"), "1".to_owned()),
        ];
        let l = layout(nodes, &links);
        let x = |id: &str| l.boxes.iter().find(|b| b.id == id).unwrap().x;
        assert!(x("L1") < x("B") && x("B") < x("PO"));
        assert_eq!(x("L1"), x("L2"));
        assert_eq!(l.curves.len(), 2, "a link to a node not drawn is left out");
        assert_eq!(l.width, 2 * MARGIN + 3 * (BOX_W + COL_GAP) - COL_GAP);
        assert_eq!(l.height, 2 * MARGIN + 2 * BOX_H + ROW_GAP);
    }
}

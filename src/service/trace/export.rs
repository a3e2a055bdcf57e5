//! Trace exports: the links of a trace as CSV (each direction, with the codes people know), and
//! the viewer's visible chain as an EPCIS 2.0 document. Every export is audited.

use serde_json::json;

use super::view::{self, Answer, Trace};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::domain::trace::NodeKind;
use crate::service::{AuditEvent, ServiceResult, actions, audit};

/// A cell a spreadsheet would read as a formula is quoted as text (a lot code typed as
/// `=HYPERLINK(…)` must stay a lot code).
pub fn cell(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

pub async fn csv(
    state: &AppState,
    actor: &Actor,
    start: (NodeKind, &str),
) -> ServiceResult<String> {
    let trace = view::trace(state, actor, start).await?;
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record([
            "direction",
            "depth",
            "from_kind",
            "from_code",
            "to_kind",
            "to_code",
            "quantity",
            "unit",
        ])
        .map_err(anyhow::Error::from)?;
    write_links(&mut writer, &trace, "reverse", &trace.reverse)?;
    write_links(&mut writer, &trace, "forward", &trace.forward)?;
    if trace.forward.others_affected || trace.reverse.others_affected {
        writer
            .write_record(["note", "", "", "other customers affected", "", "", "", ""])
            .map_err(anyhow::Error::from)?;
    }
    let bytes = writer.into_inner().map_err(anyhow::Error::from)?;
    record_export(state, actor, start, "csv").await?;
    Ok(String::from_utf8(bytes).map_err(anyhow::Error::from)?)
}

fn write_links(
    writer: &mut csv::Writer<Vec<u8>>,
    trace: &Trace,
    direction: &str,
    answer: &Answer,
) -> ServiceResult<()> {
    let code = |key: &(NodeKind, String)| {
        cell(
            &trace
                .nodes
                .get(key)
                .map_or_else(|| key.1.clone(), |n| n.code.clone()),
        )
    };
    for link in &answer.graph.links {
        writer
            .write_record([
                direction,
                &link.depth.to_string(),
                link.from.0.code(),
                &code(&link.from),
                link.to.0.code(),
                &code(&link.to),
                &cell(&link.quantity),
                &cell(&link.unit),
            ])
            .map_err(anyhow::Error::from)?;
    }
    Ok(())
}

async fn record_export(
    state: &AppState,
    actor: &Actor,
    start: (NodeKind, &str),
    format: &str,
) -> ServiceResult<()> {
    let mut tx = state.db.begin().await?;
    audit(
        &mut tx,
        actor,
        actor.scope.as_ref().map(|s| s.tenant_id),
        AuditEvent::new(actions::TRACE_EXPORTED, start.0.code(), start.1)
            .detail(json!({ "format": format })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

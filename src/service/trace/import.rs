//! Importing the chain from CSV: a file of material lots (one per row) or of production
//! batches (one row per material lot a batch took; rows with the same batch code form one
//! batch). All or nothing in one transaction, like the forms row by row: every problem is
//! reported by row and column, and a file with any problem records nothing.

use std::collections::BTreeMap;

use super::record::{BatchInput, LotInput, batch_in, lot_in, require_producer};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::service::orders::import::{ImportErrors, open_csv};
use crate::service::{ServiceError, ServiceResult};

pub const LOT_COLUMNS: &[&str] = &[
    "material",
    "supplier_name",
    "supplier_lot_code",
    "received_qty",
    "unit",
];

pub const BATCH_COLUMNS: &[&str] = &[
    "batch_code",
    "line",
    "shift",
    "operator",
    "started_at",
    "ended_at",
    "lot_code",
    "lot_qty",
    "finished_code",
    "finished_qty",
    "finished_unit",
];

/// Templates with example rows.
pub fn lot_template() -> String {
    format!(
        "{}\nCotton jersey 180gsm,Sunrise Textiles,SR-24-0917,1200,m\n",
        LOT_COLUMNS.join(",")
    )
}

pub fn batch_template() -> String {
    format!(
        "{}\nB-1101,Line 3,Night,Li Wei,2026-11-02T22:00,2026-11-03T06:00,SR-24-0917,400,FL-1101,950,pcs\n\
         B-1101,,,,,,SR-24-0918,150,,,\n",
        BATCH_COLUMNS.join(",")
    )
}

pub enum TraceImport {
    /// Lots and batches recorded.
    Recorded {
        lots: usize,
        batches: usize,
    },
    Refused(ImportErrors),
}

/// The field of a form a column feeds (problems come back by field).
fn column_of(field: &str) -> &str {
    match field {
        "code" => "batch_code",
        f if f.starts_with("inputs.") => "lot_code",
        f => f,
    }
}

pub async fn import_csv(
    state: &AppState,
    actor: &Actor,
    bytes: &[u8],
) -> ServiceResult<TraceImport> {
    require_producer(actor)?;
    let mut errors = ImportErrors::default();
    let Some((headers, mut reader)) = open_csv(bytes, &mut errors) else {
        return Ok(TraceImport::Refused(errors));
    };
    let has = |c: &&str| headers.iter().any(|h| h == c);
    let columns = if has(&"batch_code") {
        BATCH_COLUMNS
    } else {
        LOT_COLUMNS
    };
    for column in columns.iter().filter(|c| !has(c)) {
        errors.add(1, column, "import.missing_column");
    }
    if !errors.problems.is_empty() {
        return Ok(TraceImport::Refused(errors));
    }
    let index = |name: &str| headers.iter().position(|h| h == name).unwrap_or(usize::MAX);
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        match record {
            Ok(r) if r.iter().all(str::is_empty) => {}
            Ok(r) => rows.push((i + 2, r)),
            Err(_) => errors.add(i + 2, "", "import.unreadable"),
        }
    }
    if rows.is_empty() && errors.problems.is_empty() {
        errors.add(0, "", "trace.import.no_rows");
    }
    let cell = |r: &csv::StringRecord, name: &str| r.get(index(name)).unwrap_or("").to_owned();
    let now = state.now().0;
    let mut tx = state.db.begin().await?;
    let (mut lots, mut batches) = (0, 0);
    if columns == LOT_COLUMNS {
        for (row, r) in &rows {
            let input = LotInput {
                material: cell(r, "material"),
                supplier_name: cell(r, "supplier_name"),
                supplier_lot_code: cell(r, "supplier_lot_code"),
                received_qty: cell(r, "received_qty"),
                unit: cell(r, "unit"),
            };
            match lot_in(&mut tx, actor, &input, now).await {
                Ok(_) => lots += 1,
                Err(ServiceError::Invalid(e)) => {
                    for (field, key) in e.iter() {
                        errors.add(*row, column_of(field), key);
                    }
                }
                Err(other) => return Err(other),
            }
        }
    } else {
        let mut groups: BTreeMap<String, Vec<(usize, &csv::StringRecord)>> = BTreeMap::new();
        let mut order = Vec::new();
        for (row, r) in &rows {
            let code = cell(r, "batch_code");
            if !groups.contains_key(&code) {
                order.push(code.clone());
            }
            groups.entry(code).or_default().push((*row, r));
        }
        for code in order {
            let group = &groups[&code];
            let (first_row, first) = group[0];
            let input = BatchInput {
                code: code.clone(),
                line: cell(first, "line"),
                shift: cell(first, "shift"),
                operator: cell(first, "operator"),
                started_at: cell(first, "started_at"),
                ended_at: cell(first, "ended_at"),
                inputs: group
                    .iter()
                    .map(|(_, r)| (cell(r, "lot_code"), cell(r, "lot_qty")))
                    .collect(),
                finished_code: cell(first, "finished_code"),
                finished_qty: cell(first, "finished_qty"),
                finished_unit: cell(first, "finished_unit"),
            };
            match batch_in(&mut tx, actor, &input, now).await {
                Ok(_) => batches += 1,
                Err(ServiceError::Invalid(e)) => {
                    for (field, key) in e.iter() {
                        // A problem with the Nth material lot is on the Nth row of the batch.
                        let row = field
                            .strip_prefix("inputs.")
                            .and_then(|n| n.parse::<usize>().ok())
                            .and_then(|n| group.get(n))
                            .map_or(first_row, |(row, _)| *row);
                        errors.add(row, column_of(field), key);
                    }
                }
                Err(other) => return Err(other),
            }
        }
    }
    if !errors.problems.is_empty() || errors.more > 0 {
        return Ok(TraceImport::Refused(errors));
    }
    tx.commit().await?;
    Ok(TraceImport::Recorded { lots, batches })
}

/// A CSV file, or an EPCIS 2.0 JSON document from a partner system.
pub async fn import_file(
    state: &AppState,
    actor: &Actor,
    bytes: &[u8],
) -> ServiceResult<TraceImport> {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if text.trim_ascii_start().starts_with(b"{") {
        return super::epcis::import(state, actor, text).await;
    }
    import_csv(state, actor, bytes).await
}

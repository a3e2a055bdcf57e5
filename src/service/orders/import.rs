//! Importing purchase orders from CSV: one row per order line, rows with the same PO number
//! form one order. All or nothing: any problem anywhere imports nothing, and every problem is
//! reported by row and column.

use std::collections::BTreeMap;

use serde_json::json;

use super::create::{self, DraftInput, LineInput};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db;
use crate::domain::ids::OrderId;
use crate::domain::org::{OrgKind, Permission};
use crate::service::{AuditEvent, ServiceError, ServiceResult, actions, audit, tenant_of};

/// The columns, in the template's order.
pub const COLUMNS: &[&str] = &[
    "po_number",
    "partner",
    "ship_to",
    "currency",
    "incoterms",
    "payment_terms",
    "requested_delivery",
    "sku",
    "description",
    "hs_code",
    "quantity",
    "unit",
    "unit_price",
    "delivery_date",
];

/// A template with one example order of two lines.
pub fn template() -> String {
    let mut out = COLUMNS.join(",");
    out.push('\n');
    out.push_str("4500100,Sunrise Textiles,Harbor Logistics,USD,FOB,Net 60,2027-03-15,TS-100-BLK-M,Crew tee black M,6109.10,1200,pcs,3.85,\n");
    out.push_str("4500100,Sunrise Textiles,Harbor Logistics,USD,FOB,Net 60,2027-03-15,TS-100-WHT-M,Crew tee white M,6109.10,800,pcs,3.85,2027-03-22\n");
    out
}

/// Largest file accepted.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// At most this many problems are listed; the rest are counted.
const MAX_REPORTED: usize = 200;

/// One problem: spreadsheet row (1 is the header), column name, message key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportProblem {
    pub row: usize,
    pub column: String,
    pub key: &'static str,
}

#[derive(Debug, Default)]
pub struct ImportErrors {
    pub problems: Vec<ImportProblem>,
    pub more: usize,
}

impl ImportErrors {
    pub(crate) fn add(&mut self, row: usize, column: &str, key: &'static str) {
        if self.problems.len() < MAX_REPORTED {
            self.problems.push(ImportProblem {
                row,
                column: column.to_owned(),
                key,
            });
        } else {
            self.more += 1;
        }
    }
}

/// A CSV file as imports read it: at most `MAX_BYTES`, UTF-8 (a BOM is skipped), rows trimmed
/// and of any length, the header row lower-cased. A file that fails any of that is `None`,
/// with the problem in `errors`.
pub(crate) fn open_csv<'a>(
    bytes: &'a [u8],
    errors: &mut ImportErrors,
) -> Option<(Vec<String>, csv::Reader<&'a [u8]>)> {
    if bytes.len() > MAX_BYTES {
        errors.add(0, "", "import.too_large");
        return None;
    }
    let Ok(text) = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)) else {
        errors.add(0, "", "import.not_utf8");
        return None;
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    match reader.headers() {
        Ok(h) => Some((h.iter().map(|c| c.to_ascii_lowercase()).collect(), reader)),
        Err(_) => {
            errors.add(1, "", "import.unreadable");
            None
        }
    }
}

pub enum ImportOutcome {
    Imported(Vec<(String, OrderId)>),
    Refused(ImportErrors),
}

/// Rows of one PO: (spreadsheet row, record).
type Group = Vec<(usize, csv::StringRecord)>;

pub async fn import_csv(
    state: &AppState,
    actor: &Actor,
    bytes: &[u8],
) -> ServiceResult<ImportOutcome> {
    if !actor.can(Permission::ManageOrders) {
        return Err(ServiceError::Forbidden);
    }
    let tenant = tenant_of(actor)?.tenant_id;
    let mut errors = ImportErrors::default();
    let Some((headers, mut reader)) = open_csv(bytes, &mut errors) else {
        return Ok(ImportOutcome::Refused(errors));
    };
    for column in COLUMNS {
        if !headers.iter().any(|h| h == column) {
            errors.add(1, column, "import.missing_column");
        }
    }
    if !errors.problems.is_empty() {
        return Ok(ImportOutcome::Refused(errors));
    }
    let index = |name: &str| headers.iter().position(|h| h == name).unwrap_or(usize::MAX);
    let cell =
        |record: &csv::StringRecord, name: &str| record.get(index(name)).unwrap_or("").to_owned();

    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let row = i + 2;
        match record {
            Ok(record) if record.iter().all(str::is_empty) => {}
            Ok(record) => {
                let po = cell(&record, "po_number");
                if !groups.contains_key(&po) {
                    order.push(po.clone());
                }
                groups.entry(po).or_default().push((row, record));
            }
            Err(_) => errors.add(row, "", "import.unreadable"),
        }
    }
    if groups.is_empty() && errors.problems.is_empty() {
        errors.add(2, "", "import.no_rows");
    }

    let mut tx = state.db.begin().await?;
    let partners = db::partnerships::active_of_kinds(
        &mut tx,
        tenant,
        &[OrgKind::Supplier, OrgKind::Factory, OrgKind::Warehouse],
    )
    .await?;
    let org_by_name = |name: &str, kinds: &[OrgKind]| {
        partners
            .iter()
            .find(|(_, n, k)| n.eq_ignore_ascii_case(name.trim()) && kinds.contains(k))
            .map(|(id, _, _)| id.to_string())
    };

    let mut drafts = Vec::new();
    for po in &order {
        let rows = &groups[po];
        let first = &rows[0].1;
        let header_cols = [
            "po_number",
            "partner",
            "ship_to",
            "currency",
            "incoterms",
            "payment_terms",
            "requested_delivery",
        ];
        for (row, record) in rows.iter().skip(1) {
            for col in header_cols {
                if cell(record, col) != cell(first, col) {
                    errors.add(*row, col, "import.header_differs");
                }
            }
        }
        if db::orders::po_number_taken(&mut tx, tenant, po).await? {
            errors.add(rows[0].0, "po_number", "validation.po_number_taken");
        }
        let partner_name = cell(first, "partner");
        let partner = org_by_name(&partner_name, &[OrgKind::Supplier, OrgKind::Factory]);
        if partner.is_none() && !partner_name.is_empty() {
            errors.add(rows[0].0, "partner", "validation.partner");
        }
        let ship_name = cell(first, "ship_to");
        let ship_to = if ship_name.is_empty() {
            Some(String::new())
        } else {
            org_by_name(&ship_name, &[OrgKind::Warehouse])
        };
        if ship_to.is_none() {
            errors.add(rows[0].0, "ship_to", "validation.ship_to");
        }
        let input = DraftInput {
            submission: String::new(),
            po_number: po.clone(),
            partner: partner.unwrap_or_else(|| {
                if partner_name.is_empty() {
                    String::new()
                } else {
                    "unknown".into()
                }
            }),
            ship_to: ship_to.unwrap_or_default(),
            currency: cell(first, "currency"),
            incoterms: cell(first, "incoterms"),
            payment_terms: cell(first, "payment_terms"),
            requested_delivery: cell(first, "requested_delivery"),
            lines: rows
                .iter()
                .map(|(_, r)| LineInput {
                    sku: cell(r, "sku"),
                    description: cell(r, "description"),
                    hs_code: cell(r, "hs_code"),
                    quantity: cell(r, "quantity"),
                    unit: cell(r, "unit"),
                    unit_price: cell(r, "unit_price"),
                    delivery_date: cell(r, "delivery_date"),
                })
                .collect(),
        };
        match create::validate(&mut tx, tenant, &input).await {
            Ok(draft) => drafts.push(draft),
            Err(ServiceError::Invalid(found)) => {
                for (field, key) in found.iter() {
                    let (row, column) = match field.strip_prefix("lines.") {
                        Some(rest) => {
                            let (i, col) = rest.split_once('.').unwrap_or((rest, ""));
                            let i: usize = i.parse().unwrap_or(0);
                            (
                                rows.get(i).map(|(r, _)| *r).unwrap_or(rows[0].0),
                                col.to_owned(),
                            )
                        }
                        None if field == "partner" && partner_name.is_empty() => {
                            (rows[0].0, "partner".to_owned())
                        }
                        None if field == "partner" || field == "ship_to" => continue, // reported above
                        None => (rows[0].0, field.to_owned()),
                    };
                    errors.add(row, &column, key);
                }
            }
            Err(err) => return Err(err),
        }
    }
    if !errors.problems.is_empty() || errors.more > 0 {
        return Ok(ImportOutcome::Refused(errors));
    }
    let mut created = Vec::new();
    for draft in &drafts {
        match create::insert_draft(&mut tx, actor, tenant, draft, state.now().0).await {
            Ok(id) => created.push((draft.po_number.clone(), id)),
            Err(ServiceError::Invalid(_)) => {
                let row = groups[&draft.po_number][0].0;
                errors.add(row, "po_number", "validation.po_number_taken");
            }
            Err(err) => return Err(err),
        }
    }
    if !errors.problems.is_empty() {
        // Dropping the transaction rolls back the orders inserted before the clash.
        return Ok(ImportOutcome::Refused(errors));
    }
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::about(actions::ORDER_IMPORTED, "orders")
            .detail(json!({ "orders": created.iter().map(|(po, _)| po).collect::<Vec<_>>() })),
    )
    .await?;
    tx.commit().await?;
    Ok(ImportOutcome::Imported(created))
}

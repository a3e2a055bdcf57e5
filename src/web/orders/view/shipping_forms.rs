//! The order page's sample, QC and ASN forms: a refused one shown again with its errors and
//! typing, else sensible defaults.

use super::{Failed, OrderTemplate};
use crate::db::order_lines::Line;
use crate::domain::order::qc::AQL_LEVELS;
use crate::service::orders::shipping::AsnInput;

impl OrderTemplate {
    pub(super) fn asn_refused(&self) -> Option<&AsnInput> {
        match &self.refused {
            Failed::Asn(_, i) => Some(i),
            _ => None,
        }
    }

    pub(super) fn asn_error(&self, field: &str) -> Option<&'static str> {
        match &self.refused {
            Failed::Asn(e, _) => e.get(field),
            _ => None,
        }
    }

    /// The warehouse chosen on the ASN form: as typed, else the order's ship-to.
    pub(super) fn warehouse_selected(&self, id: &crate::domain::ids::OrgId) -> bool {
        let typed = self.asn_typed("warehouse");
        if typed.is_empty() {
            self.order.ship_to_org_id.as_ref() == Some(id)
        } else {
            typed == id.to_string()
        }
    }

    pub(super) fn asn_typed(&self, field: &str) -> String {
        let Some(i) = self.asn_refused() else {
            return String::new();
        };
        match field {
            "warehouse" => i.warehouse.clone(),
            "carrier" => i.carrier.clone(),
            "tracking" => i.tracking.clone(),
            "ship_date" => i.ship_date.clone(),
            "eta" => i.eta.clone(),
            _ => i.cartons.clone(),
        }
    }

    /// The quantity to ship of a line: as typed after an error, else what is still open.
    pub(super) fn ship_qty(&self, line: &Line) -> String {
        if let Some(i) = self.asn_refused() {
            return i
                .lines
                .iter()
                .find(|(n, ..)| *n == line.line_no)
                .map(|(_, q, _)| q.clone())
                .unwrap_or_default();
        }
        self.open_quantities
            .get(&line.line_no)
            .map(|q| q.normalize().to_string())
            .unwrap_or_default()
    }

    pub(super) fn ship_lots(&self, line: &Line) -> String {
        self.asn_refused()
            .and_then(|i| {
                i.lines
                    .iter()
                    .find(|(n, ..)| *n == line.line_no)
                    .map(|(_, _, l)| l.clone())
            })
            .unwrap_or_default()
    }

    pub(super) fn ship_line_error(&self, line: &Line) -> Option<&'static str> {
        self.asn_error(&format!("lines.{}.quantity", line.line_no))
    }

    pub(super) fn ships(&self, line: &Line) -> bool {
        line.state.may_ship()
    }

    pub(super) fn sample_error(&self, field: &str) -> Option<&'static str> {
        match &self.refused {
            Failed::Sample(e, _) => e.get(field),
            _ => None,
        }
    }

    pub(super) fn sample_typed(&self, field: &str) -> String {
        match &self.refused {
            Failed::Sample(_, i) if field == "measurements" => i.measurements.clone(),
            Failed::Sample(_, i) => i.note.clone(),
            _ => String::new(),
        }
    }

    pub(super) fn qc_error(&self, field: &str) -> Option<&'static str> {
        match &self.refused {
            Failed::Qc(e, _) => e.get(field),
            _ => None,
        }
    }

    /// The QC form's fields: as typed after an error, else sensible defaults (AQL 2.5, the
    /// usual major-defect level for apparel; no defects).
    pub(super) fn qc_typed(&self, field: &str) -> String {
        let Failed::Qc(_, i) = &self.refused else {
            return match field {
                "aql" => "2.5".into(),
                "critical" | "major" | "minor" => "0".into(),
                _ => String::new(),
            };
        };
        match field {
            "inspector" => i.inspector.clone(),
            "sample_size" => i.sample_size.clone(),
            "aql" => i.aql.clone(),
            "critical" => i.critical.clone(),
            "major" => i.major.clone(),
            "minor" => i.minor.clone(),
            "result" => i.result.clone(),
            _ => i.defects_note.clone(),
        }
    }

    pub(super) fn aql_levels(&self) -> &'static [&'static str] {
        &AQL_LEVELS
    }
}

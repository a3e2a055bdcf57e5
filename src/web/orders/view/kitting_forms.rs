//! The order page's kitting forms: a refused one shown again with its errors and typing.

use super::{Failed, OrderTemplate};
use crate::domain::order::fields::UNITS;
use crate::service::orders::kitting_status::ComponentView;

impl OrderTemplate {
    pub(super) fn bom_error(&self, field: &str) -> Option<&'static str> {
        match &self.refused {
            Failed::Bom(e, _) => e.get(field),
            _ => None,
        }
    }

    /// The add-material form's fields as typed (the unit defaults to pieces).
    pub(super) fn bom_typed(&self, field: &str) -> String {
        let Failed::Bom(_, i) = &self.refused else {
            return if field == "unit" {
                "pcs".into()
            } else {
                String::new()
            };
        };
        match field {
            "line" => i.line.clone(),
            "component" => i.component.clone(),
            "qty_per_unit" => i.qty_per_unit.clone(),
            "unit" => i.unit.clone(),
            _ => i.supplier.clone(),
        }
    }

    pub(super) fn units(&self) -> &'static [&'static str] {
        UNITS
    }

    /// Whether the stock form of `c` was refused (it opens to show why).
    pub(super) fn stock_reopened(&self, c: &ComponentView) -> bool {
        matches!(&self.refused, Failed::Stock(id, ..) if *id == c.row.id)
    }

    pub(super) fn stock_error(&self, c: &ComponentView, field: &str) -> Option<&'static str> {
        match &self.refused {
            Failed::Stock(id, e, _) if *id == c.row.id => e.get(field),
            _ => None,
        }
    }

    /// The stock form's fields: as typed after an error, else what is recorded.
    pub(super) fn stock_typed(&self, c: &ComponentView, field: &str) -> String {
        match (&self.refused, field) {
            (Failed::Stock(id, _, i), "on_hand") if *id == c.row.id => i.on_hand.clone(),
            (Failed::Stock(id, _, i), "allocated") if *id == c.row.id => i.allocated.clone(),
            (Failed::Stock(id, _, i), _) if *id == c.row.id => i.lot_codes.clone(),
            (_, "on_hand") => c.row.on_hand.clone(),
            (_, "allocated") => c.row.allocated.clone(),
            _ => c.row.lot_codes.clone(),
        }
    }

    pub(super) fn plan_error(&self, line_no: &i64) -> Option<&'static str> {
        match &self.refused {
            Failed::Plan(n, e, _) if n == line_no => e.get(&format!("plan.{n}")),
            _ => None,
        }
    }

    pub(super) fn plan_typed(&self, line_no: &i64, saved: &Option<String>) -> String {
        match &self.refused {
            Failed::Plan(n, _, typed) if n == line_no => typed.clone(),
            _ => saved.clone().unwrap_or_default(),
        }
    }
}

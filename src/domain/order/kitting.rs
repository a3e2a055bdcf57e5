//! Material kitting (物料齐套): a line's bill of materials, what the factory has on hand or
//! allocated per component, and whether the line is kitted. A line short of materials close to
//! its planned production start is worth a reminder.

use rust_decimal::Decimal;

/// How many days before the planned production start a short line is reminded.
pub const REMINDER_LEAD_DAYS: i64 = 3;

/// One component as far as kitting is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stock {
    pub qty_per_unit: Decimal,
    pub on_hand: Decimal,
    pub allocated: Decimal,
}

impl Stock {
    /// What the line needs of this component.
    pub fn required(self, line_quantity: Decimal) -> Decimal {
        line_quantity * self.qty_per_unit
    }

    /// What is still missing (never negative).
    pub fn shortfall(self, line_quantity: Decimal) -> Decimal {
        (self.required(line_quantity) - self.on_hand - self.allocated).max(Decimal::ZERO)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KitStatus {
    /// No bill of materials recorded.
    NoBom,
    Kitted,
    /// This many components are short.
    Short(usize),
}

impl KitStatus {
    /// Whether the line (or order) is short of anything.
    pub fn is_short(self) -> bool {
        matches!(self, KitStatus::Short(_))
    }

    pub fn label_key(self) -> &'static str {
        match self {
            KitStatus::NoBom => "kitting.status.no_bom",
            KitStatus::Kitted => "kitting.status.kitted",
            KitStatus::Short(_) => "kitting.status.short",
        }
    }

    pub fn css(self) -> &'static str {
        match self {
            KitStatus::NoBom => "none",
            KitStatus::Kitted => "kitted",
            KitStatus::Short(_) => "short",
        }
    }
}

/// A line's status from its components.
pub fn line_status(line_quantity: Decimal, components: &[Stock]) -> KitStatus {
    if components.is_empty() {
        return KitStatus::NoBom;
    }
    let short = components
        .iter()
        .filter(|c| c.shortfall(line_quantity) > Decimal::ZERO)
        .count();
    if short == 0 {
        KitStatus::Kitted
    } else {
        KitStatus::Short(short)
    }
}

/// An order's status from its lines': short if any is, kitted if every line with a bill of
/// materials is kitted, no BOM if none has one.
pub fn order_status(lines: &[KitStatus]) -> KitStatus {
    let short: usize = lines
        .iter()
        .map(|s| match s {
            KitStatus::Short(n) => *n,
            _ => 0,
        })
        .sum();
    if short > 0 {
        KitStatus::Short(short)
    } else if lines.contains(&KitStatus::Kitted) {
        KitStatus::Kitted
    } else {
        KitStatus::NoBom
    }
}

/// Whether a short line is due a reminder: its planned start is at most the lead time away (or
/// already past), and no reminder went out for this planned date yet.
pub fn needs_reminder(
    status: KitStatus,
    days_until_start: i64,
    already_reminded_for_this_date: bool,
) -> bool {
    status.is_short() && days_until_start <= REMINDER_LEAD_DAYS && !already_reminded_for_this_date
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn stock(per_unit: &str, on_hand: &str, allocated: &str) -> Stock {
        Stock {
            qty_per_unit: d(per_unit),
            on_hand: d(on_hand),
            allocated: d(allocated),
        }
    }

    #[test]
    fn a_component_is_covered_by_stock_on_hand_and_allocated() {
        let fabric = stock("1.25", "500", "250");
        assert_eq!(fabric.required(d("600")), d("750"));
        assert_eq!(fabric.shortfall(d("600")), Decimal::ZERO);
        assert_eq!(fabric.shortfall(d("700")), d("125"));
        assert_eq!(
            stock("6", "9000", "0").shortfall(d("1000")),
            Decimal::ZERO,
            "surplus is not a negative shortfall"
        );
    }

    #[test]
    fn a_line_is_kitted_only_when_every_component_is_covered() {
        assert_eq!(line_status(d("600"), &[]), KitStatus::NoBom);
        let fabric = stock("1.25", "750", "0");
        let buttons = stock("6", "3000", "600");
        assert_eq!(line_status(d("600"), &[fabric, buttons]), KitStatus::Kitted);
        assert_eq!(
            line_status(d("600"), &[fabric, stock("6", "2000", "0")]),
            KitStatus::Short(1)
        );
        assert_eq!(
            order_status(&[KitStatus::Kitted, KitStatus::Short(1), KitStatus::Short(2)]),
            KitStatus::Short(3)
        );
        assert_eq!(
            order_status(&[KitStatus::Kitted, KitStatus::NoBom]),
            KitStatus::Kitted
        );
        assert_eq!(order_status(&[KitStatus::NoBom]), KitStatus::NoBom);
    }

    #[test]
    fn a_short_line_is_reminded_once_as_its_start_nears() {
        let short = KitStatus::Short(1);
        assert!(!needs_reminder(short, REMINDER_LEAD_DAYS + 1, false));
        assert!(needs_reminder(short, REMINDER_LEAD_DAYS, false));
        assert!(needs_reminder(short, -2, false), "late and still short");
        assert!(!needs_reminder(short, 1, true), "once per planned date");
        assert!(!needs_reminder(KitStatus::Kitted, 0, false));
        assert!(!needs_reminder(KitStatus::NoBom, 0, false));
    }
}

//! The risk flags a financier sees beside a financing request: each one names a fact it can
//! check, never a verdict.

/// What is known about the request when the financier looks at it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RiskFacts {
    /// The number of an earlier invoice this one looks like (same amount and date).
    pub look_alike_of: Option<String>,
    /// Receipts on the order that counted less, more or damaged goods.
    pub receipt_discrepancies: usize,
    /// The supplier's clocks with this brand over the last year: (met, late).
    pub sla_met_late: (usize, usize),
    /// What the financier has outstanding with this supplier in the program, before this one.
    pub supplier_outstanding_minor: i64,
    /// What the financier has outstanding in the whole program, before this one.
    pub program_outstanding_minor: i64,
    /// This request's face amount.
    pub face_minor: i64,
    /// Earlier invoices of the supplier to this brand that the brand disputed.
    pub disputed_invoices: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RiskFlag {
    LookAlike {
        of_number: String,
    },
    ReceiptDiscrepancy {
        receipts: usize,
    },
    /// On-time share of the supplier's clocks, in percent, when it is below the bar.
    SlaRecord {
        on_time_percent: u32,
        late: usize,
    },
    /// This supplier's share of the program's outstanding amount after this request, in percent.
    Concentration {
        percent: u32,
    },
    Disputes {
        invoices: usize,
    },
}

/// Below this on-time rate the supplier's delivery record is flagged (with enough clocks).
pub const SLA_ON_TIME_BAR_PERCENT: u32 = 80;
/// The record says little before this many finished clocks.
pub const SLA_MIN_CLOCKS: usize = 5;
/// One supplier holding more than this share of the program is a concentration.
pub const CONCENTRATION_PERCENT: u32 = 50;

pub fn flags(f: &RiskFacts) -> Vec<RiskFlag> {
    let mut out = Vec::new();
    if let Some(of) = &f.look_alike_of {
        out.push(RiskFlag::LookAlike {
            of_number: of.clone(),
        });
    }
    if f.receipt_discrepancies > 0 {
        out.push(RiskFlag::ReceiptDiscrepancy {
            receipts: f.receipt_discrepancies,
        });
    }
    let (met, late) = f.sla_met_late;
    if met + late >= SLA_MIN_CLOCKS {
        let on_time = percent(met as i128, (met + late) as i128);
        if on_time < SLA_ON_TIME_BAR_PERCENT {
            out.push(RiskFlag::SlaRecord {
                on_time_percent: on_time,
                late,
            });
        }
    }
    let mine = i128::from(f.supplier_outstanding_minor) + i128::from(f.face_minor);
    let all = i128::from(f.program_outstanding_minor) + i128::from(f.face_minor);
    // A program's first financing is all one supplier's: that says nothing yet.
    if f.program_outstanding_minor > 0 {
        let share = percent(mine, all);
        if share > CONCENTRATION_PERCENT {
            out.push(RiskFlag::Concentration { percent: share });
        }
    }
    if f.disputed_invoices > 0 {
        out.push(RiskFlag::Disputes {
            invoices: f.disputed_invoices,
        });
    }
    out
}

/// `part / whole` in whole percent, rounded down (0 when there is no whole).
fn percent(part: i128, whole: i128) -> u32 {
    if whole <= 0 {
        return 0;
    }
    u32::try_from(part * 100 / whole).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean() -> RiskFacts {
        RiskFacts {
            sla_met_late: (20, 1),
            supplier_outstanding_minor: 1_000,
            program_outstanding_minor: 10_000,
            face_minor: 1_000,
            ..RiskFacts::default()
        }
    }

    #[test]
    fn a_clean_request_raises_no_flag() {
        assert!(flags(&clean()).is_empty());
    }

    #[test]
    fn each_fact_raises_its_flag() {
        let f = RiskFacts {
            look_alike_of: Some("INV-7".into()),
            receipt_discrepancies: 2,
            sla_met_late: (6, 4),
            supplier_outstanding_minor: 8_000,
            disputed_invoices: 1,
            ..clean()
        };
        assert_eq!(
            flags(&f),
            vec![
                RiskFlag::LookAlike {
                    of_number: "INV-7".into()
                },
                RiskFlag::ReceiptDiscrepancy { receipts: 2 },
                RiskFlag::SlaRecord {
                    on_time_percent: 60,
                    late: 4
                },
                RiskFlag::Concentration { percent: 81 },
                RiskFlag::Disputes { invoices: 1 },
            ]
        );
    }

    #[test]
    fn a_short_record_or_a_first_financing_says_nothing() {
        let f = RiskFacts {
            sla_met_late: (1, 3),
            supplier_outstanding_minor: 0,
            program_outstanding_minor: 0,
            ..clean()
        };
        assert!(flags(&f).is_empty());
    }
}

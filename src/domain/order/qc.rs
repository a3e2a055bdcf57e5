//! Quality control before shipment: an inspection records what the inspector found; a failed
//! inspection blocks shipment until a later inspection passes or the brand waives it.

/// The AQL levels inspectors use (ISO 2859-1 / ANSI Z1.4), as written on inspection reports.
pub const AQL_LEVELS: [&str; 7] = ["0.65", "1.0", "1.5", "2.5", "4.0", "6.5", "10"];

/// The largest sample an inspection may report (ISO 2859-1 code letter R draws 2000).
pub const MAX_SAMPLE_SIZE: i64 = 2000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QcResult {
    Pass,
    Fail,
}

impl QcResult {
    pub fn as_str(self) -> &'static str {
        match self {
            QcResult::Pass => "pass",
            QcResult::Fail => "fail",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [QcResult::Pass, QcResult::Fail]
            .into_iter()
            .find(|r| r.as_str() == value)
    }
}

/// Defects found in the sample, by severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Defects {
    pub critical: i64,
    pub major: i64,
    pub minor: i64,
}

impl Defects {
    pub fn total(self) -> i64 {
        self.critical + self.major + self.minor
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QcRefusal {
    #[error("the sample size is out of range")]
    SampleSize,
    #[error("defect counts cannot be negative")]
    NegativeDefects,
    #[error("more defects than pieces inspected")]
    MoreDefectsThanSample,
    #[error("an inspection with a critical defect cannot pass")]
    CriticalPass,
    #[error("nothing to waive: shipment is not blocked by QC")]
    NothingToWaive,
    #[error("a waiver needs a reason")]
    ReasonRequired,
}

impl QcRefusal {
    pub fn message_key(self) -> &'static str {
        match self {
            QcRefusal::SampleSize => "qc.refused.sample_size",
            QcRefusal::NegativeDefects => "qc.refused.negative",
            QcRefusal::MoreDefectsThanSample => "qc.refused.more_defects",
            QcRefusal::CriticalPass => "qc.refused.critical_pass",
            QcRefusal::NothingToWaive => "qc.refused.nothing_to_waive",
            QcRefusal::ReasonRequired => "qc.refused.reason",
        }
    }
}

/// Whether an inspection report is consistent: a sample in range, defects that fit in it, and
/// no pass with a critical defect (critical defects have an acceptance number of zero).
pub fn check_inspection(
    sample_size: i64,
    defects: Defects,
    result: QcResult,
) -> Result<(), QcRefusal> {
    if !(1..=MAX_SAMPLE_SIZE).contains(&sample_size) {
        return Err(QcRefusal::SampleSize);
    }
    if defects.critical < 0 || defects.major < 0 || defects.minor < 0 {
        return Err(QcRefusal::NegativeDefects);
    }
    if defects.total() > sample_size {
        return Err(QcRefusal::MoreDefectsThanSample);
    }
    if result == QcResult::Pass && defects.critical > 0 {
        return Err(QcRefusal::CriticalPass);
    }
    Ok(())
}

/// One step of an order's QC history, in the order it happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QcStep {
    Inspected(QcResult),
    Waived,
}

/// Whether QC lets goods ship: blocked when the latest step is a failed inspection. A later
/// passing inspection or a brand waiver lifts the block; no inspection at all does not block.
pub fn blocks_shipment(history: &[QcStep]) -> bool {
    history.last() == Some(&QcStep::Inspected(QcResult::Fail))
}

/// Whether the brand may waive now, and with what reason.
pub fn may_waive(history: &[QcStep], reason: &str) -> Result<(), QcRefusal> {
    if !blocks_shipment(history) {
        return Err(QcRefusal::NothingToWaive);
    }
    if reason.trim().is_empty() {
        return Err(QcRefusal::ReasonRequired);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use QcResult::{Fail, Pass};
    use QcStep::{Inspected, Waived};

    fn defects(critical: i64, major: i64, minor: i64) -> Defects {
        Defects {
            critical,
            major,
            minor,
        }
    }

    #[test]
    fn an_inspection_report_must_be_consistent() {
        assert_eq!(check_inspection(125, defects(0, 2, 5), Pass), Ok(()));
        assert_eq!(check_inspection(125, defects(0, 9, 5), Fail), Ok(()));
        assert_eq!(
            check_inspection(0, defects(0, 0, 0), Pass),
            Err(QcRefusal::SampleSize)
        );
        assert_eq!(
            check_inspection(MAX_SAMPLE_SIZE + 1, defects(0, 0, 0), Pass),
            Err(QcRefusal::SampleSize)
        );
        assert_eq!(
            check_inspection(10, defects(0, -1, 0), Fail),
            Err(QcRefusal::NegativeDefects)
        );
        assert_eq!(
            check_inspection(10, defects(0, 6, 5), Fail),
            Err(QcRefusal::MoreDefectsThanSample)
        );
        assert_eq!(
            check_inspection(125, defects(1, 0, 0), Pass),
            Err(QcRefusal::CriticalPass)
        );
        assert_eq!(check_inspection(125, defects(1, 0, 0), Fail), Ok(()));
    }

    #[test]
    fn a_failed_inspection_blocks_shipment_until_reinspection_passes_or_a_waiver() {
        assert!(!blocks_shipment(&[]), "no QC recorded: nothing blocks");
        assert!(!blocks_shipment(&[Inspected(Pass)]));
        assert!(blocks_shipment(&[Inspected(Fail)]));
        assert!(blocks_shipment(&[Inspected(Pass), Inspected(Fail)]));
        assert!(!blocks_shipment(&[Inspected(Fail), Inspected(Pass)]));
        assert!(!blocks_shipment(&[Inspected(Fail), Waived]));
        assert!(blocks_shipment(&[Inspected(Fail), Waived, Inspected(Fail)]));
    }

    #[test]
    fn only_a_block_can_be_waived_and_only_with_a_reason() {
        assert_eq!(
            may_waive(&[Inspected(Fail)], "Customer accepts shade variance"),
            Ok(())
        );
        assert_eq!(
            may_waive(&[Inspected(Fail)], "  "),
            Err(QcRefusal::ReasonRequired)
        );
        assert_eq!(
            may_waive(&[Inspected(Pass)], "x"),
            Err(QcRefusal::NothingToWaive)
        );
        assert_eq!(
            may_waive(&[Inspected(Fail), Waived], "x"),
            Err(QcRefusal::NothingToWaive)
        );
        assert_eq!(may_waive(&[], "x"), Err(QcRefusal::NothingToWaive));
    }
}

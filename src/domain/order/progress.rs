//! Production progress: the milestones a factory reports and when it may report them.

use super::milestones::Step;
use super::state::OrderState;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Milestone {
    MaterialsKitted,
    ProductionStarted,
    FirstSampleSubmitted,
    FirstSampleApproved,
    HalfProduced,
    ProductionComplete,
    QcPassed,
    Packed,
}

impl Milestone {
    /// The default template, in production order.
    pub const DEFAULTS: [Milestone; 8] = [
        Milestone::MaterialsKitted,
        Milestone::ProductionStarted,
        Milestone::FirstSampleSubmitted,
        Milestone::FirstSampleApproved,
        Milestone::HalfProduced,
        Milestone::ProductionComplete,
        Milestone::QcPassed,
        Milestone::Packed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Milestone::MaterialsKitted => "materials_kitted",
            Milestone::ProductionStarted => "production_started",
            Milestone::FirstSampleSubmitted => "first_sample_submitted",
            Milestone::FirstSampleApproved => "first_sample_approved",
            Milestone::HalfProduced => "half_produced",
            Milestone::ProductionComplete => "production_complete",
            Milestone::QcPassed => "qc_passed",
            Milestone::Packed => "packed",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::DEFAULTS.into_iter().find(|m| m.as_str() == value)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Milestone::MaterialsKitted => "milestone.materials_kitted",
            Milestone::ProductionStarted => "milestone.production_started",
            Milestone::FirstSampleSubmitted => "milestone.first_sample_submitted",
            Milestone::FirstSampleApproved => "milestone.first_sample_approved",
            Milestone::HalfProduced => "milestone.half_produced",
            Milestone::ProductionComplete => "milestone.production_complete",
            Milestone::QcPassed => "milestone.qc_passed",
            Milestone::Packed => "milestone.packed",
        }
    }

    /// Milestones that mean production is running (what a required sample approval gates).
    pub fn is_production(self) -> bool {
        matches!(
            self,
            Milestone::ProductionStarted
                | Milestone::HalfProduced
                | Milestone::ProductionComplete
                | Milestone::QcPassed
                | Milestone::Packed
        )
    }

    /// The partner reports milestones by progress posts, except the two the first-sample
    /// record makes: submitting it (the sample form) and its approval (brand quality's).
    pub fn partner_reports(self) -> bool {
        !matches!(
            self,
            Milestone::FirstSampleSubmitted | Milestone::FirstSampleApproved
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProgressRefusal {
    #[error("progress can be reported once at least one line is confirmed")]
    NotConfirmed,
    #[error("the order is cancelled")]
    Cancelled,
    #[error("this milestone is the brand's to record")]
    NotThePartners,
    #[error("production may start only after the first sample is approved")]
    SampleNotApproved,
}

impl ProgressRefusal {
    pub fn message_key(self) -> &'static str {
        match self {
            ProgressRefusal::NotConfirmed => "progress.refused.not_confirmed",
            ProgressRefusal::Cancelled => "progress.refused.cancelled",
            ProgressRefusal::NotThePartners => "progress.refused.not_partners",
            ProgressRefusal::SampleNotApproved => "progress.refused.sample_not_approved",
        }
    }
}

/// Whether production may run: always, unless the brand requires an approved first sample.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SampleGate {
    pub required: bool,
    pub approved: bool,
}

impl SampleGate {
    pub const OPEN: SampleGate = SampleGate {
        required: false,
        approved: false,
    };
}

/// Whether the partner may report `milestone` (a step of the brand's template) on an order in
/// `state` with `accepted` lines.
pub fn may_report(
    state: OrderState,
    accepted: usize,
    milestone: &Step,
    gate: SampleGate,
) -> Result<(), ProgressRefusal> {
    if state == OrderState::Cancelled {
        return Err(ProgressRefusal::Cancelled);
    }
    if !milestone.partner_reports() {
        return Err(ProgressRefusal::NotThePartners);
    }
    if accepted == 0 || state == OrderState::Draft {
        return Err(ProgressRefusal::NotConfirmed);
    }
    if milestone.is_production() && gate.required && !gate.approved {
        return Err(ProgressRefusal::SampleNotApproved);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_before_confirmation_is_refused() {
        for state in OrderState::ALL {
            let with_no_accepted = may_report(
                state,
                0,
                &Step::from(Milestone::ProductionStarted),
                SampleGate::OPEN,
            );
            let want = if state == OrderState::Cancelled {
                Err(ProgressRefusal::Cancelled)
            } else {
                Err(ProgressRefusal::NotConfirmed)
            };
            assert_eq!(with_no_accepted, want, "{state:?}");
        }
    }

    #[test]
    fn progress_is_reported_on_confirmed_work() {
        assert_eq!(
            may_report(
                OrderState::Confirmed,
                3,
                &Step::from(Milestone::HalfProduced),
                SampleGate::OPEN
            ),
            Ok(())
        );
        assert_eq!(
            may_report(
                OrderState::PartiallyConfirmed,
                1,
                &Step::from(Milestone::Packed),
                SampleGate::OPEN
            ),
            Ok(())
        );
        assert_eq!(
            may_report(
                OrderState::ChangesProposed,
                1,
                &Step::from(Milestone::MaterialsKitted),
                SampleGate::OPEN
            ),
            Ok(())
        );
        assert_eq!(
            may_report(
                OrderState::Cancelled,
                3,
                &Step::from(Milestone::Packed),
                SampleGate::OPEN
            ),
            Err(ProgressRefusal::Cancelled)
        );
    }

    #[test]
    fn production_before_a_required_sample_approval_is_refused() {
        let closed = SampleGate {
            required: true,
            approved: false,
        };
        let approved = SampleGate {
            required: true,
            approved: true,
        };
        for m in Milestone::DEFAULTS
            .into_iter()
            .filter(|m| m.partner_reports())
        {
            let got = may_report(OrderState::Confirmed, 2, &Step::from(m), closed);
            if m.is_production() {
                assert_eq!(got, Err(ProgressRefusal::SampleNotApproved), "{m:?}");
            } else {
                assert_eq!(got, Ok(()), "{m:?} happens before production");
            }
            assert_eq!(
                may_report(OrderState::Confirmed, 2, &Step::from(m), approved),
                Ok(()),
                "{m:?}"
            );
            assert_eq!(
                may_report(OrderState::Confirmed, 2, &Step::from(m), SampleGate::OPEN),
                Ok(()),
                "{m:?}"
            );
        }
    }

    #[test]
    fn the_sample_approval_is_not_the_partners_to_report() {
        assert_eq!(
            may_report(
                OrderState::Confirmed,
                3,
                &Step::from(Milestone::FirstSampleApproved),
                SampleGate::OPEN
            ),
            Err(ProgressRefusal::NotThePartners)
        );
        assert_eq!(
            may_report(
                OrderState::Confirmed,
                3,
                &Step::from(Milestone::FirstSampleSubmitted),
                SampleGate::OPEN
            ),
            Err(ProgressRefusal::NotThePartners),
            "the sample form records the submission"
        );
        for m in Milestone::DEFAULTS {
            assert_eq!(Milestone::parse(m.as_str()), Some(m));
        }
    }

    #[test]
    fn a_brands_own_production_milestone_waits_for_the_sample_too() {
        let closed = SampleGate {
            required: true,
            approved: false,
        };
        let own = |production| Step {
            code: "own-embroidery".into(),
            label: "Embroidery done".into(),
            production,
            active: true,
        };
        assert_eq!(
            may_report(OrderState::Confirmed, 1, &own(true), closed),
            Err(ProgressRefusal::SampleNotApproved)
        );
        assert_eq!(
            may_report(OrderState::Confirmed, 1, &own(false), closed),
            Ok(())
        );
    }
}

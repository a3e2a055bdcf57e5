//! First-sample approval (首样确认): the factory submits a sample, brand quality approves or
//! rejects it; a rejected sample is followed by a new one; an approved sample opens production
//! when the brand requires approval first.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SampleStatus {
    Submitted,
    Approved,
    Rejected,
}

impl SampleStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SampleStatus::Submitted => "submitted",
            SampleStatus::Approved => "approved",
            SampleStatus::Rejected => "rejected",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [
            SampleStatus::Submitted,
            SampleStatus::Approved,
            SampleStatus::Rejected,
        ]
        .into_iter()
        .find(|s| s.as_str() == value)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            SampleStatus::Submitted => "sample.status.submitted",
            SampleStatus::Approved => "sample.status.approved",
            SampleStatus::Rejected => "sample.status.rejected",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SampleRefusal {
    #[error("a sample is already waiting for a decision")]
    AlreadyPending,
    #[error("the first sample is already approved")]
    AlreadyApproved,
    #[error("this sample was already decided")]
    AlreadyDecided,
    #[error("a rejection needs a comment")]
    CommentRequired,
}

impl SampleRefusal {
    pub fn message_key(self) -> &'static str {
        match self {
            SampleRefusal::AlreadyPending => "sample.refused.pending",
            SampleRefusal::AlreadyApproved => "sample.refused.approved",
            SampleRefusal::AlreadyDecided => "sample.refused.decided",
            SampleRefusal::CommentRequired => "sample.refused.comment",
        }
    }
}

/// Whether a new sample may be submitted, given the latest one's status.
pub fn may_submit(latest: Option<SampleStatus>) -> Result<(), SampleRefusal> {
    match latest {
        None | Some(SampleStatus::Rejected) => Ok(()),
        Some(SampleStatus::Submitted) => Err(SampleRefusal::AlreadyPending),
        Some(SampleStatus::Approved) => Err(SampleRefusal::AlreadyApproved),
    }
}

/// The brand's decision on a submitted sample.
pub fn decide(
    status: SampleStatus,
    approve: bool,
    comment: &str,
) -> Result<SampleStatus, SampleRefusal> {
    if status != SampleStatus::Submitted {
        return Err(SampleRefusal::AlreadyDecided);
    }
    if approve {
        Ok(SampleStatus::Approved)
    } else if comment.trim().is_empty() {
        Err(SampleRefusal::CommentRequired)
    } else {
        Ok(SampleStatus::Rejected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SampleStatus::*;

    #[test]
    fn a_sample_may_follow_nothing_or_a_rejection() {
        assert_eq!(may_submit(None), Ok(()));
        assert_eq!(may_submit(Some(Rejected)), Ok(()));
        assert_eq!(
            may_submit(Some(Submitted)),
            Err(SampleRefusal::AlreadyPending)
        );
        assert_eq!(
            may_submit(Some(Approved)),
            Err(SampleRefusal::AlreadyApproved)
        );
    }

    #[test]
    fn only_a_submitted_sample_is_decided_and_a_rejection_says_why() {
        assert_eq!(decide(Submitted, true, ""), Ok(Approved));
        assert_eq!(decide(Submitted, false, "Seams uneven"), Ok(Rejected));
        assert_eq!(
            decide(Submitted, false, " "),
            Err(SampleRefusal::CommentRequired)
        );
        for done in [Approved, Rejected] {
            for approve in [true, false] {
                assert_eq!(
                    decide(done, approve, "x"),
                    Err(SampleRefusal::AlreadyDecided)
                );
            }
        }
    }
}

//! A partnership links a partner organisation to a brand. Only an active partnership gives the
//! partner's users access to that brand's data.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartnershipStatus {
    Active,
    Suspended,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PartnershipRefusal {
    #[error("the partnership is already suspended")]
    AlreadySuspended,
    #[error("the partnership is already active")]
    AlreadyActive,
}

impl PartnershipRefusal {
    pub fn message_key(self) -> &'static str {
        match self {
            PartnershipRefusal::AlreadySuspended => "partners.already_suspended",
            PartnershipRefusal::AlreadyActive => "partners.already_active",
        }
    }
}

impl PartnershipStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PartnershipStatus::Active => "active",
            PartnershipStatus::Suspended => "suspended",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "active" => Some(PartnershipStatus::Active),
            "suspended" => Some(PartnershipStatus::Suspended),
            _ => None,
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            PartnershipStatus::Active => "status.active",
            PartnershipStatus::Suspended => "status.suspended",
        }
    }

    pub fn suspend(self) -> Result<Self, PartnershipRefusal> {
        match self {
            PartnershipStatus::Active => Ok(PartnershipStatus::Suspended),
            PartnershipStatus::Suspended => Err(PartnershipRefusal::AlreadySuspended),
        }
    }

    pub fn reactivate(self) -> Result<Self, PartnershipRefusal> {
        match self {
            PartnershipStatus::Suspended => Ok(PartnershipStatus::Active),
            PartnershipStatus::Active => Err(PartnershipRefusal::AlreadyActive),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PartnershipStatus::*;

    #[test]
    fn an_active_partnership_can_be_suspended_once() {
        assert_eq!(Active.suspend(), Ok(Suspended));
        assert_eq!(
            Suspended.suspend(),
            Err(PartnershipRefusal::AlreadySuspended)
        );
    }

    #[test]
    fn a_suspended_partnership_can_be_reactivated_once() {
        assert_eq!(Suspended.reactivate(), Ok(Active));
        assert_eq!(Active.reactivate(), Err(PartnershipRefusal::AlreadyActive));
    }
}

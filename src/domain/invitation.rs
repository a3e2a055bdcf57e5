//! Invitation links: single use, expiring, revocable.

use super::time::UtcMillis;

/// How long an invitation link stays valid.
pub const INVITATION_LIFETIME_SECS: i64 = 7 * 24 * 3600;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvitationKind {
    /// A brand invites a partner organisation and its first admin.
    Partner,
    /// Someone joins an existing organisation (a colleague, or a new brand's first admin).
    Member,
}

impl InvitationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            InvitationKind::Partner => "partner",
            InvitationKind::Member => "member",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "partner" => Some(InvitationKind::Partner),
            "member" => Some(InvitationKind::Member),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvitationStatus {
    Pending,
    Accepted,
    Revoked,
    Expired,
}

impl InvitationStatus {
    pub fn of(
        accepted_at: Option<i64>,
        revoked_at: Option<i64>,
        expires_at: UtcMillis,
        now: UtcMillis,
    ) -> Self {
        if accepted_at.is_some() {
            InvitationStatus::Accepted
        } else if revoked_at.is_some() {
            InvitationStatus::Revoked
        } else if now >= expires_at {
            InvitationStatus::Expired
        } else {
            InvitationStatus::Pending
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            InvitationStatus::Pending => "invitation.status.pending",
            InvitationStatus::Accepted => "invitation.status.accepted",
            InvitationStatus::Revoked => "invitation.status.revoked",
            InvitationStatus::Expired => "invitation.status.expired",
        }
    }

    /// Why a link in this state cannot be used, as a message key; `None` when it can.
    pub fn refusal_key(self) -> Option<&'static str> {
        match self {
            InvitationStatus::Pending => None,
            InvitationStatus::Accepted => Some("invitation.refused.used"),
            InvitationStatus::Revoked => Some("invitation.refused.revoked"),
            InvitationStatus::Expired => Some("invitation.refused.expired"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: UtcMillis = UtcMillis(1_000_000);

    #[test]
    fn an_unused_invitation_before_expiry_is_pending() {
        let status = InvitationStatus::of(None, None, UtcMillis(2_000_000), NOW);
        assert_eq!(status, InvitationStatus::Pending);
        assert_eq!(status.refusal_key(), None);
    }

    #[test]
    fn an_invitation_is_expired_at_its_expiry_instant() {
        let status = InvitationStatus::of(None, None, NOW, NOW);
        assert_eq!(status, InvitationStatus::Expired);
    }

    #[test]
    fn acceptance_wins_over_expiry_and_revocation() {
        let status = InvitationStatus::of(Some(1), Some(2), UtcMillis(0), NOW);
        assert_eq!(status, InvitationStatus::Accepted);
        assert_eq!(status.refusal_key(), Some("invitation.refused.used"));
    }

    #[test]
    fn a_revoked_invitation_is_refused() {
        let status = InvitationStatus::of(None, Some(1), UtcMillis(2_000_000), NOW);
        assert_eq!(status.refusal_key(), Some("invitation.refused.revoked"));
    }
}

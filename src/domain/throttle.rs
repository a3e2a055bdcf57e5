//! Sign-in throttling: after a few failures, each further failure locks the key (an account or
//! a client address) for twice as long as the one before, up to a ceiling.

use super::time::UtcMillis;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures allowed before the first lock.
    pub free_failures: i64,
    /// Length of the first lock, in seconds.
    pub first_lock_secs: i64,
    pub max_lock_secs: i64,
    /// A key with no failure for this long starts again from zero.
    pub forget_after_secs: i64,
}

/// Per account: five tries, then 30 s, 60 s, 120 s … up to 15 minutes.
pub const ACCOUNT_POLICY: ThrottlePolicy = ThrottlePolicy {
    free_failures: 5,
    first_lock_secs: 30,
    max_lock_secs: 15 * 60,
    forget_after_secs: 24 * 3600,
};

/// Per client address: more tries (offices share an address), same growth.
pub const ADDRESS_POLICY: ThrottlePolicy = ThrottlePolicy {
    free_failures: 20,
    first_lock_secs: 30,
    max_lock_secs: 15 * 60,
    forget_after_secs: 24 * 3600,
};

/// Password reset requests per address and per client: five an hour, then a pause, so the
/// form cannot be used to flood someone's inbox.
pub const RESET_POLICY: ThrottlePolicy = ThrottlePolicy {
    free_failures: 5,
    first_lock_secs: 300,
    max_lock_secs: 3600,
    forget_after_secs: 3600,
};

impl ThrottlePolicy {
    /// When the key is locked until, after its `failures`-th consecutive failure at `now`.
    pub fn locked_until(&self, failures: i64, now: UtcMillis) -> UtcMillis {
        if failures <= self.free_failures {
            return now;
        }
        let doublings = (failures - self.free_failures - 1).min(30) as u32;
        let secs = self
            .first_lock_secs
            .saturating_mul(1_i64 << doublings)
            .min(self.max_lock_secs);
        now.plus_secs(secs)
    }
}

/// Seconds a caller must still wait, if the key is locked.
pub fn remaining_lock(locked_until: UtcMillis, now: UtcMillis) -> Option<i64> {
    (locked_until > now).then(|| now.secs_until(locked_until))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: UtcMillis = UtcMillis(1_000_000);

    #[test]
    fn the_first_failures_do_not_lock() {
        for failures in 1..=5 {
            assert_eq!(ACCOUNT_POLICY.locked_until(failures, NOW), NOW);
        }
    }

    #[test]
    fn each_further_failure_doubles_the_lock_up_to_the_ceiling() {
        assert_eq!(ACCOUNT_POLICY.locked_until(6, NOW), NOW.plus_secs(30));
        assert_eq!(ACCOUNT_POLICY.locked_until(7, NOW), NOW.plus_secs(60));
        assert_eq!(ACCOUNT_POLICY.locked_until(8, NOW), NOW.plus_secs(120));
        assert_eq!(ACCOUNT_POLICY.locked_until(50, NOW), NOW.plus_secs(900));
        assert_eq!(
            ACCOUNT_POLICY.locked_until(i64::MAX, NOW),
            NOW.plus_secs(900)
        );
    }

    #[test]
    fn the_remaining_lock_is_reported_in_whole_seconds() {
        assert_eq!(remaining_lock(NOW.plus_secs(30), NOW), Some(30));
        assert_eq!(remaining_lock(NOW, NOW), None);
    }
}

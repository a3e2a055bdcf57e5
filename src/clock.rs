//! The clock use cases read: system time plus an offset that only tests move, so SLA deadlines,
//! warnings and breaches are tested by moving time instead of sleeping. Sessions and sign-in
//! throttling keep reading the system clock: moving business time must not sign anyone out.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use crate::domain::time::UtcMillis;

#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    pub fn now(&self) -> UtcMillis {
        UtcMillis(UtcMillis::now().0 + self.offset_ms.load(Ordering::Relaxed))
    }

    /// Moves this clock (and every clone of it) forward by `ms` milliseconds.
    pub fn advance(&self, ms: i64) {
        self.offset_ms.fetch_add(ms, Ordering::Relaxed);
    }

    /// Sets this clock so that it reads `at` now (it keeps running from there).
    pub fn jump_to(&self, at: UtcMillis) {
        self.offset_ms
            .store(at.0 - UtcMillis::now().0, Ordering::Relaxed);
    }
}

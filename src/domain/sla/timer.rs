//! One SLA clock: started by an event, stopped by another, paused while the other side holds
//! it up. Its warning time and deadline are computed when it starts or resumes, so a scheduler
//! only has to look at the clocks whose next instant has come. Alarms carry the instant they
//! really happened, so a scheduler that was down catches up with the right times.

use jiff::{SignedDuration, Timestamp};

use super::calendar::Calendar;

/// What a policy asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    BusinessHours(u32),
    BusinessDays(u32),
    CalendarHours(u32),
    CalendarDays(u32),
}

impl Target {
    /// Business targets count only the calendar's working time, also while measuring a pause.
    pub fn is_business(self) -> bool {
        matches!(self, Target::BusinessHours(_) | Target::BusinessDays(_))
    }

    pub fn parse(unit: &str, amount: u32) -> Option<Target> {
        Some(match unit {
            "business_hours" => Target::BusinessHours(amount),
            "business_days" => Target::BusinessDays(amount),
            "calendar_hours" => Target::CalendarHours(amount),
            "calendar_days" => Target::CalendarDays(amount),
            _ => return None,
        })
    }

    pub fn unit(self) -> &'static str {
        match self {
            Target::BusinessHours(_) => "business_hours",
            Target::BusinessDays(_) => "business_days",
            Target::CalendarHours(_) => "calendar_hours",
            Target::CalendarDays(_) => "calendar_days",
        }
    }

    pub fn amount(self) -> u32 {
        match self {
            Target::BusinessHours(n)
            | Target::BusinessDays(n)
            | Target::CalendarHours(n)
            | Target::CalendarDays(n) => n,
        }
    }

    /// The deadline of a clock started at `from`.
    pub fn deadline(self, cal: &Calendar, from: Timestamp) -> Option<Timestamp> {
        match self {
            Target::BusinessHours(h) => cal.add(from, SignedDuration::from_hours(h.into())),
            Target::BusinessDays(d) => cal.add_days(from, d),
            Target::CalendarHours(h) => from.checked_add(SignedDuration::from_hours(h.into())).ok(),
            Target::CalendarDays(d) => cal.add_calendar_days(from, d),
        }
    }

    /// The latest instant that still leaves this target before `until`: for "ASN at least 48
    /// hours before ETA", the moment the notice is due. Business targets count back working
    /// time only (found by bisection on `deadline`, which never decreases with its start).
    pub fn before(self, cal: &Calendar, until: Timestamp) -> Option<Timestamp> {
        match self {
            Target::CalendarHours(h) => {
                until.checked_sub(SignedDuration::from_hours(h.into())).ok()
            }
            Target::CalendarDays(d) => until
                .to_zoned_datetime(cal.time_zone().clone())
                .checked_sub(jiff::Span::new().days(i64::from(d)))
                .ok()
                .map(|z| z.timestamp()),
            Target::BusinessHours(_) | Target::BusinessDays(_) => {
                // Generous lower bound: a week holds at least an hour of working time for any
                // calendar with hours, and holidays rarely cover more than a month.
                let span = SignedDuration::from_hours(24 * 7 * (i64::from(self.amount()) + 8));
                let mut lo = until.checked_sub(span).ok()?;
                if self.deadline(cal, lo)? > until {
                    return None;
                }
                let mut hi = until;
                while hi.duration_since(lo) > SignedDuration::from_secs(1) {
                    let mid = lo.checked_add(hi.duration_since(lo) / 2).ok()?;
                    if self.deadline(cal, mid)? <= until {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                Some(lo)
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Running,
    /// Paused with this much time left to the warning and to the deadline.
    Paused {
        since: Timestamp,
        to_warning: SignedDuration,
        to_deadline: SignedDuration,
    },
    Stopped {
        at: Timestamp,
        outcome: Outcome,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Met,
    /// Stopped after the deadline, this much late (working time for business targets).
    Late(SignedDuration),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alarm {
    Warning(Timestamp),
    Breach(Timestamp),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    #[error("the calendar has no working time before the deadline")]
    NoWorkingTime,
    #[error("the clock is not running")]
    NotRunning,
    #[error("the clock is not paused")]
    NotPaused,
    #[error("the clock has stopped")]
    Stopped,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaClock {
    pub business: bool,
    pub started_at: Timestamp,
    pub warn_at: Timestamp,
    pub deadline: Timestamp,
    pub warned_at: Option<Timestamp>,
    pub breached_at: Option<Timestamp>,
    pub status: Status,
}

impl SlaClock {
    /// A clock started at `at`, warning when `warn_percent` of the target has gone.
    pub fn start(
        target: Target,
        warn_percent: u8,
        cal: &Calendar,
        at: Timestamp,
    ) -> Result<SlaClock, ClockError> {
        let deadline = target.deadline(cal, at).ok_or(ClockError::NoWorkingTime)?;
        let business = target.is_business();
        let total = measure(business, cal, at, deadline);
        let to_warning = total * i32::from(warn_percent.min(100)) / 100;
        let warn_at = advance(business, cal, at, to_warning).ok_or(ClockError::NoWorkingTime)?;
        Ok(SlaClock {
            business,
            started_at: at,
            warn_at,
            deadline,
            warned_at: None,
            breached_at: None,
            status: Status::Running,
        })
    }

    /// A clock started at `at` with a deadline fixed from outside (e.g. "before the goods
    /// arrive"), warning when `warn_percent` of the time to it has gone. A deadline already
    /// past is due at once.
    pub fn start_until(
        deadline: Timestamp,
        business: bool,
        warn_percent: u8,
        cal: &Calendar,
        at: Timestamp,
    ) -> Result<SlaClock, ClockError> {
        let warn_at = warning_between(business, warn_percent, cal, at, deadline)?;
        Ok(SlaClock {
            business,
            started_at: at,
            warn_at,
            deadline,
            warned_at: None,
            breached_at: None,
            status: Status::Running,
        })
    }

    /// Moves a running clock's deadline (the date it measures against changed). Like a
    /// resume, alarms already raised stand; the ones still to come move.
    pub fn retarget(
        &mut self,
        deadline: Timestamp,
        warn_percent: u8,
        cal: &Calendar,
    ) -> Result<(), ClockError> {
        if self.status != Status::Running {
            return Err(ClockError::NotRunning);
        }
        if self.warned_at.is_none() {
            self.warn_at =
                warning_between(self.business, warn_percent, cal, self.started_at, deadline)?;
        }
        if self.breached_at.is_none() {
            self.deadline = deadline;
        }
        Ok(())
    }

    /// The next instant the scheduler must look at this clock (None when paused or stopped,
    /// or once it has breached: nothing more happens until it stops).
    pub fn next_due(&self) -> Option<Timestamp> {
        if self.status != Status::Running || self.breached_at.is_some() {
            return None;
        }
        Some(if self.warned_at.is_none() {
            self.warn_at
        } else {
            self.deadline
        })
    }

    /// The warning and breach that have come by `now`, each stamped when it really happened,
    /// and recorded so they are raised once.
    pub fn due_alarms(&mut self, now: Timestamp) -> Vec<Alarm> {
        let mut alarms = Vec::new();
        if self.status != Status::Running {
            return alarms;
        }
        if self.warned_at.is_none() && self.warn_at <= now {
            self.warned_at = Some(self.warn_at);
            alarms.push(Alarm::Warning(self.warn_at));
        }
        if self.breached_at.is_none() && self.deadline <= now {
            self.breached_at = Some(self.deadline);
            alarms.push(Alarm::Breach(self.deadline));
        }
        alarms
    }

    /// Holds the clock (e.g. while the order waits on the brand); the time left is kept.
    pub fn pause(&mut self, cal: &Calendar, at: Timestamp) -> Result<(), ClockError> {
        match self.status {
            Status::Running => {}
            Status::Paused { .. } => return Ok(()),
            Status::Stopped { .. } => return Err(ClockError::Stopped),
        }
        self.status = Status::Paused {
            since: at,
            to_warning: measure(self.business, cal, at, self.warn_at),
            to_deadline: measure(self.business, cal, at, self.deadline),
        };
        Ok(())
    }

    /// Runs again from `at` with the time that was left.
    pub fn resume(&mut self, cal: &Calendar, at: Timestamp) -> Result<(), ClockError> {
        let Status::Paused {
            to_warning,
            to_deadline,
            ..
        } = self.status
        else {
            return Err(match self.status {
                Status::Stopped { .. } => ClockError::Stopped,
                _ => ClockError::NotPaused,
            });
        };
        if self.warned_at.is_none() {
            self.warn_at =
                advance(self.business, cal, at, to_warning).ok_or(ClockError::NoWorkingTime)?;
        }
        if self.breached_at.is_none() {
            self.deadline =
                advance(self.business, cal, at, to_deadline).ok_or(ClockError::NoWorkingTime)?;
        }
        self.status = Status::Running;
        Ok(())
    }

    /// Stops the clock at `at`: met, or late by how much. A paused clock stops with the
    /// outcome it had when it paused.
    pub fn stop(&mut self, cal: &Calendar, at: Timestamp) -> Result<Outcome, ClockError> {
        let outcome = match self.status {
            Status::Stopped { .. } => return Err(ClockError::Stopped),
            Status::Paused { to_deadline, .. } if to_deadline > SignedDuration::ZERO => {
                Outcome::Met
            }
            Status::Paused { since, .. } => {
                Outcome::Late(measure(self.business, cal, self.deadline, since))
            }
            Status::Running if at <= self.deadline => Outcome::Met,
            Status::Running => Outcome::Late(measure(self.business, cal, self.deadline, at)),
        };
        self.status = Status::Stopped { at, outcome };
        Ok(outcome)
    }

    /// How much of the target is left at `now` (negative once late).
    pub fn time_left(&self, cal: &Calendar, now: Timestamp) -> SignedDuration {
        match self.status {
            Status::Paused { to_deadline, .. } => to_deadline,
            _ if now <= self.deadline => measure(self.business, cal, now, self.deadline),
            _ => -measure(self.business, cal, self.deadline, now),
        }
    }
}

/// The warning instant `warn_percent` of the way from `start` to `deadline` (at the deadline or
/// at once when there is no time between).
fn warning_between(
    business: bool,
    warn_percent: u8,
    cal: &Calendar,
    start: Timestamp,
    deadline: Timestamp,
) -> Result<Timestamp, ClockError> {
    if deadline <= start {
        return Ok(deadline);
    }
    let total = measure(business, cal, start, deadline);
    let to_warning = total * i32::from(warn_percent.min(100)) / 100;
    let warn_at = advance(business, cal, start, to_warning).ok_or(ClockError::NoWorkingTime)?;
    Ok(warn_at.min(deadline))
}

/// Time from `a` to `b` the way the target counts it.
fn measure(business: bool, cal: &Calendar, a: Timestamp, b: Timestamp) -> SignedDuration {
    if business {
        cal.elapsed(a, b)
    } else {
        b.duration_since(a).max(SignedDuration::ZERO)
    }
}

fn advance(
    business: bool,
    cal: &Calendar,
    from: Timestamp,
    by: SignedDuration,
) -> Option<Timestamp> {
    if business {
        cal.add(from, by)
    } else {
        from.checked_add(by).ok()
    }
}

#[cfg(test)]
#[path = "timer_tests.rs"]
mod tests;

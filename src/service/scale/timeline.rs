//! When each step of a generated order happens, as a pure function of a random source and the
//! order's creation time. Every step follows the one before it; what has happened by "now"
//! decides where the order stands, so old orders are closed and recent ones still open, and
//! the SLA clocks of the open ones are early, at risk or breached by the same arithmetic.

use rand::Rng;

pub const HOUR: i64 = 3_600_000;
pub const DAY: i64 = 24 * HOUR;

/// How the partner answers an issued order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    AcceptAll,
    /// Accepts all lines but one, on which it proposes a smaller quantity; the brand accepts
    /// the proposal at `Plan::settled`.
    Propose,
    /// Accepts the first lines at once and the rest at `Plan::settled`.
    Partial,
    RejectAll,
}

/// The instants of an order's steps (UTC millis). A step has happened when its time is at or
/// before now and the order got that far (`reaches`).
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub created: i64,
    /// None: still a draft.
    pub issued: Option<i64>,
    pub answer: Answer,
    /// The partner's (first) decisions.
    pub answered: i64,
    /// The second decision of `Propose` and `Partial` (equal to `answered` otherwise).
    pub settled: i64,
    /// The brand cancels at this instant (before shipment).
    pub cancelled: Option<i64>,
    /// Requested delivery, midnight UTC of the day.
    pub delivery: i64,
    pub kitted: i64,
    pub sample_submitted: i64,
    pub sample_decided: i64,
    pub production_started: i64,
    pub shipped: i64,
    pub eta: i64,
    pub arrived: i64,
    pub received: i64,
    pub invoiced: i64,
    pub invoice_decided: i64,
    pub invoice_disputed: bool,
    /// Whether the supplier asks for financing (if its brand has a program).
    pub wants_financing: bool,
    pub fin_requested: i64,
    pub fin_offered: i64,
    pub fin_accepted: i64,
    pub disbursed: i64,
    /// The invoice's due date (midnight UTC), when a financed invoice is repaid.
    pub invoice_due: i64,
}

/// How far an order got by some instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    Draft,
    Issued,
    /// Answered in part (or with a proposal) and waiting for the rest.
    Answering,
    Rejected,
    Cancelled,
    Confirmed,
    InProduction,
    Shipped,
    Received,
    Invoiced,
    InvoiceDecided,
    Financing,
    Disbursed,
    Repaid,
}

fn hours(rng: &mut impl Rng, lo: f64, hi: f64) -> i64 {
    (rng.gen_range(lo..hi) * HOUR as f64) as i64
}

fn midnight(ms: i64) -> i64 {
    ms - ms.rem_euclid(DAY)
}

/// The plan of an order created at `created` whose draft stays a draft if `draft`.
pub fn plan(rng: &mut impl Rng, created: i64, draft: bool) -> Plan {
    let issued = (!draft).then(|| created + hours(rng, 0.1, 6.0));
    let start = issued.unwrap_or(created);
    // Most partners answer within a working day; a tail answers late, a few very late.
    let u: f64 = rng.r#gen();
    let wait = if u < 0.7 {
        hours(rng, 0.5, 16.0)
    } else if u < 0.92 {
        hours(rng, 16.0, 48.0)
    } else {
        hours(rng, 48.0, 24.0 * 12.0)
    };
    let answered = start + wait;
    let u: f64 = rng.r#gen();
    let answer = if u < 0.88 {
        Answer::AcceptAll
    } else if u < 0.93 {
        Answer::Propose
    } else if u < 0.975 {
        Answer::Partial
    } else {
        Answer::RejectAll
    };
    let settled = match answer {
        Answer::Propose | Answer::Partial => answered + hours(rng, 4.0, 24.0 * 6.0),
        _ => answered,
    };
    let delivery = midnight(created + rng.gen_range(45..100) * DAY);
    let kitted = settled + hours(rng, 12.0, 24.0 * 4.0);
    // First samples take 3 to 12 days (the policy allows 10), quality decides in 1 to 3.
    let sample_submitted = settled + hours(rng, 24.0 * 3.0, 24.0 * 12.0);
    let sample_decided = sample_submitted + hours(rng, 8.0, 24.0 * 3.0);
    let production_started = sample_decided + hours(rng, 12.0, 48.0);
    // Ships some days before the delivery date (the ASN is due 48 h before it), a few late.
    let transit = rng.gen_range(5..25) * DAY;
    let shipped = (delivery - transit - hours(rng, -24.0 * 4.0, 24.0 * 10.0))
        .max(production_started + 10 * DAY);
    let eta = midnight(shipped + transit);
    let arrived = eta + hours(rng, 8.0, 30.0);
    let received = arrived + hours(rng, 1.0, 20.0);
    let invoiced = received + hours(rng, 2.0, 24.0 * 5.0);
    let invoice_decided = invoiced + hours(rng, 4.0, 24.0 * 6.0);
    let invoice_disputed = rng.gen_bool(0.06);
    let wants_financing = rng.gen_bool(0.5);
    let fin_requested = invoice_decided + hours(rng, 1.0, 48.0);
    let fin_offered = fin_requested + hours(rng, 2.0, 40.0);
    let fin_accepted = fin_offered + hours(rng, 1.0, 24.0);
    let disbursed = fin_accepted + hours(rng, 2.0, 48.0);
    let invoice_due = midnight(invoiced) + 60 * DAY;
    // Two in a hundred orders are cancelled by the brand some time before shipment.
    let cancelled = (issued.is_some() && rng.gen_bool(0.02))
        .then(|| start + hours(rng, 1.0, ((shipped - start) as f64 / HOUR as f64).max(2.0)));
    Plan {
        created,
        issued,
        answer,
        answered,
        settled,
        cancelled,
        delivery,
        kitted,
        sample_submitted,
        sample_decided,
        production_started,
        shipped,
        eta,
        arrived,
        received,
        invoiced,
        invoice_decided,
        invoice_disputed,
        wants_financing,
        fin_requested,
        fin_offered,
        fin_accepted,
        disbursed,
        invoice_due,
    }
}

impl Plan {
    /// Where the order stands at `now`; `financeable`: its brand runs a program the supplier is in.
    pub fn stage(&self, now: i64, financeable: bool) -> Stage {
        let Some(issued) = self.issued else {
            return Stage::Draft;
        };
        if self.cancelled.is_some_and(|c| c <= now) {
            return Stage::Cancelled;
        }
        if issued > now || self.answered > now {
            return Stage::Issued;
        }
        if self.answer == Answer::RejectAll {
            return Stage::Rejected;
        }
        if self.settled > now {
            return Stage::Answering;
        }
        let steps = [
            (self.production_started, Stage::InProduction),
            (self.shipped, Stage::Shipped),
            (self.received, Stage::Received),
            (self.invoiced, Stage::Invoiced),
            (self.invoice_decided, Stage::InvoiceDecided),
        ];
        let mut stage = Stage::Confirmed;
        for (at, next) in steps {
            if at > now {
                return stage;
            }
            stage = next;
        }
        if self.invoice_disputed || !financeable || !self.wants_financing {
            return stage;
        }
        if self.fin_requested > now {
            return stage;
        }
        if self.disbursed > now {
            return Stage::Financing;
        }
        if self.invoice_due > now {
            return Stage::Disbursed;
        }
        Stage::Repaid
    }

    /// Whether the order reached `stage` by `now`.
    pub fn reaches(&self, stage: Stage, now: i64, financeable: bool) -> bool {
        let at = self.stage(now, financeable);
        match (at, stage) {
            (Stage::Cancelled | Stage::Rejected | Stage::Draft, s) => at == s,
            (_, Stage::Cancelled | Stage::Rejected | Stage::Draft) => false,
            _ => at >= stage,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;
    use std::collections::HashMap;

    const NOW: i64 = 1_790_000_000_000;

    #[test]
    fn steps_follow_each_other() {
        let mut rng = StdRng::seed_from_u64(9);
        for _ in 0..2_000 {
            let p = plan(&mut rng, NOW - 400 * DAY, false);
            let issued = p.issued.unwrap();
            let chain = [
                p.created,
                issued,
                p.answered,
                p.settled,
                p.sample_submitted,
                p.sample_decided,
                p.production_started,
                p.shipped,
                p.arrived,
                p.received,
                p.invoiced,
                p.invoice_decided,
                p.fin_requested,
                p.fin_offered,
                p.fin_accepted,
                p.disbursed,
            ];
            assert!(chain.windows(2).all(|w| w[0] <= w[1]), "{p:?}");
            assert!(p.settled < p.kitted && p.kitted < p.production_started);
            assert!(p.eta >= p.shipped && p.arrived > p.eta);
            if let Some(c) = p.cancelled {
                assert!(c > issued && c <= p.shipped);
            }
        }
    }

    #[test]
    fn old_orders_are_closed_and_new_ones_open() {
        let mut rng = StdRng::seed_from_u64(10);
        let mut old: HashMap<Stage, usize> = HashMap::new();
        let mut new: HashMap<Stage, usize> = HashMap::new();
        for _ in 0..5_000 {
            let p = plan(&mut rng, NOW - 500 * DAY, false);
            *old.entry(p.stage(NOW, true)).or_default() += 1;
            let p = plan(&mut rng, NOW - 2 * HOUR, false);
            *new.entry(p.stage(NOW, true)).or_default() += 1;
        }
        assert!(old[&Stage::Repaid] > 1_500, "{old:?}");
        assert!(old[&Stage::InvoiceDecided] > 1_500, "{old:?}");
        assert!(!old.contains_key(&Stage::Issued), "{old:?}");
        assert!(new[&Stage::Issued] > 4_000, "{new:?}");
        assert!(new.keys().all(|s| *s <= Stage::Confirmed), "{new:?}");
    }

    #[test]
    fn the_lifecycle_in_between_shows_every_open_state() {
        let mut rng = StdRng::seed_from_u64(11);
        let mut seen: HashMap<Stage, usize> = HashMap::new();
        for i in 0..20_000 {
            let age = (i % 200) as i64 * DAY;
            let p = plan(&mut rng, NOW - age, i % 97 == 0);
            *seen.entry(p.stage(NOW, true)).or_default() += 1;
        }
        for stage in [
            Stage::Draft,
            Stage::Issued,
            Stage::Answering,
            Stage::Rejected,
            Stage::Cancelled,
            Stage::Confirmed,
            Stage::InProduction,
            Stage::Shipped,
            Stage::Received,
            Stage::Invoiced,
            Stage::InvoiceDecided,
            Stage::Financing,
            Stage::Disbursed,
            Stage::Repaid,
        ] {
            assert!(
                seen.get(&stage).copied().unwrap_or(0) > 0,
                "{stage:?}: {seen:?}"
            );
        }
    }

    #[test]
    fn without_a_program_nothing_is_financed() {
        let mut rng = StdRng::seed_from_u64(12);
        for _ in 0..1_000 {
            let p = plan(&mut rng, NOW - 300 * DAY, false);
            assert!(p.stage(NOW, false) <= Stage::InvoiceDecided);
        }
    }

    #[test]
    fn reaching_a_stage_means_having_passed_it() {
        let mut rng = StdRng::seed_from_u64(13);
        let p = loop {
            let p = plan(&mut rng, NOW - 400 * DAY, false);
            if p.stage(NOW, true) == Stage::Repaid {
                break p;
            }
        };
        assert!(p.reaches(Stage::Shipped, NOW, true));
        assert!(!p.reaches(Stage::Cancelled, NOW, true));
        assert!(!p.reaches(Stage::Shipped, p.production_started, true));
    }
}

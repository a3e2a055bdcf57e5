//! The order being generated, with the chains the app keeps on it: the timeline (events in
//! sequence) and the signed statements (each naming the hash of the one before, signed with the
//! acting organisation's key over its canonical JSON), and the version steps of its decisions.

use rand::rngs::StdRng;
use serde_json::{Value, json};

use super::batch::Batch;
use super::clocks::{self, ClockRun};
use super::ids::uuid_at;
use super::orders::Gen;
use super::timeline::{Plan, Stage};
use super::world::{Brand, Org, Partner};
use crate::db::bulk::Val;
use crate::db::order_lines::Line;
use crate::db::orders::Order;
use crate::domain::ids::{OrgId, StatementId, TenantId, UserId};
use crate::domain::order::line::LineState;
use crate::domain::order::state::{self as order_machine, OrderState};
use crate::domain::time::UtcMillis;
use crate::signing::bundle::{StatementHeader, payload_hash};
use crate::signing::jcs::canonical_json;

pub fn date(ms: i64) -> String {
    UtcMillis(ms).rfc3339()[..10].to_owned()
}

/// The order being written and its chains (timeline, statements).
pub(super) struct OrderWriter<'g, 'b> {
    pub g: &'g Gen<'g>,
    pub out: &'b mut Batch,
    pub rng: &'b mut StdRng,
    pub brand: &'g Brand,
    pub partner: &'g Partner,
    pub partner_rank: usize,
    pub brand_index: usize,
    pub order: Order,
    pub lines: Vec<Line>,
    pub plan: Plan,
    /// Steps at or before this instant happened (now, or just before a cancellation).
    pub horizon: i64,
    pub financeable: bool,
    pub event_seq: i64,
    pub statement_seq: i64,
    pub prev: Option<String>,
    pub seen_cache: Option<(i64, String)>,
}

impl OrderWriter<'_, '_> {
    pub fn tenant(&self) -> TenantId {
        self.order.tenant_id
    }

    pub fn happened(&self, at: i64) -> bool {
        at <= self.horizon
    }

    pub fn reached(&self, stage: Stage) -> bool {
        self.plan.reaches(stage, self.horizon, self.financeable)
    }

    pub fn id(&mut self, at: i64) -> String {
        uuid_at(self.rng, at).to_string()
    }

    pub fn event(
        &mut self,
        kind: &str,
        line_no: Option<i64>,
        (user, org): (UserId, OrgId),
        at: i64,
        detail: Value,
    ) {
        self.event_seq += 1;
        self.out.events.row(vec![
            self.tenant().to_string().into(),
            self.order.id.to_string().into(),
            Val::I(self.event_seq),
            kind.into(),
            line_no.into(),
            user.to_string().into(),
            org.to_string().into(),
            Val::I(at),
            detail.to_string().into(),
        ]);
        self.order.updated_at = self.order.updated_at.max(at);
    }

    /// The hash of the order as it stands (what a statement says it saw). Lines change only
    /// with a new version, so it is computed once per version.
    pub fn seen(&mut self) -> String {
        match &self.seen_cache {
            Some((version, hash)) if *version == self.order.version => hash.clone(),
            _ => {
                let hash = crate::service::orders::order_hash(&self.order, &self.lines)
                    .unwrap_or_default();
                self.seen_cache = Some((self.order.version, hash.clone()));
                hash
            }
        }
    }

    /// Signs and records a statement by `org` (acting user `user`) at `at`, chained to the last.
    #[allow(clippy::too_many_arguments)]
    pub fn statement(
        &mut self,
        kind: &str,
        org: &Org,
        user: UserId,
        at: i64,
        (version, seen): (i64, &str),
        attests: String,
        body: Value,
    ) {
        self.statement_seq += 1;
        let id = StatementId::from(uuid_at(self.rng, at));
        let header = StatementHeader {
            kind: kind.to_owned(),
            tenant: self.tenant().to_string(),
            order_id: self.order.id.to_string(),
            org: org.id.to_string(),
            user: user.to_string(),
            at: UtcMillis(at).rfc3339(),
            prev: self.prev.take(),
            attests,
        };
        let mut payload = serde_json::to_value(&header).unwrap_or_default();
        if let (Some(fields), Value::Object(extra)) = (payload.as_object_mut(), body) {
            fields.extend(extra);
            fields.insert("statement_id".into(), json!(id.to_string()));
            fields.insert("order_number".into(), json!(self.order.po_number));
            fields.insert("order_version".into(), json!(version));
            fields.insert("order_hash".into(), json!(seen));
        }
        let payload = canonical_json(&payload).unwrap_or_default();
        let hash = payload_hash(&payload);
        let signature = org.signer.sign(payload.as_bytes());
        self.out.statements.row(vec![
            self.tenant().to_string().into(),
            self.order.id.to_string().into(),
            Val::I(self.statement_seq),
            id.to_string().into(),
            kind.into(),
            org.id.to_string().into(),
            payload.into(),
            hash.clone().into(),
            signature.into(),
            org.signer.kid.clone().into(),
            Val::I(at),
        ]);
        self.prev = Some(hash);
    }

    /// Moves the order one version on to the state its lines give (or `state`).
    pub fn bump(&mut self, state: Option<OrderState>, at: i64) {
        let states: Vec<LineState> = self.lines.iter().map(|l| l.state).collect();
        self.order.state = state.unwrap_or_else(|| order_machine::derive(&states));
        self.order.version += 1;
        self.order.updated_at = self.order.updated_at.max(at);
    }

    pub fn clock(&mut self, c: ClockRun) {
        let ids = (self.tenant(), self.order.id);
        clocks::run(
            &mut self.out.clocks,
            self.rng,
            &self.g.cal,
            ids,
            &c,
            self.g.now,
        );
    }

    fn decisions(&self, decided: &[(i64, &str)]) -> Value {
        let items: Vec<Value> = decided
            .iter()
            .filter_map(|(no, decision)| {
                self.lines
                    .iter()
                    .find(|l| l.line_no == *no)
                    .map(|l| (l, decision))
            })
            .map(|(l, decision)| {
                json!({
                    "line_no": l.line_no, "line_id": l.id.to_string(), "decision": decision,
                    "quantity": l.quantity, "unit_price_minor": l.unit_price_minor,
                    "delivery_date": l.delivery_date, "note": l.note,
                    "proposed_quantity": l.proposed_quantity, "proposed_date": l.proposed_date,
                    "proposed_price_minor": l.proposed_price_minor,
                })
            })
            .collect();
        json!({ "decisions": items })
    }

    /// One side decides some lines at `at`: the lines change, the order moves a version, and
    /// the side signs what it decided.
    pub fn decide(&mut self, partner_side: bool, decided: &[(i64, &str)], at: i64) {
        let seen = (self.order.version, self.seen());
        for (no, decision) in decided {
            let Some(line) = self.lines.iter_mut().find(|l| l.line_no == *no) else {
                continue;
            };
            match *decision {
                "accept" => (line.state, line.note) = (LineState::Accepted, None),
                "reject" => {
                    line.state = LineState::Rejected;
                    line.note = Some("Capacity is booked for the season".into());
                }
                "propose_change" => {
                    let qty: i64 = line.quantity.parse().unwrap_or(100);
                    line.state = LineState::ChangeProposed;
                    line.proposed_quantity = Some(((qty * 9 / 10) / 50 * 50).max(50).to_string());
                    line.note = Some("Fabric allocation allows less this month".into());
                }
                _ => {
                    // accept_proposal
                    if let Some(q) = line.proposed_quantity.take() {
                        line.quantity = q;
                    }
                    (line.state, line.note) = (LineState::Accepted, None);
                }
            }
        }
        self.bump(None, at);
        let (org, user) = if partner_side {
            (&self.partner.org, self.partner.org.admin)
        } else {
            (&self.brand.org, self.brand.ops)
        };
        // One timeline entry per kind of decision: a line's number when it is one line.
        let mut kinds: Vec<&str> = decided.iter().map(|(_, d)| *d).collect();
        kinds.dedup();
        for kind in kinds {
            let nos: Vec<i64> = decided
                .iter()
                .filter(|(_, d)| *d == kind)
                .map(|(n, _)| *n)
                .collect();
            let line = (nos.len() == 1).then(|| nos[0]);
            self.event(
                kind,
                line,
                (user, org.id),
                at,
                json!({ "decision": kind, "lines": nos }),
            );
        }
        let kind = if partner_side {
            "po.partner_decisions"
        } else {
            "po.brand_decisions"
        };
        let attests = format!(
            "{} decided {} line(s) of PO {}",
            org.name,
            decided.len(),
            self.order.po_number
        );
        let body = self.decisions(decided);
        self.statement(kind, org, user, at, (seen.0, &seen.1), attests, body);
    }
}

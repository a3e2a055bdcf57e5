//! One generated order: its lines, the brand's issue and the partner's decisions, each version
//! step a timeline event and a statement signed with the acting organisation's key, chained as
//! the app chains them. Production, shipping, money and traceability follow in `fulfilment`.

use rand::Rng;
use rand::rngs::StdRng;
use serde_json::{Value, json};

use super::batch::Batch;
use super::clocks::{self, ClockRun};
use super::ids::uuid_at;
use super::shape;
use super::timeline::{self, Answer, DAY, Plan, Stage};
use super::world::{Brand, Org, Partner, World};
use crate::db::bulk::Val;
use crate::db::orders::{Line, Order};
use crate::domain::ids::{LineId, OrderId, OrgId, StatementId, TenantId, UserId};
use crate::domain::order::line::LineState;
use crate::domain::order::state::{self as order_machine, OrderState};
use crate::domain::sla::calendar::Calendar;
use crate::domain::sla::policy::Kind;
use crate::domain::time::UtcMillis;
use crate::signing::bundle::{StatementHeader, payload_hash};
use crate::signing::jcs::canonical_json;

/// What every order of a run shares.
pub struct Gen<'a> {
    pub world: &'a World,
    pub now: i64,
    pub seed: u64,
    pub cal: Calendar,
}

/// (SKU, description, HS code, unit price in cents).
const PRODUCTS: [(&str, &str, &str, i64); 12] = [
    ("TS-100-BLK", "Crew tee, black", "6109.10", 385),
    ("TS-100-WHT", "Crew tee, white", "6109.10", 385),
    ("HD-220-NVY", "Hooded sweatshirt, navy", "6110.20", 1140),
    ("DN-510-IND", "Slim denim, indigo", "6203.42", 1490),
    ("PL-300-GRN", "Piqué polo, green", "6105.10", 620),
    ("TW-700-WHT", "Bath towel 70x140, white", "6302.60", 475),
    ("BS-900-GRY", "Percale sheet set, grey", "6302.31", 1830),
    ("JK-410-OLV", "Field jacket, olive", "6201.40", 2650),
    ("SK-120-MIX", "Crew socks, 3-pack", "6115.95", 210),
    ("LG-330-BLK", "Running leggings, black", "6104.63", 890),
    ("SH-610-BLU", "Oxford shirt, blue", "6205.20", 1280),
    ("DR-250-RED", "Wrap dress, red", "6204.42", 1760),
];
const SIZES: [&str; 5] = ["XS", "S", "M", "L", "XL"];

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
    event_seq: i64,
    statement_seq: i64,
    prev: Option<String>,
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

    /// The hash of the order as it stands (what a statement says it saw).
    pub fn seen(&self) -> String {
        crate::service::orders::order_hash(&self.order, &self.lines).unwrap_or_default()
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
    fn decide(&mut self, partner_side: bool, decided: &[(i64, &str)], at: i64) {
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

/// Writes order number `index` (0-based), created at `created`, into `out`.
pub fn order(g: &Gen, rng: &mut StdRng, index: u64, created: i64, out: &mut Batch) {
    let partner_rank = g.world.partner_skew.sample(rng);
    let partner = &g.world.partners[partner_rank];
    // A partner's first brand gets most of its orders.
    let brand_index = partner.brands[shape::Zipf::new(partner.brands.len(), 1.0).sample(rng)];
    let brand = &g.world.brands[brand_index];
    let tenant = TenantId::of_brand(brand.org.id);
    let draft = created > g.now - 7 * DAY && rng.gen_bool(0.05);
    let plan = timeline::plan(rng, created, draft);
    let financeable = brand.program.is_some();
    let horizon = match (plan.stage(g.now, financeable), plan.cancelled) {
        (Stage::Cancelled, Some(at)) => at - 1,
        _ => g.now,
    };
    let delivery = date(plan.delivery);
    let count = shape::line_count(rng.r#gen());
    let lines: Vec<Line> = (1..=count as i64)
        .map(|no| {
            let (sku, description, hs, price) = PRODUCTS[rng.gen_range(0..PRODUCTS.len())];
            let size = SIZES[rng.gen_range(0..SIZES.len())];
            Line {
                line_no: no,
                id: LineId::from(uuid_at(rng, created)),
                sku: format!("{sku}-{size}"),
                description: description.to_owned(),
                hs_code: hs.to_owned(),
                quantity: (rng.gen_range(4..120) * 50).to_string(),
                unit: "pcs".into(),
                unit_price_minor: price + rng.gen_range(-price / 10..=price / 10),
                delivery_date: delivery.clone(),
                state: LineState::Open,
                note: None,
                proposed_quantity: None,
                proposed_date: None,
                proposed_price_minor: None,
            }
        })
        .collect();
    let warehouse = &g.world.warehouses[brand.warehouse];
    let order = Order {
        tenant_id: tenant,
        id: OrderId::from(uuid_at(rng, created)),
        po_number: format!("PO-{:07}", index + 1),
        partner_org_id: partner.org.id,
        partner_name: partner.org.name.clone(),
        ship_to_org_id: Some(warehouse.id),
        ship_to_name: Some(warehouse.name.clone()),
        currency: "USD".into(),
        incoterms: ["FOB", "FOB", "CIF", "EXW", "DDP"][rng.gen_range(0..5)].into(),
        payment_terms: ["Net 60", "Net 60", "Net 30", "Net 90"][rng.gen_range(0..4)].into(),
        requested_delivery: delivery.clone(),
        state: OrderState::Draft,
        version: 1,
        due_date: delivery,
        total_minor: 0,
        line_count: count as i64,
        cancel_reason: None,
        created_by: brand.ops,
        created_at: created,
        issued_at: None,
        updated_at: created,
    };
    let mut w = OrderWriter {
        g,
        out,
        rng,
        brand,
        partner,
        partner_rank,
        brand_index,
        order,
        lines,
        plan,
        horizon,
        financeable,
        event_seq: 0,
        statement_seq: 0,
        prev: None,
    };
    let ops = (brand.ops, brand.org.id);
    w.event("created", None, ops, created, json!({}));
    issue_and_answer(&mut w);
    super::fulfilment::produce_ship_and_bill(&mut w);
    cancel(&mut w);
    finish(w);
}

fn issue_and_answer(w: &mut OrderWriter) {
    let Some(issued) = w.plan.issued.filter(|at| w.happened(*at)) else {
        return;
    };
    let seen = (w.order.version, w.seen());
    w.bump(Some(OrderState::Issued), issued);
    w.order.issued_at = Some(issued);
    let brand = w.brand;
    w.event("issued", None, (brand.ops, brand.org.id), issued, json!({}));
    let attests = format!(
        "{} issued PO {} to {} with {} line(s)",
        brand.org.name,
        w.order.po_number,
        w.order.partner_name,
        w.lines.len()
    );
    let body = json!({ "lines": w.lines.iter().map(|l| json!({
        "line_no": l.line_no, "line_id": l.id.to_string(), "sku": l.sku, "quantity": l.quantity,
        "unit": l.unit, "unit_price_minor": l.unit_price_minor, "delivery_date": l.delivery_date,
    })).collect::<Vec<_>>() });
    w.statement(
        "po.issued",
        &brand.org,
        brand.ops,
        issued,
        (seen.0, &seen.1),
        attests,
        body,
    );
    let (answered, settled) = (w.plan.answered, w.plan.settled);
    let all: Vec<i64> = w.lines.iter().map(|l| l.line_no).collect();
    let last = *all.last().unwrap_or(&1);
    let mut confirmation = ClockRun {
        kind: Kind::PoConfirmation,
        line_no: 0,
        owed_by: w.partner.org.id,
        started: issued,
        before: None,
        paused: None,
        stopped: None,
        voided: w.plan.cancelled.filter(|c| *c <= w.g.now),
    };
    if w.happened(answered) {
        match w.plan.answer {
            Answer::AcceptAll => {
                let d: Vec<(i64, &str)> = all.iter().map(|n| (*n, "accept")).collect();
                w.decide(true, &d, answered);
                confirmation.stopped = Some(answered);
            }
            Answer::RejectAll => {
                let d: Vec<(i64, &str)> = all.iter().map(|n| (*n, "reject")).collect();
                w.decide(true, &d, answered);
                confirmation.stopped = Some(answered);
            }
            Answer::Propose => {
                let d: Vec<(i64, &str)> = all
                    .iter()
                    .map(|n| {
                        (
                            *n,
                            if *n == last {
                                "propose_change"
                            } else {
                                "accept"
                            },
                        )
                    })
                    .collect();
                w.decide(true, &d, answered);
                confirmation.paused = Some(answered);
                if w.happened(settled) {
                    w.decide(false, &[(last, "accept_proposal")], settled);
                    confirmation.stopped = Some(settled);
                }
            }
            Answer::Partial => {
                let half = all.len() / 2;
                let d: Vec<(i64, &str)> = all[..half].iter().map(|n| (*n, "accept")).collect();
                w.decide(true, &d, answered);
                if w.happened(settled) {
                    let d: Vec<(i64, &str)> = all[half..].iter().map(|n| (*n, "accept")).collect();
                    w.decide(true, &d, settled);
                    confirmation.stopped = Some(settled);
                }
            }
        }
    }
    w.clock(confirmation);
}

fn cancel(w: &mut OrderWriter) {
    let Some(at) = w.plan.cancelled.filter(|c| *c <= w.g.now) else {
        return;
    };
    let reason = "Collection dropped";
    let seen = (w.order.version, w.seen());
    w.bump(Some(OrderState::Cancelled), at);
    w.order.cancel_reason = Some(reason.into());
    let brand = w.brand;
    let user = (brand.ops, brand.org.id);
    w.event("cancelled", None, user, at, json!({ "reason": reason }));
    let attests = format!(
        "{} cancelled PO {}: {reason}",
        brand.org.name, w.order.po_number
    );
    w.statement(
        "po.cancelled",
        &brand.org,
        brand.ops,
        at,
        (seen.0, &seen.1),
        attests,
        json!({ "reason": reason }),
    );
}

fn finish(w: OrderWriter) {
    let OrderWriter {
        out,
        mut order,
        lines,
        ..
    } = w;
    order.due_date = crate::service::orders::due_date(&lines, &order.requested_delivery);
    order.total_minor = crate::service::orders::total_minor(&lines);
    let tenant = order.tenant_id.to_string();
    let id = order.id.to_string();
    for l in lines {
        out.lines.row(vec![
            tenant.clone().into(),
            id.clone().into(),
            Val::I(l.line_no),
            l.id.to_string().into(),
            l.sku.into(),
            l.description.into(),
            l.hs_code.into(),
            l.quantity.into(),
            l.unit.into(),
            Val::I(l.unit_price_minor),
            l.delivery_date.into(),
            l.state.as_str().into(),
            l.note.into(),
            l.proposed_quantity.into(),
            l.proposed_date.into(),
            l.proposed_price_minor.into(),
        ]);
    }
    out.orders.row(vec![
        tenant.into(),
        id.into(),
        order.po_number.into(),
        order.partner_org_id.to_string().into(),
        order.ship_to_org_id.map(|o| o.to_string()).into(),
        order.currency.into(),
        order.incoterms.into(),
        order.payment_terms.into(),
        order.requested_delivery.into(),
        order.state.as_str().into(),
        Val::I(order.version),
        order.due_date.into(),
        Val::I(order.total_minor),
        Val::I(order.line_count),
        order.cancel_reason.into(),
        order.created_by.to_string().into(),
        Val::I(order.created_at),
        order.issued_at.into(),
        Val::I(order.updated_at),
    ]);
    out.count += 1;
}

//! Domain events: which CloudEvents types a signed statement announces, and what of its body
//! an event may carry. Events go to partners' and third parties' systems, so their data names
//! ids, numbers and line numbers only: never prices, amounts or bank data.

use serde_json::{Map, Value, json};

/// Every event type, in the order the settings page lists them.
pub const ALL_TYPES: &[&str] = &[
    "com.portico.order.issued",
    "com.portico.order.cancelled",
    "com.portico.order.confirmed",
    "com.portico.order.rejected",
    "com.portico.order.change_proposed",
    "com.portico.order.change_accepted",
    "com.portico.order.change_declined",
    "com.portico.production.materials_kitted",
    "com.portico.production.progress_posted",
    "com.portico.sample.submitted",
    "com.portico.sample.approved",
    "com.portico.sample.rejected",
    "com.portico.qc.passed",
    "com.portico.qc.failed",
    "com.portico.qc.waived",
    "com.portico.shipment.created",
    "com.portico.goods.received",
    "com.portico.invoice.submitted",
    "com.portico.invoice.accepted",
    "com.portico.invoice.disputed",
    "com.portico.financing.requested",
    "com.portico.financing.offered",
    "com.portico.financing.declined",
    "com.portico.financing.withdrawn",
    "com.portico.financing.approved",
    "com.portico.financing.disbursed",
    "com.portico.financing.repaid",
    "com.portico.hold.placed",
    "com.portico.hold.released",
    "com.portico.sla.warning",
    "com.portico.sla.breach",
    "com.portico.sla.escalation",
];

/// Body fields an event may copy from its statement (ids and outcomes, nothing priced).
const CARRIED: &[&str] = &[
    "asn_id",
    "sample_id",
    "inspection_id",
    "waiver_id",
    "invoice_id",
    "financing_id",
    "milestone",
    "component",
    "complaint",
    "result",
    "discrepancy",
];

#[derive(Clone, Debug, PartialEq)]
pub struct DomainEvent {
    pub r#type: &'static str,
    /// Kind-specific data (the caller adds the order id, PO number and statement id).
    pub data: Value,
}

/// The events a statement of `kind` with `body` announces (none for unknown kinds).
pub fn of_statement(kind: &str, body: &Value) -> Vec<DomainEvent> {
    let one = |t: &'static str| {
        vec![DomainEvent {
            r#type: t,
            data: carried(body),
        }]
    };
    match kind {
        "po.issued" => one("com.portico.order.issued"),
        "po.cancelled" => one("com.portico.order.cancelled"),
        "po.partner_decisions" | "po.brand_decisions" => decisions(body),
        "po.progress" => one("com.portico.production.progress_posted"),
        "po.materials_recorded" => one("com.portico.production.materials_kitted"),
        "po.sample_submitted" => one("com.portico.sample.submitted"),
        "po.sample_decided" => match body["decision"].as_str() {
            Some("approved") => one("com.portico.sample.approved"),
            Some("rejected") => one("com.portico.sample.rejected"),
            _ => Vec::new(),
        },
        "po.qc_inspected" => match body["result"].as_str() {
            Some("pass") => one("com.portico.qc.passed"),
            Some("fail") => one("com.portico.qc.failed"),
            _ => Vec::new(),
        },
        "po.qc_waived" => one("com.portico.qc.waived"),
        "po.shipped" => one("com.portico.shipment.created"),
        "po.received" => one("com.portico.goods.received"),
        "po.invoiced" => one("com.portico.invoice.submitted"),
        "po.invoice_accepted" => one("com.portico.invoice.accepted"),
        "po.invoice_disputed" => one("com.portico.invoice.disputed"),
        "po.financing_requested" => one("com.portico.financing.requested"),
        "po.financing_offered" => one("com.portico.financing.offered"),
        "po.financing_declined" => one("com.portico.financing.declined"),
        "po.financing_withdrawn" => one("com.portico.financing.withdrawn"),
        "po.financing_second" => one("com.portico.financing.approved"),
        "po.financing_disbursed" => one("com.portico.financing.disbursed"),
        "po.financing_repaid" => one("com.portico.financing.repaid"),
        "po.hold_placed" => one("com.portico.hold.placed"),
        "po.hold_released" => one("com.portico.hold.released"),
        _ => Vec::new(),
    }
}

/// The event of an SLA alert level (`warning`, `breach`, `escalation`).
pub fn of_sla_alert(level: &str) -> Option<&'static str> {
    match level {
        "warning" => Some("com.portico.sla.warning"),
        "breach" => Some("com.portico.sla.breach"),
        "escalation" => Some("com.portico.sla.escalation"),
        _ => None,
    }
}

/// Whether an event is about shipped goods (the warehouse of the ASN sees it).
pub fn concerns_warehouse(kind: &str) -> bool {
    matches!(kind, "po.shipped" | "po.received")
}

/// Whether an event is about financing (the financier sees it).
pub fn concerns_financier(kind: &str) -> bool {
    kind.starts_with("po.financing_")
}

/// Line decisions grouped into one event per type, each listing its lines.
fn decisions(body: &Value) -> Vec<DomainEvent> {
    let mut out: Vec<(&'static str, Vec<Value>)> = Vec::new();
    for decision in body["decisions"].as_array().into_iter().flatten() {
        let t = match decision["decision"].as_str().unwrap_or_default() {
            "accept" => "com.portico.order.confirmed",
            "reject" => "com.portico.order.rejected",
            "propose_change" | "propose_date_change" => "com.portico.order.change_proposed",
            "accept_proposal" | "accept_date_change" => "com.portico.order.change_accepted",
            "decline_proposal" | "decline_date_change" => "com.portico.order.change_declined",
            _ => continue,
        };
        let line = json!({ "line_no": decision["line_no"], "decision": decision["decision"] });
        match out.iter_mut().find(|(known, _)| *known == t) {
            Some((_, lines)) => lines.push(line),
            None => out.push((t, vec![line])),
        }
    }
    out.into_iter()
        .map(|(t, lines)| DomainEvent {
            r#type: t,
            data: json!({ "lines": lines }),
        })
        .collect()
}

/// The carried fields of a body, plus the line numbers it names.
fn carried(body: &Value) -> Value {
    let mut data = Map::new();
    for key in CARRIED {
        if let Some(value) = body.get(*key).filter(|v| !v.is_null()) {
            data.insert((*key).to_owned(), value.clone());
        }
    }
    if let Some(line) = body.get("line_no").filter(|v| !v.is_null()) {
        data.insert("line_numbers".into(), json!([line]));
    }
    if let Some(lines) = body["lines"].as_array() {
        let numbers: Vec<&Value> = lines.iter().filter_map(|l| l.get("line_no")).collect();
        data.insert("line_numbers".into(), json!(numbers));
    }
    Value::Object(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn types(kind: &str, body: Value) -> Vec<&'static str> {
        of_statement(kind, &body)
            .into_iter()
            .map(|e| e.r#type)
            .collect()
    }

    #[test]
    fn each_decision_type_is_one_event_listing_its_lines() {
        let body = json!({ "decisions": [
            { "line_no": 1, "decision": "accept" },
            { "line_no": 2, "decision": "propose_change" },
            { "line_no": 3, "decision": "accept" },
            { "line_no": 4, "decision": "propose_date_change" },
        ]});
        let events = of_statement("po.partner_decisions", &body);
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].r#type, "com.portico.order.confirmed");
        assert_eq!(events[0].data["lines"][1]["line_no"], 3);
        assert_eq!(events[1].r#type, "com.portico.order.change_proposed");
        assert_eq!(events[1].data["lines"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn brand_answers_to_proposals_are_accepted_or_declined_changes() {
        let body = json!({ "decisions": [
            { "line_no": 1, "decision": "accept_proposal" },
            { "line_no": 2, "decision": "decline_date_change" },
        ]});
        assert_eq!(
            types("po.brand_decisions", body),
            [
                "com.portico.order.change_accepted",
                "com.portico.order.change_declined"
            ]
        );
    }

    #[test]
    fn outcomes_pick_the_type() {
        let approved = json!({ "decision": "approved" });
        assert_eq!(
            types("po.sample_decided", approved),
            ["com.portico.sample.approved"]
        );
        let rejected = json!({ "decision": "rejected" });
        assert_eq!(
            types("po.sample_decided", rejected),
            ["com.portico.sample.rejected"]
        );
        let failed = json!({ "result": "fail" });
        assert_eq!(types("po.qc_inspected", failed), ["com.portico.qc.failed"]);
        assert!(types("po.unknown", json!({})).is_empty());
    }

    #[test]
    fn data_carries_ids_and_line_numbers_but_no_prices() {
        let body = json!({
            "invoice_id": "i1", "amount_minor": 100_000, "currency": "USD",
            "lines": [{ "line_no": 1, "amount_minor": 5 }, { "line_no": 2, "amount_minor": 6 }],
        });
        let event = &of_statement("po.invoiced", &body)[0];
        assert_eq!(
            event.data,
            json!({ "invoice_id": "i1", "line_numbers": [1, 2] })
        );
    }

    #[test]
    fn every_mapped_type_is_listed() {
        let kinds = [
            "po.issued",
            "po.cancelled",
            "po.progress",
            "po.materials_recorded",
            "po.sample_submitted",
            "po.qc_waived",
            "po.shipped",
            "po.received",
            "po.invoiced",
            "po.invoice_accepted",
            "po.invoice_disputed",
            "po.financing_requested",
            "po.financing_offered",
            "po.financing_declined",
            "po.financing_withdrawn",
            "po.financing_second",
            "po.financing_disbursed",
            "po.financing_repaid",
            "po.hold_placed",
            "po.hold_released",
        ];
        for kind in kinds {
            for t in types(kind, json!({})) {
                assert!(ALL_TYPES.contains(&t), "{t}");
            }
        }
        for level in ["warning", "breach", "escalation"] {
            assert!(ALL_TYPES.contains(&of_sla_alert(level).unwrap()));
        }
    }
}

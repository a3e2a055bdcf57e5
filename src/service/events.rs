//! The domain event outbox. Use cases record events in their own transaction (so an event
//! exists exactly when its change does); each event is fanned out at once to the webhook
//! endpoints of the organisations that may see it, and read by the JSON API.
//!
//! An event's `time` is the real clock, like the statement it reports (whose signed `at` it
//! repeats): ids are UUIDv7 from the same clock, so "oldest first by id" is also by time. SLA
//! events carry the business-clock instant the deadline passed in their data (`happened_at`).

use serde_json::{Value, json};

use crate::app::AppState;
use crate::db::orders::Order;
use crate::db::{self, Conn};
use crate::domain::events::{self, DomainEvent};
use crate::domain::ids::{OrgId, StatementId, TenantId};
use crate::domain::time::UtcMillis;
use crate::service::ServiceResult;

/// One event as the API and webhooks show it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct EventView {
    pub id: String,
    pub r#type: String,
    pub source: String,
    pub subject: String,
    /// RFC 3339.
    pub time: String,
    pub data: Value,
}

/// Events visible to `org` in brand `tenant`, oldest first, strictly after `after` (an event id).
pub async fn list_visible(
    state: &AppState,
    tenant: TenantId,
    org: OrgId,
    after: Option<&str>,
    limit: i64,
) -> ServiceResult<Vec<EventView>> {
    let mut conn = state.db.read().await?;
    let rows = db::events::visible(&mut conn, tenant, org, after, limit.clamp(1, 500)).await?;
    Ok(rows
        .iter()
        .map(|row| view(&state.config.public_url, row))
        .collect())
}

pub fn view(public_url: &str, row: &db::events::EventRow) -> EventView {
    EventView {
        id: row.id.clone(),
        r#type: row.r#type.clone(),
        source: source(public_url, row.tenant_id),
        subject: row.subject.clone(),
        time: UtcMillis(row.occurred_at).rfc3339(),
        data: serde_json::from_str(&row.data).unwrap_or(Value::Null),
    }
}

/// The `source` attribute: the brand's context on this Portico.
pub fn source(public_url: &str, tenant: TenantId) -> String {
    format!("{}/tenants/{tenant}", public_url.trim_end_matches('/'))
}

/// The CloudEvents 1.0 structured-mode JSON of one event (webhooks and the API).
pub fn cloud_event(event: &EventView) -> Value {
    json!({
        "specversion": "1.0",
        "id": event.id,
        "source": event.source,
        "type": event.r#type,
        "subject": event.subject,
        "time": event.time,
        "datacontenttype": "application/json",
        "data": event.data,
    })
}

/// Records the events a signed statement announces, visible to the brand, the order's partner
/// and the third party the statement involves.
#[allow(clippy::too_many_arguments)]
pub async fn record_statement(
    conn: &mut Conn,
    order: &Order,
    actor_org: OrgId,
    kind: &str,
    statement: StatementId,
    at: UtcMillis,
    body: &Value,
) -> ServiceResult<()> {
    let found = events::of_statement(kind, body);
    if found.is_empty() {
        return Ok(());
    }
    let mut visible = vec![OrgId::from(order.tenant_id), order.partner_org_id];
    if events::concerns_warehouse(kind) {
        // `po.shipped` names the warehouse; a receipt names its ASN.
        let mut warehouse = body["warehouse"].as_str().and_then(|w| w.parse().ok());
        if let (None, Some(asn)) = (warehouse, body["asn_id"].as_str()) {
            let asn = db::shipping::get(conn, order.tenant_id, asn).await?;
            warehouse = asn.map(|a| a.warehouse_org_id);
        }
        visible.extend(warehouse.or(order.ship_to_org_id));
    }
    if events::concerns_financier(kind) {
        let financing = body["financing_id"].as_str().unwrap_or_default();
        if let Some(row) = db::financings::get(conn, order.tenant_id, financing).await? {
            visible.push(row.financier_org_id);
        } else if !visible.contains(&actor_org) {
            visible.push(actor_org);
        }
    }
    for event in found {
        let extra = json!({ "statement_id": statement.to_string() });
        record(conn, order, actor_org, at, event, extra, &visible).await?;
    }
    Ok(())
}

/// Records an SLA alert's event (warning, breach, escalation) for the brand and the partner.
pub(crate) async fn record_sla_alert(
    conn: &mut Conn,
    order: &Order,
    level: &str,
    clock_kind: &str,
    happened_at: i64,
    extra_party: Option<OrgId>,
) -> ServiceResult<()> {
    let Some(t) = events::of_sla_alert(level) else {
        return Ok(());
    };
    let event = DomainEvent {
        r#type: t,
        data: json!({ "clock": clock_kind, "happened_at": UtcMillis(happened_at).rfc3339() }),
    };
    let mut visible = vec![OrgId::from(order.tenant_id), order.partner_org_id];
    visible.extend(extra_party);
    let brand = OrgId::from(order.tenant_id);
    record(
        conn,
        order,
        brand,
        UtcMillis::now(),
        event,
        json!({}),
        &visible,
    )
    .await
}

async fn record(
    conn: &mut Conn,
    order: &Order,
    actor_org: OrgId,
    at: UtcMillis,
    event: DomainEvent,
    extra: Value,
    visible: &[OrgId],
) -> ServiceResult<()> {
    let mut data = json!({ "order_id": order.id.to_string(), "po_number": order.po_number });
    if let (Some(fields), Value::Object(more), Value::Object(extra)) =
        (data.as_object_mut(), event.data, extra)
    {
        fields.extend(more);
        fields.extend(extra);
    }
    let mut row = db::events::EventRow {
        tenant_id: order.tenant_id,
        // Given by `insert`, in commit order.
        id: String::new(),
        r#type: event.r#type.to_owned(),
        subject: order.id.to_string(),
        actor_org_id: actor_org,
        occurred_at: at.0,
        data: data.to_string(),
    };
    db::events::insert(conn, &mut row, visible).await?;
    db::webhooks::enqueue_for_event(conn, &row, visible, UtcMillis::now().0).await?;
    Ok(())
}

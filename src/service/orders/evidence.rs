//! Signed statements on an order and its proof bundle: what a financier downloads and checks
//! with `portico verify` before money moves.

use serde_json::{Value, json};

use super::load_for;
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db::orders::Order;
use crate::db::{self, Conn};
use crate::domain::ids::{OrderId, StatementId};
use crate::domain::time::UtcMillis;
use crate::service::{AuditEvent, ServiceError, ServiceResult, actions, audit, orgs};
use crate::signing::bundle::{
    BUNDLE_FORMAT, Bundle, SignedStatement, StatementHeader, payload_hash,
};
use crate::signing::bundle_check::{StatementCheck, verify_bundle};
use crate::signing::jcs::canonical_json;
use crate::signing::jwks::{Jwk, Jwks};
use crate::signing::keys::PublicKey;

/// Signs and stores the acting organisation's statement about `order` as it was when the actor
/// decided (`seen_hash` of version `order.version`), chained to the order's previous statement.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn sign_statement(
    conn: &mut Conn,
    state: &AppState,
    actor: &Actor,
    order: &Order,
    kind: &str,
    seen_hash: &str,
    attests: String,
    body: Value,
) -> ServiceResult<()> {
    let tenant = order.tenant_id;
    // The chain's head is read and extended under the order's lock, so two steps on one order
    // at once (two invoices' financings, say) cannot both claim the same place in it.
    db::orders::lock(conn, state.db.engine(), tenant, order.id).await?;
    let prev = db::order_history::last_statement_hash(conn, tenant, order.id).await?;
    let seq = db::order_history::statement_count(conn, tenant, order.id).await? + 1;
    // A signature states when it was really made (keys are valid from a real instant), so
    // statements read the system clock, never the business clock tests and demo data move.
    let now = crate::domain::time::UtcMillis::now();
    let id = StatementId::new();
    let header = StatementHeader {
        kind: kind.to_owned(),
        tenant: tenant.to_string(),
        order_id: order.id.to_string(),
        org: actor.org_id.to_string(),
        user: actor.user_id.to_string(),
        at: now.rfc3339(),
        prev,
        attests,
    };
    // The events the statement announces are recorded with it (same transaction).
    crate::service::events::record_statement(conn, order, actor.org_id, kind, id, now, &body)
        .await?;
    let mut payload = serde_json::to_value(&header).map_err(anyhow::Error::from)?;
    if let (Some(fields), Value::Object(extra)) = (payload.as_object_mut(), body) {
        fields.extend(extra);
        fields.insert("statement_id".into(), json!(id.to_string()));
        fields.insert("order_number".into(), json!(order.po_number));
        fields.insert("order_version".into(), json!(order.version));
        fields.insert("order_hash".into(), json!(seen_hash));
    }
    let payload = canonical_json(&payload).map_err(anyhow::Error::from)?;
    let (kid, signature) =
        orgs::sign_as(conn, &state.master, actor.org_id, payload.as_bytes()).await?;
    db::order_history::insert_statement(
        conn,
        tenant,
        order.id,
        &db::order_history::Statement {
            seq,
            id,
            kind: kind.to_owned(),
            org_id: actor.org_id,
            payload_hash: payload_hash(&payload),
            payload,
            signature,
            kid,
            at: now.0,
        },
    )
    .await?;
    Ok(())
}

pub(crate) async fn bundle_of(conn: &mut Conn, order: &Order) -> ServiceResult<Bundle> {
    let statements = db::order_history::statements(conn, order.tenant_id, order.id).await?;
    let mut kids: Vec<&str> = statements.iter().map(|s| s.kid.as_str()).collect();
    kids.sort_unstable();
    kids.dedup();
    let found = db::org_keys::by_kids(conn, &kids).await?;
    if found.len() != kids.len() {
        return Err(ServiceError::NotFound);
    }
    let keys = found
        .iter()
        .map(|key| {
            let public = PublicKey {
                kid: key.kid.clone(),
                x: key.public_x.clone(),
            };
            Jwk::new(
                &key.org_id.to_string(),
                &public,
                UtcMillis(key.valid_from),
                key.valid_until.map(UtcMillis),
            )
        })
        .collect();
    Ok(Bundle {
        format: BUNDLE_FORMAT.to_owned(),
        order_id: order.id.to_string(),
        statements: statements
            .into_iter()
            .map(|s| SignedStatement {
                payload: s.payload,
                signature: s.signature,
                kid: s.kid,
                withheld: None,
            })
            .collect(),
        keys: Jwks { keys },
    })
}

/// The proof bundle of an order, for its parties only. Downloading it is audited.
pub async fn evidence(state: &AppState, actor: &Actor, id: OrderId) -> ServiceResult<Bundle> {
    let mut tx = state.db.begin().await?;
    let (tenant, order, party) = load_for(&mut tx, actor, id).await?;
    if party == super::Party::ShipTo {
        // The statements name prices; the warehouse does not get them.
        return Err(ServiceError::NotFound);
    }
    let bundle = bundle_of(&mut tx, &order).await?;
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::new(actions::ORDER_EVIDENCE_EXPORTED, "order", order.id)
            .detail(json!({ "statements": bundle.statements.len() })),
    )
    .await?;
    tx.commit().await?;
    Ok(bundle)
}

/// The Verify panel: each statement checked exactly as `portico verify` checks it.
pub async fn verify(conn: &mut Conn, order: &Order) -> ServiceResult<Vec<StatementCheck>> {
    let bundle = bundle_of(conn, order).await?;
    Ok(verify_bundle(&bundle, None))
}

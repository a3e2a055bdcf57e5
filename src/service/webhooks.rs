//! Webhook endpoints an organisation's admin manages in the brand in view: create (the secret
//! shown once), rotate the secret, disable, enable, delete, read the delivery log and redeliver.
//! An endpoint belongs to (organisation, brand): a partner's endpoint hears only its own orders
//! of that brand. Every change is audited.

use std::net::IpAddr;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore;
use serde_json::json;
use zeroize::Zeroizing;

use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db::webhooks::{Delivery, Endpoint};
use crate::db::{self, Conn};
use crate::domain::events::ALL_TYPES;
use crate::domain::ids::{OrgId, TenantId};
use crate::domain::org::Permission;
use crate::domain::webhook_delivery::{format_secret, secret_bytes};
use crate::domain::webhook_target::{TargetRefusal, parse_url, pick_address};
use crate::service::{
    AuditEvent, FieldErrors, PAGE_SIZE, ServiceError, ServiceResult, actions, audit, tenant_of,
};

#[derive(Clone, Debug, Default)]
pub struct EndpointInput {
    pub url: String,
    pub description: String,
    /// Chosen types; none = every type.
    pub types: Vec<String>,
}

/// The endpoint's page: the endpoint and one page of its deliveries, newest first.
pub struct EndpointPage {
    pub endpoint: Endpoint,
    pub deliveries: Vec<Delivery>,
    pub next: Option<String>,
}

/// The actor's organisation in the brand in view, if it may manage webhooks there.
fn scope(actor: &Actor) -> ServiceResult<(TenantId, OrgId)> {
    let tenant = tenant_of(actor)?.tenant_id;
    if !actor.can(Permission::ManageOwnUsers) {
        return Err(ServiceError::Forbidden);
    }
    Ok((tenant, actor.org_id))
}

/// Whether the actor may manage webhooks (for showing the menu entry).
pub fn may_manage(actor: &Actor) -> bool {
    actor.scope.is_some() && actor.can(Permission::ManageOwnUsers)
}

/// The URL checked against the address policy, resolving its host now (and again at every
/// delivery). The address is judged, not the name: a public name resolving to 10.0.0.1 is
/// refused too.
pub async fn check_target(
    text: &str,
    allow_private: bool,
) -> Result<(url::Url, IpAddr), TargetRefusal> {
    let url = parse_url(text, allow_private)?;
    let host = url.host_str().unwrap_or_default().trim_matches(['[', ']']);
    let port = url.port_or_known_default().unwrap_or(443);
    let resolved: Vec<IpAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) => tokio::net::lookup_host((host, port))
            .await
            .map_err(|_| TargetRefusal::Address)?
            .map(|a| a.ip())
            .collect(),
    };
    let ip = pick_address(&resolved, allow_private)?;
    Ok((url, ip))
}

async fn validate(state: &AppState, input: &EndpointInput) -> ServiceResult<(String, String)> {
    let mut errors = FieldErrors::default();
    let url = match check_target(&input.url, state.config.webhooks_allow_private).await {
        Ok((url, _)) => url.to_string(),
        Err(refusal) => {
            errors.add("url", refusal.message_key());
            String::new()
        }
    };
    if input.types.iter().any(|t| !ALL_TYPES.contains(&t.as_str())) {
        errors.add("types", "webhooks.error.types");
    }
    let description = input.description.trim();
    if description.chars().count() > 200 {
        errors.add("description", "webhooks.error.description");
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    Ok((url, description.to_owned()))
}

fn new_secret() -> Zeroizing<String> {
    let mut bytes = Zeroizing::new([0u8; 32]);
    rand::rngs::OsRng.fill_bytes(bytes.as_mut());
    Zeroizing::new(format_secret(bytes.as_ref()))
}

fn seal(state: &AppState, endpoint_id: &str, secret: &str) -> String {
    STANDARD.encode(state.master.seal(secret.as_bytes(), &context(endpoint_id)))
}

fn context(endpoint_id: &str) -> String {
    format!("webhook-secret:{endpoint_id}")
}

/// The signing key bytes of an endpoint (for the delivery worker).
pub fn signing_key(state: &AppState, endpoint: &Endpoint) -> anyhow::Result<Zeroizing<Vec<u8>>> {
    let sealed = STANDARD.decode(&endpoint.sealed_secret)?;
    let secret = state.master.open(&sealed, &context(&endpoint.id))?;
    let text = std::str::from_utf8(&secret)?;
    Ok(Zeroizing::new(secret_bytes(text).ok_or_else(|| {
        anyhow::anyhow!("malformed webhook secret")
    })?))
}

pub async fn list(state: &AppState, actor: &Actor) -> ServiceResult<Vec<Endpoint>> {
    let (tenant, org) = scope(actor)?;
    let mut conn = state.db.read().await?;
    Ok(db::webhooks::endpoints_of(&mut conn, tenant, org).await?)
}

/// Creates an endpoint; returns its id and the secret, which is never shown again.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    input: &EndpointInput,
) -> ServiceResult<(String, Zeroizing<String>)> {
    let (tenant, org) = scope(actor)?;
    let (url, description) = validate(state, input).await?;
    let id = uuid::Uuid::now_v7().to_string();
    let secret = new_secret();
    let now = state.now().0;
    let endpoint = Endpoint {
        tenant_id: tenant,
        id: id.clone(),
        org_id: org,
        url: url.clone(),
        description,
        event_types: json!(input.types).to_string(),
        sealed_secret: seal(state, &id, &secret),
        status: "active".into(),
        disabled_reason: None,
        created_by: actor.user_id,
        created_at: now,
        updated_at: now,
    };
    let mut tx = state.db.begin().await?;
    db::webhooks::insert_endpoint(&mut tx, &endpoint).await?;
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::new(actions::WEBHOOK_CREATED, "webhook", &id)
            .detail(json!({ "url": url, "types": input.types })),
    )
    .await?;
    tx.commit().await?;
    Ok((id, secret))
}

/// The endpoint, visible to its own organisation's admins only (404 for anyone else's).
async fn own(conn: &mut Conn, actor: &Actor, id: &str) -> ServiceResult<(TenantId, Endpoint)> {
    let tenant = tenant_of(actor)?.tenant_id;
    let endpoint = db::webhooks::endpoint(conn, tenant, actor.org_id, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    scope(actor)?;
    Ok((tenant, endpoint))
}

pub async fn page(
    state: &AppState,
    actor: &Actor,
    id: &str,
    before: Option<&str>,
) -> ServiceResult<EndpointPage> {
    let mut conn = state.db.read().await?;
    let (tenant, endpoint) = own(&mut conn, actor, id).await?;
    let mut deliveries =
        db::webhooks::deliveries(&mut conn, tenant, id, before, PAGE_SIZE + 1).await?;
    let next = if deliveries.len() as i64 > PAGE_SIZE {
        deliveries.truncate(PAGE_SIZE as usize);
        deliveries.last().map(|d| d.id.clone())
    } else {
        None
    };
    Ok(EndpointPage {
        endpoint,
        deliveries,
        next,
    })
}

/// A new secret for the endpoint (the old one stops working at once); shown once.
pub async fn rotate(state: &AppState, actor: &Actor, id: &str) -> ServiceResult<Zeroizing<String>> {
    let mut tx = state.db.begin().await?;
    let (tenant, endpoint) = own(&mut tx, actor, id).await?;
    let secret = new_secret();
    let sealed = seal(state, &endpoint.id, &secret);
    db::webhooks::set_secret(&mut tx, tenant, id, &sealed, state.now().0).await?;
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::new(actions::WEBHOOK_SECRET_ROTATED, "webhook", id),
    )
    .await?;
    tx.commit().await?;
    Ok(secret)
}

pub async fn set_enabled(
    state: &AppState,
    actor: &Actor,
    id: &str,
    enabled: bool,
) -> ServiceResult<()> {
    let mut tx = state.db.begin().await?;
    let (tenant, _) = own(&mut tx, actor, id).await?;
    let (status, action) = if enabled {
        ("active", actions::WEBHOOK_ENABLED)
    } else {
        ("disabled", actions::WEBHOOK_DISABLED)
    };
    let reason = (!enabled).then_some("manual");
    if db::webhooks::set_status(&mut tx, tenant, id, status, reason, state.now().0).await? {
        if !enabled {
            db::webhooks::fail_pending(&mut tx, tenant, id).await?;
        }
        audit(
            &mut tx,
            actor,
            Some(tenant),
            AuditEvent::new(action, "webhook", id),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn delete(state: &AppState, actor: &Actor, id: &str) -> ServiceResult<()> {
    let mut tx = state.db.begin().await?;
    let (tenant, endpoint) = own(&mut tx, actor, id).await?;
    db::webhooks::delete_endpoint(&mut tx, tenant, id).await?;
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::new(actions::WEBHOOK_DELETED, "webhook", id)
            .detail(json!({ "url": endpoint.url })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sends a delivery again (due now, a fresh retry budget). Refused while the endpoint is off.
pub async fn redeliver(
    state: &AppState,
    actor: &Actor,
    id: &str,
    delivery: &str,
) -> ServiceResult<()> {
    let mut tx = state.db.begin().await?;
    let (tenant, endpoint) = own(&mut tx, actor, id).await?;
    let found = db::webhooks::delivery(&mut tx, tenant, id, delivery)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if endpoint.status != "active" {
        return Err(ServiceError::Refused("webhooks.refused.disabled"));
    }
    db::webhooks::redeliver(
        &mut tx,
        tenant,
        delivery,
        crate::domain::time::UtcMillis::now().0,
    )
    .await?;
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::new(actions::WEBHOOK_REDELIVERED, "webhook", id)
            .detail(json!({ "delivery": delivery, "event": found.event_id })),
    )
    .await?;
    tx.commit().await?;
    state.webhook_wake.notify_one();
    Ok(())
}

//! API clients: an organisation's admin creates one per system it connects (its ERP), in the
//! brand in view. The client acts as a technical user of the organisation that can never sign
//! in to the pages; its role bounds what it may do and its scopes narrow that further. The
//! secret is shown once and kept only as a hash; revoking stops its tokens at once.

use serde_json::json;

use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::auth::api_token::SCOPES;
use crate::auth::tokens::{hash_token, new_token};
use crate::db;
use crate::db::api_clients::{ApiClient, NewClient};
use crate::domain::ids::UserId;
use crate::domain::org::{Permission, Role};
use crate::service::{
    AuditEvent, FieldErrors, ServiceError, ServiceResult, actions, audit, tenant_of,
};

#[derive(Clone, Debug, Default)]
pub struct ClientInput {
    pub name: String,
    pub role: String,
    pub scopes: Vec<String>,
}

/// A new client with its secret, which exists only in this value.
pub struct Created {
    pub client: ApiClient,
    pub secret: String,
}

fn require_admin(actor: &Actor) -> ServiceResult<()> {
    if actor.can(Permission::ManageOwnUsers) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// The roles a client may act with: those the organisation grants, except admin (a client
/// that could manage users and clients would outlive its revocation).
pub fn client_roles(actor: &Actor) -> Vec<Role> {
    actor
        .org_kind
        .roles()
        .iter()
        .copied()
        .filter(|r| *r != Role::Admin)
        .collect()
}

pub async fn list(state: &AppState, actor: &Actor) -> ServiceResult<Vec<ApiClient>> {
    let tenant = tenant_of(actor)?.tenant_id;
    require_admin(actor)?;
    let mut conn = state.db.read().await?;
    Ok(db::api_clients::of_org(&mut conn, tenant, actor.org_id).await?)
}

/// One of the organisation's unrevoked clients in the brand in view (for the revoke page).
pub async fn get_active(state: &AppState, actor: &Actor, id: &str) -> ServiceResult<ApiClient> {
    let tenant = tenant_of(actor)?.tenant_id;
    let mut conn = state.db.read().await?;
    // Another organisation's or brand's client does not exist here, whoever asks.
    let client = db::api_clients::by_id(&mut conn, id)
        .await?
        .filter(|c| c.org_id == actor.org_id && c.tenant_id == tenant)
        .ok_or(ServiceError::NotFound)?;
    require_admin(actor)?;
    if client.revoked_at.is_some() {
        return Err(ServiceError::NotFound);
    }
    Ok(client)
}

pub async fn create(
    state: &AppState,
    actor: &Actor,
    input: &ClientInput,
) -> ServiceResult<Created> {
    let tenant = tenant_of(actor)?.tenant_id;
    require_admin(actor)?;
    let mut errors = FieldErrors::default();
    let name = input.name.trim();
    if name.is_empty() {
        errors.add("name", "validation.required");
    } else if name.chars().count() > 80 || name.chars().any(char::is_control) {
        errors.add("name", "api_clients.name_invalid");
    }
    let role = Role::parse(&input.role).filter(|r| client_roles(actor).contains(r));
    if role.is_none() {
        errors.add("role", "api_clients.role_invalid");
    }
    let scopes: Vec<&str> = SCOPES
        .iter()
        .copied()
        .filter(|s| input.scopes.iter().any(|w| w == s))
        .collect();
    if scopes.is_empty() || input.scopes.iter().any(|w| !SCOPES.contains(&w.as_str())) {
        errors.add("scopes", "api_clients.scopes_required");
    }
    errors.into_result()?;
    let role = role.unwrap_or(Role::Viewer);
    let now = state.now().0;
    let id = format!("pc_{}", uuid::Uuid::now_v7().simple());
    let secret = format!("pcs_{}", new_token());
    let user_id = UserId::new();
    let email = format!("{id}@api-clients.portico.invalid");
    let display = format!("API: {name}");
    let scopes = scopes.join(" ");
    let mut tx = state.db.begin().await?;
    db::users::insert(
        &mut tx,
        &db::users::NewUser {
            id: user_id,
            org_id: actor.org_id,
            email: &email,
            display_name: &display,
            role,
            password_hash: None,
            locale: None,
            now,
        },
    )
    .await?;
    db::api_clients::insert(
        &mut tx,
        &NewClient {
            id: &id,
            org_id: actor.org_id,
            tenant_id: tenant,
            user_id,
            name,
            secret_hash: &hash_token(&secret),
            scopes: &scopes,
            created_by: actor.user_id,
            now,
        },
    )
    .await?;
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::new(actions::API_CLIENT_CREATED, "api_client", &id)
            .detail(json!({ "name": name, "role": role.as_str(), "scopes": scopes })),
    )
    .await?;
    let client = db::api_clients::by_id(&mut tx, &id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    tx.commit().await?;
    Ok(Created { client, secret })
}

pub async fn revoke(state: &AppState, actor: &Actor, id: &str) -> ServiceResult<()> {
    let tenant = tenant_of(actor)?.tenant_id;
    let mut tx = state.db.begin().await?;
    // Another organisation's or brand's client does not exist here.
    let client = db::api_clients::by_id(&mut tx, id)
        .await?
        .filter(|c| c.org_id == actor.org_id && c.tenant_id == tenant)
        .ok_or(ServiceError::NotFound)?;
    require_admin(actor)?;
    let now = state.now().0;
    if !db::api_clients::revoke(&mut tx, &client.id, actor.user_id, now).await? {
        return Err(ServiceError::Refused("api_clients.already_revoked"));
    }
    db::users::set_active(&mut tx, actor.org_id, client.user_id, false, now).await?;
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::new(actions::API_CLIENT_REVOKED, "api_client", &client.id)
            .detail(json!({ "name": client.name })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

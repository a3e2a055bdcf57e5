//! An organisation admin's single sign-on settings: the provider (checked through discovery
//! before saving), the client secret (sealed under the master key, never shown again), the
//! e-mail domains routed to it, how users are linked, and whether SSO is required.

use serde_json::json;

use super::super::{AuditEvent, FieldErrors, ServiceError, ServiceResult, actions, audit};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::auth::oidc::{DiscoveryError, url_allowed};
use crate::db;
use crate::domain::ids::OrgId;
use crate::domain::org::{Permission, Role};
use crate::domain::time::UtcMillis;

/// Users may only sign in if they already exist in the organisation.
pub const LINK_EXISTING: &str = "existing";
/// Any verified address of an allowed domain joins the organisation with the default role.
pub const LINK_VERIFIED_DOMAIN: &str = "verified_domain";

/// What the form shows and what the admin typed. The secret is never filled from storage.
#[derive(Clone, Debug, Default)]
pub struct SsoInput {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    pub domains: String,
    pub link_mode: String,
    pub default_role: String,
    pub enabled: bool,
    pub required: bool,
}

pub struct SsoView {
    pub input: SsoInput,
    pub configured: bool,
    pub roles: &'static [Role],
}

/// The context the client secret is sealed under: it opens only for this organisation.
pub fn secret_context(org: OrgId) -> String {
    format!("sso-client-secret:{org}")
}

fn require_admin(actor: &Actor) -> ServiceResult<()> {
    if actor.can(Permission::ManageOwnUsers) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// The actor's own organisation's settings; there is no way to name another organisation.
pub async fn get(state: &AppState, actor: &Actor) -> ServiceResult<SsoView> {
    require_admin(actor)?;
    let mut conn = state.db.read().await?;
    let saved = db::sso::get(&mut conn, actor.org_id).await?;
    let domains = db::sso::domains(&mut conn, actor.org_id).await?;
    let input = match &saved {
        Some(c) => SsoInput {
            issuer: c.issuer.clone(),
            client_id: c.client_id.clone(),
            client_secret: String::new(),
            domains: domains.join(", "),
            link_mode: c.link_mode.clone(),
            default_role: c.default_role.clone(),
            enabled: c.is_enabled(),
            required: c.required != 0,
        },
        None => SsoInput {
            link_mode: LINK_EXISTING.to_owned(),
            default_role: default_role_for(actor).as_str().to_owned(),
            enabled: true,
            ..SsoInput::default()
        },
    };
    Ok(SsoView {
        input,
        configured: saved.is_some(),
        roles: actor.org_kind.roles(),
    })
}

fn default_role_for(actor: &Actor) -> Role {
    actor
        .org_kind
        .roles()
        .iter()
        .copied()
        .find(|r| *r != Role::Admin)
        .unwrap_or(Role::Admin)
}

/// Lower-cased domains from a list separated by commas or spaces; `None` if one is invalid.
pub fn parse_domains(input: &str) -> Option<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for raw in input.split(|c: char| c == ',' || c.is_whitespace()) {
        let domain = raw.trim().trim_start_matches('@').to_lowercase();
        if domain.is_empty() {
            continue;
        }
        let valid = domain.len() <= 253
            && domain.contains('.')
            && !domain.starts_with(['.', '-'])
            && !domain.ends_with(['.', '-'])
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        if !valid {
            return None;
        }
        if !out.contains(&domain) {
            out.push(domain);
        }
    }
    Some(out)
}

/// Checks and saves the settings, with an audit entry that names what changed but never the
/// secret.
pub async fn save(state: &AppState, actor: &Actor, input: &SsoInput) -> ServiceResult<()> {
    require_admin(actor)?;
    let mut errors = FieldErrors::default();
    let issuer = input.issuer.trim();
    let client_id = input.client_id.trim();
    let secret = input.client_secret.trim();
    if !url_allowed(issuer, state.config.oidc_allow_http) || issuer.contains(['?', '#']) {
        errors.add("issuer", "sso.invalid.issuer");
    }
    if client_id.is_empty() || client_id.len() > 255 {
        errors.add("client_id", "sso.invalid.client_id");
    }
    let domains = match parse_domains(&input.domains) {
        Some(d) if !d.is_empty() => d,
        _ => {
            errors.add("domains", "sso.invalid.domains");
            Vec::new()
        }
    };
    if input.link_mode != LINK_EXISTING && input.link_mode != LINK_VERIFIED_DOMAIN {
        errors.add("link_mode", "sso.invalid.link_mode");
    }
    let role = Role::parse_for(actor.org_kind, &input.default_role);
    if role.is_none() {
        errors.add("default_role", "validation.role");
    }
    let mut conn = state.db.read().await?;
    let saved = db::sso::get(&mut conn, actor.org_id).await?;
    if saved.is_none() && secret.is_empty() {
        errors.add("client_secret", "sso.invalid.secret");
    }
    for domain in &domains {
        if let Some(owner) = db::sso::org_of_domain(&mut conn, domain).await?
            && owner != actor.org_id
        {
            errors.add("domains", "sso.invalid.domain_taken");
        }
    }
    drop(conn);
    // The provider may take seconds to answer: the request's reading connection goes back.
    db::request_reader::release();
    if errors.get("issuer").is_none() {
        // The provider must answer with a usable discovery document before it is trusted.
        if let Err(err) = state.oidc.discover_fresh(issuer).await {
            let key = match err {
                DiscoveryError::InsecureUrl => "sso.invalid.endpoints",
                DiscoveryError::IssuerMismatch => "sso.invalid.issuer_mismatch",
                DiscoveryError::NoAlgorithm => "sso.invalid.algorithms",
                DiscoveryError::Unreachable | DiscoveryError::BadDocument => {
                    "sso.invalid.discovery"
                }
            };
            errors.add("issuer", key);
        }
    }
    errors.into_result()?;

    let sealed = match (&saved, secret.is_empty()) {
        (Some(old), true) => old.sealed_secret.clone(),
        _ => state
            .master
            .seal(secret.as_bytes(), &secret_context(actor.org_id)),
    };
    let mut tx = state.db.begin().await?;
    db::sso::save(
        &mut tx,
        &db::sso::SaveConfig {
            org_id: actor.org_id,
            issuer,
            client_id,
            sealed_secret: &sealed,
            link_mode: &input.link_mode,
            default_role: &input.default_role,
            enabled: input.enabled,
            required: input.required,
            by: actor.user_id,
            at: UtcMillis::now().0,
        },
    )
    .await?;
    db::sso::set_domains(&mut tx, actor.org_id, &domains).await?;
    let tenant = actor.scope.as_ref().map(|s| s.tenant_id);
    audit(
        &mut tx,
        actor,
        tenant,
        AuditEvent::new(actions::SSO_CONFIG_SAVED, "org", actor.org_id).detail(json!({
            "issuer": issuer,
            "client_id": client_id,
            "secret_changed": !secret.is_empty(),
            "domains": domains,
            "link_mode": input.link_mode,
            "default_role": input.default_role,
            "enabled": input.enabled,
            "required": input.required,
            "previous_issuer": saved.as_ref().map(|s| s.issuer.clone()),
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_domains;

    #[test]
    fn domains_are_listed_lower_cased_once_and_must_be_host_names() {
        assert_eq!(
            parse_domains("Sunrise.test, @sunrise.cn sunrise.test").unwrap(),
            vec!["sunrise.test", "sunrise.cn"]
        );
        assert!(parse_domains("sunrise").is_none());
        assert!(parse_domains("bad_domain.test").is_none());
        assert!(parse_domains("").unwrap().is_empty());
    }
}

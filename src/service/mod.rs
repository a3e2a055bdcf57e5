//! Use cases. Each one authorises the actor, loads what it needs, applies the domain rule and
//! writes the new state together with its audit entry in one transaction.

pub mod accept_invitation;
pub mod accounts;
pub mod actions;
pub mod api_auth;
pub mod api_clients;
pub mod audit_check;
pub mod audit_log;
pub mod demo;
pub mod demo_finance;
pub mod demo_orders;
pub mod demo_production;
pub mod demo_trace;
pub mod digests;
pub mod events;
pub mod finance_programs;
pub mod financing;
pub mod home;
pub mod invitations;
pub mod invoices;
pub mod milestones;
pub mod notifications;
pub mod orders;
pub mod orgs;
pub mod partners;
pub mod platform;
pub mod scale;
pub mod settings;
pub mod sign_in;
pub mod sla;
pub mod sso;
pub mod team;
pub mod trace;
pub mod view_audit;
pub mod webhooks;

use crate::auth::actor::Actor;
use crate::db::{self, Conn};
use crate::domain::ids::{OrgId, TenantId, UserId};
use crate::domain::time::UtcMillis;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Missing, or not visible to this actor (the two are indistinguishable on purpose).
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// A rule refused the step; the key names the message for the user.
    #[error("refused: {0}")]
    Refused(&'static str),
    #[error("throttled for {retry_after_secs} s")]
    Throttled { retry_after_secs: i64 },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for ServiceError {
    fn from(err: sqlx::Error) -> Self {
        ServiceError::Internal(err.into())
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;

/// Validation problems by form field (`email`, or `lines.2.sku` for a row), as message keys.
#[derive(Clone, Debug, Default)]
pub struct FieldErrors(Vec<(String, &'static str)>);

impl FieldErrors {
    pub fn add(&mut self, field: impl Into<String>, key: &'static str) {
        let field = field.into();
        if self.get(&field).is_none() {
            self.0.push((field, key));
        }
    }

    pub fn get(&self, field: &str) -> Option<&'static str> {
        self.0.iter().find(|(f, _)| f == field).map(|(_, k)| *k)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &'static str)> {
        self.0.iter().map(|(f, k)| (f.as_str(), *k))
    }

    /// Collects the error of a parse, returning its value when it succeeded.
    pub fn check<T>(
        &mut self,
        field: impl Into<String>,
        result: Result<T, &'static str>,
    ) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(key) => {
                self.add(field, key);
                None
            }
        }
    }

    pub fn into_result(self) -> ServiceResult<()> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(ServiceError::Invalid(self))
        }
    }
}

/// What happened, for the audit log.
pub struct AuditEvent<'a> {
    pub action: &'a str,
    pub subject_type: &'a str,
    pub subject_id: Option<String>,
    pub detail: serde_json::Value,
}

impl<'a> AuditEvent<'a> {
    /// An event about something with no id of its own (the database, the platform).
    pub fn about(action: &'a str, subject_type: &'a str) -> Self {
        AuditEvent {
            action,
            subject_type,
            subject_id: None,
            detail: serde_json::Value::Object(Default::default()),
        }
    }

    pub fn new(action: &'a str, subject_type: &'a str, subject_id: impl ToString) -> Self {
        AuditEvent {
            action,
            subject_type,
            subject_id: Some(subject_id.to_string()),
            detail: serde_json::Value::Object(Default::default()),
        }
    }

    pub fn detail(mut self, detail: serde_json::Value) -> Self {
        self.detail = detail;
        self
    }
}

/// Appends an audit entry for something the actor did (or viewed) in the given tenant.
pub async fn audit(
    conn: &mut Conn,
    actor: &Actor,
    tenant: Option<TenantId>,
    event: AuditEvent<'_>,
) -> Result<(), sqlx::Error> {
    db::audit::append(
        conn,
        &db::audit::NewEntry {
            id: None,
            tenant_id: tenant,
            actor_user_id: Some(actor.user_id),
            actor_org_id: Some(actor.org_id),
            action: event.action,
            subject_type: event.subject_type,
            subject_id: event.subject_id,
            detail: event.detail,
            client_addr: actor.client_addr.as_deref(),
            at: UtcMillis::now().0,
        },
    )
    .await
}

/// Appends an audit entry for a step taken without a signed-in actor: sign-in attempts, password
/// resets, accepting an invitation, console commands. `who` is the user concerned, if known.
pub async fn audit_unauthenticated(
    conn: &mut Conn,
    who: Option<(UserId, OrgId)>,
    tenant: Option<TenantId>,
    event: AuditEvent<'_>,
    client_addr: Option<&str>,
) -> Result<(), sqlx::Error> {
    db::audit::append(
        conn,
        &db::audit::NewEntry {
            id: None,
            tenant_id: tenant,
            actor_user_id: who.map(|(user, _)| user),
            actor_org_id: who.map(|(_, org)| org),
            action: event.action,
            subject_type: event.subject_type,
            subject_id: event.subject_id,
            detail: event.detail,
            client_addr,
            at: UtcMillis::now().0,
        },
    )
    .await
}

/// The tenant scope of an actor on a tenant-scoped use case; without one the data is not there.
pub fn tenant_of(actor: &Actor) -> ServiceResult<&crate::auth::actor::TenantScope> {
    actor.scope.as_ref().ok_or(ServiceError::NotFound)
}

/// Page size for every list.
pub const PAGE_SIZE: i64 = 50;

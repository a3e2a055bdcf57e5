//! Invitations: a brand invites a partner organisation (and its first admin), an admin invites
//! colleagues, the platform invites a new brand's first admin. Links are single-use and expire.

use serde_json::json;

use super::{AuditEvent, FieldErrors, ServiceError, ServiceResult, actions, audit, tenant_of};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::auth::tokens;
use crate::db::{self, Conn};
use crate::domain::email::EmailAddress;
use crate::domain::ids::{InvitationId, OrgId, TenantId};
use crate::domain::invitation::{INVITATION_LIFETIME_SECS, InvitationKind, InvitationStatus};
use crate::domain::org::{self, OrgKind, Permission, Role};
use crate::domain::time::UtcMillis;
use crate::i18n::Lang;
use crate::mail::Mail;

/// A created invitation: the link is shown once to copy and e-mailed.
pub struct CreatedInvitation {
    pub id: InvitationId,
    pub email: String,
    pub link: String,
}

pub struct PartnerInvite<'a> {
    pub org_name: &'a str,
    pub org_kind: &'a str,
    pub email: &'a str,
}

pub async fn invite_partner(
    state: &AppState,
    actor: &Actor,
    input: PartnerInvite<'_>,
    lang: Lang,
) -> ServiceResult<CreatedInvitation> {
    if !actor.can(Permission::ManagePartners) {
        return Err(ServiceError::Forbidden);
    }
    let tenant = tenant_of(actor)?.tenant_id;
    let mut errors = FieldErrors::default();
    let name = errors.check("org_name", org::parse_org_name(input.org_name));
    let kind = errors.check(
        "org_kind",
        OrgKind::parse(input.org_kind)
            .filter(|k| k.is_partner())
            .ok_or("validation.org_kind"),
    );
    let email = errors.check(
        "email",
        EmailAddress::parse(input.email).map_err(|_| "validation.email"),
    );
    let mut tx = state.db.begin().await?;
    if let Some(email) = &email
        && let Some(existing) = db::users::with_org_by_email(&mut tx, email.as_str()).await?
    {
        if !existing.org_kind.is_partner() {
            errors.add("email", "invitation.email_not_partner");
        } else if db::partnerships::get(&mut tx, tenant, existing.org_id)
            .await?
            .is_some()
        {
            errors.add("email", "invitation.already_partner");
        }
    }
    errors.into_result()?;
    let (Some(name), Some(kind), Some(email)) = (name, kind, email) else {
        return Err(ServiceError::Internal(anyhow::anyhow!(
            "validated fields missing"
        )));
    };
    let created = create(
        &mut tx,
        state,
        actor,
        NewInvite {
            kind: InvitationKind::Partner,
            inviting_org: actor.org_id,
            target_org: None,
            org_name: Some(&name),
            org_kind: Some(kind),
            email: &email,
            role: Role::Admin,
        },
        Some(tenant),
    )
    .await?;
    tx.commit().await?;
    let body = lang.t2("mail.invite_partner.body", &actor.org_name, &created.link);
    state
        .send_mail(Mail {
            to: created.email.clone(),
            subject: lang.t1("mail.invite_partner.subject", &actor.org_name),
            body,
        })
        .await;
    Ok(created)
}

pub async fn invite_colleague(
    state: &AppState,
    actor: &Actor,
    email_input: &str,
    role_input: &str,
    lang: Lang,
) -> ServiceResult<CreatedInvitation> {
    if !actor.can(Permission::ManageOwnUsers) {
        return Err(ServiceError::Forbidden);
    }
    let mut errors = FieldErrors::default();
    let email = errors.check(
        "email",
        EmailAddress::parse(email_input).map_err(|_| "validation.email"),
    );
    let role = errors.check(
        "role",
        Role::parse_for(actor.org_kind, role_input).ok_or("validation.role"),
    );
    let mut tx = state.db.begin().await?;
    if let Some(email) = &email
        && db::users::exists_with_email(&mut tx, email.as_str()).await?
    {
        errors.add("email", "invitation.email_in_use");
    }
    errors.into_result()?;
    let (Some(email), Some(role)) = (email, role) else {
        return Err(ServiceError::Internal(anyhow::anyhow!(
            "validated fields missing"
        )));
    };
    let tenant = actor.scope.as_ref().map(|s| s.tenant_id);
    let created = create(
        &mut tx,
        state,
        actor,
        NewInvite {
            kind: InvitationKind::Member,
            inviting_org: actor.org_id,
            target_org: Some(actor.org_id),
            org_name: None,
            org_kind: None,
            email: &email,
            role,
        },
        tenant,
    )
    .await?;
    tx.commit().await?;
    state
        .send_mail(Mail {
            to: created.email.clone(),
            subject: lang.t1("mail.invite_member.subject", &actor.org_name),
            body: lang.t2("mail.invite_member.body", &actor.org_name, &created.link),
        })
        .await;
    Ok(created)
}

pub(super) struct NewInvite<'a> {
    pub kind: InvitationKind,
    pub inviting_org: OrgId,
    pub target_org: Option<OrgId>,
    pub org_name: Option<&'a str>,
    pub org_kind: Option<OrgKind>,
    pub email: &'a EmailAddress,
    pub role: Role,
}

/// Writes an invitation with its audit entry inside the caller's transaction.
pub(super) async fn create(
    conn: &mut Conn,
    state: &AppState,
    actor: &Actor,
    invite: NewInvite<'_>,
    tenant: Option<TenantId>,
) -> ServiceResult<CreatedInvitation> {
    let now = UtcMillis::now();
    let token = tokens::new_token();
    let id = InvitationId::new();
    db::invitations::insert(
        conn,
        &db::invitations::NewInvitation {
            id,
            token_hash: &tokens::hash_token(&token),
            kind: invite.kind.as_str(),
            inviting_org_id: invite.inviting_org,
            target_org_id: invite.target_org,
            org_name: invite.org_name,
            org_kind: invite.org_kind.map(|k| k.as_str()),
            email: invite.email.as_str(),
            role: invite.role.as_str(),
            invited_by: actor.user_id,
            created_at: now.0,
            expires_at: now.plus_secs(INVITATION_LIFETIME_SECS).0,
        },
    )
    .await?;
    audit(
        conn,
        actor,
        tenant,
        AuditEvent::new(actions::INVITATION_CREATED, "invitation", id).detail(json!({
            "kind": invite.kind.as_str(),
            "email": invite.email.as_str(),
            "role": invite.role.as_str(),
            "org_name": invite.org_name,
        })),
    )
    .await?;
    Ok(CreatedInvitation {
        id,
        email: invite.email.to_string(),
        link: format!("{}/invitations/{token}", state.config.public_url),
    })
}

/// An invitation as its admin list shows it.
pub struct SentInvitation {
    pub id: InvitationId,
    pub email: String,
    pub role_key: &'static str,
    pub org_name: Option<String>,
    pub status: InvitationStatus,
    pub created_at: i64,
    pub expires_at: i64,
}

impl SentInvitation {
    fn from_row(r: db::invitations::Invitation, now: UtcMillis) -> Self {
        SentInvitation {
            id: r.id,
            role_key: Role::parse(&r.role)
                .map(Role::label_key)
                .unwrap_or("role.member"),
            status: InvitationStatus::of(r.accepted_at, r.revoked_at, UtcMillis(r.expires_at), now),
            email: r.email,
            org_name: r.org_name,
            created_at: r.created_at,
            expires_at: r.expires_at,
        }
    }
}

pub async fn list_sent(
    state: &AppState,
    actor: &Actor,
    before: Option<InvitationId>,
) -> ServiceResult<Vec<SentInvitation>> {
    if !actor.can(Permission::ManageOwnUsers) {
        return Err(ServiceError::Forbidden);
    }
    let now = UtcMillis::now();
    let mut conn = state.db.read().await?;
    let rows =
        db::invitations::list_sent_by(&mut conn, actor.org_id, before, super::PAGE_SIZE).await?;
    Ok(rows
        .into_iter()
        .map(|r| SentInvitation::from_row(r, now))
        .collect())
}

/// Loads an invitation the actor's organisation sent, for the revoke confirmation.
pub async fn get_sent(
    state: &AppState,
    actor: &Actor,
    id: InvitationId,
) -> ServiceResult<SentInvitation> {
    if !actor.can(Permission::ManageOwnUsers) {
        return Err(ServiceError::NotFound);
    }
    let mut conn = state.db.read().await?;
    let r = db::invitations::get_sent_by(&mut conn, actor.org_id, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok(SentInvitation::from_row(r, UtcMillis::now()))
}

pub async fn revoke(state: &AppState, actor: &Actor, id: InvitationId) -> ServiceResult<()> {
    if !actor.can(Permission::ManageOwnUsers) {
        return Err(ServiceError::NotFound);
    }
    let mut tx = state.db.begin().await?;
    if db::invitations::get_sent_by(&mut tx, actor.org_id, id)
        .await?
        .is_none()
    {
        return Err(ServiceError::NotFound);
    }
    if !db::invitations::mark_revoked(&mut tx, actor.org_id, id, UtcMillis::now().0).await? {
        return Err(ServiceError::Refused("invitation.cannot_revoke"));
    }
    let tenant = actor.scope.as_ref().map(|s| s.tenant_id);
    audit(
        &mut tx,
        actor,
        tenant,
        AuditEvent::new(actions::INVITATION_REVOKED, "invitation", id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

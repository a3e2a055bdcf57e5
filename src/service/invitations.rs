//! Invitations: a brand invites a partner organisation (and its first admin), an admin invites
//! colleagues, the platform invites a new brand's first admin. Links are single-use and expire.

use serde_json::json;

use super::{AuditEvent, FieldErrors, ServiceError, ServiceResult, actions, audit, tenant_of};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::auth::{password, tokens};
use crate::db::{self, Conn};
use crate::domain::email::EmailAddress;
use crate::domain::ids::{InvitationId, OrgId, TenantId, UserId};
use crate::domain::invitation::{INVITATION_LIFETIME_SECS, InvitationKind, InvitationStatus};
use crate::domain::org::{self, OrgKind, Permission, Role};
use crate::domain::partnership::PartnershipStatus;
use crate::domain::password_policy::check_new_password;
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

pub async fn list_sent(
    state: &AppState,
    actor: &Actor,
    before: Option<InvitationId>,
) -> ServiceResult<Vec<SentInvitation>> {
    if !actor.can(Permission::ManageOwnUsers) {
        return Err(ServiceError::Forbidden);
    }
    let now = UtcMillis::now();
    let mut conn = state.db.reader().acquire().await?;
    let rows =
        db::invitations::list_sent_by(&mut conn, actor.org_id, before, super::PAGE_SIZE).await?;
    Ok(rows
        .into_iter()
        .map(|r| SentInvitation {
            id: r.id,
            role_key: Role::parse(&r.role)
                .map(Role::label_key)
                .unwrap_or("role.member"),
            status: InvitationStatus::of(r.accepted_at, r.revoked_at, UtcMillis(r.expires_at), now),
            email: r.email,
            org_name: r.org_name,
            created_at: r.created_at,
            expires_at: r.expires_at,
        })
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
    let mut conn = state.db.reader().acquire().await?;
    let r = db::invitations::get_sent_by(&mut conn, actor.org_id, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let now = UtcMillis::now();
    Ok(SentInvitation {
        id: r.id,
        role_key: Role::parse(&r.role)
            .map(Role::label_key)
            .unwrap_or("role.member"),
        status: InvitationStatus::of(r.accepted_at, r.revoked_at, UtcMillis(r.expires_at), now),
        email: r.email,
        org_name: r.org_name,
        created_at: r.created_at,
        expires_at: r.expires_at,
    })
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

/// What the person holding a link sees before accepting.
pub struct InvitationPreview {
    pub status: InvitationStatus,
    pub kind: InvitationKind,
    pub email: String,
    pub role_key: &'static str,
    /// The organisation the invitee joins or creates.
    pub org_name: String,
    pub org_kind_key: &'static str,
    /// Who invited: the brand for partner invitations, else the organisation itself.
    pub inviter_name: String,
    /// The address already has an account: accepting means signing in.
    pub existing_account: bool,
}

pub async fn preview(state: &AppState, token: &str) -> ServiceResult<InvitationPreview> {
    let mut conn = state.db.reader().acquire().await?;
    let inv = db::invitations::by_token_hash(&mut conn, &tokens::hash_token(token))
        .await?
        .ok_or(ServiceError::NotFound)?;
    let kind = InvitationKind::parse(&inv.kind).ok_or(ServiceError::NotFound)?;
    let inviter = db::orgs::get(&mut conn, inv.inviting_org_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let (org_name, org_kind) = match inv.target_org_id {
        Some(target) => {
            let org = db::orgs::get(&mut conn, target)
                .await?
                .ok_or(ServiceError::NotFound)?;
            (org.name, org.kind)
        }
        None => (
            inv.org_name.clone().unwrap_or_default(),
            inv.org_kind
                .as_deref()
                .and_then(OrgKind::parse)
                .unwrap_or(OrgKind::Supplier),
        ),
    };
    Ok(InvitationPreview {
        status: InvitationStatus::of(
            inv.accepted_at,
            inv.revoked_at,
            UtcMillis(inv.expires_at),
            UtcMillis::now(),
        ),
        kind,
        existing_account: db::users::exists_with_email(&mut conn, &inv.email).await?,
        role_key: Role::parse(&inv.role)
            .map(Role::label_key)
            .unwrap_or("role.member"),
        email: inv.email,
        org_name,
        org_kind_key: org_kind.label_key(),
        inviter_name: inviter.name,
    })
}

/// Loads a usable invitation inside the accepting transaction, or says why it cannot be used.
async fn usable(conn: &mut Conn, token: &str) -> ServiceResult<db::invitations::Invitation> {
    let inv = db::invitations::by_token_hash(conn, &tokens::hash_token(token))
        .await?
        .ok_or(ServiceError::NotFound)?;
    let status = InvitationStatus::of(
        inv.accepted_at,
        inv.revoked_at,
        UtcMillis(inv.expires_at),
        UtcMillis::now(),
    );
    match status.refusal_key() {
        Some(key) => Err(ServiceError::Refused(key)),
        None => Ok(inv),
    }
}

/// Accepts an invitation by creating the invitee's account (and, for a partner invitation,
/// their organisation and its partnership with the brand).
pub async fn accept_with_new_account(
    state: &AppState,
    token: &str,
    display_name: &str,
    new_password: &str,
    confirm: &str,
    client_addr: Option<&str>,
) -> ServiceResult<UserId> {
    let email = {
        let mut conn = state.db.reader().acquire().await?;
        usable(&mut conn, token).await?.email
    };
    let mut errors = FieldErrors::default();
    let name = errors.check("display_name", org::parse_person_name(display_name));
    if let Err(key) = check_new_password(new_password, confirm, &email) {
        errors.add("password", key);
    }
    errors.into_result()?;
    let name = name.unwrap_or_default();
    let hash = password::hash(new_password.to_owned()).await?;

    let now = UtcMillis::now();
    let mut tx = state.db.begin().await?;
    let inv = usable(&mut tx, token).await?;
    if db::users::exists_with_email(&mut tx, &inv.email).await? {
        return Err(ServiceError::Refused("invitation.sign_in_to_accept"));
    }
    let kind = InvitationKind::parse(&inv.kind).ok_or(ServiceError::NotFound)?;
    let user_id = UserId::new();
    let (org_id, tenant) = match kind {
        InvitationKind::Partner => {
            let org_kind = inv
                .org_kind
                .as_deref()
                .and_then(OrgKind::parse)
                .filter(|k| k.is_partner())
                .ok_or(ServiceError::NotFound)?;
            let org = db::orgs::Org {
                id: OrgId::new(),
                kind: org_kind,
                name: inv.org_name.clone().unwrap_or_default(),
                created_at: now.0,
            };
            db::orgs::insert(&mut tx, &org).await?;
            let tenant = TenantId::of_brand(inv.inviting_org_id);
            db::partnerships::insert(&mut tx, tenant, org.id, PartnershipStatus::Active, now.0)
                .await?;
            (org.id, Some(tenant))
        }
        InvitationKind::Member => {
            let target = inv.target_org_id.ok_or(ServiceError::NotFound)?;
            let org = db::orgs::get(&mut tx, target)
                .await?
                .ok_or(ServiceError::NotFound)?;
            let tenant = (org.kind == OrgKind::Brand).then(|| TenantId::of_brand(org.id));
            (target, tenant)
        }
    };
    let role = Role::parse(&inv.role).ok_or(ServiceError::NotFound)?;
    db::users::insert(
        &mut tx,
        &db::users::NewUser {
            id: user_id,
            org_id,
            email: &inv.email,
            display_name: &name,
            role,
            password_hash: Some(&hash),
            locale: None,
            now: now.0,
        },
    )
    .await?;
    if !db::invitations::mark_accepted(&mut tx, inv.id, user_id, now.0).await? {
        return Err(ServiceError::Refused("invitation.refused.used"));
    }
    db::audit::append(
        &mut tx,
        &db::audit::NewEntry {
            tenant_id: tenant,
            actor_user_id: Some(user_id),
            actor_org_id: Some(org_id),
            action: actions::INVITATION_ACCEPTED,
            subject_type: "invitation",
            subject_id: Some(inv.id.to_string()),
            detail: json!({ "new_account": true, "kind": inv.kind }),
            client_addr,
            at: now.0,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(user_id)
}

/// Accepts a partner invitation as the signed-in admin of an existing partner organisation:
/// the organisation starts working with one more brand.
pub async fn accept_as_signed_in(
    state: &AppState,
    actor: &Actor,
    token: &str,
) -> ServiceResult<()> {
    let now = UtcMillis::now();
    let mut tx = state.db.begin().await?;
    let inv = usable(&mut tx, token).await?;
    if inv.email != actor.email {
        return Err(ServiceError::Refused("invitation.wrong_account"));
    }
    if InvitationKind::parse(&inv.kind) != Some(InvitationKind::Partner) {
        return Err(ServiceError::Refused("invitation.email_in_use"));
    }
    let wanted_kind = inv.org_kind.as_deref().and_then(OrgKind::parse);
    if !actor.is_partner() || actor.role != Role::Admin || wanted_kind != Some(actor.org_kind) {
        return Err(ServiceError::Refused("invitation.needs_partner_admin"));
    }
    let tenant = TenantId::of_brand(inv.inviting_org_id);
    if db::partnerships::get(&mut tx, tenant, actor.org_id)
        .await?
        .is_some()
    {
        return Err(ServiceError::Refused("invitation.already_partner"));
    }
    db::partnerships::insert(
        &mut tx,
        tenant,
        actor.org_id,
        PartnershipStatus::Active,
        now.0,
    )
    .await?;
    if !db::invitations::mark_accepted(&mut tx, inv.id, actor.user_id, now.0).await? {
        return Err(ServiceError::Refused("invitation.refused.used"));
    }
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::new(actions::INVITATION_ACCEPTED, "invitation", inv.id)
            .detail(json!({ "new_account": false, "kind": inv.kind })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

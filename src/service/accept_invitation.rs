//! Using an invitation link: what its holder sees, and accepting it with a new account or as
//! the signed-in admin of an existing partner organisation. Links are single-use and expire.

use serde_json::json;

use super::{
    AuditEvent, FieldErrors, ServiceError, ServiceResult, actions, audit, audit_unauthenticated,
};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::auth::{password, tokens};
use crate::db::{self, Conn};
use crate::domain::ids::{TenantId, UserId};
use crate::domain::invitation::{InvitationKind, InvitationStatus};
use crate::domain::org::{self, OrgKind, Role};
use crate::domain::partnership::PartnershipStatus;
use crate::domain::password_policy::check_new_password;
use crate::domain::time::UtcMillis;

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
    let mut conn = state.db.read().await?;
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
        let mut conn = state.db.read().await?;
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
            let name = inv.org_name.clone().unwrap_or_default();
            let org = super::orgs::create_org(&mut tx, &state.master, org_kind, &name, now).await?;
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
    audit_unauthenticated(
        &mut tx,
        Some((user_id, org_id)),
        tenant,
        AuditEvent::new(actions::INVITATION_ACCEPTED, "invitation", inv.id)
            .detail(json!({ "new_account": true, "kind": inv.kind })),
        client_addr,
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

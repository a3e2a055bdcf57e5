//! Platform operation: creating brands (tenants), seeing every organisation, adding users from
//! the command line.

use serde_json::json;

use super::invitations::{self, CreatedInvitation, NewInvite};
use super::orgs;
use super::{
    AuditEvent, FieldErrors, ServiceError, ServiceResult, actions, audit, audit_unauthenticated,
};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::auth::password;
use crate::db::{self, Db};
use crate::domain::email::EmailAddress;
use crate::domain::ids::{OrgId, TenantId, UserId};
use crate::domain::invitation::InvitationKind;
use crate::domain::org::{self, OrgKind, Permission, Role};
use crate::domain::time::UtcMillis;
use crate::i18n::Lang;
use crate::mail::Mail;
use crate::signing::master_key::MasterKey;

fn require_operator(actor: &Actor) -> ServiceResult<()> {
    if actor.can(Permission::OperatePlatform) {
        Ok(())
    } else {
        Err(ServiceError::NotFound)
    }
}

/// Creates a brand and invites its first admin.
pub async fn create_brand(
    state: &AppState,
    actor: &Actor,
    name_input: &str,
    admin_email: &str,
    lang: Lang,
) -> ServiceResult<CreatedInvitation> {
    require_operator(actor)?;
    let mut errors = FieldErrors::default();
    let name = errors.check("name", org::parse_org_name(name_input));
    let email = errors.check(
        "email",
        EmailAddress::parse(admin_email).map_err(|_| "validation.email"),
    );
    let mut tx = state.db.begin().await?;
    if let Some(name) = &name
        && db::orgs::find_by_kind_and_name(&mut tx, OrgKind::Brand, name)
            .await?
            .is_some()
    {
        errors.add("name", "brands.name_taken");
    }
    if let Some(email) = &email
        && db::users::exists_with_email(&mut tx, email.as_str()).await?
    {
        errors.add("email", "invitation.email_in_use");
    }
    errors.into_result()?;
    let (Some(name), Some(email)) = (name, email) else {
        return Err(ServiceError::Internal(anyhow::anyhow!(
            "validated fields missing"
        )));
    };
    let brand = orgs::create_org(
        &mut tx,
        &state.master,
        OrgKind::Brand,
        &name,
        UtcMillis::now(),
    )
    .await?;
    let tenant = TenantId::of_brand(brand.id);
    audit(
        &mut tx,
        actor,
        Some(tenant),
        AuditEvent::new(actions::BRAND_CREATED, "org", brand.id).detail(json!({ "name": name })),
    )
    .await?;
    let created = invitations::create(
        &mut tx,
        state,
        actor,
        NewInvite {
            kind: InvitationKind::Member,
            inviting_org: actor.org_id,
            target_org: Some(brand.id),
            org_name: None,
            org_kind: None,
            email: &email,
            role: Role::Admin,
        },
        Some(tenant),
    )
    .await?;
    tx.commit().await?;
    state
        .send_mail(Mail {
            to: created.email.clone(),
            subject: lang.t1("mail.invite_member.subject", &name),
            body: lang.t2("mail.invite_member.body", &name, &created.link),
        })
        .await;
    Ok(created)
}

pub async fn list_orgs(
    state: &AppState,
    actor: &Actor,
    after: Option<(String, String, OrgId)>,
) -> ServiceResult<Vec<db::orgs::Org>> {
    require_operator(actor)?;
    let mut conn = state.db.read().await?;
    let after = after
        .as_ref()
        .map(|(k, n, id)| (k.as_str(), n.as_str(), *id));
    Ok(db::orgs::list_page(&mut conn, after, super::PAGE_SIZE).await?)
}

pub async fn list_brands(
    state: &AppState,
    actor: &Actor,
    after: Option<(String, OrgId)>,
) -> ServiceResult<Vec<db::orgs::Org>> {
    require_operator(actor)?;
    let mut conn = state.db.read().await?;
    let after = after.as_ref().map(|(n, id)| (n.as_str(), *id));
    Ok(db::orgs::list_kind_page(&mut conn, OrgKind::Brand, after, super::PAGE_SIZE).await?)
}

pub struct AddUser<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    /// Name or id of the organisation; ignored for platform admins.
    pub org: Option<&'a str>,
    pub role: Option<&'a str>,
    pub platform_admin: bool,
    pub password: &'a str,
}

/// `portico user add`: creates a user directly (the operator is at the server's console).
pub async fn add_user(
    db: &Db,
    master: &MasterKey,
    input: AddUser<'_>,
) -> anyhow::Result<(UserId, String)> {
    let email = EmailAddress::parse(input.email).map_err(|e| anyhow::anyhow!("{e}"))?;
    let name = org::parse_person_name(input.display_name)
        .map_err(|_| anyhow::anyhow!("the name must be 1 to 100 characters"))?;
    if let Err(key) = crate::domain::password_policy::check_new_password(
        input.password,
        input.password,
        email.as_str(),
    ) {
        anyhow::bail!("password refused: {}", Lang::En.t(key));
    }
    let hash = password::hash(input.password.to_owned()).await?;
    let now = UtcMillis::now();
    let mut tx = db.begin().await?;
    if db::users::exists_with_email(&mut tx, email.as_str()).await? {
        anyhow::bail!("a user with e-mail {email} already exists");
    }
    let (org, role) = if input.platform_admin {
        (
            orgs::ensure_platform(&mut tx, master, now).await?,
            Role::PlatformAdmin,
        )
    } else {
        let wanted = input
            .org
            .ok_or_else(|| anyhow::anyhow!("--org is required (name or id)"))?;
        let org = orgs::find_org(&mut tx, wanted).await?;
        let role_text = input.role.unwrap_or("admin");
        let role = Role::parse_for(org.kind, role_text).ok_or_else(|| {
            let allowed: Vec<&str> = org.kind.roles().iter().map(|r| r.as_str()).collect();
            anyhow::anyhow!(
                "role {role_text:?} is not one of {allowed:?} for a {}",
                org.kind
            )
        })?;
        (org, role)
    };
    let id = UserId::new();
    db::users::insert(
        &mut tx,
        &db::users::NewUser {
            id,
            org_id: org.id,
            email: email.as_str(),
            display_name: &name,
            role,
            password_hash: Some(&hash),
            locale: None,
            now: now.0,
        },
    )
    .await?;
    audit_unauthenticated(
        &mut tx,
        None,
        (org.kind == OrgKind::Brand).then(|| TenantId::of_brand(org.id)),
        AuditEvent::new(actions::USER_CREATED_BY_CLI, "user", id)
            .detail(json!({ "email": email.as_str(), "role": role.as_str(), "org": org.name })),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok((id, org.name))
}

//! A user's own account: password reset by e-mailed link, password change, language.

use serde_json::json;

use super::{
    AuditEvent, FieldErrors, ServiceError, ServiceResult, actions, audit, audit_unauthenticated,
};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::auth::{password, tokens};
use crate::db;
use crate::domain::email::EmailAddress;
use crate::domain::ids::UserId;
use crate::domain::password_policy::check_new_password;
use crate::domain::throttle::{self, RESET_POLICY};
use crate::domain::time::UtcMillis;
use crate::i18n::Lang;
use crate::mail::Mail;

/// How long a reset link works.
pub const RESET_LIFETIME_SECS: i64 = 3600;

/// Sends a reset link if the address belongs to an active user. The caller answers the same
/// way either way, so the form does not reveal who has an account.
pub async fn request_password_reset(
    state: &AppState,
    email_input: &str,
    lang: Lang,
    client_addr: Option<&str>,
) -> ServiceResult<()> {
    let Ok(email) = EmailAddress::parse(email_input) else {
        let mut errors = FieldErrors::default();
        errors.add("email", "validation.email");
        return Err(ServiceError::Invalid(errors));
    };
    let now = UtcMillis::now();
    let mut tx = state.db.begin().await?;
    let keys = [
        Some(format!("reset:{email}")),
        client_addr.map(|a| format!("reset-addr:{a}")),
    ];
    let mut wait = None;
    for key in keys.iter().flatten() {
        wait = wait.max(count_request(&mut tx, key, now).await?);
    }
    tx.commit().await?;
    if let Some(retry_after_secs) = wait {
        return Err(ServiceError::Throttled { retry_after_secs });
    }

    let mut tx = state.db.begin().await?;
    let Some(user) = db::users::with_org_by_email(&mut tx, email.as_str()).await? else {
        return Ok(());
    };
    if !user.is_active() {
        return Ok(());
    }
    let token = tokens::new_token();
    db::password_resets::insert(
        &mut tx,
        &tokens::hash_token(&token),
        user.id,
        now.0,
        now.plus_secs(RESET_LIFETIME_SECS).0,
    )
    .await?;
    audit_unauthenticated(
        &mut tx,
        Some((user.id, user.org_id)),
        None,
        AuditEvent::new(actions::PASSWORD_RESET_REQUESTED, "user", user.id),
        client_addr,
    )
    .await?;
    tx.commit().await?;

    let lang = user.locale.as_deref().and_then(Lang::parse).unwrap_or(lang);
    let link = format!("{}/password/reset/{token}", state.config.public_url);
    state
        .send_mail(Mail {
            to: user.email.clone(),
            subject: lang.t("mail.reset.subject").to_owned(),
            body: lang.t2("mail.reset.body", &user.display_name, &link),
        })
        .await;
    Ok(())
}

/// Counts one reset request against a key. Returns the seconds to wait when the key is (now)
/// over its allowance; the count is kept either way, so the caller commits before refusing.
async fn count_request(
    conn: &mut db::Conn,
    key: &str,
    now: UtcMillis,
) -> ServiceResult<Option<i64>> {
    if let Some((_, locked_until)) = db::throttle::get(conn, key).await?
        && let Some(secs) = throttle::remaining_lock(UtcMillis(locked_until), now)
    {
        return Ok(Some(secs));
    }
    let forget_before = now.plus_secs(-RESET_POLICY.forget_after_secs).0;
    let count = db::throttle::record_failure(conn, key, now.0, forget_before).await?;
    let until = RESET_POLICY.locked_until(count, now);
    if until > now {
        db::throttle::lock_until(conn, key, until.0).await?;
        return Ok(Some(now.secs_until(until)));
    }
    Ok(None)
}

/// Whether a reset link is still usable (for showing the form or the "expired" page).
pub async fn reset_link_is_valid(state: &AppState, token: &str) -> ServiceResult<bool> {
    let mut conn = state.db.read().await?;
    let user =
        db::password_resets::valid_user(&mut conn, &tokens::hash_token(token), UtcMillis::now().0)
            .await?;
    Ok(user.is_some())
}

/// Sets a new password from a reset link. Every open link of the user is used up and every
/// existing session of theirs ends.
pub async fn reset_password(
    state: &AppState,
    token: &str,
    new_password: &str,
    confirm: &str,
    client_addr: Option<&str>,
) -> ServiceResult<UserId> {
    let now = UtcMillis::now();
    let hash_of_token = tokens::hash_token(token);
    let user_id = {
        let mut conn = state.db.read().await?;
        db::password_resets::valid_user(&mut conn, &hash_of_token, now.0)
            .await?
            .ok_or(ServiceError::Refused("password.reset_link_invalid"))?
    };
    let mut conn = state.db.read().await?;
    let user = db::users::with_org_by_id(&mut conn, user_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    drop(conn);
    if let Err(key) = check_new_password(new_password, confirm, &user.email) {
        let mut errors = FieldErrors::default();
        errors.add("password", key);
        return Err(ServiceError::Invalid(errors));
    }
    let hash = password::hash(new_password.to_owned()).await?;

    let mut tx = state.db.begin().await?;
    // Re-check inside the transaction: the link may have been used meanwhile.
    if db::password_resets::valid_user(&mut tx, &hash_of_token, now.0).await? != Some(user_id) {
        return Err(ServiceError::Refused("password.reset_link_invalid"));
    }
    db::users::set_password_hash(&mut tx, user_id, &hash, now.0).await?;
    db::password_resets::use_all_for_user(&mut tx, user_id, now.0).await?;
    audit_unauthenticated(
        &mut tx,
        Some((user_id, user.org_id)),
        None,
        AuditEvent::new(actions::PASSWORD_RESET, "user", user_id),
        client_addr,
    )
    .await?;
    tx.commit().await?;
    Ok(user_id)
}

/// Changes the signed-in user's password after checking the current one. Other sessions of the
/// user end; the caller renews the current one.
pub async fn change_password(
    state: &AppState,
    actor: &Actor,
    current: &str,
    new_password: &str,
    confirm: &str,
) -> ServiceResult<()> {
    let mut conn = state.db.read().await?;
    let user = db::users::with_org_by_id(&mut conn, actor.user_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    drop(conn);
    let mut errors = FieldErrors::default();
    if !password::verify(current.to_owned(), user.password_hash.clone()).await {
        errors.add("current", "password.current_wrong");
    }
    if let Err(key) = check_new_password(new_password, confirm, &user.email) {
        errors.add("password", key);
    }
    errors.into_result()?;
    let hash = password::hash(new_password.to_owned()).await?;
    let now = UtcMillis::now();
    let mut tx = state.db.begin().await?;
    db::users::set_password_hash(&mut tx, actor.user_id, &hash, now.0).await?;
    audit(
        &mut tx,
        actor,
        None,
        AuditEvent::new(actions::PASSWORD_CHANGED, "user", actor.user_id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn set_language(state: &AppState, actor: &Actor, lang: Lang) -> ServiceResult<()> {
    let mut tx = state.db.begin().await?;
    db::users::set_locale(&mut tx, actor.user_id, lang.code()).await?;
    audit(
        &mut tx,
        actor,
        None,
        AuditEvent::new(actions::LANGUAGE_SET, "user", actor.user_id)
            .detail(json!({ "lang": lang.code() })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

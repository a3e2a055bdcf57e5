//! Signing in with e-mail and password, with throttling per account and per client address.

use serde_json::json;

use super::actions;
use super::{AuditEvent, ServiceError, audit_unauthenticated};
use crate::app::AppState;
use crate::auth::password;
use crate::db;
use crate::domain::email::EmailAddress;
use crate::domain::ids::UserId;
use crate::domain::throttle::{self, ACCOUNT_POLICY, ADDRESS_POLICY, ThrottlePolicy};
use crate::domain::time::UtcMillis;
use crate::i18n::Lang;

pub struct SignedIn {
    pub user_id: UserId,
    pub locale: Option<Lang>,
}

#[derive(Debug)]
pub enum SignInError {
    /// Wrong e-mail or password (deliberately not saying which), or a disabled account.
    BadCredentials,
    Throttled {
        retry_after_secs: i64,
    },
    /// The user's organisation requires single sign-on: no password sign-in.
    SsoRequired,
    Internal(ServiceError),
}

impl From<sqlx::Error> for SignInError {
    fn from(err: sqlx::Error) -> Self {
        SignInError::Internal(err.into())
    }
}

fn account_key(email: &str) -> String {
    format!("account:{email}")
}

fn address_key(addr: &str) -> String {
    format!("addr:{addr}")
}

pub async fn sign_in(
    state: &AppState,
    email_input: &str,
    password_input: &str,
    client_addr: Option<&str>,
) -> Result<SignedIn, SignInError> {
    let now = UtcMillis::now();
    let email = EmailAddress::parse(email_input)
        .map(|e| e.to_string())
        .unwrap_or_default();
    let keys: Vec<(String, ThrottlePolicy)> = [
        (!email.is_empty()).then(|| (account_key(&email), ACCOUNT_POLICY)),
        client_addr.map(|a| (address_key(a), ADDRESS_POLICY)),
    ]
    .into_iter()
    .flatten()
    .collect();

    let mut conn = state.db.read().await?;
    for (key, _) in &keys {
        if let Some((_, locked_until)) = db::throttle::get(&mut conn, key).await?
            && let Some(secs) = throttle::remaining_lock(UtcMillis(locked_until), now)
        {
            return Err(SignInError::Throttled {
                retry_after_secs: secs,
            });
        }
    }
    let user = if email.is_empty() {
        None
    } else {
        db::users::with_org_by_email(&mut conn, &email).await?
    };
    if let Some(user) = &user
        && super::sso::login::required_for(&mut conn, user.org_id).await?
    {
        drop(conn);
        let mut tx = state.db.begin().await?;
        audit_unauthenticated(
            &mut tx,
            Some((user.id, user.org_id)),
            None,
            AuditEvent::new(actions::SIGN_IN_SSO_REQUIRED, "user", user.id),
            client_addr,
        )
        .await?;
        tx.commit().await?;
        return Err(SignInError::SsoRequired);
    }
    drop(conn);

    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    let password_ok = password::verify(password_input.to_owned(), stored).await;
    let now = UtcMillis::now();
    let mut tx = state.db.begin().await?;

    match user {
        Some(user) if password_ok && user.is_active() => {
            db::throttle::clear(&mut tx, &account_key(&email)).await?;
            audit_unauthenticated(
                &mut tx,
                Some((user.id, user.org_id)),
                None,
                AuditEvent::new(actions::SIGN_IN, "user", user.id),
                client_addr,
            )
            .await?;
            tx.commit().await?;
            Ok(SignedIn {
                user_id: user.id,
                locale: user.locale.as_deref().and_then(Lang::parse),
            })
        }
        user => {
            for (key, policy) in &keys {
                let forget_before = now.plus_secs(-policy.forget_after_secs).0;
                let failures =
                    db::throttle::record_failure(&mut tx, key, now.0, forget_before).await?;
                let until = policy.locked_until(failures, now);
                if until > now {
                    db::throttle::lock_until(&mut tx, key, until.0).await?;
                }
            }
            let who = user.as_ref().map(|u| (u.id, u.org_id));
            let event = AuditEvent {
                action: actions::SIGN_IN_FAILED,
                subject_type: "user",
                subject_id: who.map(|(id, _)| id.to_string()),
                detail: json!({ "email": email }),
            };
            audit_unauthenticated(&mut tx, who, None, event, client_addr).await?;
            tx.commit().await?;
            Err(SignInError::BadCredentials)
        }
    }
}

/// Converts for callers that only need the generic error.
impl From<SignInError> for ServiceError {
    fn from(err: SignInError) -> Self {
        match err {
            SignInError::BadCredentials => ServiceError::Refused("login.bad_credentials"),
            SignInError::SsoRequired => ServiceError::Refused("sso.password_refused"),
            SignInError::Throttled { retry_after_secs } => {
                ServiceError::Throttled { retry_after_secs }
            }
            SignInError::Internal(err) => err,
        }
    }
}

//! What Portico keeps in a session, and the helpers that read and change it. The session
//! itself lives in the database (see `db::sessions`).

use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use super::tokens;
use crate::domain::ids::{TenantId, UserId};
use crate::domain::time::UtcMillis;
use crate::i18n::Lang;

const USER: &str = crate::db::pg_sessions::USER_KEY;
const LOGIN_AT: &str = "login_at";
const TENANT: &str = crate::db::pg_sessions::TENANT_KEY;
const CSRF: &str = "csrf";
const LANG: &str = "lang";
const FLASH: &str = "flash";
const REAUTH_AT: &str = "reauth_at";
const SEEN_AT: &str = "seen_at";

/// A session is idle-expired after this. The cookie's expiry moves on every response; the
/// stored expiry moves when the session is saved, which `keep_alive` does once a minute.
pub const IDLE_TIMEOUT_SECS: i64 = 30 * 60;
/// How often an active session is written back to move its stored idle expiry. Saving on every
/// request would make every page a database write (on SQLite, a commit and an `fsync` each).
pub const KEEP_ALIVE_SECS: i64 = 60;
/// …and ends this long after sign-in whatever the activity.
pub const ABSOLUTE_TIMEOUT_SECS: i64 = 12 * 3600;

/// Whether a signed-in session may go on: the user is active, has not changed credentials (or
/// been disabled) since signing in, and signed in less than the absolute timeout ago.
pub fn still_valid(
    login_at: UtcMillis,
    credentials_changed_at: UtcMillis,
    user_active: bool,
    now: UtcMillis,
) -> bool {
    user_active
        && credentials_changed_at <= login_at
        && now < login_at.plus_secs(ABSOLUTE_TIMEOUT_SECS)
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub enum FlashKind {
    Success,
    Info,
    Error,
}

/// A one-time message shown on the next page. Holds a message key and an optional argument,
/// so it renders in whatever language that page is in.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Flash {
    pub kind: FlashKind,
    pub key: String,
    pub arg: Option<String>,
}

impl Flash {
    pub fn success(key: &str) -> Self {
        Flash {
            kind: FlashKind::Success,
            key: key.to_owned(),
            arg: None,
        }
    }

    pub fn error(key: &str) -> Self {
        Flash {
            kind: FlashKind::Error,
            key: key.to_owned(),
            arg: None,
        }
    }

    pub fn info(key: &str) -> Self {
        Flash {
            kind: FlashKind::Info,
            key: key.to_owned(),
            arg: None,
        }
    }

    pub fn with_arg(mut self, arg: impl Into<String>) -> Self {
        self.arg = Some(arg.into());
        self
    }

    pub fn css_class(&self) -> &'static str {
        match self.kind {
            FlashKind::Success => "flash flash-success",
            FlashKind::Info => "flash flash-info",
            FlashKind::Error => "flash flash-error",
        }
    }
}

type SessionResult<T> = Result<T, tower_sessions::session::Error>;

/// The signed-in user and when they signed in, if any.
pub async fn signed_in(session: &Session) -> SessionResult<Option<(UserId, UtcMillis)>> {
    let user: Option<UserId> = session.get(USER).await?;
    let at: Option<i64> = session.get(LOGIN_AT).await?;
    Ok(user.zip(at.map(UtcMillis)))
}

/// Starts an authenticated session: a new session id (no fixation), a new CSRF token, the
/// user's language, and the time of sign-in for the absolute timeout.
pub async fn begin(session: &Session, user: UserId, lang: Option<Lang>) -> SessionResult<()> {
    let keep_lang: Option<String> = session.get(LANG).await?;
    session.cycle_id().await?;
    session.clear().await;
    session.insert(USER, user).await?;
    session.insert(LOGIN_AT, UtcMillis::now().0).await?;
    session.insert(CSRF, tokens::new_token()).await?;
    if let Some(lang) = lang.map(|l| l.code().to_owned()).or(keep_lang) {
        session.insert(LANG, lang).await?;
    }
    Ok(())
}

/// Restarts the clock after the user proved their password again (password change).
pub async fn renew_after_credentials_change(session: &Session) -> SessionResult<()> {
    session.cycle_id().await?;
    session.insert(LOGIN_AT, UtcMillis::now().0).await?;
    Ok(())
}

/// When the user last proved their password in this session (sign-in or re-authentication
/// before a sensitive step).
pub async fn authenticated_at(session: &Session, login_at: UtcMillis) -> SessionResult<UtcMillis> {
    let again: Option<i64> = session.get(REAUTH_AT).await?;
    Ok(UtcMillis(again.unwrap_or(0).max(login_at.0)))
}

/// Records that the user just re-entered their password.
pub async fn mark_reauthenticated(session: &Session) -> SessionResult<()> {
    session.insert(REAUTH_AT, UtcMillis::now().0).await
}

pub async fn end(session: &Session) -> SessionResult<()> {
    session.flush().await
}

/// The session's CSRF token, created on first use.
pub async fn csrf_token(session: &Session) -> SessionResult<String> {
    if let Some(token) = session.get::<String>(CSRF).await? {
        return Ok(token);
    }
    let token = tokens::new_token();
    session.insert(CSRF, &token).await?;
    Ok(token)
}

/// The CSRF token if the session has one; never creates one.
pub async fn existing_csrf_token(session: &Session) -> SessionResult<Option<String>> {
    session.get(CSRF).await
}

pub async fn active_tenant(session: &Session) -> SessionResult<Option<TenantId>> {
    session.get(TENANT).await
}

pub async fn set_active_tenant(session: &Session, tenant: TenantId) -> SessionResult<()> {
    session.insert(TENANT, tenant).await
}

pub async fn lang(session: &Session) -> SessionResult<Option<Lang>> {
    let code: Option<String> = session.get(LANG).await?;
    Ok(code.as_deref().and_then(Lang::parse))
}

pub async fn set_lang(session: &Session, lang: Lang) -> SessionResult<()> {
    session.insert(LANG, lang.code()).await
}

pub async fn push_flash(session: &Session, flash: Flash) -> SessionResult<()> {
    let mut all: Vec<Flash> = session.get(FLASH).await?.unwrap_or_default();
    all.push(flash);
    session.insert(FLASH, all).await
}

/// The flashes to show, removed from the session. Removing marks the session for saving, so it
/// is done only when there is something to take.
pub async fn take_flashes(session: &Session) -> SessionResult<Vec<Flash>> {
    let flashes: Option<Vec<Flash>> = session.get(FLASH).await?;
    if flashes.is_some() {
        session.remove::<Vec<Flash>>(FLASH).await?;
    }
    Ok(flashes.unwrap_or_default())
}

/// Marks a signed-in session as in use. It is saved (moving its stored idle expiry) when the last
/// mark is a minute old or more, not on every request.
pub async fn keep_alive(session: &Session, now: UtcMillis) -> SessionResult<()> {
    let seen: Option<i64> = session.get(SEEN_AT).await?;
    if seen.is_none_or(|at| now.0 - at >= KEEP_ALIVE_SECS * 1000) {
        session.insert(SEEN_AT, now.0).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOGIN: UtcMillis = UtcMillis(1_000_000_000);

    #[test]
    fn a_fresh_session_of_an_active_user_is_valid() {
        assert!(still_valid(LOGIN, UtcMillis(0), true, LOGIN.plus_secs(60)));
    }

    #[test]
    fn a_session_ends_twelve_hours_after_sign_in_whatever_the_activity() {
        let almost = LOGIN.plus_secs(ABSOLUTE_TIMEOUT_SECS - 1);
        assert!(still_valid(LOGIN, UtcMillis(0), true, almost));
        assert!(!still_valid(
            LOGIN,
            UtcMillis(0),
            true,
            LOGIN.plus_secs(ABSOLUTE_TIMEOUT_SECS)
        ));
    }

    #[test]
    fn a_credential_change_or_disabling_after_sign_in_ends_the_session() {
        assert!(!still_valid(
            LOGIN,
            LOGIN.plus_secs(1),
            true,
            LOGIN.plus_secs(2)
        ));
        assert!(!still_valid(LOGIN, UtcMillis(0), false, LOGIN.plus_secs(2)));
        assert!(
            still_valid(LOGIN, LOGIN, true, LOGIN.plus_secs(2)),
            "same instant is fine"
        );
    }
}

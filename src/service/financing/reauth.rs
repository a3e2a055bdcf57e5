//! Proving the password again before a sensitive step (asking for financing, accepting an
//! offer) when the sign-in is older than `REAUTH_WINDOW_SECS`; a wrong password is audited.

use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::auth::password;
use crate::db;
use crate::service::{AuditEvent, FieldErrors, ServiceError, ServiceResult, actions, audit};

/// Checks the password typed for a sensitive step; a wrong one is on the audit log.
pub(crate) async fn prove_password(
    state: &AppState,
    actor: &Actor,
    typed: &str,
) -> ServiceResult<()> {
    let mut e = FieldErrors::default();
    if typed.is_empty() {
        e.add("password", "financing.reauth_required");
        return Err(ServiceError::Invalid(e));
    }
    let mut conn = state.db.read().await?;
    let stored = db::users::with_org_by_id(&mut conn, actor.user_id)
        .await?
        .and_then(|u| u.password_hash);
    drop(conn);
    if password::verify(typed.to_owned(), stored).await {
        return Ok(());
    }
    let mut tx = state.db.begin().await?;
    audit(
        &mut tx,
        actor,
        actor.scope.as_ref().map(|s| s.tenant_id),
        AuditEvent::about(actions::FINANCING_REAUTH_FAILED, "user"),
    )
    .await?;
    tx.commit().await?;
    e.add("password", "financing.reauth_wrong");
    Err(ServiceError::Invalid(e))
}

//! The tenant scope of the running task, which PostgreSQL's row-level security enforces as the
//! second wall behind the application's own `tenant_id = $1` filters (migration 0021).
//!
//! The scope lives in a task-local. Every connection the pool hands out carries the scope of
//! the task that acquired it in `portico.tenant_id` (the pool's `before_acquire` and
//! `after_connect` hooks set it), so a query of a request in brand A's scope cannot read or
//! write brand B's rows even if its SQL forgets the filter, and a task that set no scope sees
//! no tenant rows at all. A connection keeps the scope it was acquired with: acquire it inside
//! the scope it is meant for. `tokio::spawn` does not carry the task-local over; wrap the
//! spawned future. On SQLite there is no row-level security and the scope changes nothing.
//!
//! A request never switches its connection to another scope. The few questions that cross
//! brands by design (every brand's trace links, which finished lots any brand holds) read
//! views that answer in every scope (migration 0024).

use std::future::Future;

use sqlx::Executor;

use super::Conn;
use crate::domain::ids::TenantId;

/// Which tenants' rows a task may touch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Only this brand's rows: requests of a user or API client working in a brand.
    Tenant(TenantId),
    /// Every tenant's rows: work that crosses brands by design (jobs, sign-in and actor
    /// resolution, platform administration, the console, the demo seed).
    System,
    /// No tenant's rows: what a task that set no scope gets.
    Nothing,
}

impl Scope {
    /// The value of `portico.tenant_id` the policies compare `tenant_id` with.
    pub fn setting(&self) -> String {
        match self {
            Scope::Tenant(tenant) => tenant.to_string(),
            Scope::System => "*".to_owned(),
            Scope::Nothing => String::new(),
        }
    }

    /// The scope a value of `portico.tenant_id` stands for ([`Scope::setting`] read back).
    pub fn of_setting(value: &str) -> Option<Scope> {
        match value {
            "*" => Some(Scope::System),
            "" => Some(Scope::Nothing),
            tenant => tenant.parse().ok().map(Scope::Tenant),
        }
    }
}

tokio::task_local! {
    static SCOPE: Scope;
}

/// The scope of the running task.
pub fn current() -> Scope {
    SCOPE.try_with(|scope| *scope).unwrap_or(Scope::Nothing)
}

/// Runs `work` with `scope` as the task's scope.
pub async fn within<F: Future>(scope: Scope, work: F) -> F::Output {
    SCOPE.scope(scope, work).await
}

/// Runs `work` in one brand's scope.
pub async fn in_tenant<F: Future>(tenant: TenantId, work: F) -> F::Output {
    within(Scope::Tenant(tenant), work).await
}

/// Runs `work` in the scope that crosses brands (see [`Scope::System`]).
pub async fn system<F: Future>(work: F) -> F::Output {
    within(Scope::System, work).await
}

/// Puts the task's scope on a PostgreSQL connection (the pool's hooks call this).
pub(super) async fn apply(conn: &mut Conn, scope: Scope) -> Result<(), sqlx::Error> {
    set(conn, &scope.setting()).await
}

async fn set(conn: &mut Conn, value: &str) -> Result<(), sqlx::Error> {
    conn.execute(
        sqlx::query("SELECT set_config('portico.tenant_id', $1, false)").bind(value.to_owned()),
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_task_without_a_scope_sees_nothing_and_nested_scopes_end_with_their_work() {
        assert_eq!(current(), Scope::Nothing);
        let tenant = TenantId::new();
        let seen = in_tenant(tenant, async {
            let inner = system(async { current() }).await;
            (inner, current())
        })
        .await;
        assert_eq!(seen, (Scope::System, Scope::Tenant(tenant)));
        assert_eq!(current(), Scope::Nothing);
    }

    #[test]
    fn settings_name_the_tenant_the_wildcard_or_nothing() {
        let tenant = TenantId::new();
        assert_eq!(Scope::Tenant(tenant).setting(), tenant.to_string());
        assert_eq!(Scope::System.setting(), "*");
        assert_eq!(Scope::Nothing.setting(), "");
        for scope in [Scope::Tenant(tenant), Scope::System, Scope::Nothing] {
            assert_eq!(Scope::of_setting(&scope.setting()), Some(scope));
        }
        assert_eq!(Scope::of_setting("not-a-tenant"), None);
    }
}

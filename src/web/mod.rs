//! HTML handlers, one module per area. Every route is declared through [`Routes`] with its
//! access class, which both applies the matching login layer and records the route in the
//! manifest the isolation tests walk.

pub mod account;
pub mod admin;
pub mod assets;
pub mod auth;
pub mod complaints;
pub mod context;
pub mod errors;
pub mod finance_programs;
pub mod financings;
pub mod health;
pub mod home;
pub mod inbound;
pub mod invitations;
pub mod invoices;
pub mod keys;
pub mod notifications;
pub mod orders;
pub mod platform;
pub mod shell;
pub mod sla;
pub mod sla_scorecards;
pub mod sso;
#[cfg(feature = "test-clock")]
pub mod test_clock;
pub mod trace;
pub mod trace_record;
pub mod webhooks;

use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;

use crate::app::AppState;
use crate::auth::actor::{require_login, require_tenant};
use crate::error::AppError;

/// Who may reach a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (sign-in, health, assets, invitation links).
    Public,
    /// A signed-in user; the route shows only the user's own things.
    Authenticated,
    /// A signed-in user with an active brand; the route reads or changes objects of that
    /// brand (or of the user's own organisation inside it). Covered by the isolation harness.
    TenantScoped,
}

#[derive(Default)]
pub struct Routes {
    public: Router<AppState>,
    authenticated: Router<AppState>,
    tenant: Router<AppState>,
    manifest: Vec<(&'static str, Access)>,
}

impl Routes {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn public(mut self, path: &'static str, route: MethodRouter<AppState>) -> Self {
        self.public = self.public.route(path, route);
        self.manifest.push((path, Access::Public));
        self
    }

    pub fn authenticated(mut self, path: &'static str, route: MethodRouter<AppState>) -> Self {
        self.authenticated = self.authenticated.route(path, route);
        self.manifest.push((path, Access::Authenticated));
        self
    }

    pub fn tenant(mut self, path: &'static str, route: MethodRouter<AppState>) -> Self {
        self.tenant = self.tenant.route(path, route);
        self.manifest.push((path, Access::TenantScoped));
        self
    }

    pub fn merge(mut self, other: Routes) -> Self {
        self.public = self.public.merge(other.public);
        self.authenticated = self.authenticated.merge(other.authenticated);
        self.tenant = self.tenant.merge(other.tenant);
        self.manifest.extend(other.manifest);
        self
    }

    pub fn manifest(&self) -> &[(&'static str, Access)] {
        &self.manifest
    }

    /// The axum router, with each class behind its layer.
    pub fn into_router(self, state: &AppState) -> Router<AppState> {
        let has = |access| self.manifest.iter().any(|(_, a)| *a == access);
        let mut router = self.public;
        if has(Access::Public) {
            // Public routes come before any brand: signing in, invitations, password resets.
            router = router.route_layer(middleware::from_fn(in_system_scope));
        }
        if has(Access::Authenticated) {
            router = router.merge(
                self.authenticated
                    .route_layer(middleware::from_fn_with_state(state.clone(), require_login)),
            );
        }
        if has(Access::TenantScoped) {
            router = router.merge(self.tenant.route_layer(middleware::from_fn_with_state(
                state.clone(),
                require_tenant,
            )));
        }
        let known: Vec<&'static str> = self.manifest.iter().map(|(p, _)| *p).collect();
        router.layer(middleware::from_fn(move |req: Request, next: Next| {
            let known = known.clone();
            async move { refuse_unclassified(&known, req, next).await }
        }))
    }
}

/// Runs the rest of a request in the database scope that crosses brands (`db::scope`), for
/// routes that come before any brand is chosen.
pub async fn in_system_scope(request: Request, next: Next) -> Response {
    crate::db::scope::system(next.run(request)).await
}

/// Second line behind the `Routes` builder: a route that reached the router some other way
/// has no access class, so it is refused rather than served unchecked.
async fn refuse_unclassified(known: &[&'static str], request: Request, next: Next) -> Response {
    let classified = match request.extensions().get::<MatchedPath>() {
        Some(matched) => known.contains(&matched.as_str()),
        None => true, // no route matched: the fallback answers 404
    };
    if classified {
        next.run(request).await
    } else {
        AppError::Internal(anyhow::anyhow!(
            "route {} is not classified in web::routes()",
            request.uri().path()
        ))
        .into_response()
    }
}

/// Every HTML route of Portico.
pub fn routes() -> Routes {
    Routes::new()
        .merge(health::routes())
        .merge(assets::routes())
        .merge(auth::routes())
        .merge(sso::routes())
        .merge(context::routes())
        .merge(home::routes())
        .merge(account::routes())
        .merge(invitations::routes())
        .merge(keys::routes())
        .merge(orders::routes())
        .merge(notifications::routes())
        .merge(inbound::routes())
        .merge(invoices::routes())
        .merge(finance_programs::routes())
        .merge(financings::routes())
        .merge(sla::routes())
        .merge(sla_scorecards::routes())
        .merge(trace::routes())
        .merge(trace_record::routes())
        .merge(complaints::routes())
        .merge(admin::routes())
        .merge(platform::routes())
        .merge(webhooks::routes())
        .merge(test_routes())
}

#[cfg(feature = "test-clock")]
fn test_routes() -> Routes {
    test_clock::routes()
}

#[cfg(not(feature = "test-clock"))]
fn test_routes() -> Routes {
    Routes::new()
}

/// Renders a page template; a template error is an internal error, never shown.
/// The message that tells a user why a step was refused (the first problem of a form that did
/// not validate); any other failure stays an error page.
pub fn refusal_flash(
    err: crate::service::ServiceError,
) -> Result<crate::auth::session::Flash, AppError> {
    use crate::auth::session::Flash;
    use crate::service::ServiceError;
    match err {
        ServiceError::Refused(key) => Ok(Flash::error(key)),
        ServiceError::Invalid(errors) => Ok(Flash::error(
            errors
                .iter()
                .next()
                .map_or("validation.required", |(_, key)| key),
        )),
        other => Err(other.into()),
    }
}

pub fn render<T: askama::Template>(page: &T) -> Result<axum::response::Html<String>, AppError> {
    Ok(axum::response::Html(page.render()?))
}

/// The query of a list filtered by state and paged by keyset (`before_at`, `before_id`).
#[derive(serde::Deserialize)]
pub struct StateListQuery {
    pub state: Option<String>,
    pub before_at: Option<i64>,
    pub before_id: Option<String>,
}

impl StateListQuery {
    pub fn before(&self) -> Option<(i64, &str)> {
        self.before_at.zip(self.before_id.as_deref())
    }

    pub fn filter(&self) -> String {
        self.state.clone().unwrap_or_default()
    }

    /// The next page's query after the row keyed (`at`, `id`), keeping the state filter.
    pub fn after(&self, at: i64, id: &str) -> Vec<(&'static str, String)> {
        let mut query = vec![("before_at", at.to_string()), ("before_id", id.to_owned())];
        if let Some(state) = self.state.as_deref().filter(|s| !s.is_empty()) {
            query.push(("state", state.to_owned()));
        }
        query
    }
}

/// The query string of the next page when this page is full (keyset pagination: the key of the
/// last row shown), or `None` on the last page.
pub fn next_page<T>(rows: &[T], key: impl Fn(&T) -> Vec<(&'static str, String)>) -> Option<String> {
    if rows.len() as i64 != crate::service::PAGE_SIZE {
        return None;
    }
    rows.last()
        .and_then(|last| serde_urlencoded::to_string(key(last)).ok())
}

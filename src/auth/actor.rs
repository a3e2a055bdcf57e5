//! The actor: the signed-in user with their organisation, role and active brand, resolved once
//! per request from the session and the database. The tenant scope comes only from here, never
//! from the request.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use super::session;
use crate::app::AppState;
use crate::db;
use crate::db::scope::{self, Scope};
use crate::domain::ids::{OrgId, TenantId, UserId};
use crate::domain::org::{self, OrgKind, Permission, Role};
use crate::domain::time::UtcMillis;
use crate::error::AppError;
use crate::i18n::Lang;

/// The brand whose data a request works on.
#[derive(Clone, Debug)]
pub struct TenantScope {
    pub tenant_id: TenantId,
    pub tenant_name: String,
    /// For partner users: their organisation, which further narrows what they see.
    pub partner_org_id: Option<OrgId>,
}

pub use crate::db::identity::BrandChoice;

#[derive(Clone, Debug)]
pub struct Actor {
    pub user_id: UserId,
    pub org_id: OrgId,
    pub org_kind: OrgKind,
    pub org_name: String,
    pub role: Role,
    pub email: String,
    pub display_name: String,
    pub locale: Option<Lang>,
    pub scope: Option<TenantScope>,
    /// Brands the user's organisation actively serves (partners only).
    pub brands: Vec<BrandChoice>,
    pub client_addr: Option<String>,
    /// When the user last proved their password (sign-in or re-authentication).
    pub authenticated_at: UtcMillis,
    /// Unread notifications in the active brand as the request began, when read with the user
    /// (the page header shows them).
    pub unread_notifications: Option<i64>,
}

impl Actor {
    pub fn can(&self, permission: Permission) -> bool {
        org::allows(self.org_kind, self.role, permission)
    }

    pub fn is_partner(&self) -> bool {
        self.org_kind.is_partner()
    }

    /// The database scope the actor's requests run in (row-level security, `db::scope`): the
    /// active brand; the platform operator's administration, which crosses brands; no brand's
    /// rows for a partner without an active brand.
    pub fn db_scope(&self) -> Scope {
        match (&self.scope, self.org_kind) {
            (Some(scope), _) => Scope::Tenant(scope.tenant_id),
            (None, OrgKind::Platform) => Scope::System,
            (None, _) => Scope::Nothing,
        }
    }
}

/// The client's address: the socket peer, or the first `X-Forwarded-For` hop behind a trusted
/// proxy.
pub fn client_addr(parts: &Parts, trust_proxy: bool) -> Option<String> {
    if trust_proxy
        && let Some(forwarded) = parts.headers.get("x-forwarded-for")
        && let Ok(text) = forwarded.to_str()
        && let Some(first) = text.split(',').next()
    {
        return Some(first.trim().to_owned());
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
}

/// Resolves the session to an actor, or `None` when nobody (valid) is signed in. A session
/// past its absolute timeout, of a disabled user, or older than the user's last credential
/// change is ended here.
pub async fn resolve(
    state: &AppState,
    session: &Session,
    client: Option<String>,
) -> Result<Option<Actor>, AppError> {
    let Some((user_id, login_at)) = session::signed_in(session).await? else {
        return Ok(None);
    };
    let now = UtcMillis::now();
    let wanted = session::active_tenant(session).await?;
    // PostgreSQL's session store read the identity with the session (`db::identity`).
    let identity = match db::identity::prefetched(user_id, wanted) {
        Some(identity) => Some(identity),
        None => {
            let mut conn = state.db.read().await?;
            db::identity::of_user(&mut conn, user_id, wanted).await?
        }
    };
    let valid = identity.as_ref().is_some_and(|i| {
        session::still_valid(
            login_at,
            UtcMillis(i.user.credentials_changed_at),
            i.user.is_active(),
            now,
        )
    });
    let Some(identity) = identity.filter(|_| valid) else {
        session::end(session).await?;
        return Ok(None);
    };
    session::keep_alive(session, now).await?;
    let db::identity::Identity {
        user,
        brands: served,
        unread_in,
        unread,
    } = identity;

    let mut brands = Vec::new();
    let scope = match user.org_kind {
        OrgKind::Brand => Some(TenantScope {
            tenant_id: TenantId::of_brand(user.org_id),
            tenant_name: user.org_name.clone(),
            partner_org_id: None,
        }),
        OrgKind::Platform => None,
        _ => {
            brands = served;
            let chosen = wanted
                .and_then(|t| brands.iter().find(|b| b.tenant_id == t))
                .or_else(|| brands.first());
            if let Some(choice) = chosen
                && wanted != Some(choice.tenant_id)
            {
                session::set_active_tenant(session, choice.tenant_id).await?;
            }
            chosen.map(|b| TenantScope {
                tenant_id: b.tenant_id,
                tenant_name: b.name.clone(),
                partner_org_id: Some(user.org_id),
            })
        }
    };
    let unread_notifications = scope
        .as_ref()
        .filter(|s| s.tenant_id == unread_in)
        .map(|_| unread);

    Ok(Some(Actor {
        user_id: user.id,
        org_id: user.org_id,
        org_kind: user.org_kind,
        org_name: user.org_name,
        role: user.role,
        email: user.email,
        display_name: user.display_name,
        locale: user.locale.as_deref().and_then(Lang::parse),
        scope,
        brands,
        client_addr: client,
        authenticated_at: session::authenticated_at(session, login_at).await?,
        unread_notifications,
    }))
}

/// Sends a signed-out visitor to sign in and back. An htmx request gets `HX-Redirect`, so the
/// whole page goes to the sign-in form instead of a fragment being swapped in.
fn login_redirect(uri: &Uri, htmx: bool) -> Response {
    let next = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let query = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
    let target = format!("/login?{query}");
    if htmx {
        let mut response = StatusCode::UNAUTHORIZED.into_response();
        if let Ok(value) = HeaderValue::from_str(&target) {
            response.headers_mut().insert("hx-redirect", value);
        }
        return response;
    }
    Redirect::to(&target).into_response()
}

async fn authenticate(
    state: &AppState,
    request: &mut Request,
) -> Result<Result<Actor, Response>, AppError> {
    let (mut parts, body) = std::mem::take(request).into_parts();
    let session = Session::from_request_parts(&mut parts, state)
        .await
        .map_err(|_| AppError::Internal(anyhow::anyhow!("session layer missing")))?;
    let client = client_addr(&parts, state.config.trust_proxy);
    // Finding who is asking crosses brands (the user, the brands a partner serves).
    let resolved = scope::system(resolve(state, &session, client)).await;
    let method = parts.method.clone();
    let uri = parts.uri.clone();
    let htmx = parts.headers.contains_key("hx-request");
    *request = Request::from_parts(parts, body);
    match resolved? {
        Some(actor) => Ok(Ok(actor)),
        None if method == Method::GET => Ok(Err(login_redirect(&uri, htmx))),
        None => Err(AppError::Unauthorized),
    }
}

/// Route layer for pages that need a signed-in user.
pub async fn require_login(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Result<Response, AppError> {
    match authenticate(&state, &mut request).await? {
        Ok(actor) => {
            let scope = actor.db_scope();
            request.extensions_mut().insert(actor);
            Ok(scope::within(scope, next.run(request)).await)
        }
        Err(redirect) => Ok(redirect),
    }
}

/// Route layer for tenant-scoped pages: a signed-in user with an active brand. Platform
/// operators have no brand; to them these pages do not exist.
pub async fn require_tenant(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Result<Response, AppError> {
    match authenticate(&state, &mut request).await? {
        Ok(actor) if actor.scope.is_some() => {
            let scope = actor.db_scope();
            request.extensions_mut().insert(actor);
            Ok(scope::within(scope, next.run(request)).await)
        }
        Ok(actor) if actor.is_partner() => Err(AppError::NoActiveBrand),
        Ok(_) => Err(AppError::NotFound),
        Err(redirect) => Ok(redirect),
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Actor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Actor>().cloned().ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!(
                "Actor extracted on a route without a login layer"
            ))
        })
    }
}

/// The actor if one is signed in, on any route (public pages adapt to it).
#[derive(Clone, Debug)]
pub struct MaybeActor(pub Option<Actor>);

impl FromRequestParts<AppState> for MaybeActor {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(actor) = parts.extensions.get::<Actor>() {
            return Ok(MaybeActor(Some(actor.clone())));
        }
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::Internal(anyhow::anyhow!("session layer missing")))?;
        let client = client_addr(parts, state.config.trust_proxy);
        let actor = scope::system(resolve(state, &session, client)).await?;
        if let Some(actor) = &actor {
            parts.extensions.insert(actor.clone());
        }
        Ok(MaybeActor(actor))
    }
}

/// The client address as an extractor, for use cases that record it (sign-in, audit).
#[derive(Clone, Debug)]
pub struct ClientAddr(pub Option<String>);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(client_addr(parts, state.config.trust_proxy)))
    }
}

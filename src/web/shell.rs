//! The page shell every template extends: language, CSRF token, navigation for the user's role,
//! brand switcher, flash messages. Handlers get it through the [`Shell`] extractor.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use tower_sessions::Session;

use crate::app::AppState;
use crate::assets;
use crate::auth::actor::{Actor, BrandChoice, MaybeActor};
use crate::auth::session::{self, Flash};
use crate::domain::ids::TenantId;
use crate::domain::org::{OrgKind, Permission};
use crate::error::AppError;
use crate::i18n::Lang;

pub struct NavItem {
    pub href: &'static str,
    pub label_key: &'static str,
    pub current: bool,
}

/// What the header shows about the signed-in user.
pub struct ShellUser {
    pub display_name: String,
    pub email: String,
    pub org_name: String,
    pub role_key: &'static str,
    pub active_brand: Option<(TenantId, String)>,
    /// Brands a partner can switch between (empty for brand and platform users).
    pub brands: Vec<BrandChoice>,
}

impl ShellUser {
    pub fn is_active_brand(&self, tenant: &TenantId) -> bool {
        self.active_brand
            .as_ref()
            .is_some_and(|(id, _)| id == tenant)
    }
}

/// Everything `base.html` needs.
pub struct PageCtx {
    pub lang: Lang,
    pub csrf: String,
    pub user: Option<ShellUser>,
    pub nav: Vec<NavItem>,
    pub flashes: Vec<Flash>,
    pub current_path: String,
    pub request_id: String,
    /// Unread notifications in the active brand (the bell in the header).
    pub unread: i64,
}

impl PageCtx {
    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }

    pub fn t1(&self, key: &str, arg: impl std::fmt::Display) -> String {
        self.lang.t1(key, arg)
    }

    /// The bell's count: "99+" once the count reaches its cap (see `db::notifications::UNREAD_CAP`).
    pub fn unread_badge(&self) -> String {
        if self.unread >= crate::db::notifications::UNREAD_CAP {
            format!("{}+", crate::db::notifications::UNREAD_CAP - 1)
        } else {
            self.unread.to_string()
        }
    }

    pub fn t2(&self, key: &str, a: impl std::fmt::Display, b: impl std::fmt::Display) -> String {
        self.lang.t2(key, a, b)
    }

    pub fn flash_text(&self, flash: &Flash) -> String {
        match &flash.arg {
            Some(arg) => self.lang.t1(&flash.key, arg),
            None => self.lang.t(&flash.key).to_owned(),
        }
    }

    pub fn asset(&self, logical: &str) -> &'static str {
        assets::url(logical)
    }

    pub fn lang_code(&self) -> &'static str {
        self.lang.code()
    }

    pub fn other_langs(&self) -> Vec<Lang> {
        Lang::ALL.into_iter().filter(|l| *l != self.lang).collect()
    }

    pub fn money(&self, minor: &i64, currency: &str) -> String {
        crate::domain::money::display(*minor, currency)
    }

    pub fn date(&self, millis: &i64) -> String {
        crate::domain::time::UtcMillis(*millis).display_utc()
    }
}

/// Extractor giving a handler the shell of the page it renders.
pub struct Shell {
    state: Option<AppState>,
    session: Session,
    actor: Option<Actor>,
    lang: Lang,
    path: String,
    request_id: String,
}

impl FromRequestParts<AppState> for Shell {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let MaybeActor(actor) = MaybeActor::from_request_parts(parts, state).await?;
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::Internal(anyhow::anyhow!("session layer missing")))?;
        let lang = resolve_lang(actor.as_ref(), &session, &parts.headers).await;
        Ok(Shell {
            state: Some(state.clone()),
            session,
            actor,
            lang,
            path: parts.uri.path().to_owned(),
            request_id: request_id(&parts.headers),
        })
    }
}

/// User setting, then the session's choice, then `Accept-Language`, then English.
pub async fn resolve_lang(actor: Option<&Actor>, session: &Session, headers: &HeaderMap) -> Lang {
    if let Some(lang) = actor.and_then(|a| a.locale) {
        return lang;
    }
    if let Ok(Some(lang)) = session::lang(session).await {
        return lang;
    }
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Lang::from_accept_language)
        .unwrap_or_default()
}

pub fn request_id(headers: &HeaderMap) -> String {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_owned()
}

impl Shell {
    pub fn lang(&self) -> Lang {
        self.lang
    }

    pub fn actor(&self) -> Option<&Actor> {
        self.actor.as_ref()
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    /// Builds the page context, consuming pending flash messages.
    pub async fn page(&self) -> Result<PageCtx, AppError> {
        let unread = match (&self.actor, &self.state) {
            // Read with the user when the request began.
            (
                Some(Actor {
                    unread_notifications: Some(unread),
                    ..
                }),
                _,
            ) => *unread,
            (Some(actor), Some(state)) => {
                crate::service::notifications::unread_count(state, actor).await?
            }
            _ => 0,
        };
        let csrf = session::csrf_token(&self.session).await?;
        let flashes = session::take_flashes(&self.session).await?;
        let user = self.actor.as_ref().map(|a| ShellUser {
            display_name: a.display_name.clone(),
            email: a.email.clone(),
            org_name: a.org_name.clone(),
            role_key: a.role.label_key(),
            active_brand: a
                .scope
                .as_ref()
                .map(|s| (s.tenant_id, s.tenant_name.clone())),
            brands: a.brands.clone(),
        });
        Ok(PageCtx {
            lang: self.lang,
            csrf,
            nav: self
                .actor
                .as_ref()
                .map(|a| nav_for(a, &self.path))
                .unwrap_or_default(),
            user,
            flashes,
            current_path: self.path.clone(),
            request_id: self.request_id.clone(),
            unread,
        })
    }

    pub async fn flash(&self, flash: Flash) -> Result<(), AppError> {
        session::push_flash(&self.session, flash).await?;
        Ok(())
    }
}

fn nav_for(actor: &Actor, path: &str) -> Vec<NavItem> {
    let mut items: Vec<(&'static str, &'static str)> = vec![("/", "nav.home")];
    if actor.scope.is_some()
        && matches!(
            actor.org_kind,
            OrgKind::Brand | OrgKind::Supplier | OrgKind::Factory
        )
    {
        items.push(("/orders", "nav.orders"));
    }
    if actor.scope.is_some() && actor.org_kind == OrgKind::Warehouse {
        items.push(("/inbound", "nav.inbound"));
    }
    if actor.scope.is_some()
        && (matches!(actor.org_kind, OrgKind::Supplier | OrgKind::Factory)
            || actor.can(Permission::DecideInvoices)
            || (actor.org_kind == OrgKind::Brand && actor.can(Permission::ManageOrders)))
    {
        items.push(("/invoices", "nav.invoices"));
    }
    if actor.scope.is_some() && matches!(actor.org_kind, OrgKind::Supplier | OrgKind::Factory) {
        items.push(("/financing", "nav.finance"));
    }
    if actor.scope.is_some()
        && (matches!(
            actor.org_kind,
            OrgKind::Supplier | OrgKind::Factory | OrgKind::Financier
        ) || actor.can(Permission::DecideInvoices))
    {
        items.push(("/financings", "nav.financings"));
    }
    if actor.scope.is_some()
        && actor.org_kind == OrgKind::Brand
        && actor.can(Permission::ViewPartners)
    {
        items.push(("/sla", "nav.sla"));
    }
    if actor.scope.is_some()
        && matches!(
            actor.org_kind,
            OrgKind::Brand | OrgKind::Supplier | OrgKind::Factory
        )
    {
        items.push(("/trace", "nav.trace"));
    }
    if actor.scope.is_some() && actor.org_kind == OrgKind::Brand {
        items.push(("/complaints", "nav.complaints"));
    }
    if actor.scope.is_some()
        && matches!(
            actor.org_kind,
            OrgKind::Supplier | OrgKind::Factory | OrgKind::Warehouse
        )
    {
        items.push(("/sla/scorecards", "nav.scorecard"));
    }
    if actor.can(Permission::OperatePlatform) {
        items.push(("/platform/brands", "nav.brands"));
        items.push(("/platform/orgs", "nav.organisations"));
    }
    if actor.org_kind == OrgKind::Brand && actor.can(Permission::ViewPartners) {
        items.push(("/admin/partners", "nav.partners"));
    }
    if actor.org_kind == OrgKind::Brand && actor.can(Permission::ManagePartners) {
        items.push(("/admin/audit", "nav.audit"));
        items.push(("/admin/settings", "nav.settings"));
    }
    if actor.can(Permission::ManageOwnUsers) {
        items.push(("/admin/users", "nav.users"));
        items.push(("/admin/invitations", "nav.invitations"));
        if actor.scope.is_some() {
            items.push(("/admin/api-clients", "nav.api_clients"));
            items.push(("/settings/webhooks", "webhooks.nav"));
        }
    }
    items
        .into_iter()
        .map(|(href, label_key)| NavItem {
            href,
            label_key,
            current: if href == "/" {
                path == "/"
            } else {
                path.starts_with(href)
            },
        })
        .collect()
}

/// Only same-site paths may be redirected to: `/x` yes; `//host`, `/\host`, `http://…` no.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && !n.chars().any(|c| c.is_control() || c == '\\') =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_only_points_inside_portico() {
        assert_eq!(safe_next(Some("/admin/users?x=1")), "/admin/users?x=1");
        for evil in [
            "//evil.test",
            "/\\evil.test",
            "https://evil.test",
            "evil.test",
            "/\t/evil.test",
            "javascript:alert(1)",
            "/x\\y",
        ] {
            assert_eq!(safe_next(Some(evil)), "/", "{evil:?} accepted");
        }
        assert_eq!(safe_next(None), "/");
    }
}

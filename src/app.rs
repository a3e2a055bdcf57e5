//! Application state, router assembly with its middleware, and the server's life cycle.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::auth::csrf::verify_csrf;
use crate::auth::session::IDLE_TIMEOUT_SECS;
use crate::config::Config;
use crate::db::Db;
use crate::db::sessions::PorticoSessionStore;
use crate::error::AppError;
use crate::mail::{Mail, Mailer};
use crate::signing::master_key::MasterKey;
use crate::web;
use crate::web::errors::{not_found_fallback, render_error_pages};

/// What every request shares, behind one `Arc`: extractors clone the state for each request
/// (several times), and cloning a dozen fields cost a few per cent of a light page's CPU.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

#[derive(Clone)]
pub struct Shared {
    pub db: Db,
    pub config: Arc<Config>,
    pub master: Arc<MasterKey>,
    mailer: Arc<Mailer>,
    mail_from: Arc<str>,
    /// Wakes the outbox worker after a commit that queued work.
    pub outbox_wake: Arc<tokio::sync::Notify>,
    /// The time use cases stamp events with (tests move it; see `clock.rs`).
    pub clock: crate::clock::Clock,
    /// Wakes the SLA scheduler (after the clock moved, or to pass at once).
    pub sla_wake: Arc<tokio::sync::Notify>,
    /// Per-client request budget of the API.
    pub api_limiter: Arc<crate::api::rate_limit::RateLimiter>,
    /// Wakes the webhook delivery worker (after a commit that queued deliveries).
    pub webhook_wake: Arc<tokio::sync::Notify>,
    /// OIDC discovery and JWKS fetches, cached per issuer.
    pub oidc: Arc<crate::auth::oidc::Oidc>,
    /// Audit entries of views, group-committed (see `service::view_audit`).
    pub view_audit: crate::service::view_audit::ViewAudit,
    /// The ops dashboard's partner filter per brand and board revision.
    pub board_partners: crate::service::sla::board_partners::BoardPartners,
}

impl AppState {
    pub fn new(db: Db, config: Config) -> anyhow::Result<Self> {
        let (mailer, from) = Mailer::from_config(&config)?;
        let master = config.load_master_key()?;
        let api_limiter = Arc::new(crate::api::rate_limit::RateLimiter::new(
            config.api_rate_per_minute,
        ));
        let oidc = crate::auth::oidc::Oidc::new(config.oidc_allow_http)?;
        Ok(AppState(Arc::new(Shared {
            oidc: Arc::new(oidc),
            view_audit: crate::service::view_audit::ViewAudit::start(db.clone()),
            db,
            master: Arc::new(master),
            config: Arc::new(config),
            mailer: Arc::new(mailer),
            mail_from: from.into(),
            outbox_wake: Arc::new(tokio::sync::Notify::new()),
            api_limiter,
            clock: crate::clock::Clock::default(),
            sla_wake: Arc::new(tokio::sync::Notify::new()),
            webhook_wake: Arc::new(tokio::sync::Notify::new()),
            board_partners: Default::default(),
        })))
    }

    /// The same state on another database handle (the tests' fixtures use the owner's
    /// connection while the app runs on its own).
    pub fn on_db(&self, db: Db) -> Self {
        let mut shared = (*self.0).clone();
        shared.db = db;
        AppState(Arc::new(shared))
    }

    /// This state on `clock` (a replica in the tests shares the first process's clock). Only
    /// before the state is shared.
    pub fn with_clock(mut self, clock: crate::clock::Clock) -> Self {
        Arc::get_mut(&mut self.0)
            .expect("the clock is set before the state is shared")
            .clock = clock;
        self
    }

    /// Now, by the clock use cases run on.
    pub fn now(&self) -> crate::domain::time::UtcMillis {
        self.clock.now()
    }

    /// Sends a mail after the use case committed. A failed send is logged; the page still shows
    /// what the mail would have carried (e.g. the invitation link to copy).
    pub async fn send_mail(&self, mail: Mail) {
        let to = mail.to.clone();
        if let Err(err) = self.mailer.send(&self.mail_from, mail).await {
            tracing::error!(error = %err, to, "could not send e-mail");
        }
    }

    /// Sends a mail and reports failure to the caller (the outbox retries).
    pub async fn send_mail_checked(&self, mail: Mail) -> anyhow::Result<()> {
        self.mailer.send(&self.mail_from, mail).await
    }

    pub fn mailer_description(&self) -> String {
        self.mailer.describe(&self.config)
    }
}

/// The whole application as one router, ready to serve.
pub fn router(state: AppState, sessions: PorticoSessionStore) -> Router {
    let session_layer = SessionManagerLayer::new(sessions)
        .with_name(state.config.session_cookie_name())
        .with_secure(!state.config.dev)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::seconds(
            IDLE_TIMEOUT_SECS,
        )));

    let https = state.config.public_url.starts_with("https://");
    web::routes()
        .into_router(&state)
        .merge(crate::api::router(&state))
        .fallback(not_found_fallback)
        .layer(middleware::from_fn(verify_csrf))
        .layer(middleware::from_fn(script_redirects))
        .layer(CatchPanicLayer::custom(|_panic| {
            AppError::Internal(anyhow::anyhow!("handler panicked")).into_response()
        }))
        .layer(middleware::from_fn(render_error_pages))
        .layer(session_layer)
        .layer(middleware::from_fn(share_reads))
        .layer(middleware::from_fn(move |req: Request, next: Next| {
            security_headers(https, req, next)
        }))
        .layer(DefaultBodyLimit::max(2 * 1024 * 1024))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    let request_id = request
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!(
                        "request",
                        method = %request.method(),
                        path = %request.uri().path(),
                        request_id = %request_id,
                    )
                })
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// A page's reads share one connection (PostgreSQL, see `db::request_reader`); it goes back when
/// the response is ready, before the body is sent. Only for GET and HEAD: a form or an upload
/// may stream its body for a long time after the first read, and must not hold a connection
/// meanwhile.
async fn share_reads(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD) {
        crate::db::request_reader::within_request(next.run(req)).await
    } else {
        next.run(req).await
    }
}

/// Header by which the upload script asks for redirects as data: an XMLHttpRequest would follow
/// a 303 by itself, loading the next page (and using up its flash message) out of sight.
pub const SCRIPT_REQUEST: &str = "x-portico-upload";
/// Where the script should go next, instead of `Location`.
pub const SCRIPT_LOCATION: &str = "x-portico-location";

/// Turns redirects into `200` with the target in `X-Portico-Location` for the upload script.
async fn script_redirects(request: Request, next: Next) -> Response {
    let from_script = request.method() == axum::http::Method::POST
        && request.headers().contains_key(SCRIPT_REQUEST);
    let response = next.run(request).await;
    if !from_script || !response.status().is_redirection() {
        return response;
    }
    let Some(location) = response.headers().get(header::LOCATION).cloned() else {
        return response;
    };
    let mut answer = axum::http::StatusCode::OK.into_response();
    answer
        .headers_mut()
        .insert(HeaderName::from_static(SCRIPT_LOCATION), location);
    // Keep the session cookie the handler may have set with its flash.
    for cookie in response.headers().get_all(header::SET_COOKIE) {
        answer
            .headers_mut()
            .append(header::SET_COOKIE, cookie.clone());
    }
    answer
}

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; \
     font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
     base-uri 'none'; object-src 'none'";

/// Security headers on every response; pages are never cached unless they say otherwise.
async fn security_headers(https: bool, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let mut set = |name: HeaderName, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(header::CONTENT_SECURITY_POLICY, CSP);
    set(header::X_FRAME_OPTIONS, "DENY");
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::REFERRER_POLICY, "same-origin");
    set(
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    set(
        HeaderName::from_static("permissions-policy"),
        "geolocation=(), microphone=(), payment=(), usb=()",
    );
    if https {
        set(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// A running server: its address and the handle that stops it.
pub struct Running {
    pub addr: SocketAddr,
    pub state: AppState,
    shutdown: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    pub async fn stop(self) {
        let _ = self.shutdown.send(());
        let _ = self.task.await;
    }
}

/// Connects to the configured database and brings its schema up to date (as the URL's login;
/// the pool itself runs as the application's role, see `Config::db_app_role`).
pub async fn open_database(config: &Config) -> anyhow::Result<Db> {
    let db = Db::connect(&config.database_url, config.db_app_role.as_deref()).await?;
    db.migrate().await?;
    db.check_app_role().await?;
    Ok(db)
}

/// Starts serving on `listener` in the background (`serve` and the tests).
pub async fn start(state: AppState, listener: TcpListener) -> anyhow::Result<Running> {
    let sessions = PorticoSessionStore::connect(&state.db).await?;
    sessions.spawn_cleanup(Duration::from_secs(300));
    crate::jobs::outbox::spawn(state.clone(), state.outbox_wake.clone());
    crate::jobs::reminders::spawn(state.clone());
    crate::jobs::housekeeping::spawn(state.clone());
    if state.config.timed_jobs {
        crate::jobs::sla::spawn(state.clone(), state.sla_wake.clone());
        crate::jobs::digest::spawn(state.clone());
        crate::jobs::overdue::spawn(state.clone());
        crate::jobs::webhooks::spawn(state.clone(), state.webhook_wake.clone());
    }
    let app = router(state.clone(), sessions);
    let addr = listener.local_addr()?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            let _ = rx.await;
        })
        .await
    });
    Ok(Running {
        addr,
        state,
        shutdown: tx,
        task,
    })
}

/// Listens for Ctrl-C and SIGTERM from the call on; the future resolves on either. Call it before
/// the server starts answering: a handler registered only when the future is first polled left
/// a moment after start-up in which SIGTERM killed the process instead of stopping it.
#[cfg(unix)]
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    use tokio::signal::unix::{Signal, SignalKind, signal};
    // A signal that could not be registered never arrives.
    async fn next(signal: Option<Signal>) {
        match signal {
            Some(mut signal) => {
                signal.recv().await;
            }
            None => std::future::pending().await,
        }
    }
    let interrupt = next(signal(SignalKind::interrupt()).ok());
    let terminate = next(signal(SignalKind::terminate()).ok());
    async move {
        tokio::select! {
            () = interrupt => {},
            () = terminate => {},
        }
    }
}

/// Resolves on Ctrl-C.
#[cfg(not(unix))]
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}

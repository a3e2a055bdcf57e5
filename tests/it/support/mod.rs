//! The test harness: `TestApp` runs the real application on port 0 against a fresh database
//! (a SQLite file in a temporary directory, or a fresh PostgreSQL database when
//! `PORTICO_TEST_DATABASE_URL` is set), and `TestClient` talks to it over HTTP like a browser:
//! it keeps cookies, reads forms from pages and submits them with their CSRF token.
//!
//! Tests that run the `portico` binary while the app serves use a multi-threaded runtime: the
//! blocking wait for the child must not freeze the app's own tasks (one of which may hold
//! SQLite's write lock the child needs).

pub mod api;
pub mod client;
pub mod finance;
pub mod fixtures;
pub mod invite;
pub mod isolation;
pub mod orders;
pub mod query_count;
pub mod receiver;
pub mod replica;
pub mod trace_chain;

use std::path::PathBuf;

use portico::app::{self, Running};
use portico::config::Config;
use portico::db::Db;
use portico::domain::ids::{OrgId, UserId};
use tempfile::TempDir;

pub use client::{Page, TestClient};

/// Runs a use case called directly the way the app runs it for `actor`: in the actor's
/// database scope (row-level security on PostgreSQL). Pass it the app's own state
/// (`TestApp::state`), so the call goes through the app's pool as a request would.
pub async fn as_actor<F: std::future::Future>(
    actor: &portico::auth::actor::Actor,
    work: F,
) -> F::Output {
    portico::db::scope::within(actor.db_scope(), work).await
}

/// The password every demo user gets in tests.
pub const DEMO_PASSWORD: &str = "demo-password-1234";

pub struct TestApp {
    pub base_url: String,
    /// The test's own handle on the database. On PostgreSQL it connects as the tables' owner,
    /// which row-level security does not restrict (the test sees and sets up every brand's
    /// rows, like an operator's console); on SQLite it is the app's own.
    pub db: Db,
    /// The app's state on the test's own handle, for fixtures that call use cases directly.
    fixture: portico::app::AppState,
    pub data_dir: TempDir,
    running: Option<Running>,
    postgres: Option<PgDatabase>,
}

pub struct Options {
    pub demo: bool,
    /// The demo purchase orders too (slower: each goes through the real use cases).
    pub demo_orders: bool,
    pub dev: bool,
    /// The API's per-client budget (requests per minute).
    pub api_rate_per_minute: u32,
    /// Webhooks may call loopback receivers (`--webhooks-allow-private`).
    pub webhooks_allow_private: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            demo: true,
            demo_orders: false,
            dev: false,
            api_rate_per_minute: 600,
            webhooks_allow_private: false,
        }
    }
}

impl TestApp {
    /// The application with the demo data.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(Options::default()).await
    }

    pub async fn spawn_with(options: Options) -> TestApp {
        Self::spawn_configured(options, |_| {}).await
    }

    /// The application with a configuration the test adjusts first (e.g. a setting flag).
    pub async fn spawn_configured(options: Options, adjust: impl FnOnce(&mut Config)) -> TestApp {
        install_tracing();
        let data_dir = tempfile::tempdir().expect("temp dir");
        let postgres = PgDatabase::create_if_configured().await;
        let database_url = match &postgres {
            Some(pg) => pg.url.clone(),
            None => format!("sqlite://{}", data_dir.path().join("portico.db").display()),
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let mut config = Config::for_data_dir(data_dir.path().to_path_buf(), database_url);
        config.public_url = format!("http://{addr}");
        config.listen = addr;
        config.dev = options.dev;
        config.api_rate_per_minute = options.api_rate_per_minute;
        config.webhooks_allow_private = options.webhooks_allow_private;
        // Tests run the SLA scheduler's passes themselves (`run_due`), at the times they set.
        config.timed_jobs = false;
        adjust(&mut config);
        let db = app::open_database(&config).await.expect("database");
        let own_db = match &postgres {
            Some(pg) => Db::connect(&pg.url, None).await.expect("owner connection"),
            None => db.clone(),
        };
        if options.demo {
            let master = config.load_master_key().expect("master key");
            portico::service::demo::seed(&db, &master, DEMO_PASSWORD)
                .await
                .expect("demo seed");
        }
        let state = app::AppState::new(db.clone(), config).expect("state");
        if options.demo_orders {
            portico::service::demo_orders::seed(&state)
                .await
                .expect("demo orders");
        }
        let running = app::start(state, listener).await.expect("app starts");
        let fixture = running.state.on_db(own_db.clone());
        TestApp {
            base_url: format!("http://{addr}"),
            db: own_db,
            fixture,
            data_dir,
            running: Some(running),
            postgres,
        }
    }

    /// The running app's state: its pool is the app's own, which row-level security applies
    /// to on PostgreSQL (a job run through it proves it sets its scope itself).
    pub fn state(&self) -> &portico::app::AppState {
        &self.running.as_ref().expect("running").state
    }

    /// The app's state on the test's own handle (`db`): for fixtures and checks that call use
    /// cases directly, outside any request's scope.
    pub fn fixture_state(&self) -> &portico::app::AppState {
        &self.fixture
    }

    pub fn client(&self) -> TestClient {
        TestClient::new(&self.base_url)
    }

    /// A client signed in as a demo user.
    pub async fn login(&self, email: &str) -> TestClient {
        let client = self.client();
        let page = client.login(email, DEMO_PASSWORD).await;
        assert_eq!(page.status, 303, "sign-in as {email} failed: {}", page.body);
        client
    }

    /// Delivers what is due and waits (up to 10 s) until every queued e-mail is sent. The app's
    /// own outbox worker may have claimed a mail first and still be writing its file when
    /// `deliver_due` returns; a mail counts once its outbox row is marked sent.
    pub async fn outbox_settled(&self) {
        let until = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            portico::jobs::outbox::deliver_due(self.state())
                .await
                .expect("outbox delivery");
            let mut conn = self.db.reader().acquire().await.expect("connection");
            let waiting: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM outbox WHERE kind = 'email' AND sent_at IS NULL \
                 AND last_error IS NULL",
            )
            .fetch_one(&mut *conn)
            .await
            .expect("outbox count");
            if waiting == 0 || std::time::Instant::now() > until {
                return;
            }
            drop(conn);
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// Whether a sent mail matches `wanted`, once the outbox has settled.
    pub async fn delivered(&self, wanted: impl Fn(&SentMail) -> bool) -> bool {
        self.outbox_settled().await;
        self.mails().iter().any(wanted)
    }

    /// Bodies of the e-mails sent so far, oldest first.
    pub fn mails(&self) -> Vec<SentMail> {
        let dir: PathBuf = self.data_dir.path().join("mail");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Vec::new();
        };
        let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .map(|p| {
                (
                    std::fs::metadata(&p)
                        .and_then(|m| m.modified())
                        .expect("mtime"),
                    p,
                )
            })
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|(_, path)| {
                let raw = std::fs::read(&path).expect("mail file");
                let message = mail_parser::MessageParser::default()
                    .parse(&raw)
                    .expect("mail parses");
                SentMail {
                    to: message
                        .to()
                        .and_then(|a| a.first())
                        .and_then(|a| a.address())
                        .unwrap_or_default()
                        .to_owned(),
                    subject: message.subject().unwrap_or_default().to_owned(),
                    body: message
                        .body_text(0)
                        .map(|b| b.into_owned())
                        .unwrap_or_default(),
                }
            })
            .collect()
    }

    pub async fn org_id(&self, name: &str) -> OrgId {
        let mut conn = self.db.reader().acquire().await.expect("conn");
        let orgs = portico::db::orgs::find_by_name(&mut conn, name)
            .await
            .expect("query");
        orgs.first().unwrap_or_else(|| panic!("no org {name}")).id
    }

    pub async fn user_id(&self, email: &str) -> UserId {
        let mut conn = self.db.reader().acquire().await.expect("conn");
        portico::db::users::with_org_by_email(&mut conn, email)
            .await
            .expect("query")
            .unwrap_or_else(|| panic!("no user {email}"))
            .id
    }

    /// The state of the data a tenant-scoped request could change, as one comparable string.
    pub async fn fingerprint(&self) -> String {
        fixtures::fingerprint(&self.db).await
    }
}

/// Errors the app logs appear with the failing test's output; the statement counter listens
/// beside them (see `query_count`).
fn install_tracing() {
    use tracing_subscriber::prelude::*;
    let shown = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "portico=warn".into());
    let _ = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_test_writer()
                .with_filter(shown),
        )
        .with(query_count::QueryCountLayer.with_filter(query_count::QueryCountFilter))
        .try_init();
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Stop serving first so pooled connections close before the database is dropped.
        drop(self.running.take());
        if let Some(pg) = self.postgres.take() {
            pg.drop_blocking();
        }
    }
}

pub struct SentMail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

impl SentMail {
    /// The first link in the body that starts with `prefix` (an absolute URL).
    pub fn link_starting(&self, prefix: &str) -> Option<String> {
        self.body
            .split_whitespace()
            .find(|w| w.starts_with(prefix))
            .map(|w| w.trim_end_matches(['.', ',', ')']).to_owned())
    }
}

/// A throwaway PostgreSQL database for one test.
struct PgDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl PgDatabase {
    async fn create_if_configured() -> Option<PgDatabase> {
        let admin_url = std::env::var("PORTICO_TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty())?;
        let name = format!("portico_t_{}", uuid::Uuid::new_v4().simple());
        let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin_url)
            .await
            .expect("PORTICO_TEST_DATABASE_URL reachable");
        sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE {name}").as_str())
            .await
            .expect("create test database");
        // A throwaway database need not wait for each commit to reach the disk; what the tests
        // check (locks, isolation, visibility) is the same either way.
        let relaxed = format!("ALTER DATABASE {name} SET synchronous_commit = off");
        sqlx::Executor::execute(&mut conn, relaxed.as_str())
            .await
            .expect("relax commit durability");
        let mut url = url::Url::parse(&admin_url).expect("valid URL");
        url.set_path(&format!("/{name}"));
        Some(PgDatabase {
            admin_url,
            name,
            url: url.to_string(),
        })
    }

    fn drop_blocking(self) {
        // Drop runs outside async; a short-lived runtime on its own thread does the cleanup.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(runtime) = runtime {
                runtime.block_on(async {
                    if let Ok(mut conn) =
                        <sqlx::PgConnection as sqlx::Connection>::connect(&self.admin_url).await
                    {
                        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
                        let _ = sqlx::Executor::execute(&mut conn, sql.as_str()).await;
                    }
                });
            }
        })
        .join();
    }
}

//! Settings from flags and the environment (every flag has a `PORTICO_*` twin).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;
use clap::builder::BoolishValueParser;

#[derive(Args, Clone, Debug)]
pub struct Settings {
    /// Address to serve on.
    #[arg(
        long,
        env = "PORTICO_LISTEN",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub listen: SocketAddr,

    /// Directory for the SQLite database, mail sink, keys and uploads.
    #[arg(
        long,
        env = "PORTICO_DATA_DIR",
        default_value = "./data",
        global = true
    )]
    pub data_dir: PathBuf,

    /// sqlite:… or postgres://…; defaults to a SQLite file in the data directory.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// Local development: session cookie without `Secure` and `__Host-` (plain http).
    #[arg(long, env = "PORTICO_DEV", value_parser = BoolishValueParser::new(), default_value = "false", num_args = 0..=1, default_missing_value = "true", global = true)]
    pub dev: bool,

    /// Seed demo data into an empty database at start (PORTICO_DEMO=false turns it off).
    #[arg(long = "demo", env = "PORTICO_DEMO", value_parser = BoolishValueParser::new(), default_value = "true", hide = true, global = true)]
    pub demo: bool,

    /// Do not seed demo data.
    #[arg(long = "no-demo", global = true)]
    pub no_demo: bool,

    /// Base URL used in e-mailed links; defaults to http://LISTEN.
    #[arg(long, env = "PORTICO_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// smtp://user:pass@host:587 (STARTTLS) or smtps://…; without it mail goes to DATA_DIR/mail.
    #[arg(long, env = "PORTICO_SMTP_URL", hide_env_values = true, global = true)]
    pub smtp_url: Option<String>,

    /// Sender of Portico's e-mail.
    #[arg(
        long,
        env = "PORTICO_MAIL_FROM",
        default_value = "Portico <no-reply@portico.localhost>",
        global = true
    )]
    pub mail_from: String,

    /// 32-byte key (hex or base64url) sealing organisations' private keys; without it a key
    /// file is created in the data directory (mode 0600).
    #[arg(
        long,
        env = "PORTICO_MASTER_KEY",
        hide_env_values = true,
        global = true
    )]
    pub master_key: Option<String>,

    /// Take the client address from X-Forwarded-For (only behind a proxy you run).
    #[arg(long, env = "PORTICO_TRUST_PROXY", value_parser = BoolishValueParser::new(), default_value = "false", num_args = 0..=1, default_missing_value = "true", global = true)]
    pub trust_proxy: bool,

    /// Requests per minute each API client may make (bursts up to a tenth of it, at least 10).
    #[arg(
        long,
        env = "PORTICO_API_RATE_PER_MINUTE",
        default_value = "600",
        global = true
    )]
    pub api_rate_per_minute: u32,
    /// Let webhooks call private, loopback and link-local addresses and plain http:// URLs
    /// (tests and local receivers only; never implied by --dev).
    #[arg(long, env = "PORTICO_WEBHOOKS_ALLOW_PRIVATE", value_parser = BoolishValueParser::new(), default_value = "false", num_args = 0..=1, default_missing_value = "true", global = true)]
    pub webhooks_allow_private: bool,
    /// Accept plain-http OIDC issuers (tests against a local provider only); `PORTICO_DEV`
    /// alone never allows it.
    #[arg(long, env = "PORTICO_OIDC_ALLOW_HTTP", value_parser = BoolishValueParser::new(), default_value = "false", num_args = 0..=1, default_missing_value = "true", global = true)]
    pub oidc_allow_http: bool,
    /// PostgreSQL: the role the application's connections switch to (`SET ROLE`) so that
    /// row-level security applies to them; empty for a login that is subject to it already.
    #[arg(
        long,
        env = "PORTICO_DB_APP_ROLE",
        default_value = DEFAULT_APP_ROLE,
        global = true
    )]
    pub db_app_role: String,
}

/// The role migration 0021 creates for the application.
pub const DEFAULT_APP_ROLE: &str = "portico_app";

/// Resolved configuration the running server uses.
#[derive(Clone, Debug)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub dev: bool,
    pub demo: bool,
    pub demo_password: Option<String>,
    pub public_url: String,
    pub smtp_url: Option<String>,
    pub mail_from: String,
    pub trust_proxy: bool,
    pub master_key: Option<String>,
    /// Webhooks may target private addresses and http:// (see `Settings`).
    pub webhooks_allow_private: bool,
    /// Whether OIDC issuers (and their endpoints) may be plain http.
    pub oidc_allow_http: bool,
    /// Whether this process runs the jobs that act on the (injected) clock: the SLA scheduler
    /// and the daily digests. The integration tests run their passes themselves, so a
    /// background pass never races their assertions.
    pub timed_jobs: bool,
    /// Requests per minute each API client may make.
    pub api_rate_per_minute: u32,
    /// PostgreSQL: the role the application's pool runs as (`None`: the login's own).
    pub db_app_role: Option<String>,
}

impl Config {
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&settings.data_dir)?;
        let database_url = match &settings.database_url {
            Some(url) if !url.is_empty() => url.clone(),
            _ => format!(
                "sqlite://{}",
                settings.data_dir.join("portico.db").display()
            ),
        };
        let public_url = settings
            .public_url
            .clone()
            .filter(|u| !u.trim().is_empty())
            .unwrap_or_else(|| format!("http://{}", settings.listen))
            .trim_end_matches('/')
            .to_owned();
        Ok(Config {
            listen: settings.listen,
            data_dir: settings.data_dir.clone(),
            database_url,
            dev: settings.dev,
            demo: settings.demo && !settings.no_demo,
            demo_password: std::env::var("PORTICO_DEMO_PASSWORD")
                .ok()
                .filter(|p| !p.is_empty()),
            public_url,
            smtp_url: settings.smtp_url.clone().filter(|u| !u.is_empty()),
            mail_from: settings.mail_from.clone(),
            trust_proxy: settings.trust_proxy,
            master_key: settings.master_key.clone().filter(|k| !k.trim().is_empty()),
            webhooks_allow_private: settings.webhooks_allow_private,
            oidc_allow_http: settings.oidc_allow_http,
            timed_jobs: true,
            api_rate_per_minute: settings.api_rate_per_minute.max(1),
            db_app_role: Some(settings.db_app_role.trim().to_owned()).filter(|r| !r.is_empty()),
        })
    }

    /// A configuration for tests and tools: everything under `data_dir`, dev cookies off.
    pub fn for_data_dir(data_dir: PathBuf, database_url: String) -> Self {
        Config {
            listen: "127.0.0.1:0".parse().expect("literal address"),
            public_url: "http://127.0.0.1".to_owned(),
            data_dir,
            database_url,
            dev: false,
            demo: true,
            demo_password: None,
            smtp_url: None,
            mail_from: "Portico <no-reply@portico.localhost>".to_owned(),
            trust_proxy: false,
            master_key: None,
            webhooks_allow_private: false,
            oidc_allow_http: false,
            timed_jobs: true,
            api_rate_per_minute: 600,
            db_app_role: Some(DEFAULT_APP_ROLE.to_owned()),
        }
    }

    /// The master key from the configuration or the data directory's key file.
    pub fn load_master_key(
        &self,
    ) -> Result<crate::signing::master_key::MasterKey, crate::signing::master_key::MasterKeyError>
    {
        crate::signing::master_key::MasterKey::load(self.master_key.as_deref(), &self.data_dir)
    }

    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.join("mail")
    }

    /// The session cookie's name: `__Host-` requires Secure, so dev mode drops both.
    pub fn session_cookie_name(&self) -> &'static str {
        if self.dev {
            "portico"
        } else {
            "__Host-portico"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        settings: Settings,
    }

    fn config(args: &[&str]) -> Config {
        let dir = tempfile_dir();
        let mut all = vec!["portico", "--data-dir", dir.as_str()];
        all.extend_from_slice(args);
        Config::from_settings(&Cli::parse_from(all).settings).unwrap()
    }

    fn tempfile_dir() -> String {
        std::env::temp_dir()
            .join("portico-config-test")
            .display()
            .to_string()
    }

    #[test]
    fn empty_values_mean_unset() {
        let c = config(&[
            "--public-url",
            "",
            "--database-url",
            "",
            "--listen",
            "127.0.0.1:9000",
        ]);
        assert_eq!(c.public_url, "http://127.0.0.1:9000");
        assert!(c.database_url.starts_with("sqlite://"));
    }

    #[test]
    fn public_url_loses_its_trailing_slash_and_demo_can_be_turned_off() {
        let c = config(&["--public-url", "https://portico.example.com/", "--no-demo"]);
        assert_eq!(c.public_url, "https://portico.example.com");
        assert!(!c.demo);
        assert!(!c.dev);
        assert_eq!(c.session_cookie_name(), "__Host-portico");
        assert_eq!(config(&["--dev"]).session_cookie_name(), "portico");
        assert!(
            !config(&["--dev"]).webhooks_allow_private,
            "dev alone keeps webhooks public"
        );
        assert!(config(&["--webhooks-allow-private"]).webhooks_allow_private);
    }

    #[test]
    fn plain_http_issuers_need_their_own_setting_not_dev_mode() {
        assert!(!config(&["--dev"]).oidc_allow_http);
        assert!(config(&["--oidc-allow-http"]).oidc_allow_http);
    }

    #[test]
    fn the_application_role_defaults_to_the_migrations_role_and_empty_means_the_login() {
        assert_eq!(config(&[]).db_app_role.as_deref(), Some(DEFAULT_APP_ROLE));
        assert_eq!(config(&["--db-app-role", ""]).db_app_role, None);
        assert_eq!(
            config(&["--db-app-role", "portico_web"])
                .db_app_role
                .as_deref(),
            Some("portico_web")
        );
    }
}

//! Structured logs: `RUST_LOG` filters, `PORTICO_LOG_FORMAT=json` for machine-readable lines.
//! Each request runs in a span carrying its request id, so every line it logs names it.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("portico=info,tower_http=info,sqlx=warn"));
    let json = std::env::var("PORTICO_LOG_FORMAT").is_ok_and(|f| f == "json");
    // Colours only for a person at a terminal; log files and collectors get plain text.
    let ansi = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(ansi);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

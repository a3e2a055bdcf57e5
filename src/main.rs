//! The `portico` command: `serve` (the default), `migrate`, `seed-demo`, `user add`.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use portico::app;
use portico::auth::tokens;
use portico::config::{Config, Settings};
use portico::db::Db;
use portico::db::sessions::PorticoSessionStore;

mod scale;
mod verify;
use portico::service::{audit_check, demo, demo_orders, orgs, platform};

#[derive(Parser)]
#[command(name = "portico", version, about = "Supplier collaboration portal")]
struct Cli {
    #[command(flatten)]
    settings: Settings,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the portal (migrates first; seeds demo data into an empty database).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Seed the demo data into an empty database and print the demo logins; with `--scale N`,
    /// generate a benchmark-sized data set of N orders instead.
    SeedDemo(SeedDemoArgs),
    /// Manage users from the server's console.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Organisations' signing keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Check an evidence bundle offline: signatures, chain, keys' validity. Exit 0 only when
    /// every statement holds. Needs no database.
    Verify {
        /// The bundle (`/orders/{id}/evidence.json`).
        bundle: PathBuf,
        /// A key set you trust (`/.well-known/portico/keys.json`) instead of the keys inside
        /// the bundle.
        #[arg(long)]
        keys: Option<PathBuf>,
    },
}

#[derive(clap::Args)]
struct SeedDemoArgs {
    /// Generate N orders (up to 1,000,000 and more) over ~100 brands and ~10,000 partners,
    /// with everything that follows them, instead of the small demo.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    scale: Option<u64>,
    /// The random seed: the same seed gives the same data (on the same day).
    #[arg(long, default_value_t = 1, requires = "scale")]
    seed: u64,
    /// Add the generated data even though the database already has orders.
    #[arg(long, requires = "scale")]
    force: bool,
    /// Orders per transaction.
    #[arg(long, default_value_t = 10_000, requires = "scale")]
    batch: usize,
    /// Generator threads (default: the machine's cores).
    #[arg(long, requires = "scale")]
    threads: Option<usize>,
    /// Where to write the benchmark's logins (default: scale-users.json in the data directory).
    #[arg(long, requires = "scale")]
    users_out: Option<PathBuf>,
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Retire an organisation's current key and create its next one. Old keys stay published,
    /// so statements they signed keep verifying.
    Rotate {
        /// Organisation name or id.
        #[arg(long)]
        org: String,
    },
    /// Make a new key for API access tokens. It signs from now on; the previous key keeps
    /// verifying until the tokens it signed have expired (10 minutes), then retires.
    RotateApi,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute every audit chain and name the first broken entry. Exit 1 if one is broken.
    Verify,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user in an organisation (or a platform admin), prompting for a password or
    /// generating one.
    Add {
        #[arg(long)]
        email: String,
        /// Display name; defaults to the part of the e-mail before @.
        #[arg(long)]
        name: Option<String>,
        /// Organisation name or id.
        #[arg(long, required_unless_present = "platform_admin")]
        org: Option<String>,
        /// admin, ops, quality, finance (brands) or admin, member, viewer (partners).
        #[arg(long)]
        role: Option<String>,
        /// Create a platform operator, who creates brands.
        #[arg(long)]
        platform_admin: bool,
        /// Generate a password instead of prompting.
        #[arg(long)]
        generate_password: bool,
    },
}

/// mimalloc instead of glibc's malloc. Portico runs a thread per SQLite connection besides the
/// runtime's; glibc gives each thread that allocates under contention an arena of its own and
/// keeps freed memory in it (at a million orders the peak was 152 MB), and capped at two arenas
/// the threads queue on the arenas' locks: a page under load spent ~15% of its time in malloc.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<std::process::ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(start())
}

async fn start() -> anyhow::Result<std::process::ExitCode> {
    portico::telemetry::init();
    let cli = Cli::parse();
    if let Some(Command::Verify { bundle, keys }) = &cli.command {
        // Offline: no configuration, no data directory, no database.
        return verify::run(bundle, keys.as_deref());
    }
    let config = Config::from_settings(&cli.settings)?;
    // The console works across brands; requests the server answers get their own scope.
    portico::db::scope::system(run(cli.command.unwrap_or(Command::Serve), config)).await
}

async fn run(command: Command, config: Config) -> anyhow::Result<std::process::ExitCode> {
    let done = match command {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            let db = app::open_database(&config).await?;
            // The session table too, so a server whose login may not create it can start.
            PorticoSessionStore::connect(&db).await?;
            println!("Database is up to date.");
            Ok(())
        }
        Command::SeedDemo(args) => {
            let db = app::open_database(&config).await?;
            let state = app::AppState::new(db, config.clone())?;
            match args.scale {
                Some(orders) => scale::run(&state, &args, orders).await,
                None => seed_demo(&state, true).await,
            }
        }
        Command::Keys {
            command: KeysCommand::Rotate { org },
        } => {
            let db = app::open_database(&config).await?;
            let rotation = orgs::rotate_key(&db, &config.load_master_key()?, &org).await?;
            println!(
                "{}: retired {} key(s); now signing with {}",
                rotation.org_name, rotation.retired, rotation.new_kid
            );
            Ok(())
        }
        Command::Keys {
            command: KeysCommand::RotateApi,
        } => {
            let db = app::open_database(&config).await?;
            let (kid, retiring) =
                portico::service::api_auth::rotate_token_key(&db, &config.load_master_key()?)
                    .await?;
            println!(
                "API tokens are now signed with {kid}; {retiring} older key(s) retire in 10 minutes"
            );
            Ok(())
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let db = app::open_database(&config).await?;
            return audit_verify(&db).await;
        }
        Command::Verify { .. } => unreachable!("handled before configuration"),
        Command::User {
            command:
                UserCommand::Add {
                    email,
                    name,
                    org,
                    role,
                    platform_admin,
                    generate_password,
                },
        } => {
            let db = app::open_database(&config).await?;
            let (password, generated) = read_or_generate_password(generate_password)?;
            let display_name =
                name.unwrap_or_else(|| email.split('@').next().unwrap_or(&email).to_owned());
            let (id, org_name) = platform::add_user(
                &db,
                &config.load_master_key()?,
                platform::AddUser {
                    email: &email,
                    display_name: &display_name,
                    org: org.as_deref(),
                    role: role.as_deref(),
                    platform_admin,
                    password: &password,
                },
            )
            .await?;
            println!("Created user {email} ({id}) in {org_name}.");
            if generated {
                println!("Password: {password}");
            }
            Ok(())
        }
    };
    done.map(|()| std::process::ExitCode::SUCCESS)
}

async fn audit_verify(db: &Db) -> anyhow::Result<std::process::ExitCode> {
    let report = audit_check::verify_audit_log(db).await?;
    for chain in &report.chains {
        match &chain.result {
            Ok(n) => println!("chain {}: {n} entries, intact", chain.chain),
            Err(b) => println!(
                "chain {}: BROKEN at entry #{} {}: {}",
                chain.chain, b.seq, b.id, b.reason
            ),
        }
    }
    if report.unchained > 0 {
        println!(
            "{} entries predate the chain and cannot be checked",
            report.unchained
        );
    }
    Ok(if report.intact() {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    })
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let db = app::open_database(&config).await?;
    let created = orgs::ensure_keys(&db, &config.load_master_key()?).await?;
    if created > 0 {
        tracing::info!(created, "gave signing keys to organisations that had none");
    }
    let state = app::AppState::new(db, config.clone())?;
    if config.demo {
        seed_demo(&state, false).await?;
    }
    let stop = app::shutdown_signal();
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let running = app::start(state, listener).await?;
    println!();
    println!("  Portico is serving at http://{}", running.addr);
    println!("  Database: {}", redact(&config.database_url));
    println!("  Mail:     {}", running.state.mailer_description());
    if !config.dev {
        println!(
            "  (Secure cookies: browsers accept them on localhost; use --dev for other plain-http hosts.)"
        );
    }
    println!();
    tracing::info!(addr = %running.addr, "serving");
    stop.await;
    tracing::info!("shutting down");
    running.stop().await;
    Ok(())
}

/// Seeds into an empty database and prints the logins. `explicit` is the `seed-demo` command,
/// which also says so when there was nothing to do.
async fn seed_demo(state: &app::AppState, explicit: bool) -> anyhow::Result<()> {
    let (db, config) = (&state.db, &state.config);
    let (password, generated) = match &config.demo_password {
        Some(p) => (p.clone(), false),
        None => (tokens::new_password(), true),
    };
    let seeded = demo::seed(db, &state.master, &password).await?;
    if seeded {
        let orders = demo_orders::seed(state).await?;
        println!("  Demo orders: {orders} purchase orders with signed statements");
    }
    if !seeded && explicit {
        println!("The database already has data; demo data was not added.");
    }
    println!();
    println!("  Demo logins:");
    for user in demo::USERS {
        println!("    {:<24} {:<22} {}", user.email, user.org, user.role);
    }
    match (seeded, generated) {
        (true, true) => println!("  Password for all demo users (shown once): {password}"),
        (_, false) => println!("  Password for all demo users: the value of PORTICO_DEMO_PASSWORD"),
        (false, true) => println!(
            "  Password: printed when the demo data was created (set PORTICO_DEMO_PASSWORD before the first start to choose it)"
        ),
    }
    Ok(())
}

fn read_or_generate_password(generate: bool) -> anyhow::Result<(String, bool)> {
    if generate || !std::io::stdin().is_terminal() {
        return Ok((tokens::new_password(), true));
    }
    let first = rpassword::prompt_password("Password (empty to generate): ")?;
    if first.is_empty() {
        return Ok((tokens::new_password(), true));
    }
    let again = rpassword::prompt_password("Repeat password: ")?;
    if first != again {
        anyhow::bail!("the passwords differ");
    }
    Ok((first, false))
}

/// A database URL without its password, for printing.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("****"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

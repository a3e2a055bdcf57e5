//! The `portico` command: `serve` (the default), `migrate`, `seed-demo`, `user add`.

use std::io::IsTerminal;

use clap::{Parser, Subcommand};
use portico::app;
use portico::auth::tokens;
use portico::config::{Config, Settings};
use portico::db::Db;
use portico::service::{demo, platform};

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
    /// Seed the demo data into an empty database and print the demo logins.
    SeedDemo,
    /// Manage users from the server's console.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
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

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    portico::telemetry::init();
    let cli = Cli::parse();
    let config = Config::from_settings(&cli.settings)?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            app::open_database(&config).await?;
            println!("Database is up to date.");
            Ok(())
        }
        Command::SeedDemo => {
            let db = app::open_database(&config).await?;
            seed_demo(&db, &config, true).await
        }
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
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let db = app::open_database(&config).await?;
    if config.demo {
        seed_demo(&db, &config, false).await?;
    }
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let running = app::start(db, config.clone(), listener).await?;
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
    app::shutdown_signal().await;
    tracing::info!("shutting down");
    running.stop().await;
    Ok(())
}

/// Seeds into an empty database and prints the logins. `explicit` is the `seed-demo` command,
/// which also says so when there was nothing to do.
async fn seed_demo(db: &Db, config: &Config, explicit: bool) -> anyhow::Result<()> {
    let (password, generated) = match &config.demo_password {
        Some(p) => (p.clone(), false),
        None => (tokens::new_password(), true),
    };
    let seeded = demo::seed(db, &password).await?;
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

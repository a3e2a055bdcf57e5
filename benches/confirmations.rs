//! Signed line confirmations per second on SQLite with full durability (WAL, `synchronous=FULL`,
//! one writer). A benchmark, not a test: it prints figures and asserts no timing.
//!
//! ```text
//! cargo bench --bench confirmations
//! CONFIRM_BENCH_ORDERS=2000 CONFIRM_BENCH_LINES=5 CONFIRM_BENCH_TASKS=16 cargo bench --bench confirmations
//! ```
//!
//! It seeds the demo data, has Acme's ops issue `CONFIRM_BENCH_ORDERS` real orders to Delta Garment
//! Works (each with `CONFIRM_BENCH_LINES` lines) through the use cases, then `CONFIRM_BENCH_TASKS`
//! concurrent tasks confirm them as Delta's planner through `decide_lines` — the use case the order
//! page and `POST /api/v1/orders/{id}/decisions` call: per-line state machine, a signed statement
//! (Ed25519, JCS), the audit chain entry, the SLA clock stop, the event and its webhook queue, in one
//! transaction. The bare baseline, measured in the same run on the same file and pool, is a
//! transaction that inserts one row and commits with the same durability: the rate the disk's
//! `fsync` allows one writer.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow};
use portico::app::{self, AppState};
use portico::config::Config;
use portico::domain::ids::{OrderId, TenantId};
use portico::domain::order::line::{LineAction, Side};
use portico::service::demo_orders;
use portico::service::orders::create::{self, DraftInput, LineInput};
use portico::service::orders::decide::{self, Seen};

const DEMO_PASSWORD: &str = "demo-password-1234";
const DAY: i64 = 86_400_000;

fn env_usize(name: &str, default: usize) -> anyhow::Result<usize> {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v.trim().parse().with_context(|| name.to_owned()),
        _ => Ok(default),
    }
}

fn main() -> anyhow::Result<()> {
    let orders = env_usize("CONFIRM_BENCH_ORDERS", 2_000)?.max(10);
    let lines = env_usize("CONFIRM_BENCH_LINES", 5)?.clamp(1, 50);
    let tasks = env_usize("CONFIRM_BENCH_TASKS", 16)?.max(1);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(orders, lines, tasks))
}

async fn run(orders: usize, lines: usize, tasks: usize) -> anyhow::Result<()> {
    let data_dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", data_dir.path().join("portico.db").display());
    let config = Config::for_data_dir(data_dir.path().to_path_buf(), url);
    let db = app::open_database(&config).await?;
    portico::service::demo::seed(&db, &config.load_master_key()?, DEMO_PASSWORD).await?;
    let state = AppState::new(db, config)?;

    let (tenant, delta) = brand_and_partner(&state).await?;
    let ops = demo_orders::actor(&state, "ops@acme.test", tenant).await?;
    let planner = demo_orders::actor(&state, "planner@delta.test", tenant).await?;
    eprintln!("issuing {orders} orders of {lines} lines");
    let started = Instant::now();
    let mut issued = Vec::with_capacity(orders);
    for i in 0..orders {
        issued.push(issue(&state, &ops, tenant, &delta, i, lines).await?);
    }
    eprintln!("issued in {:.1} s", started.elapsed().as_secs_f64());

    let baseline = bare_commits(&state, orders, tasks).await?;

    let next = Arc::new(AtomicUsize::new(0));
    let issued = Arc::new(issued);
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..tasks {
        let (state, planner, next, issued) =
            (state.clone(), planner.clone(), next.clone(), issued.clone());
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while let Some((order, version)) = issued.get(next.fetch_add(1, Ordering::Relaxed)) {
                let seen = Seen {
                    order: *order,
                    version: *version,
                    submission: portico::auth::tokens::new_token(),
                };
                let all: Vec<(i64, LineAction)> = (1..=lines as i64)
                    .map(|n| (n, LineAction::Accept))
                    .collect();
                let t = Instant::now();
                decide::decide_lines(&state, &planner, &seen, Side::Partner, &all)
                    .await
                    .map_err(|e| anyhow!("decide_lines: {e:?}"))?;
                latencies.push(t.elapsed());
            }
            anyhow::Ok(latencies)
        }));
    }
    let mut latencies = Vec::new();
    for w in workers {
        latencies.extend(w.await??);
    }
    let took = started.elapsed().as_secs_f64();
    latencies.sort();
    let confirmed_lines = (orders * lines) as f64;
    println!("| measure | figure |\n| --- | --- |");
    println!("| orders confirmed | {orders} ({lines} lines each, {tasks} concurrent tasks) |");
    println!(
        "| signed line confirmations / s | {:.0} |",
        confirmed_lines / took
    );
    println!(
        "| confirmation transactions / s | {:.0} |",
        orders as f64 / took
    );
    println!(
        "| per transaction p50 / p99 | {:.1} ms / {:.1} ms |",
        ms(percentile(&latencies, 0.50)),
        ms(percentile(&latencies, 0.99))
    );
    println!("| bare durable commits / s (baseline) | {baseline:.0} |");
    println!(
        "| confirmation transactions / bare commits | {:.2} |",
        (orders as f64 / took) / baseline
    );
    state.db.close().await;
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

async fn brand_and_partner(state: &AppState) -> anyhow::Result<(TenantId, String)> {
    let mut conn = state.db.reader().acquire().await?;
    let acme = portico::db::orgs::find_by_name(&mut conn, "Acme Apparel").await?;
    let delta = portico::db::orgs::find_by_name(&mut conn, "Delta Garment Works").await?;
    let acme = acme.first().context("no Acme Apparel")?.id;
    let delta = delta.first().context("no Delta Garment Works")?.id;
    Ok((TenantId::of_brand(acme), delta.to_string()))
}

async fn issue(
    state: &AppState,
    ops: &portico::auth::actor::Actor,
    tenant: TenantId,
    partner: &str,
    i: usize,
    lines: usize,
) -> anyhow::Result<(OrderId, i64)> {
    let delivery = jiff::Timestamp::from_millisecond(state.now().0 + 120 * DAY)?
        .strftime("%Y-%m-%d")
        .to_string();
    let input = DraftInput {
        submission: String::new(),
        po_number: format!("CONFIRM-BENCH-{i}"),
        partner: partner.to_owned(),
        ship_to: String::new(),
        currency: "USD".into(),
        incoterms: "FOB".into(),
        payment_terms: "Net 60".into(),
        requested_delivery: delivery,
        lines: (1..=lines)
            .map(|n| LineInput {
                sku: format!("SKU-{n}"),
                description: format!("Article {n}"),
                hs_code: "610910".into(),
                quantity: (100 * n).to_string(),
                unit: "pcs".into(),
                unit_price: "2.50".into(),
                delivery_date: String::new(),
            })
            .collect(),
    };
    let order = create::create_draft(state, ops, &input)
        .await
        .map_err(|e| anyhow!("create_draft: {e:?}"))?;
    let seen = Seen {
        order,
        version: demo_orders::version(state, tenant, order).await?,
        submission: portico::auth::tokens::new_token(),
    };
    decide::issue(state, ops, &seen)
        .await
        .map_err(|e| anyhow!("issue: {e:?}"))?;
    Ok((order, demo_orders::version(state, tenant, order).await?))
}

/// One-row transactions through the same writer with the same pragmas, `count` of them from
/// `tasks` concurrent tasks: commits per second.
async fn bare_commits(state: &AppState, count: usize, tasks: usize) -> anyhow::Result<f64> {
    {
        let mut tx = state.db.begin().await?;
        sqlx::query("CREATE TABLE bench_bare (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..tasks {
        let (db, next) = (state.db.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            while next.fetch_add(1, Ordering::Relaxed) < count {
                let mut tx = db.begin().await?;
                sqlx::query("INSERT INTO bench_bare (body) VALUES ($1)")
                    .bind("a row of about the size of a statement's summary")
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
            }
            anyhow::Ok(())
        }));
    }
    for w in workers {
        w.await??;
    }
    Ok(count as f64 / started.elapsed().as_secs_f64())
}

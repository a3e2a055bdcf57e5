//! `portico seed-demo --scale N`: runs the bulk generator with a progress line on stderr and
//! prints (and writes as JSON) the logins a benchmark uses.

use std::io::Write;
use std::time::{Duration, Instant};

use portico::app::AppState;
use portico::auth::tokens;
use portico::service::scale::{self, Options, Progress};

use crate::SeedDemoArgs;

pub async fn run(state: &AppState, args: &SeedDemoArgs, orders: u64) -> anyhow::Result<()> {
    anyhow::ensure!(orders > 0, "--scale needs at least one order");
    let password = state
        .config
        .demo_password
        .clone()
        .unwrap_or_else(tokens::new_password);
    let users_out = args
        .users_out
        .clone()
        .unwrap_or_else(|| state.config.data_dir.join("scale-users.json"));
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let opts = Options {
        orders,
        seed: args.seed,
        force: args.force,
        batch: args.batch,
        threads,
        password,
    };
    eprintln!(
        "Generating {orders} orders (seed {}, {} per transaction, {threads} generator threads)",
        args.seed, args.batch
    );
    let mut last: Option<Instant> = None;
    let mut report_line = |p: &Progress| {
        let recent = last.is_some_and(|at| at.elapsed() < Duration::from_secs(2));
        if recent && p.orders < p.total {
            return;
        }
        last = Some(Instant::now());
        eprintln!(
            "  {:>9} / {} orders ({:>5.1}%)  {:>8.0} orders/s  {:>9} rows  elapsed {}  ETA {}",
            p.orders,
            p.total,
            p.orders as f64 * 100.0 / p.total as f64,
            p.rate(),
            p.rows,
            clock(p.elapsed),
            clock(p.eta()),
        );
    };
    let report = scale::generate(state, &opts, &mut report_line).await?;
    let rate = report.orders as f64 / report.load.as_secs_f64().max(1e-3);
    eprintln!(
        "Loaded {} orders ({} rows) in {}: {rate:.0} orders/s, {:.0} rows/s; statistics refreshed in {}",
        report.orders,
        report.rows,
        clock(report.load),
        report.rows as f64 / report.load.as_secs_f64().max(1e-3),
        clock(report.analyze),
    );
    let json = serde_json::to_string_pretty(&report.logins)?;
    if let Some(dir) = users_out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = std::fs::File::create(&users_out)?;
    file.write_all(json.as_bytes())?;
    let l = &report.logins;
    println!();
    println!("  Benchmark logins (password for all: {}):", l.password);
    println!(
        "    brand ops   {:<28} {}",
        l.brand_ops.email, l.brand_ops.org
    );
    println!(
        "    supplier    {:<28} {}",
        l.supplier.email, l.supplier.org
    );
    println!(
        "    financier   {:<28} {}",
        l.financier.email, l.financier.org
    );
    if let Some(o) = &l.sample_order {
        println!("    sample order {} ({})", o.po_number, o.id);
    }
    if let Some(t) = &l.trace_search {
        println!("    trace search {t}");
    }
    println!(
        "    API client  {} (secret in the file below)",
        l.api_client.client_id
    );
    println!("  Written to {}", users_out.display());
    Ok(())
}

fn clock(d: Duration) -> String {
    let s = d.as_secs();
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

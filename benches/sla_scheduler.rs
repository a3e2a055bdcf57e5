//! The SLA scheduler's pass against a growing number of running clocks: it reads only the due
//! index, so a pass that handles 1,000 due clocks should cost the same among 10,000 running
//! clocks as among 1,000,000. A benchmark, not a test: it prints figures and asserts no timing.
//!
//! ```text
//! cargo bench --bench sla_scheduler
//! SLA_BENCH_SIZES=10000,100000 cargo bench --bench sla_scheduler
//! PORTICO_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \
//!   SLA_BENCH_PG_SIZES=10000,100000 cargo bench --bench sla_scheduler
//! ```
//!
//! - `SLA_BENCH_SIZES`: running clocks per case (default `10000,1000000`), at least 1,000 each.
//! - `SLA_BENCH_PG_SIZES`: the same for PostgreSQL (default: `SLA_BENCH_SIZES`); PostgreSQL runs
//!   only when `PORTICO_TEST_DATABASE_URL` is set, in a fresh database created and dropped here.
//! - `SLA_BENCH_RUNS`: measured due passes per case (default 5; the median is reported).
//! - `SLA_BENCH_DUE_LAYOUT`: `spread` (default) puts the due clocks at every (N / 1,000)th row,
//!   so each sits on its own pages among the others, the harder case; `clustered` puts them in
//!   one run of consecutive rows, as clocks started together and due together would be.
//!
//! Each case seeds the demo data and issues one real order to Delta Garment Works (which starts a
//! real `po_confirmation` clock and its policy version), then inserts N synthetic running clocks
//! on that order in one transaction, of which exactly 1,000 are due (warning passed, deadline
//! ahead: one warning each) and the rest are due in 10 days or later. After ANALYZE it measures
//! a bare round trip, the scheduler's `next_due_at` read, an empty pass, and the pass that raises
//! the 1,000 warnings; between runs the alerts, notifications and outbox rows the pass made are
//! deleted and the 1,000 clocks restored.
//!
//! Every statement of a pass hands over between a runtime thread and SQLite's connection thread.
//! On a virtual machine a wake-up across CPUs can cost several times more at one hour than the
//! next. The sizes are measured in turns, so they share those conditions, but a costly hand-over
//! also hides the differences between them; `taskset -c 0 cargo bench --bench sla_scheduler`
//! keeps the hand-overs on one CPU and the figures steady.

use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use portico::app::{self, AppState};
use portico::config::Config;
use portico::db::Engine;
use portico::domain::ids::TenantId;
use portico::domain::time::UtcMillis;
use portico::service::demo_orders;
use portico::service::orders::create::{self, DraftInput, LineInput};
use portico::service::orders::decide::{self, Seen};
use portico::service::sla::scheduler;

/// Clocks due in every case.
const DUE: usize = 1_000;
/// Rows per multi-row INSERT while seeding.
const CHUNK: usize = 1_000;
/// Repetitions of the cheap baselines (median reported).
const ROUND_TRIPS: usize = 200;
/// Empty passes measured after each due pass.
const EMPTY_PASSES: usize = 5;
const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;
const DEMO_PASSWORD: &str = "demo-password-1234";

fn main() -> anyhow::Result<()> {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "portico=warn".into()),
        )
        .try_init();
    let sizes = parse_sizes("SLA_BENCH_SIZES", &[10_000, 1_000_000])?;
    let pg_sizes = parse_sizes("SLA_BENCH_PG_SIZES", &sizes)?;
    let runs: usize = match std::env::var("SLA_BENCH_RUNS") {
        Ok(v) if !v.trim().is_empty() => v.trim().parse().context("SLA_BENCH_RUNS")?,
        _ => 5,
    };
    let runs = runs.max(1);
    let pg_admin = std::env::var("PORTICO_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty());

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let mut targets: Vec<(Target, usize)> =
            sizes.iter().map(|&n| (Target::Sqlite, n)).collect();
        if let Some(admin) = &pg_admin {
            targets.extend(
                pg_sizes
                    .iter()
                    .map(|&n| (Target::Postgres(admin.clone()), n)),
            );
        }
        // Every case is seeded first and then measured in turns, run by run, so a machine that
        // gets busier or quieter meanwhile weighs on every N alike.
        let mut cases = Vec::new();
        let mut outcome = Ok(());
        for (target, n) in targets {
            match Case::prepare(target, n).await {
                Ok(case) => cases.push(case),
                Err(err) => {
                    outcome = Err(err);
                    break;
                }
            }
        }
        if outcome.is_ok() {
            outcome = measure(&mut cases, runs).await;
        }
        if outcome.is_ok() {
            print_table(&cases, runs);
        }
        for case in cases {
            case.close().await;
        }
        outcome
    })
}

fn due_layout() -> &'static str {
    match std::env::var("SLA_BENCH_DUE_LAYOUT").as_deref() {
        Ok("clustered") => "clustered",
        _ => "spread",
    }
}

fn parse_sizes(var: &str, default: &[usize]) -> anyhow::Result<Vec<usize>> {
    let Ok(text) = std::env::var(var) else {
        return Ok(default.to_vec());
    };
    if text.trim().is_empty() {
        return Ok(default.to_vec());
    }
    let sizes = text
        .split(',')
        .map(|s| s.trim().replace('_', "").parse::<usize>())
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("{var}={text}"))?;
    if let Some(n) = sizes.iter().find(|n| **n < DUE) {
        bail!("{var}: {n} is fewer than the {DUE} due clocks");
    }
    Ok(sizes)
}

enum Target {
    Sqlite,
    /// The admin URL a fresh database is created through.
    Postgres(String),
}

/// The constant columns of the synthetic clocks, taken from the real clock the order started.
struct Template {
    tenant: TenantId,
    tenant_id: String,
    order_id: String,
    partner_org_id: String,
    policy_id: String,
    policy_version: i64,
    calendar_id: Option<String>,
    business: i64,
    pause_on_brand: i64,
}

/// One database with N running clocks, and what was measured on it (seconds).
struct Case {
    engine: &'static str,
    n: usize,
    state: AppState,
    template: Template,
    due_ids: Vec<String>,
    /// Business time now: the 1,000 clocks are due, the rest are not.
    now: i64,
    seed: Duration,
    analyze: Duration,
    round_trips: Vec<f64>,
    next_due: Vec<f64>,
    empty_passes: Vec<f64>,
    due_passes: Vec<f64>,
    _data_dir: tempfile::TempDir,
    pg: Option<PgDatabase>,
}

impl Case {
    async fn prepare(target: Target, n: usize) -> anyhow::Result<Case> {
        let data_dir = tempfile::tempdir()?;
        let (engine, url, pg) = match &target {
            Target::Sqlite => (
                "sqlite",
                format!("sqlite://{}", data_dir.path().join("portico.db").display()),
                None,
            ),
            Target::Postgres(admin) => {
                let pg = PgDatabase::create(admin).await?;
                ("postgres", pg.url.clone(), Some(pg))
            }
        };
        eprintln!("[{engine} N={n}] seeding");
        let prepared = async {
            let config = Config::for_data_dir(data_dir.path().to_path_buf(), url);
            let db = app::open_database(&config).await?;
            let master = config.load_master_key()?;
            portico::service::demo::seed(&db, &master, DEMO_PASSWORD).await?;
            let state = AppState::new(db, config)?;
            // Business time a month ahead: the real clock is started at t0 and is not due by
            // `now`; whatever a pass writes is stamped at or after `now`, the seeded rows before.
            let t0 = UtcMillis::now().0 + 30 * DAY;
            let now = t0 + 2 * HOUR;
            state.clock.jump_to(UtcMillis(t0));
            let template = issue_one_order(&state).await?;
            let started = Instant::now();
            let due_ids = seed_timers(&state, &template, n, now).await?;
            let seed = started.elapsed();
            let started = Instant::now();
            analyze(&state).await?;
            let analyze = started.elapsed();
            state.clock.jump_to(UtcMillis(now));
            eprintln!(
                "[{engine} N={n}] seeded in {:.1} s, analyzed in {:.1} s",
                seed.as_secs_f64(),
                analyze.as_secs_f64()
            );
            anyhow::Ok((state, template, due_ids, now, seed, analyze))
        }
        .await;
        let (state, template, due_ids, now, seed, analyze) = match prepared {
            Ok(prepared) => prepared,
            Err(err) => {
                if let Some(pg) = pg {
                    pg.drop().await;
                }
                return Err(err);
            }
        };
        Ok(Case {
            engine,
            n,
            state,
            template,
            due_ids,
            now,
            seed,
            analyze,
            round_trips: Vec::new(),
            next_due: Vec::new(),
            empty_passes: Vec::new(),
            due_passes: Vec::new(),
            _data_dir: data_dir,
            pg,
        })
    }

    async fn close(self) {
        self.state.db.close().await;
        if let Some(pg) = self.pg {
            pg.drop().await;
        }
    }

    /// One run: a reset, the baselines, the due pass, then empty passes. Run 0 is a
    /// warm-up, not recorded (it prepares the pass's statements on the writer connection, as a
    /// scheduler that has been running would have them).
    async fn run(&mut self, record: bool) -> anyhow::Result<()> {
        let state = &self.state;
        reset(state, &self.template, &self.due_ids, self.now).await?;
        let round_trips = round_trips(state).await?;
        let mut next_due = Vec::with_capacity(ROUND_TRIPS);
        for _ in 0..ROUND_TRIPS {
            let started = Instant::now();
            let next = scheduler::next_due_at(state).await?;
            next_due.push(started.elapsed().as_secs_f64());
            if next.is_none_or(|at| at > self.now) {
                bail!("nothing is due: next_due_at = {next:?}, now = {}", self.now);
            }
        }
        let started = Instant::now();
        let raised = scheduler::run_due(state).await?;
        let due_pass = started.elapsed().as_secs_f64();
        if raised != DUE {
            bail!("the due pass raised {raised} alerts, expected {DUE}");
        }
        let mut empty_passes = Vec::with_capacity(EMPTY_PASSES);
        for _ in 0..EMPTY_PASSES {
            let started = Instant::now();
            let raised = scheduler::run_due(state).await?;
            empty_passes.push(started.elapsed().as_secs_f64());
            if raised != 0 {
                bail!("an empty pass raised {raised} alerts");
            }
        }
        if record {
            self.round_trips.extend(round_trips);
            self.next_due.extend(next_due);
            self.empty_passes.extend(empty_passes);
            self.due_passes.push(due_pass);
        }
        Ok(())
    }
}

async fn measure(cases: &mut [Case], runs: usize) -> anyhow::Result<()> {
    for run in 0..=runs {
        for case in cases.iter_mut() {
            case.run(run > 0).await?;
        }
    }
    for case in cases.iter() {
        eprintln!(
            "[{} N={}] due passes (ms): {}",
            case.engine,
            case.n,
            case.due_passes
                .iter()
                .map(|s| format!("{:.1}", s * 1e3))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(())
}

/// Ops at Acme issues one order to Delta through the real use cases, which starts a real
/// `po_confirmation` clock (and its policy version); its columns are the synthetic clocks'.
async fn issue_one_order(state: &AppState) -> anyhow::Result<Template> {
    let (acme, delta) = {
        let mut conn = state.db.reader().acquire().await?;
        let acme = portico::db::orgs::find_by_name(&mut conn, "Acme Apparel").await?;
        let delta = portico::db::orgs::find_by_name(&mut conn, "Delta Garment Works").await?;
        (
            acme.first().context("no Acme Apparel")?.id,
            delta.first().context("no Delta Garment Works")?.id,
        )
    };
    let tenant = TenantId::of_brand(acme);
    let actor = demo_orders::actor(state, "ops@acme.test", tenant).await?;
    let input = DraftInput {
        submission: String::new(),
        po_number: "SLA-BENCH-1".into(),
        partner: delta.to_string(),
        ship_to: String::new(),
        currency: "USD".into(),
        incoterms: "FOB".into(),
        payment_terms: "Net 60".into(),
        // Four months after the business clock's today.
        requested_delivery: jiff::Timestamp::from_millisecond(state.now().0 + 120 * DAY)?
            .strftime("%Y-%m-%d")
            .to_string(),
        lines: (1..=3)
            .map(|i| LineInput {
                sku: format!("SKU-{i}"),
                description: format!("Article {i}"),
                hs_code: "610910".into(),
                quantity: (100 * i).to_string(),
                unit: "pcs".into(),
                unit_price: "2.50".into(),
                delivery_date: String::new(),
            })
            .collect(),
    };
    let order = create::create_draft(state, &actor, &input)
        .await
        .map_err(|e| anyhow!("create_draft: {e:?}"))?;
    let seen = Seen {
        order,
        version: demo_orders::version(state, tenant, order).await?,
        submission: portico::auth::tokens::new_token(),
    };
    decide::issue(state, &actor, &seen)
        .await
        .map_err(|e| anyhow!("issue: {e:?}"))?;

    let mut conn = state.db.reader().acquire().await?;
    type Columns = (
        String,
        String,
        String,
        String,
        i64,
        Option<String>,
        i64,
        i64,
    );
    let row: Option<Columns> = sqlx::query_as(
        "SELECT tenant_id, order_id, partner_org_id, policy_id, policy_version, calendar_id, \
           business, pause_on_brand \
         FROM sla_timers \
         WHERE tenant_id = $1 AND order_id = $2 AND kind = 'po_confirmation' AND state = 'running'",
    )
    .bind(tenant)
    .bind(order)
    .fetch_optional(&mut *conn)
    .await?;
    let (
        tenant_id,
        order_id,
        partner_org_id,
        policy_id,
        policy_version,
        calendar_id,
        business,
        pause_on_brand,
    ) = row.ok_or_else(|| anyhow!("issuing the order started no po_confirmation clock"))?;
    Ok(Template {
        tenant,
        tenant_id,
        order_id,
        partner_org_id,
        policy_id,
        policy_version,
        calendar_id,
        business,
        pause_on_brand,
    })
}

/// A SQL string literal (the values are ids and names the application made).
fn lit(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn timer_id(i: usize) -> String {
    format!("bench-{i:09}")
}

/// Inserts `n` running clocks on the template's order (line numbers 1..=n) in one transaction,
/// 1,000 of them due (see `SLA_BENCH_DUE_LAYOUT`). Returns the due clocks' ids.
async fn seed_timers(
    state: &AppState,
    t: &Template,
    n: usize,
    now: i64,
) -> anyhow::Result<Vec<String>> {
    let step = n / DUE;
    let clustered = due_layout() == "clustered";
    let constants = [
        lit(&t.tenant_id),
        "$1".into(),
        lit("po_confirmation"),
        lit(&t.policy_id),
        t.policy_version.to_string(),
        lit(&t.order_id),
        "$2".into(),
        lit(&t.partner_org_id),
        t.calendar_id.as_deref().map_or("NULL".into(), lit),
        t.business.to_string(),
        t.pause_on_brand.to_string(),
        lit("running"),
        (now - 2 * DAY).to_string(),
        "$3".into(),
        "$4".into(),
        "$5".into(),
    ];
    const BOUND: usize = 5;
    let row_sql = |row: usize| {
        let values: Vec<String> = constants
            .iter()
            .map(|c| match c.strip_prefix('$') {
                Some(k) => format!("${}", row * BOUND + k.parse::<usize>().unwrap_or(0)),
                None => c.clone(),
            })
            .collect();
        format!("({})", values.join(", "))
    };
    let insert_sql = |rows: usize| {
        let values: Vec<String> = (0..rows).map(row_sql).collect();
        format!(
            "INSERT INTO sla_timers (tenant_id, id, kind, policy_id, policy_version, order_id, \
               line_no, partner_org_id, calendar_id, business, pause_on_brand, state, started_at, \
               warn_at, deadline_at, next_due_at) VALUES {}",
            values.join(", ")
        )
    };
    let full_chunk = insert_sql(CHUNK);

    let mut due_ids = Vec::with_capacity(DUE);
    let mut tx = state.db.begin().await?;
    let mut first = 1;
    while first <= n {
        let last = (first + CHUNK - 1).min(n);
        let rows = last - first + 1;
        let partial;
        let sql = if rows == CHUNK {
            full_chunk.as_str()
        } else {
            partial = insert_sql(rows);
            partial.as_str()
        };
        let mut query = sqlx::query(sql);
        for i in first..=last {
            let id = timer_id(i);
            let due = if clustered {
                i > n / 2 && i <= n / 2 + DUE
            } else {
                (i - 1) % step == 0 && due_ids.len() < DUE
            };
            let (warn_at, deadline_at) = if due {
                // Warned an hour ago (distinct instants), deadline a month ahead: one warning.
                let k = due_ids.len() as i64;
                due_ids.push(id.clone());
                (now - HOUR + k, now + 30 * DAY)
            } else {
                let i = i as i64;
                (now + 10 * DAY + i, now + 30 * DAY + i)
            };
            query = query
                .bind(id)
                .bind(i as i64)
                .bind(warn_at)
                .bind(deadline_at)
                .bind(warn_at);
        }
        query.execute(&mut *tx).await?;
        first = last + 1;
    }
    tx.commit().await?;
    if due_ids.len() != DUE {
        bail!("seeded {} due clocks, expected {DUE}", due_ids.len());
    }
    Ok(due_ids)
}

/// Fresh planner statistics (and on SQLite the WAL folded back into the database).
async fn analyze(state: &AppState) -> anyhow::Result<()> {
    match state.db.engine() {
        Engine::Sqlite => {
            let mut tx = state.db.begin().await?;
            sqlx::query("ANALYZE").execute(&mut *tx).await?;
            tx.commit().await?;
            // A checkpoint needs a connection outside any transaction (the pool's readers
            // are read-only): a short-lived one of its own.
            let mut conn =
                <sqlx::AnyConnection as sqlx::Connection>::connect(state.db.url()).await?;
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&mut conn)
                .await?;
            sqlx::Connection::close(conn).await?;
        }
        Engine::Postgres => {
            // On PostgreSQL the reader pool is the writer pool; VACUUM needs no transaction.
            sqlx::query("VACUUM ANALYZE")
                .execute(state.db.reader())
                .await?;
        }
    }
    Ok(())
}

/// Bare round trips on one pooled connection (seconds each).
async fn round_trips(state: &AppState) -> anyhow::Result<Vec<f64>> {
    let mut conn = state.db.reader().acquire().await?;
    let mut times = Vec::with_capacity(ROUND_TRIPS);
    for _ in 0..ROUND_TRIPS {
        let started = Instant::now();
        sqlx::query("SELECT 1").execute(&mut *conn).await?;
        times.push(started.elapsed().as_secs_f64());
    }
    Ok(times)
}

/// Undoes a due pass: drops what it raised and wrote (everything stamped at or after `now`)
/// and makes the 1,000 clocks due again.
async fn reset(state: &AppState, t: &Template, due_ids: &[String], now: i64) -> anyhow::Result<()> {
    let ids: Vec<String> = due_ids.iter().map(|id| lit(id)).collect();
    let mut tx = state.db.begin().await?;
    sqlx::query("DELETE FROM sla_alerts WHERE tenant_id = $1 AND raised_at >= $2")
        .bind(t.tenant)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM notifications WHERE created_at >= $1")
        .bind(now)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM outbox WHERE created_at >= $1")
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let restored = sqlx::query(&format!(
        "UPDATE sla_timers SET state = 'running', warned_at = NULL, breached_at = NULL, \
           paused_since = NULL, left_to_warning_ms = NULL, left_to_deadline_ms = NULL, \
           stopped_at = NULL, outcome = NULL, late_ms = NULL, escalate_at = NULL, \
           lease_until = NULL, next_due_at = warn_at \
         WHERE tenant_id = $1 AND id IN ({})",
        ids.join(", ")
    ))
    .bind(t.tenant)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    if restored.rows_affected() != DUE as u64 {
        bail!(
            "restored {} clocks, expected {DUE}",
            restored.rows_affected()
        );
    }
    Ok(())
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => f64::NAN,
        len if len % 2 == 1 => sorted[len / 2],
        len => (sorted[len / 2 - 1] + sorted[len / 2]) / 2.0,
    }
}

fn min(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::NAN, f64::min)
}

fn print_table(cases: &[Case], runs: usize) {
    println!();
    println!(
        "SLA scheduler pass: {DUE} due clocks ({}) among N running; {runs} measured runs per \
         case (after a warm-up), taken in turns",
        due_layout()
    );
    println!(
        "{:<8} {:>9} {:>6} {:>7} {:>7} {:>8} {:>7} {:>8} {:>8} {:>7} {:>7} {:>7} {:>7} {:>7}",
        "engine",
        "N",
        "seed s",
        "anlz s",
        "RTT µs",
        "next µs",
        "empty",
        "due ms",
        "due min",
        "µs/due",
        "÷empty",
        "÷RTT",
        "×min N",
        "(min)"
    );
    for case in cases {
        let due = median(&case.due_passes) * 1e3;
        let due_min = min(&case.due_passes) * 1e3;
        let empty = median(&case.empty_passes) * 1e3;
        let rtt = median(&case.round_trips) * 1e6;
        let smallest = cases
            .iter()
            .filter(|c| c.engine == case.engine)
            .min_by_key(|c| c.n);
        let (vs, vs_min) = smallest.map_or((f64::NAN, f64::NAN), |c| {
            (
                due / (median(&c.due_passes) * 1e3),
                due_min / (min(&c.due_passes) * 1e3),
            )
        });
        let per_due_us = due * 1e3 / DUE as f64;
        println!(
            "{:<8} {:>9} {:>6.1} {:>7.1} {:>7.1} {:>8.1} {:>7.2} {:>8.1} {:>8.1} {:>7.1} {:>7.0} {:>7.1} {:>7.2} {:>7.2}",
            case.engine,
            case.n,
            case.seed.as_secs_f64(),
            case.analyze.as_secs_f64(),
            rtt,
            median(&case.next_due) * 1e6,
            empty,
            due,
            due_min,
            per_due_us,
            due / empty,
            per_due_us / rtt,
            vs,
            vs_min,
        );
    }
    println!();
    println!(
        "seed s  inserting the N clocks (one transaction, {CHUNK} rows per INSERT); anlz s  ANALYZE"
    );
    println!("RTT µs  a bare SELECT 1 round trip; next µs  the scheduler's MIN(next_due_at) read");
    println!(
        "empty   a pass with nothing due (ms); due ms / due min  the pass raising {DUE} warnings, median / fastest"
    );
    println!(
        "µs/due  the due pass per due clock; ÷empty  due pass over empty pass; ÷RTT  µs/due over RTT µs"
    );
    println!(
        "×min N  the due pass over the same engine's smallest N, by medians (by fastest runs); flat is ~1"
    );
}

/// A throwaway PostgreSQL database for one case.
struct PgDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl PgDatabase {
    async fn create(admin_url: &str) -> anyhow::Result<PgDatabase> {
        let name = format!("portico_bench_{}", uuid::Uuid::new_v4().simple());
        let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(admin_url)
            .await
            .context("PORTICO_TEST_DATABASE_URL reachable")?;
        sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE {name}").as_str()).await?;
        let mut url = url::Url::parse(admin_url)?;
        url.set_path(&format!("/{name}"));
        Ok(PgDatabase {
            admin_url: admin_url.to_owned(),
            name,
            url: url.to_string(),
        })
    }

    async fn drop(self) {
        if let Ok(mut conn) =
            <sqlx::PgConnection as sqlx::Connection>::connect(&self.admin_url).await
        {
            let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
            let _ = sqlx::Executor::execute(&mut conn, sql.as_str()).await;
        }
    }
}

//! The batch-traceability walks (`db::trace::forward` / `reverse`) on a layered graph of ~100,000
//! and ~1,000,000 links of the same local shape: each walk is one recursive query that touches
//! only the links it returns, so its latency should follow the answer, not the graph. A
//! benchmark, not a test: it prints figures and asserts no timing.
//!
//! ```text
//! cargo bench --bench trace_walk
//! TRACE_BENCH_SIZES=100000,1000000 TRACE_BENCH_SAMPLES=500 cargo bench --bench trace_walk
//! PORTICO_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo bench --bench trace_walk
//! ```
//!
//! The graph: material lots → batches → finished lots → shipments → orders. Each batch takes
//! 2-4 lots from a window of recently received ones (so each lot feeds ~4 batches) and yields
//! 1-2 finished lots; shipments hold 4-12 finished lots (a quarter also ship partly in the next
//! shipment); orders take 1-3 shipments (a fifth of shipments also serve the next order). Ids
//! are sequential, like the app's time-ordered UUIDv7s. PostgreSQL runs only when
//! `PORTICO_BENCH_DATABASE_URL` is set, in a fresh database created and dropped here.

use std::time::Instant;

use anyhow::Context;
use portico::db::trace::{self, NewLink};
use portico::db::{Db, Engine};
use portico::domain::ids::OrgId;
use portico::domain::trace::NodeKind::{self, *};

const DEPTH: i64 = 6;
/// Rows per multi-row INSERT while generating.
const CHUNK: usize = 1_000;
/// The baseline: one indexed point lookup (a batch's material lots).
const POINT: &str =
    "SELECT from_kind, from_id, quantity FROM trace_edges WHERE to_kind = $1 AND to_id = $2";
/// Untimed rounds before measuring (statement caches, page cache).
const WARM_UP: usize = 20;

fn main() -> anyhow::Result<()> {
    let sizes: Vec<usize> = env_list("TRACE_BENCH_SIZES", "100000,1000000")?;
    let samples = env_list("TRACE_BENCH_SAMPLES", "500")?[0].max(1);
    let pg_admin = std::env::var("PORTICO_BENCH_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let (mut cases, mut pgs) = (Vec::new(), Vec::new());
        let outcome = run(&sizes, pg_admin.as_deref(), samples, &mut cases, &mut pgs).await;
        for case in &cases {
            case.db.close().await;
        }
        for pg in pgs {
            pg.drop().await;
        }
        outcome
    })
}

/// Every case is loaded first, then all are measured in turns.
async fn run(
    sizes: &[usize],
    pg_admin: Option<&str>,
    samples: usize,
    cases: &mut Vec<Case>,
    pg_dbs: &mut Vec<PgDatabase>,
) -> anyhow::Result<()> {
    for &n in sizes {
        cases.push(Case::prepare(None, n).await?);
    }
    for &n in sizes.iter().filter(|_| pg_admin.is_some()) {
        pg_dbs.push(PgDatabase::create(pg_admin.unwrap_or_default()).await?);
        let url = pg_dbs.last().map(|pg| pg.url.clone());
        cases.push(Case::prepare(url, n).await?);
    }
    measure(cases, samples).await?;
    print_table(cases, samples);
    Ok(())
}

fn env_list(var: &str, default: &str) -> anyhow::Result<Vec<usize>> {
    let text = std::env::var(var).ok().filter(|t| !t.trim().is_empty());
    let text = text.as_deref().unwrap_or(default);
    text.split(',')
        .map(|s| s.trim().replace('_', "").parse())
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("{var}={text}"))
}

/// splitmix64: a fixed seed gives the same graph and the same start nodes on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce5_e9b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in lo..=hi.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// Fixed-width ids, so text order is numeric order (as with UUIDv7).
fn node_id(kind: NodeKind, n: usize) -> String {
    let prefix = match kind {
        MaterialLot => "ml",
        Batch => "b",
        FinishedLot => "fl",
        Shipment => "s",
        Order => "o",
    };
    format!("{prefix}-{n:09}")
}

/// One link: (from, to, quantity).
type Edge = ((NodeKind, usize), (NodeKind, usize), usize);

struct Graph {
    edges: Vec<Edge>,
    lots: usize,
    batches: usize,
    orders: usize,
}

/// The layered graph for about `target` links (~6.6 links per batch on average).
fn generate(target: usize, rng: &mut Rng) -> Graph {
    let batches = (target * 10 / 66).max(4);
    let lots = batches * 3 / 4;
    let mut edges: Vec<Edge> = Vec::with_capacity(target + target / 10);
    let mut finished = 0;
    for b in 0..batches {
        // The lot "received at the time" (so every lot is used) plus 1-3 from a window of 16.
        let centre = b * lots / batches;
        let mut taken = vec![centre];
        let want = rng.range(2, 4);
        while taken.len() < want {
            let lot = (centre + rng.range(0, 16)).saturating_sub(8).min(lots - 1);
            if !taken.contains(&lot) {
                taken.push(lot);
            }
        }
        for lot in taken {
            edges.push(((MaterialLot, lot), (Batch, b), rng.range(10, 500)));
        }
        for _ in 0..rng.range(1, 2) {
            edges.push(((Batch, b), (FinishedLot, finished), rng.range(100, 1_000)));
            finished += 1;
        }
    }
    // Finished lots into shipments, then shipments into orders: consecutive groups of a random
    // size, a share of each also split into the next group.
    let mut group = |from: NodeKind, count: usize, to: NodeKind, size: (usize, usize), split| {
        let (mut at, mut filled, mut cap, mut top) = (0, 0, rng.range(size.0, size.1), 0);
        for n in 0..count {
            let qty = rng.range(10, 500);
            edges.push(((from, n), (to, at), qty));
            top = top.max(at);
            if rng.chance(split) {
                edges.push(((from, n), (to, at + 1), qty / 2));
                top = top.max(at + 1);
            }
            filled += 1;
            if filled == cap {
                (at, filled, cap) = (at + 1, 0, rng.range(size.0, size.1));
            }
        }
        top + 1 // the groups that received something
    };
    let shipments = group(FinishedLot, finished, Shipment, (4, 12), 25);
    let orders = group(Shipment, shipments, Order, (1, 3), 20);
    // Primary-key order, as time-ordered ids would arrive: the B-tree appends.
    let key = |e: &Edge| (e.0.0.code(), e.0.1, e.1.0.code(), e.1.1);
    edges.sort_by(|a, b| key(a).cmp(&key(b)));
    edges.dedup_by(|a, b| key(a) == key(b));
    Graph {
        edges,
        lots,
        batches,
        orders,
    }
}

/// Seconds each; for the walks also the links returned.
#[derive(Default)]
struct Samples {
    point: Vec<f64>,
    insert: Vec<f64>,
    forward: Vec<(f64, usize)>,
    reverse: Vec<(f64, usize)>,
}

/// One database with its graph, and what was measured on it (seconds, links returned).
struct Case {
    engine: Engine,
    graph: Graph,
    org: OrgId,
    db: Db,
    /// Seconds to build the graph in memory, and to load and analyze it.
    generate: f64,
    load: f64,
    rng: Rng,
    s: Samples,
    _dir: tempfile::TempDir,
}

impl Case {
    /// A PostgreSQL database at `url`, or else a SQLite file in a temporary directory.
    async fn prepare(url: Option<String>, target: usize) -> anyhow::Result<Case> {
        let dir = tempfile::tempdir()?;
        let sqlite = || format!("sqlite://{}", dir.path().join("trace.db").display());
        let url = url.unwrap_or_else(sqlite);
        // As the owner: the walk reads across brands whatever the role (`db::scope::widen`).
        let db = Db::connect(&url, None).await?;
        db.migrate().await?;
        let engine = db.engine();
        let started = Instant::now();
        let graph = generate(target, &mut Rng(0x7ace));
        let generate = started.elapsed().as_secs_f64();
        let (load, org) = timed(load(&db, &graph)).await?;
        let links = graph.edges.len();
        eprintln!("[{engine:?} {links} links] generated in {generate:.2} s, loaded in {load:.1} s");
        Ok(Case {
            engine,
            graph,
            org,
            db,
            generate,
            load,
            rng: Rng(42), // the same start nodes for every size
            s: Samples::default(),
            _dir: dir,
        })
    }
}

/// Inserts the graph in one transaction, literal multi-row VALUES (the ids are generated, so
/// no quoting), then fresh planner statistics.
async fn load(db: &Db, graph: &Graph) -> anyhow::Result<OrgId> {
    let owner = OrgId::new();
    let org = owner.to_string();
    let mut tx = db.begin().await?;
    sqlx::query("INSERT INTO orgs (id, kind, name, created_at) VALUES ($1, 'factory', $2, 0)")
        .bind(&org)
        .bind("Bench Factory")
        .execute(&mut *tx)
        .await?;
    for chunk in graph.edges.chunks(CHUNK) {
        let mut sql = String::from(
            "INSERT INTO trace_edges (owner_org_id, from_kind, from_id, to_kind, to_id, \
             quantity, unit, tenant_id, created_at) VALUES ",
        );
        for (i, e) in chunk.iter().enumerate() {
            let sep = if i == 0 { "" } else { "," };
            let ((fk, f), (tk, t), qty) = *e;
            let (fc, fi, tc, ti) = (fk.code(), node_id(fk, f), tk.code(), node_id(tk, t));
            sql.push_str(&format!(
                "{sep}('{org}','{fc}','{fi}','{tc}','{ti}','{qty}','m',NULL,0)"
            ));
        }
        sqlx::query(&sql)
            .persistent(false)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    match db.engine() {
        Engine::Sqlite => {
            let mut tx = db.begin().await?;
            sqlx::query("ANALYZE").execute(&mut *tx).await?;
            tx.commit().await?;
            // Fold the WAL back into the file, as a running server's checkpoints would; it
            // needs a connection outside any transaction, and the pool's readers are read-only.
            let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(db.url()).await?;
            let sql = "PRAGMA wal_checkpoint(TRUNCATE)";
            sqlx::query(sql).execute(&mut conn).await?;
        }
        Engine::Postgres => {
            sqlx::query("VACUUM ANALYZE trace_edges")
                .execute(db.reader())
                .await?;
        }
    }
    Ok(owner)
}

/// Samples taken in turns across the cases, so a machine getting busier weighs on all alike.
async fn measure(cases: &mut [Case], samples: usize) -> anyhow::Result<()> {
    for case in cases.iter_mut() {
        // Writes first, in a transaction rolled back: the graph stays as generated.
        let mut tx = case.db.begin().await?;
        for i in 0..WARM_UP + samples {
            let lot = node_id(MaterialLot, case.graph.lots + i);
            let batch = node_id(Batch, case.rng.range(0, case.graph.batches - 1));
            let link = NewLink {
                owner: case.org,
                from: (MaterialLot, &lot),
                to: (Batch, &batch),
                quantity: "10",
                unit: "m",
                tenant: None,
                now: 0,
            };
            let (took, inserted) = timed(trace::insert_link(&mut tx, &link)).await?;
            anyhow::ensure!(inserted, "{lot} → {batch} existed");
            if i >= WARM_UP {
                case.s.insert.push(took);
            }
        }
        tx.rollback().await?;
    }
    let mut conns = Vec::new();
    for case in cases.iter() {
        conns.push(case.db.reader().acquire().await?);
    }
    for i in 0..WARM_UP + samples {
        for (case, conn) in cases.iter_mut().zip(conns.iter_mut()) {
            let g = &case.graph;
            let batch = node_id(Batch, case.rng.range(0, g.batches - 1));
            let lot = node_id(MaterialLot, case.rng.range(0, g.lots - 1));
            let order = node_id(Order, case.rng.range(0, g.orders - 1));
            let query = sqlx::query(POINT).bind(Batch.code()).bind(&batch);
            let (point, rows) = timed(query.fetch_all(&mut **conn)).await?;
            anyhow::ensure!(!rows.is_empty(), "no links into {batch}");
            let (fwd_s, fwd) = timed(trace::forward(conn, (MaterialLot, &lot), DEPTH)).await?;
            let (rev_s, rev) = timed(trace::reverse(conn, (Order, &order), DEPTH)).await?;
            if i >= WARM_UP {
                case.s.point.push(point);
                case.s.forward.push((fwd_s, fwd.len()));
                case.s.reverse.push((rev_s, rev.len()));
            }
        }
    }
    Ok(())
}

/// Seconds a call took, and its result.
async fn timed<T, E>(call: impl Future<Output = Result<T, E>>) -> Result<(f64, T), E> {
    let started = Instant::now();
    let out = call.await?;
    Ok((started.elapsed().as_secs_f64(), out))
}

/// The q-quantile (0.5 median, 0.99 p99) by nearest rank.
fn quantile(values: impl Iterator<Item = f64>, q: f64) -> f64 {
    let mut sorted: Vec<f64> = values.collect();
    sorted.sort_by(f64::total_cmp);
    let rank = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len().max(1));
    sorted.get(rank - 1).copied().unwrap_or(f64::NAN)
}

/// (median ms, p99 ms, mean links, max links) of one walk.
fn walk_figures(walks: &[(f64, usize)]) -> (f64, f64, f64, usize) {
    let times = || walks.iter().map(|w| w.0 * 1e3);
    let links: usize = walks.iter().map(|w| w.1).sum();
    let max = walks.iter().map(|w| w.1).max().unwrap_or(0);
    let mean = links as f64 / walks.len().max(1) as f64;
    (quantile(times(), 0.5), quantile(times(), 0.99), mean, max)
}

fn print_table(cases: &[Case], samples: usize) {
    println!();
    println!(
        "Trace walks, depth {DEPTH}: forward from random material lots, reverse from random \
         orders; {samples} samples each per case (after {WARM_UP} warm-up), taken in turns"
    );
    println!(
        "engine       links  gen s load s point µs  ins µs  fwd ms fwd p99  fwd n fwd max  rev ms rev p99  rev n rev max  f÷pt  r÷pt"
    );
    for c in cases {
        let engine = format!("{:?}", c.engine).to_lowercase();
        let (links, generate, load) = (c.graph.edges.len(), c.generate, c.load);
        let point = quantile(c.s.point.iter().map(|s| s * 1e6), 0.5);
        let insert = quantile(c.s.insert.iter().map(|s| s * 1e6), 0.5);
        let (fm, fp, fln, fmax) = walk_figures(&c.s.forward);
        let (rm, rp, rln, rmax) = walk_figures(&c.s.reverse);
        let (fpt, rpt) = (fm * 1e3 / point, rm * 1e3 / point);
        println!(
            "{engine:<8} {links:>9} {generate:>6.2} {load:>6.1} {point:>8.1} {insert:>7.1} {fm:>7.3} {fp:>7.3} {fln:>6.1} {fmax:>7} {rm:>7.3} {rp:>7.3} {rln:>6.1} {rmax:>7} {fpt:>5.1} {rpt:>5.1}"
        );
    }
    // Each size against the same engine's smallest: flat (~1×) means the graph size does not
    // matter; the answer-size ratio says how much of any change the answers explain.
    println!();
    println!("vs the smallest graph of the same engine (median over median; answers: mean links):");
    for c in cases {
        let engine = format!("{:?}", c.engine).to_lowercase();
        let same = cases.iter().filter(|b| b.engine == c.engine);
        let Some(b) = same.min_by_key(|b| b.graph.edges.len()) else {
            continue;
        };
        let links = c.graph.edges.len() as f64 / b.graph.edges.len() as f64;
        let point =
            quantile(c.s.point.iter().copied(), 0.5) / quantile(b.s.point.iter().copied(), 0.5);
        let (f, fb) = (walk_figures(&c.s.forward), walk_figures(&b.s.forward));
        let (r, rb) = (walk_figures(&c.s.reverse), walk_figures(&b.s.reverse));
        let (fwd, fwd_n, rev, rev_n) = (f.0 / fb.0, f.2 / fb.2, r.0 / rb.0, r.2 / rb.2);
        println!(
            "{engine:<8} {:>9} links ({links:>4.1}× links): point {point:.2}×, fwd {fwd:.2}× (answers {fwd_n:.2}×), rev {rev:.2}× (answers {rev_n:.2}×)",
            c.graph.edges.len()
        );
    }
    println!(
        "\ngen s  graph built in memory; load s  one transaction of {CHUNK}-row INSERTs + ANALYZE\n\
         point  median µs of SELECT … FROM trace_edges WHERE to_kind=$1 AND to_id=$2 (a batch's lots)\n\
         ins µs median insert_link of a new link (one transaction, rolled back)\n\
         fwd/rev median / p99 ms of the walk; n / max  mean / largest links returned\n\
         f÷pt   walk median over point-lookup median (r÷pt likewise)"
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
            .context("PORTICO_BENCH_DATABASE_URL reachable")?;
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

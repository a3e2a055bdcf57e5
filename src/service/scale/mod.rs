//! `portico seed-demo --scale N`: a realistic bulk data set for benchmarks. N orders over two
//! years between ~100 brands and ~10,000 partners (skewed: a few partners get a large share),
//! with their lines, signed statements, timeline, production progress, shipments, receipts,
//! invoices, financings, SLA clocks and alerts, and trace chains; then the logins a benchmark
//! needs. Rows are generated on worker threads (pure functions of the seed) and written in big
//! transactions of multi-row INSERTs through `db::bulk::Loader`.

pub mod batch;
pub mod billing;
pub mod clocks;
pub mod fulfilment;
pub mod ids;
pub mod orders;
pub mod shape;
pub mod shipping;
pub mod timeline;
pub mod trace;
pub mod world;
pub mod world_rows;
pub mod writer;

use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;

use self::batch::Batch;
use self::timeline::DAY;
use crate::app::AppState;
use crate::db::bulk::{Loader, Table, Val};
use crate::domain::ids::TenantId;

pub struct Options {
    pub orders: u64,
    pub seed: u64,
    /// Load even if the database already has orders.
    pub force: bool,
    /// Orders per transaction.
    pub batch: usize,
    /// Generator threads.
    pub threads: usize,
    pub password: String,
}

/// How far the load got, for the progress line.
pub struct Progress {
    pub orders: u64,
    pub total: u64,
    pub rows: u64,
    pub elapsed: Duration,
}

impl Progress {
    pub fn rate(&self) -> f64 {
        self.orders as f64 / self.elapsed.as_secs_f64().max(1e-3)
    }

    pub fn eta(&self) -> Duration {
        let left = self.total.saturating_sub(self.orders) as f64;
        Duration::from_secs_f64(left / self.rate().max(1e-3))
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Login {
    pub email: String,
    pub org: String,
    pub org_id: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct SampleOrder {
    pub id: String,
    pub po_number: String,
    /// The brand (tenant) the order belongs to.
    pub tenant_id: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ApiClient {
    pub client_id: String,
    pub client_secret: String,
    pub org_id: String,
    pub tenant_id: String,
}

/// Whom a benchmark logs in as, and what to look at.
#[derive(Clone, Debug, Serialize)]
pub struct Logins {
    pub password: String,
    /// The largest brand: partners and financiers serve several brands and choose this one
    /// with `POST /context/brand` (`tenant` = this id, plus the form's CSRF token).
    pub brand_tenant_id: String,
    pub brand_ops: Login,
    pub supplier: Login,
    pub financier: Login,
    pub sample_order: Option<SampleOrder>,
    pub trace_search: Option<String>,
    pub api_client: ApiClient,
}

pub struct Report {
    pub orders: u64,
    pub rows: u64,
    pub load: Duration,
    pub analyze: Duration,
    pub logins: Logins,
}

/// Generates and loads the data set, reporting progress after every transaction.
/// The data set spans every brand, so it is written in the scope that crosses brands (on
/// PostgreSQL, row-level security would refuse it otherwise; see `db::scope`).
pub async fn generate(
    state: &AppState,
    opts: &Options,
    progress: &mut dyn FnMut(&Progress),
) -> anyhow::Result<Report> {
    crate::db::scope::system(generate_all(state, opts, progress)).await
}

async fn generate_all(
    state: &AppState,
    opts: &Options,
    progress: &mut dyn FnMut(&Progress),
) -> anyhow::Result<Report> {
    let started = Instant::now();
    let mut loader = Loader::open(&state.db).await?;
    let existing = loader.count("orders").await?;
    if existing > 0 && !opts.force {
        anyhow::bail!(
            "the database already has {existing} orders; --scale loads into a fresh database \
             (pass --force to add to this one)"
        );
    }
    if loader.exists("users", "email", "ops@brand001.test").await? {
        anyhow::bail!("this database already holds a generated data set; use a fresh database");
    }
    let hash = crate::auth::password::hash(opts.password.clone()).await?;
    // Today (on the business clock) at midnight UTC: the same seed gives the same data all day.
    let now = state.now().0;
    let now = now - now.rem_euclid(DAY);
    let shape = shape::shape(opts.orders);
    let mut rng = StdRng::seed_from_u64(opts.seed);
    let (world, rows) = world::build(&mut rng, &shape, &state.master, &hash, now - 800 * DAY);
    loader
        .load(&[
            &rows.orgs,
            &rows.keys,
            &rows.users,
            &rows.partnerships,
            &rows.programs,
            &rows.program_suppliers,
        ])
        .await?;
    sla_defaults(&mut loader, &world, now - 800 * DAY).await?;
    let world = Arc::new(world);
    let total_rows = load_orders(&mut loader, &world, opts, now, started, progress).await?;
    let load = started.elapsed();
    let analyze = loader.finish().await?;
    let logins = logins(state, &world, opts).await?;
    Ok(Report {
        orders: opts.orders,
        rows: total_rows,
        load,
        analyze,
        logins,
    })
}

/// Every brand's default office calendar and policies, and its dashboard revision.
async fn sla_defaults(loader: &mut Loader, world: &world::World, at: i64) -> anyhow::Result<()> {
    use sqlx::Connection;
    let mut revisions = Table::new("sla_revisions", &["tenant_id", "rev"]);
    let mut tx = loader.conn().begin().await?;
    for brand in &world.brands {
        let tenant = TenantId::of_brand(brand.org.id);
        crate::service::sla::setup::ensure_defaults(&mut tx, tenant, at).await?;
        revisions.row(vec![tenant.to_string().into(), Val::I(1)]);
    }
    tx.commit().await?;
    loader.load(&[&revisions]).await?;
    Ok(())
}

/// Generates batches on worker threads (batch `j` on thread `j % threads`, each from its own
/// seed) and writes them in order.
async fn load_orders(
    loader: &mut Loader,
    world: &Arc<world::World>,
    opts: &Options,
    now: i64,
    started: Instant,
    progress: &mut dyn FnMut(&Progress),
) -> anyhow::Result<u64> {
    let total = opts.orders;
    let per_batch = opts.batch.max(1) as u64;
    let batches = total.div_ceil(per_batch);
    let threads = opts.threads.clamp(1, 16);
    let mut receivers = Vec::new();
    for t in 0..threads {
        let (tx, rx) = tokio::sync::mpsc::channel::<Batch>(1);
        receivers.push(rx);
        let world = Arc::clone(world);
        let seed = opts.seed;
        std::thread::spawn(move || {
            let g = orders::Gen {
                world: &world,
                now,
                seed,
                cal: clocks::office_calendar(),
            };
            let mut j = t as u64;
            while j < batches {
                let batch = make_batch(&g, j, per_batch, total);
                if tx.blocking_send(batch).is_err() {
                    return;
                }
                j += threads as u64;
            }
        });
    }
    let mut done = 0u64;
    let mut rows = 0u64;
    for j in 0..batches {
        let Some(batch) = receivers[(j % threads as u64) as usize].recv().await else {
            anyhow::bail!("a generator thread stopped");
        };
        loader.load(&batch.tables()).await?;
        done += batch.count as u64;
        rows += batch.rows() as u64;
        progress(&Progress {
            orders: done,
            total,
            rows,
            elapsed: started.elapsed(),
        });
    }
    Ok(rows)
}

/// Orders `j * per_batch ..` of `total`, created over the two years before `now` in time
/// order, more of them lately (the brands grow).
pub fn make_batch(g: &orders::Gen, j: u64, per_batch: u64, total: u64) -> Batch {
    let span = 730 * DAY;
    let start = g.now - span;
    let mut rng = StdRng::seed_from_u64(g.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ j);
    let mut out = Batch::new();
    let from = j * per_batch;
    for i in from..(from + per_batch).min(total) {
        let u = (i as f64 + rng.r#gen::<f64>()) / total as f64;
        let created = start + (shape::growth(u) * span as f64) as i64;
        orders::order(g, &mut rng, i, created.min(g.now - 60_000), &mut out);
    }
    out
}

async fn logins(state: &AppState, world: &world::World, opts: &Options) -> anyhow::Result<Logins> {
    let brand = &world.brands[0];
    let tenant = TenantId::of_brand(brand.org.id);
    let partner = &world.partners[0].org;
    let program = brand.program.as_ref().map_or(0, |p| p.financier);
    let financier = &world.financiers[program];
    let login = |email: &str, org: &world::Org| Login {
        email: email.to_owned(),
        org: org.name.clone(),
        org_id: org.id.to_string(),
    };
    let sample = {
        let mut conn = state.db.read().await?;
        crate::db::bulk::sample_order(&mut conn, tenant, partner.id).await?
    };
    let trace_search = sample.as_ref().map(|(_, po, shipped)| {
        if *shipped {
            format!("FG-{}-1", &po[3..])
        } else {
            po.clone()
        }
    });
    let actor = super::demo_orders::actor(state, &partner.admin_email, tenant).await?;
    let input = super::api_clients::ClientInput {
        name: "Benchmark ERP".into(),
        role: "member".into(),
        scopes: ["orders:read", "orders:write", "events:read"]
            .map(String::from)
            .to_vec(),
    };
    let created = super::api_clients::create(state, &actor, &input)
        .await
        .map_err(|e| anyhow::anyhow!("API client: {e:?}"))?;
    Ok(Logins {
        password: opts.password.clone(),
        brand_tenant_id: tenant.to_string(),
        brand_ops: login(&brand.ops_email, &brand.org),
        supplier: login(&partner.admin_email, partner),
        financier: login(&financier.admin_email, financier),
        sample_order: sample.map(|(id, po_number, _)| SampleOrder {
            id,
            po_number,
            tenant_id: tenant.to_string(),
        }),
        trace_search,
        api_client: ApiClient {
            client_id: created.client.id,
            client_secret: created.secret,
            org_id: partner.id.to_string(),
            tenant_id: tenant.to_string(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_makes_the_same_batch_again_and_every_row_is_signed() {
        let shape = shape::shape(200);
        let master = crate::signing::master_key::MasterKey::generate();
        let now = 1_790_000_000_000 - 1_790_000_000_000 % DAY;
        let build = || {
            let mut rng = StdRng::seed_from_u64(42);
            world::build(&mut rng, &shape, &master, "hash", now - 800 * DAY).0
        };
        let (a, b) = (build(), build());
        let batch = |w: &world::World| {
            let g = orders::Gen {
                world: w,
                now,
                seed: 42,
                cal: clocks::office_calendar(),
            };
            make_batch(&g, 0, 200, 200)
        };
        let (x, y) = (batch(&a), batch(&b));
        assert_eq!(x.count, 200);
        assert_eq!(x.orders.len(), 200);
        assert!(x.lines.len() >= 600 && x.lines.len() <= 2_000);
        assert_eq!(format!("{:?}", x.statements), format!("{:?}", y.statements));
        assert!(x.statements.len() > 600, "{}", x.statements.len());
        assert!(!x.clocks.timers.is_empty() && !x.invoices.is_empty());
        assert!(!x.edges.is_empty() && !x.asns.is_empty());
    }
}

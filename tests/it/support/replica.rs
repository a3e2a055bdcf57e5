//! A second server process on a `TestApp`'s database, as a replica behind a balancer would run:
//! its own listener, connection pool, session layer and background workers, sharing only what
//! replicas must share (the database, the data directory with the master key and uploaded
//! files) and the wall clock (here the test clock, so a moved clock moves every replica).

use portico::app::{self, AppState, Running};

use super::TestApp;

pub struct Replica {
    pub base_url: String,
    running: Option<Running>,
}

impl TestApp {
    /// Starts another replica on this app's database with this app's configuration.
    pub async fn replica(&self) -> Replica {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let mut config = (*self.state().config).clone();
        config.listen = addr;
        // Replicas behind one balancer share the public URL; links keep pointing at it.
        let db = app::open_database(&config).await.expect("database");
        let state = AppState::new(db, config)
            .expect("state")
            .with_clock(self.state().clock.clone());
        let running = app::start(state, listener).await.expect("replica starts");
        Replica {
            base_url: format!("http://{addr}"),
            running: Some(running),
        }
    }
}

impl Replica {
    pub fn state(&self) -> &AppState {
        &self.running.as_ref().expect("running").state
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        // Stops serving; its pool closes with it, before the app drops the database.
        drop(self.running.take());
    }
}

/// Whether the suite runs on PostgreSQL (replicas need a shared server; SQLite is one process).
pub fn on_postgres() -> bool {
    std::env::var("PORTICO_TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty())
}

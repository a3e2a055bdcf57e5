//! The `portico` command itself: subcommands, demo logins, graceful shutdown, request ids in
//! the logs. Runs the real binary against the test's database.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{Options, TestApp};

fn portico(app: &TestApp) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_portico"));
    command
        .env("DATABASE_URL", app.db.url())
        .env("PORTICO_DATA_DIR", app.data_dir.path())
        .env("RUST_LOG", "info")
        .env_remove("PORTICO_DEMO_PASSWORD")
        .stdin(Stdio::null());
    command
}

fn run(command: &mut Command) -> (bool, String) {
    let output = command.output().expect("portico runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_demo_prints_the_logins_and_a_password_once() {
    let app = TestApp::spawn_with(Options {
        demo: false,
        ..Options::default()
    })
    .await;
    let (ok, out) = run(portico(&app).arg("seed-demo"));
    assert!(ok, "{out}");
    assert!(out.contains("sales@sunrise.test"));
    assert!(out.contains("root@portico.test"));
    let password = out
        .lines()
        .find_map(|l| l.split("(shown once): ").nth(1))
        .expect("the generated password is printed")
        .trim()
        .to_owned();
    assert_eq!(
        app.client()
            .login("admin@acme.test", &password)
            .await
            .status,
        303
    );

    let (ok, again) = run(portico(&app).arg("seed-demo"));
    assert!(ok, "{again}");
    assert!(again.contains("already has data"));
    assert!(!again.contains("(shown once)"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_demo_scale_refuses_a_count_that_is_not_a_positive_number_and_writes_nothing() {
    let app = TestApp::spawn_with(Options {
        demo: false,
        ..Options::default()
    })
    .await;
    for bad in ["0", "-5", "many"] {
        let (ok, out) = run(portico(&app).args(["seed-demo", "--scale", bad]));
        assert!(!ok, "--scale {bad} was taken: {out}");
        assert!(out.contains(bad), "the error names {bad}: {out}");
    }
    // Nothing was generated: the demo seed still finds an empty database.
    let (ok, out) = run(portico(&app).arg("seed-demo"));
    assert!(ok, "{out}");
    assert!(!out.contains("already has data"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_add_creates_a_platform_admin_and_org_users() {
    let app = TestApp::spawn().await;
    let (ok, out) = run(portico(&app).args([
        "user",
        "add",
        "--platform-admin",
        "--email",
        "Ops@Portico.test",
        "--generate-password",
    ]));
    assert!(ok, "{out}");
    let password = out
        .lines()
        .find_map(|l| l.strip_prefix("Password: "))
        .expect("password printed")
        .to_owned();
    let client = app.client();
    assert_eq!(
        client.login("ops@portico.test", &password).await.status,
        303
    );
    assert_eq!(client.get("/platform/brands").await.status, 200);

    let (ok, out) = run(portico(&app).args([
        "user",
        "add",
        "--org",
        "Delta Garment Works",
        "--role",
        "viewer",
        "--email",
        "line@delta.test",
        "--name",
        "Line Lead",
    ]));
    assert!(ok, "{out}");
    assert!(out.contains("Created user line@delta.test"));

    let (ok, out) = run(portico(&app).args([
        "user",
        "add",
        "--org",
        "Acme Apparel",
        "--role",
        "viewer",
        "--email",
        "v@acme.test",
    ]));
    assert!(!ok);
    assert!(
        out.contains("\"viewer\" is not one of [\"admin\", \"ops\", \"quality\", \"finance\"]"),
        "{out}"
    );

    let (ok, out) =
        run(portico(&app).args(["user", "add", "--org", "Nope Ltd", "--email", "x@nope.test"]));
    assert!(!ok);
    assert!(out.contains("no organisation named \"Nope Ltd\""), "{out}");

    let (ok, out) = run(portico(&app).args([
        "user",
        "add",
        "--org",
        "Acme Apparel",
        "--email",
        "ops@acme.test",
    ]));
    assert!(!ok);
    assert!(out.contains("already exists"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_is_idempotent() {
    let app = TestApp::spawn_with(Options {
        demo: false,
        ..Options::default()
    })
    .await;
    for _ in 0..2 {
        let (ok, out) = run(portico(&app).arg("migrate"));
        assert!(ok, "{out}");
        assert!(out.contains("up to date"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_logs_request_ids_and_stops_cleanly_on_sigterm() {
    let app = TestApp::spawn_with(Options {
        demo: false,
        ..Options::default()
    })
    .await;
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let mut child = portico(&app)
        .args([
            "serve",
            "--no-demo",
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve starts");
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(response) = http.get(format!("{base}/readyz")).send().await
            && response.status() == 200
        {
            break;
        }
        assert!(Instant::now() < deadline, "server did not become ready");
        // Poll interval while waiting for the readiness condition.
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let response = http.get(format!("{base}/healthz")).send().await.unwrap();
    let request_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = tokio::task::spawn_blocking(move || {
        let _ = child.try_wait();
        child.wait_with_output()
    })
    .await
    .unwrap()
    .unwrap();
    assert!(output.status.success(), "exit status {:?}", output.status);
    let logs = String::from_utf8_lossy(&output.stdout).to_string()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(logs.contains(&format!("request_id={request_id}")), "{logs}");
    assert!(logs.contains("shutting down"));
}

//! Keys, the published key set, offline bundle verification and the audit chain, end to end
//! through the HTTP endpoint and the `portico` command.

use std::process::Command;

use portico::db::Engine;
use portico::domain::time::UtcMillis;
use portico::signing::bundle::{
    BUNDLE_FORMAT, Bundle, SignedStatement, StatementHeader, payload_hash,
};
use portico::signing::jcs::canonical_json;
use portico::signing::jwks::Jwks;

use crate::support::TestApp;

fn portico(app: &TestApp) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_portico"));
    command
        .env("DATABASE_URL", app.db.url())
        .env("PORTICO_DATA_DIR", app.data_dir.path())
        .env_remove("PORTICO_MASTER_KEY");
    command
}

fn run(command: &mut Command) -> (bool, String) {
    let out = command.output().expect("portico runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

async fn published_keys(app: &TestApp) -> Jwks {
    let page = app.client().get("/.well-known/portico/keys.json").await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type").as_deref(),
        Some("application/json")
    );
    serde_json::from_str(&page.body).expect("a JWKS")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_organisation_publishes_an_ed25519_key_without_private_parts() {
    let app = TestApp::spawn().await;
    let page = app.client().get("/.well-known/portico/keys.json").await;
    assert!(page.header("cache-control").unwrap().contains("max-age"));
    for secret in ["\"d\"", "sealed", "private"] {
        assert!(!page.body.contains(secret), "the key set exposes {secret}");
    }
    let jwks = published_keys(&app).await;
    assert_eq!(jwks.keys.len(), 7, "one key per demo organisation");
    for key in &jwks.keys {
        assert_eq!(
            (key.kty.as_str(), key.crv.as_str(), key.alg.as_str()),
            ("OKP", "Ed25519", "EdDSA")
        );
        assert!(key.public_key().is_ok(), "kid is the thumbprint of x");
        assert!(key.valid_until.is_none());
    }
    let master = std::fs::read_to_string(app.data_dir.path().join("master.key")).unwrap();
    assert!(!page.body.contains(master.trim()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotating_a_key_keeps_the_old_one_published_for_old_statements() {
    let app = TestApp::spawn().await;
    let sunrise = app.org_id("Sunrise Textiles").await.to_string();
    let before: Vec<_> = published_keys(&app)
        .await
        .keys
        .into_iter()
        .filter(|k| k.org_id == sunrise)
        .collect();
    let (ok, out) = run(portico(&app).args(["keys", "rotate", "--org", "Sunrise Textiles"]));
    assert!(ok, "{out}");
    assert!(
        out.contains("Sunrise Textiles: retired 1 key(s); now signing with"),
        "{out}"
    );
    let after: Vec<_> = published_keys(&app)
        .await
        .keys
        .into_iter()
        .filter(|k| k.org_id == sunrise)
        .collect();
    assert_eq!(after.len(), 2);
    let old = after
        .iter()
        .find(|k| k.kid == before[0].kid)
        .expect("old key still published");
    assert!(old.valid_until.is_some(), "the old key is retired");
    assert!(
        after
            .iter()
            .any(|k| k.kid != before[0].kid && k.valid_until.is_none())
    );

    let (ok, out) = run(portico(&app).args(["keys", "rotate", "--org", "Nobody Ltd"]));
    assert!(!ok);
    assert!(out.contains("no organisation named"), "{out}");
}

/// Signs a two-statement chain with the demo organisations' real keys.
async fn signed_bundle(app: &TestApp) -> Bundle {
    let master = portico::signing::master_key::MasterKey::load(None, app.data_dir.path()).unwrap();
    let acme = app.org_id("Acme Apparel").await;
    let sunrise = app.org_id("Sunrise Textiles").await;
    let mut statements: Vec<SignedStatement> = Vec::new();
    let mut tx = app.db.begin().await.unwrap();
    for (org, kind) in [(acme, "po.issued"), (sunrise, "po.confirmed")] {
        let header = StatementHeader {
            kind: kind.into(),
            tenant: acme.to_string(),
            order_id: "order-1".into(),
            org: org.to_string(),
            user: "user-1".into(),
            at: UtcMillis::now().rfc3339(),
            prev: statements.last().map(|s| payload_hash(&s.payload)),
            attests: format!("{kind} PO 4500001"),
        };
        let payload = canonical_json(&header).unwrap();
        let (kid, signature) =
            portico::service::orgs::sign_as(&mut tx, &master, org, payload.as_bytes())
                .await
                .unwrap();
        statements.push(SignedStatement {
            payload,
            signature,
            kid,
            withheld: None,
        });
    }
    tx.commit().await.unwrap();
    Bundle {
        format: BUNDLE_FORMAT.into(),
        order_id: "order-1".into(),
        statements,
        keys: published_keys(app).await,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portico_verify_checks_a_bundle_offline_and_names_what_fails() {
    let app = TestApp::spawn().await;
    let bundle = signed_bundle(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("evidence.json");
    std::fs::write(&path, serde_json::to_string_pretty(&bundle).unwrap()).unwrap();
    let keys_path = dir.path().join("keys.json");
    std::fs::write(
        &keys_path,
        serde_json::to_string(&published_keys(&app).await).unwrap(),
    )
    .unwrap();

    // No database and no data directory are needed.
    let offline = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_portico"));
        c.env_remove("DATABASE_URL")
            .env("PORTICO_DATA_DIR", "/nonexistent/portico");
        c
    };
    let (ok, out) = run(offline().arg("verify").arg(&path));
    assert!(ok, "{out}");
    assert!(out.contains("ok    #1 po.issued"), "{out}");
    assert!(out.contains("ok    #2 po.confirmed"), "{out}");
    assert!(out.trim_end().ends_with("VERIFIED"), "{out}");
    let (ok, out) = run(offline()
        .arg("verify")
        .arg(&path)
        .arg("--keys")
        .arg(&keys_path));
    assert!(ok, "{out}");

    let mut tampered = bundle.clone();
    tampered.statements[1].payload = tampered.statements[1].payload.replace("4500001", "4500002");
    std::fs::write(&path, serde_json::to_string(&tampered).unwrap()).unwrap();
    let (ok, out) = run(offline().arg("verify").arg(&path));
    assert!(!ok);
    assert!(
        out.contains("FAIL  #2") && out.contains("signature does not match"),
        "{out}"
    );
    assert!(out.trim_end().ends_with("NOT VERIFIED"));

    std::fs::write(&path, "{\"not\": \"a bundle\"}").unwrap();
    let (ok, out) = run(offline().arg("verify").arg(&path));
    assert!(!ok);
    assert!(out.contains("is not a valid file"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_chain_verifies_and_a_rewritten_entry_is_named() {
    let app = TestApp::spawn().await;
    for email in [
        "admin@acme.test",
        "sales@sunrise.test",
        "ops@blueharbor.test",
    ] {
        app.login(email).await;
    }
    let (ok, out) = run(portico(&app).args(["audit", "verify"]));
    assert!(ok, "{out}");
    assert!(
        out.contains("chain platform:") && out.contains("intact"),
        "{out}"
    );

    // Someone with database access switches the guard off and rewrites history.
    let mut tx = app.db.begin().await.unwrap();
    let (disable, enable) = match app.db.engine() {
        Engine::Sqlite => ("DROP TRIGGER audit_log_no_update", None),
        Engine::Postgres => (
            "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
            Some("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"),
        ),
    };
    sqlx::query(disable).execute(&mut *tx).await.unwrap();
    sqlx::query("UPDATE audit_log SET client_addr = '203.0.113.9' WHERE chain = 'platform' AND chain_seq = 2")
        .execute(&mut *tx)
        .await
        .unwrap();
    if let Some(enable) = enable {
        sqlx::query(enable).execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();

    let (ok, out) = run(portico(&app).args(["audit", "verify"]));
    assert!(!ok, "{out}");
    assert!(out.contains("chain platform: BROKEN at entry #2"), "{out}");
    assert!(out.contains("changed after it was written"), "{out}");
}

/// The audit log's report, checked to be unbroken in every chain.
async fn intact_audit_log(app: &TestApp) -> portico::service::audit_check::AuditReport {
    let report = portico::service::audit_check::verify_audit_log(&app.db)
        .await
        .unwrap();
    assert!(
        report.intact(),
        "{:?}",
        report.chains.iter().map(|c| &c.result).collect::<Vec<_>>()
    );
    report
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writers_keep_one_unbroken_chain() {
    let app = TestApp::spawn().await;
    let mut sign_ins = Vec::new();
    for _ in 0..20 {
        let client = app.client();
        sign_ins.push(tokio::spawn(async move {
            client
                .login("admin@acme.test", crate::support::DEMO_PASSWORD)
                .await
                .status
        }));
    }
    for handle in sign_ins {
        assert_eq!(handle.await.unwrap(), 303);
    }
    let report = intact_audit_log(&app).await;
    let platform = report
        .chains
        .iter()
        .find(|c| c.chain == "platform")
        .unwrap();
    assert!(
        *platform.result.as_ref().unwrap() >= 21,
        "every sign-in is in the chain"
    );
    assert_eq!(report.unchained, 0);
}

/// Views of an order are group-committed: many at once share a commit and take their places in
/// the brand's chain in one head bump. Each view is there, in one unbroken chain.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn views_committed_together_each_take_their_place_in_one_unbroken_chain() {
    let app = TestApp::spawn().await;
    let id = crate::support::orders::order(
        &app,
        "admin@acme.test",
        "Acme Apparel",
        "PO-VIEWS-1",
        "Delta Garment Works",
        None,
        true,
    )
    .await;
    let viewers = [
        app.login("planner@delta.test").await,
        app.login("ops@acme.test").await,
    ];
    let views = |app: &TestApp| {
        let app_db = app.db.clone();
        async move {
            // SQLite keeps views in their own file a moment before they join the chain.
            portico::service::view_audit::fold_pending(&app_db)
                .await
                .unwrap();
            let (n,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'order.viewed' AND subject_id = $1",
            )
            .bind(id.to_string())
            .fetch_one(app_db.reader())
            .await
            .unwrap();
            n
        }
    };
    let before = views(&app).await;
    let mut pages = Vec::new();
    for i in 0..24 {
        let client = viewers[i % 2].clone();
        pages.push(tokio::spawn(async move {
            client.get(&format!("/orders/{id}")).await.status
        }));
    }
    for page in pages {
        assert_eq!(page.await.unwrap(), 200);
    }
    assert_eq!(views(&app).await, before + 24);
    let report = intact_audit_log(&app).await;
    assert_eq!(report.unchained, 0);
}

//! The OpenAPI document: valid against the OpenAPI 3.1 schema (vendored from PyPI's
//! `openapi-spec-validator` 0.9.0, `resources/schemas/v3.1/schema.json`, the official
//! 2022-10-07 schema), and true to the server: a property-based run of `schemathesis` against
//! the running app finds no server error and no answer that breaks the document. CI installs
//! schemathesis and sets PORTICO_REQUIRE_SCHEMATHESIS=1; elsewhere the run is skipped when
//! `st` is not installed.

use std::process::Command;

use crate::support::api::{create_client, token};
use crate::support::orders::order;
use crate::support::{Options, TestApp};

async fn document(app: &TestApp) -> serde_json::Value {
    crate::support::api::http()
        .get(format!("{}/api/v1/openapi.json", app.base_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_openapi_document_is_valid_openapi_3_1_and_documents_every_operation() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../fixtures/openapi/oas-3.1-schema.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the OAS 3.1 schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/oauth/token",
        "/api/v1/orders",
        "/api/v1/orders/{id}",
        "/api/v1/orders/{id}/decisions",
        "/api/v1/orders/{id}/evidence",
        "/api/v1/orders/{id}/progress",
        "/api/v1/orders/{id}/asns",
        "/api/v1/asns/{asn}/receipts",
        "/api/v1/orders/{id}/invoices",
        "/api/v1/events",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} documented");
    }
    // The reference page renders the same document for people.
    let page = app.client().get("/api/v1").await;
    assert_eq!(page.status, 200);
    assert!(
        page.text("main")
            .contains("POST /api/v1/orders/{id}/decisions")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_server_errors_and_no_answers_that_break_the_schema() {
    let required = std::env::var("PORTICO_REQUIRE_SCHEMATHESIS").is_ok_and(|v| v == "1");
    let installed = Command::new("st")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !installed {
        assert!(
            !required,
            "schemathesis (`st`) is required here but not installed"
        );
        eprintln!("schemathesis not installed; skipped (pip install schemathesis)");
        return;
    }
    let app = TestApp::spawn_with(Options {
        api_rate_per_minute: 1_000_000,
        ..Options::default()
    })
    .await;
    order(
        &app,
        "ops@acme.test",
        "Acme Apparel",
        "PO-FUZZ-1",
        "Delta Garment Works",
        None,
        true,
    )
    .await;
    let (client, secret) = create_client(
        &app,
        "planner@delta.test",
        "member",
        &[
            "orders:read",
            "orders:write",
            "production:write",
            "shipments:write",
            "invoices:write",
        ],
    )
    .await;
    let bearer = token(&app, &client, &secret).await;
    let url = format!("{}/api/v1/openapi.json", app.base_url);
    let reports = tempfile::tempdir().unwrap();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("st")
            .args(["run", &url])
            .args(["--header", &format!("Authorization: Bearer {bearer}")])
            .args([
                "--checks",
                "not_a_server_error,response_schema_conformance,content_type_conformance",
            ])
            .args([
                "--max-examples",
                "40",
                "--generation-deterministic",
                "--no-color",
            ])
            .args(["--report-dir", &reports.path().display().to_string()])
            // Its cache (.schemathesis/) goes to the temporary directory, not the checkout.
            .current_dir(reports.path())
            .env("SCHEMATHESIS_HOOKS", "")
            .output()
            .expect("st runs")
    })
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "schemathesis found problems:\n{text}"
    );
}

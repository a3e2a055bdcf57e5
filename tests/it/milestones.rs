//! The brand's milestone template: what its admin changes is what partners report.

use crate::support::orders::{decide, order};
use crate::support::{Page, TestApp, TestClient};

/// Sends the template form with changes per row: (code, label, position, in use).
async fn save(
    client: &TestClient,
    page: &Page,
    changes: &[(&str, &str, &str, bool)],
    production: &[&str],
) -> Page {
    let (_, fields) = page.form("form[action='/admin/milestones']");
    let mut out: Vec<(String, String)> = Vec::new();
    let mut code = String::new();
    let active: Vec<String> = page
        .html()
        .select(&scraper::Selector::parse("input[name='active'][checked]").unwrap())
        .filter_map(|e| e.value().attr("value").map(str::to_owned))
        .collect();
    let mut in_use = Vec::new();
    for (name, value) in fields {
        match name.as_str() {
            "code" => {
                code = value.clone();
                let keep = active.contains(&code);
                let wanted = changes.iter().find(|c| c.0 == code).map_or(keep, |c| c.3);
                if wanted {
                    in_use.push(code.clone());
                }
                out.push((name, value));
            }
            "label" => {
                let v = changes
                    .iter()
                    .find(|c| c.0 == code)
                    .map_or(value, |c| c.1.into());
                out.push((name, v));
            }
            "position" => {
                let v = changes
                    .iter()
                    .find(|c| c.0 == code)
                    .map_or(value, |c| c.2.into());
                out.push((name, v));
            }
            _ => out.push((name, value)),
        }
    }
    for code in in_use {
        out.push(("active".into(), code));
    }
    for code in production {
        out.push(("production".into(), (*code).to_owned()));
    }
    let pairs: Vec<(&str, &str)> = out.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    client.post_raw("/admin/milestones", &pairs).await
}

async fn own_code(app: &TestApp) -> String {
    let mut conn = app.db.reader().acquire().await.unwrap();
    sqlx::query_scalar("SELECT code FROM milestone_steps WHERE code LIKE 'own-%'")
        .fetch_one(&mut *conn)
        .await
        .unwrap()
}

async fn report(client: &TestClient, id: &str, milestone: &str) -> Page {
    let form = reqwest::multipart::Form::new()
        .text("_csrf", client.csrf().await)
        .text("submission", portico::auth::tokens::new_token())
        .text("milestone", milestone.to_owned());
    client
        .send_multipart(&format!("/orders/{id}/progress"), form)
        .await
}

#[tokio::test]
async fn the_brands_template_is_what_partners_report() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@acme.test").await;
    let page = admin.get("/admin/milestones").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.texts(".milestone-steps tbody tr").len(), 8);

    // Add one of Acme's own; a nameless one is refused.
    let nameless = admin
        .submit(
            &page,
            "form[action='/admin/milestones/add']",
            &[("label", " ")],
        )
        .await;
    assert_eq!(nameless.status, 422);
    assert!(
        nameless
            .text("#new-label-error")
            .contains("Give this milestone a name")
    );
    let added = admin
        .submit(
            &page,
            "form[action='/admin/milestones/add']",
            &[("label", "Embroidery done"), ("production", "on")],
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.body);
    let page = admin.follow(&added).await;
    assert!(page.text(".flash-success").contains("added"));
    let own = own_code(&app).await;

    // Rename kitting, switch off "50 % produced", move packing first; refusals keep the typing.
    let duplicate = save(
        &admin,
        &page,
        &[("materials_kitted", "Embroidery done", "1", true)],
        &[&own],
    )
    .await;
    assert_eq!(duplicate.status, 422);
    assert!(
        duplicate
            .text("#step-materials_kitted")
            .contains("already has this name")
    );
    assert_eq!(
        duplicate
            .attr("#step-materials_kitted input[name='label']", "value")
            .as_deref(),
        Some("Embroidery done")
    );
    let saved = save(
        &admin,
        &page,
        &[
            ("materials_kitted", "Fabric in house", "1", true),
            ("half_produced", "", "5", false),
            ("packed", "", "0", true),
        ],
        &[&own],
    )
    .await;
    assert_eq!(saved.status, 422, "position 0 is refused");
    assert!(saved.text("#step-packed").contains("from 1 to 99"));
    let saved = save(
        &admin,
        &page,
        &[
            ("materials_kitted", "Fabric in house", "2", true),
            ("half_produced", "", "5", false),
            ("packed", "", "1", true),
        ],
        &[&own],
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.body);

    // Delta's progress form follows the template.
    let id = order(
        &app,
        "ops@acme.test",
        "Acme Apparel",
        "4510001",
        "Delta Garment Works",
        None,
        true,
    )
    .await
    .to_string();
    let planner = app.login("planner@delta.test").await;
    let page = decide(
        &planner,
        &planner.get(&format!("/orders/{id}")).await,
        "form.accept-all",
        &[],
    )
    .await;
    let choices = page.texts("#p-milestone option");
    assert_eq!(choices[0], "Packed (after first-sample approval)");
    assert_eq!(choices[1], "Fabric in house");
    assert!(
        choices.contains(&"Embroidery done (after first-sample approval)".to_owned()),
        "{choices:?}"
    );
    assert!(
        page.has(&format!("#p-milestone option[value='{own}'][disabled]")),
        "production steps cannot be picked before the sample is approved"
    );
    assert!(
        !choices.contains(&"First sample submitted".to_owned()),
        "the sample form records it"
    );
    assert!(!choices.iter().any(|c| c.contains("50")), "{choices:?}");
    assert!(!choices.contains(&"First sample approved".to_owned()));

    let off = report(&planner, &id, "half_produced").await;
    assert_eq!(off.status, 422, "a milestone switched off is not reported");
    let gated = planner.follow(&report(&planner, &id, &own).await).await;
    assert!(
        gated
            .text(".flash-error")
            .contains("after brand quality approves the first sample"),
        "Acme's own production step waits for the sample"
    );
    let kitted = planner
        .follow(&report(&planner, &id, "materials_kitted").await)
        .await;
    assert!(kitted.text("#progress .post").contains("Fabric in house"));
    let ops = app.login("ops@acme.test").await;
    assert!(
        ops.get(&format!("/orders/{id}"))
            .await
            .text(".timeline, #progress")
            .contains("Fabric in house")
    );
}

#[tokio::test]
async fn only_brand_admins_edit_the_template_and_something_stays_reportable() {
    let app = TestApp::spawn().await;
    for email in ["ops@acme.test", "planner@delta.test", "quality@acme.test"] {
        let client = app.login(email).await;
        assert_eq!(client.get("/admin/milestones").await.status, 404, "{email}");
    }
    let admin = app.login("admin@acme.test").await;
    let page = admin.get("/admin/milestones").await;
    let all_off: Vec<(&str, &str, &str, bool)> = [
        "materials_kitted",
        "production_started",
        "first_sample_submitted",
        "first_sample_approved",
        "half_produced",
        "production_complete",
        "qc_passed",
        "packed",
    ]
    .iter()
    .enumerate()
    .map(|(i, c)| (*c, "", ["1", "2", "3", "4", "5", "6", "7", "8"][i], false))
    .collect();
    let refused = save(&admin, &page, &all_off, &[]).await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .text("#steps-error")
            .contains("at least one milestone in use")
    );
    let mut conn = app.db.reader().acquire().await.unwrap();
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM milestone_steps")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(rows, 0, "nothing saved");
}

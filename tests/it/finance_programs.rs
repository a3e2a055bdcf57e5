//! Financing programs: a brand admin sets one up with its financier (bad terms explained, kept,
//! nothing stored), names the eligible suppliers (only its own), and each eligible supplier
//! joins or leaves; others never see it.

use crate::support::{TestApp, TestClient};

const TERMS: &[(&str, &str)] = &[
    ("name", "Acme early pay"),
    ("currency", "USD"),
    ("advance_pct", "90"),
    ("pricing", "discount"),
    ("rate_pct", "6.25"),
    ("day_count", "act360"),
    ("max_tenor_days", "120"),
    ("supplier_limit", "250,000"),
    ("total_limit", "1,000,000"),
    ("evidence", "buyer_accepted"),
    ("active", "on"),
];

async fn create(app: &TestApp, admin: &TestClient, extra: &[(&str, &str)]) -> crate::support::Page {
    let page = admin.get("/admin/finance").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let jade = app.org_id("Jade Capital").await.to_string();
    let mut fields: Vec<(&str, &str)> = TERMS.to_vec();
    fields.push(("financier", jade.as_str()));
    fields.extend_from_slice(extra);
    // `extra` overrides: later duplicates of single-value fields win in `submit`.
    admin
        .submit(&page, "details.program-new form", &fields)
        .await
}

#[tokio::test]
async fn a_brand_admin_sets_up_a_program_and_an_eligible_supplier_joins_it() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@acme.test").await;
    let done = create(&app, &admin, &[]).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let page = admin.follow(&done).await;
    assert!(page.text(".flashes").contains("The program is saved."));
    assert!(page.text("section.program h2").contains("Acme early pay"));
    assert!(page.text("section.program h2").contains("Jade Capital"));

    // Sunrise is eligible; Delta is not named.
    let sunrise = app.org_id("Sunrise Textiles").await.to_string();
    let saved = admin
        .submit(
            &page,
            "form.suppliers-form",
            &[("supplier", sunrise.as_str())],
        )
        .await;
    assert!(
        admin
            .follow(&saved)
            .await
            .text(".flashes")
            .contains("eligible suppliers are saved")
    );

    let sales = app.login("sales@sunrise.test").await;
    let offer = sales.get("/financing").await;
    assert!(offer.text("section.program").contains("Acme early pay"));
    assert!(
        offer
            .text(".program-terms")
            .contains("90.00 % advance · 6.25 % p.a. (ACT360) · up to 120 days")
    );
    let joined = sales
        .submit(&offer, "form.opt-in-form", &[("auto_finance", "on")])
        .await;
    let offer = sales.follow(&joined).await;
    assert!(offer.text(".flashes").contains("You joined the program."));
    assert!(offer.text(".program-status").contains("auto-financing"));
    let page = admin.get("/admin/finance").await;
    assert!(
        page.text(".program-suppliers")
            .contains("Sunrise Textiles · Joined")
    );

    let delta = app.login("planner@delta.test").await;
    assert!(delta.get("/financing").await.has("p.empty"));
    // Leaving works too.
    let offer = sales.get("/financing").await;
    let left = sales.submit(&offer, "form.opt-in-form", &[]).await;
    assert!(
        sales
            .follow(&left)
            .await
            .text(".program-status")
            .contains("Not joined yet")
    );
}

#[tokio::test]
async fn bad_terms_are_explained_field_by_field_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@acme.test").await;
    let before = app.fingerprint().await;
    let refused = create(
        &app,
        &admin,
        &[
            ("advance_pct", "120"),
            ("supplier_limit", "2,000,000"),
            ("financier", "nobody"),
        ],
    )
    .await;
    assert_eq!(refused.status, 422);
    let form = "details.program-new";
    assert!(refused.has(&format!("{form}[open]")));
    let text = refused.text(form);
    for message in [
        "Enter a percentage above 0 and at most 100",
        "cannot exceed the program's total limit",
        "Choose one of your financiers.",
    ] {
        assert!(text.contains(message), "{message}: {text}");
    }
    assert_eq!(
        refused.attr("#p-new-advance_pct", "value").as_deref(),
        Some("120"),
        "what was typed is kept"
    );
    assert_eq!(app.fingerprint().await, before);
    let mut conn = app.fixture_state().db.reader().acquire().await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM finance_programs")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(n, 0);
}

#[tokio::test]
async fn only_the_brands_own_suppliers_can_be_made_eligible_and_only_admins_set_programs_up() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@acme.test").await;
    let page = admin.follow(&create(&app, &admin, &[]).await).await;
    let foreign = crate::support::fixtures::foreign_objects(&app).await;
    let bluewater = foreign.bluewater_org.to_string();
    let refused = admin
        .submit(
            &page,
            "form.suppliers-form",
            &[("supplier", bluewater.as_str())],
        )
        .await;
    assert!(
        admin
            .follow(&refused)
            .await
            .text(".flash-error")
            .contains("Choose only your active suppliers and factories.")
    );
    for email in ["ops@acme.test", "finance@acme.test", "sales@sunrise.test"] {
        let other = app.login(email).await;
        assert_eq!(other.get("/admin/finance").await.status, 404, "{email}");
    }
    let mut conn = app.fixture_state().db.reader().acquire().await.unwrap();
    let audited: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'finance_program.saved'")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
    assert_eq!(audited, 1);
}

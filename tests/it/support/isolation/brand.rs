//! A brand's own objects the isolation harness aims at: SLA calendars, policies and breach
//! alerts, financing programs, and financings of receivables.

use portico::db;
use portico::domain::finance::program::TermsInput;
use portico::domain::ids::{TenantId, UserId};
use portico::domain::org::{OrgKind, Role};
use portico::domain::partnership::PartnershipStatus;
use portico::domain::time::UtcMillis;
use portico::service::finance_programs::{ProgramInput, save};

use crate::support::orders::actor;
use crate::support::{DEMO_PASSWORD, TestApp};

/// Moves time a month on so every clock of the issued orders breaches, and returns the breach
/// alerts of Blue Harbor's order BH-1 and Acme's order AC-SUN.
pub async fn breach_alerts(app: &TestApp) -> (String, String) {
    app.fixture_state().clock.advance(30 * 24 * 3_600_000);
    portico::service::sla::scheduler::run_due(app.state())
        .await
        .unwrap();
    let mut conn = app.db.reader().acquire().await.unwrap();
    let mut alert_on = async |po: &str| -> String {
        sqlx::query_scalar(
            "SELECT a.id FROM sla_alerts a JOIN sla_timers t ON t.id = a.timer_id \
             JOIN orders o ON o.id = t.order_id WHERE o.po_number = $1 AND a.level = 'breach'",
        )
        .bind(po)
        .fetch_one(&mut *conn)
        .await
        .unwrap()
    };
    (alert_on("BH-1").await, alert_on("AC-SUN").await)
}

/// Acme's terms with any financier: 90 % advance, 6 % a year discount, only the buyer's
/// acceptance as evidence.
fn terms() -> TermsInput {
    TermsInput {
        currency: "USD".into(),
        advance_pct: "90".into(),
        pricing: "discount".into(),
        rate_pct: "6".into(),
        day_count: "act360".into(),
        max_tenor_days: "120".into(),
        supplier_limit: "100000".into(),
        total_limit: "1000000".into(),
        evidence: vec!["buyer_accepted".into()],
        invoice_confirmed: false,
        disbursement_second_above: String::new(),
    }
}

/// A financing program of each brand with Jade Capital: (Blue Harbor's, Acme's). Blue Harbor
/// does not work with Jade, so its program is written straight to the database.
pub async fn programs(app: &TestApp) -> (String, String) {
    let admin = actor(app, "admin@acme.test", "Acme Apparel").await;
    let jade = app.org_id("Jade Capital").await;
    let input = ProgramInput {
        name: "Acme early pay".into(),
        financier: jade.to_string(),
        active: true,
        terms: terms(),
    };
    let acme = save(app.fixture_state(), &admin, None, &input)
        .await
        .unwrap();
    let blue_tenant = TenantId::of_brand(app.org_id("Blue Harbor Home").await);
    let blue_admin = app.user_id("admin@blueharbor.test").await;
    let row = db::finance_programs::ProgramRow {
        tenant_id: blue_tenant,
        id: "blue-program".into(),
        name: "Blue Harbor early pay".into(),
        financier_org_id: jade,
        financier_name: String::new(),
        currency: "USD".into(),
        advance_bps: 8_000,
        pricing: "flat".into(),
        rate_bps: 150,
        day_count: "act365".into(),
        max_tenor_days: 90,
        supplier_limit_minor: 1_000_000,
        total_limit_minor: 10_000_000,
        evidence: "buyer_accepted".into(),
        invoice_confirmed: 0,
        disbursement_second_above_minor: None,
        status: "active".into(),
    };
    let mut tx = app.fixture_state().db.begin().await.unwrap();
    db::finance_programs::save(&mut tx, &row, blue_admin, 0)
        .await
        .unwrap();
    let sunrise = app.org_id("Sunrise Textiles").await;
    db::finance_programs::set_suppliers(&mut tx, blue_tenant, "blue-program", &[sunrise], 0)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (row.id, acme)
}

/// A calendar (with a holiday) and a partner-kind policy of each brand: (blue, acme) pairs.
pub async fn sla_setups(app: &TestApp) -> ((String, String), (String, String)) {
    use portico::service::sla::{calendars, policies};
    let mut out = Vec::new();
    for (admin, brand) in [
        ("admin@blueharbor.test", "Blue Harbor Home"),
        ("admin@acme.test", "Acme Apparel"),
    ] {
        let actor = crate::support::orders::actor(app, admin, brand).await;
        let input = calendars::CalendarInput {
            name: format!("{brand} factory"),
            time_zone: "Asia/Shanghai".into(),
            hours: std::array::from_fn(|i| {
                if i < 5 {
                    "09:00-18:00".into()
                } else {
                    String::new()
                }
            }),
        };
        let cal = calendars::create(app.fixture_state(), &actor, &input)
            .await
            .unwrap();
        calendars::add_holiday(app.fixture_state(), &actor, &cal, "2026-12-25", "Christmas")
            .await
            .unwrap();
        let policy =
            policies::add_scoped(app.fixture_state(), &actor, "first_sample", "kind:factory")
                .await
                .unwrap();
        out.push((cal, policy));
    }
    (out[0].clone(), out[1].clone())
}

/// The user of Onyx Capital, a second financier working with Acme, under a program of its own.
pub const OTHER_FINANCIER: &str = "desk@onyx.test";

/// Financings each actor must not see or act on, and what they ride on.
pub struct ForeignFinancings {
    /// Sunrise's request under Jade's program "Acme receivables" (Sunrise joined), on invoice
    /// AC-FIN-INV of Acme's order AC-FIN (received by Harbor Logistics, accepted by Acme):
    /// waiting for Jade's offer.
    pub acme: String,
    pub acme_order: String,
    pub acme_invoice: String,
    pub acme_program: String,
    /// Sunrise's request on its Blue Harbor invoice under Blue Harbor's program with Jade: the
    /// same supplier and financier as Acme's, in another tenant. Written straight to the database
    /// (Blue Harbor does not work with Jade).
    pub blue: String,
    /// Onyx Capital's program for Acme.
    pub onyx_program: String,
}

pub async fn financings(
    app: &TestApp,
    blue_program: &str,
    blue_invoice: &str,
) -> ForeignFinancings {
    use crate::support::finance::{invoice, program};
    use portico::service::financing::{self, RequestInput};
    let acme_program = program(app, "Acme receivables", "", false).await;
    let (acme_order, acme_invoice) = invoice(app, "AC-FIN", "AC-FIN-INV", true).await;
    let sales = actor(app, "sales@sunrise.test", "Acme Apparel").await;
    let input = RequestInput {
        program: acme_program.clone(),
        password: String::new(),
    };
    let (acme, _) = financing::request(app.fixture_state(), &sales, &acme_invoice, &input)
        .await
        .expect("financing request");

    let blue = uuid::Uuid::now_v7().to_string();
    let row = db::financings::NewFinancing {
        tenant: TenantId::of_brand(app.org_id("Blue Harbor Home").await),
        id: &blue,
        invoice: blue_invoice,
        program: blue_program,
        financier: app.org_id("Jade Capital").await,
        supplier: app.org_id("Sunrise Textiles").await,
        auto: false,
        currency: "USD",
        face_minor: 150_000,
        due_date: "2027-05-31",
        by: app.user_id("sales@sunrise.test").await,
        now: app.fixture_state().now().0,
    };
    let mut tx = app.db.begin().await.unwrap();
    let inserted = db::financings::insert(&mut tx, &row).await.unwrap();
    assert!(inserted);
    tx.commit().await.unwrap();

    ForeignFinancings {
        acme,
        acme_order: acme_order.to_string(),
        acme_invoice,
        acme_program,
        blue,
        onyx_program: other_financier(app).await,
    }
}

/// Onyx Capital, Acme's partner, with its user and a program of Acme's; returns the program.
pub async fn other_financier(app: &TestApp) -> String {
    let now = UtcMillis::now();
    let hash = portico::auth::password::hash(DEMO_PASSWORD.to_owned())
        .await
        .unwrap();
    let acme = TenantId::of_brand(app.org_id("Acme Apparel").await);
    let mut tx = app.db.begin().await.unwrap();
    let onyx = portico::service::orgs::create_org(
        &mut tx,
        &app.fixture_state().master,
        OrgKind::Financier,
        "Onyx Capital",
        now,
    )
    .await
    .unwrap();
    db::partnerships::insert(&mut tx, acme, onyx.id, PartnershipStatus::Active, now.0)
        .await
        .unwrap();
    db::users::insert(
        &mut tx,
        &db::users::NewUser {
            id: UserId::new(),
            org_id: onyx.id,
            email: OTHER_FINANCIER,
            display_name: "Olga Onyx",
            role: Role::Admin,
            password_hash: Some(&hash),
            locale: None,
            now: now.0,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let input = ProgramInput {
        name: "Onyx early pay".into(),
        financier: onyx.id.to_string(),
        active: true,
        terms: terms(),
    };
    let admin = actor(app, "admin@acme.test", "Acme Apparel").await;
    save(app.fixture_state(), &admin, None, &input)
        .await
        .unwrap()
}

/// API clients made by the admins of Blue Harbor, Acme, Delta (for Acme) and Sunrise (in its
/// first brand): (creator, client id).
pub async fn api_clients(app: &TestApp) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for (email, brand, role) in [
        ("admin@blueharbor.test", "Blue Harbor Home", "ops"),
        ("admin@acme.test", "Acme Apparel", "ops"),
        ("planner@delta.test", "Acme Apparel", "member"),
        ("sales@sunrise.test", "Blue Harbor Home", "member"),
    ] {
        let actor = crate::support::orders::actor(app, email, brand).await;
        let created = portico::service::api_clients::create(
            app.fixture_state(),
            &actor,
            &portico::service::api_clients::ClientInput {
                name: format!("ERP of {email}"),
                role: role.to_owned(),
                scopes: vec!["orders:read".to_owned()],
            },
        )
        .await
        .expect("API client");
        out.push((email, created.client.id));
    }
    out
}

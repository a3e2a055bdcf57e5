//! The isolation harness. Every tenant-scoped route is listed here with how to aim it at an
//! object of another brand or another partner; each kind of actor asks for such objects and
//! must get 404 (exactly like an id that does not exist) with no change in the database.
//! `every_tenant_scoped_route_is_in_the_harness` fails when a new route is not listed.

use std::collections::BTreeSet;

use portico::web::{self, Access};

use crate::support::fixtures::{Foreign, foreign_objects};
use crate::support::{TestApp, TestClient};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Object {
    /// No id in the path: the page must not show foreign rows.
    None,
    PartnerOrg,
    User,
    Invitation,
    Order,
    /// A file attached to an order: `{id}` is the order, `{file}` the attachment.
    File,
    /// A first sample: `{id}` is the order, `{sample}` the sample.
    Sample,
    /// An advance ship notice, as the warehouse sees it: `{asn}`.
    Asn,
    /// A QC inspection: `{id}` is the order, `{inspection}` the inspection.
    Inspection,
    /// A bill-of-materials component: `{id}` is the order, `{component}` the component.
    Component,
    /// An SLA alert on the brand's dashboard: `{alert}`.
    Alert,
    /// A supplier's invoice: `{invoice}`.
    Invoice,
    /// A brand's financing program: `{program}`.
    Program,
    /// A brand's working calendar: `{calendar}`.
    Calendar,
    /// A brand's SLA policy: `{policy}`.
    Policy,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Method {
    Get,
    Post,
    /// A multipart upload, as the browser sends files.
    Upload,
}

struct RouteCase {
    method: Method,
    pattern: &'static str,
    object: Object,
    form: &'static [(&'static str, &'static str)],
}

const fn get(pattern: &'static str, object: Object) -> RouteCase {
    RouteCase {
        method: Method::Get,
        pattern,
        object,
        form: &[],
    }
}

const fn upload(
    pattern: &'static str,
    object: Object,
    form: &'static [(&'static str, &'static str)],
) -> RouteCase {
    RouteCase {
        method: Method::Upload,
        pattern,
        object,
        form,
    }
}

const fn post(
    pattern: &'static str,
    object: Object,
    form: &'static [(&'static str, &'static str)],
) -> RouteCase {
    RouteCase {
        method: Method::Post,
        pattern,
        object,
        form,
    }
}

/// Every tenant-scoped route. Add new ones here: the manifest test below insists.
const TENANT_ROUTES: &[RouteCase] = &[
    get("/admin/partners", Object::None),
    get("/admin/partners/invite", Object::None),
    post(
        "/admin/partners/invite",
        Object::None,
        &[
            ("org_name", "Leak Co"),
            ("org_kind", "supplier"),
            ("email", "leak@leak.test"),
        ],
    ),
    get("/admin/partners/{org}", Object::PartnerOrg),
    get("/admin/partners/{org}/suspend", Object::PartnerOrg),
    post("/admin/partners/{org}/suspend", Object::PartnerOrg, &[]),
    get("/admin/partners/{org}/reactivate", Object::PartnerOrg),
    post("/admin/partners/{org}/reactivate", Object::PartnerOrg, &[]),
    get("/admin/users", Object::None),
    get("/admin/users/invite", Object::None),
    post(
        "/admin/users/invite",
        Object::None,
        &[("email", "leak@leak.test"), ("role", "admin")],
    ),
    get("/admin/users/{user}", Object::User),
    post(
        "/admin/users/{user}/role",
        Object::User,
        &[("role", "admin")],
    ),
    get("/admin/users/{user}/disable", Object::User),
    post("/admin/users/{user}/disable", Object::User, &[]),
    post("/admin/users/{user}/enable", Object::User, &[]),
    get("/admin/invitations", Object::None),
    get("/admin/invitations/{id}/revoke", Object::Invitation),
    post("/admin/invitations/{id}/revoke", Object::Invitation, &[]),
    get("/orders", Object::None),
    get("/orders/new", Object::None),
    post("/orders/new", Object::None, NEW_ORDER_FORM),
    get("/orders/import", Object::None),
    // A multipart upload; the import test covers it. Posting a form here must not import.
    post("/orders/import", Object::None, &[]),
    get("/orders/import/template.csv", Object::None),
    get("/orders/{id}", Object::Order),
    post("/orders/{id}/issue", Object::Order, DECISION_FORM),
    get("/orders/{id}/cancel", Object::Order),
    post(
        "/orders/{id}/cancel",
        Object::Order,
        &[
            ("version", "2"),
            ("submission", SUBMISSION),
            ("reason", "leak"),
        ],
    ),
    post("/orders/{id}/decide", Object::Order, DECISION_FORM),
    post("/orders/{id}/accept-all", Object::Order, DECISION_FORM),
    get("/orders/{id}/evidence.json", Object::Order),
    upload(
        "/orders/{id}/progress",
        Object::Order,
        &[("milestone", "packed"), ("submission", SUBMISSION)],
    ),
    get("/orders/{id}/files/{file}", Object::File),
    get("/orders/{id}/files/{file}/thumb", Object::File),
    upload(
        "/orders/{id}/samples",
        Object::Order,
        &[("measurements", "chest 50"), ("submission", SUBMISSION)],
    ),
    post(
        "/orders/{id}/samples/{sample}/decide",
        Object::Sample,
        &[("submission", SUBMISSION), ("decision", "approve")],
    ),
    post(
        "/orders/{id}/asns",
        Object::Order,
        &[
            ("submission", SUBMISSION),
            ("carrier", "X"),
            ("tracking", "1"),
            ("ship_date", "2027-01-01"),
            ("eta", "2027-01-05"),
            ("cartons", "1"),
            ("line_no", "1"),
            ("line_qty", "1"),
        ],
    ),
    upload(
        "/orders/{id}/qc",
        Object::Order,
        &[
            ("submission", SUBMISSION),
            ("inspector", "X"),
            ("sample_size", "10"),
            ("aql", "2.5"),
            ("result", "fail"),
        ],
    ),
    post(
        "/orders/{id}/qc/{inspection}/waive",
        Object::Inspection,
        &[("submission", SUBMISSION), ("reason", "leak")],
    ),
    post(
        "/orders/{id}/bom",
        Object::Order,
        &[
            ("submission", SUBMISSION),
            ("line", "1"),
            ("component", "leak"),
            ("qty_per_unit", "1"),
            ("unit", "pcs"),
        ],
    ),
    post(
        "/orders/{id}/bom/{component}/stock",
        Object::Component,
        &[("submission", SUBMISSION), ("on_hand", "1")],
    ),
    post(
        "/orders/{id}/bom/{component}/remove",
        Object::Component,
        &[("submission", SUBMISSION)],
    ),
    post(
        "/orders/{id}/lines/{line}/plan",
        Object::Order,
        &[("submission", SUBMISSION), ("planned_start", "2027-01-01")],
    ),
    get("/invoices", Object::None),
    get("/orders/{id}/invoices/new", Object::Order),
    post(
        "/orders/{id}/invoices/new",
        Object::Order,
        &[
            ("submission", SUBMISSION),
            ("number", "X-1"),
            ("invoice_date", "2027-03-01"),
            ("due_date", "2027-04-01"),
            ("qty_1", "1"),
        ],
    ),
    get("/invoices/{invoice}", Object::Invoice),
    post("/invoices/{invoice}/accept", Object::Invoice, &[]),
    post(
        "/invoices/{invoice}/dispute",
        Object::Invoice,
        &[("reason", "No")],
    ),
    post("/invoices/{invoice}/cancel", Object::Invoice, &[]),
    get("/inbound", Object::None),
    get("/inbound/export.csv", Object::None),
    get("/inbound/{asn}", Object::Asn),
    post("/inbound/{asn}/arrived", Object::Asn, &[]),
    upload(
        "/inbound/{asn}/receipt",
        Object::Asn,
        &[
            ("submission", SUBMISSION),
            ("line_no", "1"),
            ("received", "1"),
        ],
    ),
    get("/sla", Object::None),
    get("/sla/live", Object::None),
    get("/sla/scorecards", Object::None),
    get("/sla/scorecards.csv", Object::None),
    post("/sla/alerts/{alert}/acknowledge", Object::Alert, &[]),
    post("/sla/alerts/{alert}/assign", Object::Alert, &[("to", "")]),
    post(
        "/sla/alerts/{alert}/comment",
        Object::Alert,
        &[("body", "leak")],
    ),
    post(
        "/sla/alerts/{alert}/snooze",
        Object::Alert,
        &[("hours", "4"), ("reason", "leak")],
    ),
    get("/admin/sla", Object::None),
    post(
        "/admin/sla/calendars",
        Object::None,
        &[
            ("name", "leak"),
            ("time_zone", "UTC"),
            ("hours_mon", "09:00-17:00"),
        ],
    ),
    post(
        "/admin/sla/calendars/{calendar}",
        Object::Calendar,
        &[
            ("name", "leak"),
            ("time_zone", "UTC"),
            ("hours_mon", "09:00-17:00"),
        ],
    ),
    post(
        "/admin/sla/calendars/{calendar}/holidays",
        Object::Calendar,
        &[("day", "2027-01-01"), ("holiday_name", "leak")],
    ),
    post(
        "/admin/sla/calendars/{calendar}/holidays/remove",
        Object::Calendar,
        &[("day", "2026-12-25")],
    ),
    upload(
        "/admin/sla/calendars/{calendar}/import",
        Object::Calendar,
        &[],
    ),
    post(
        "/admin/sla/policies",
        Object::None,
        &[("kind", "po_confirmation"), ("scope", "kind:factory")],
    ),
    get("/admin/sla/policies/{policy}", Object::Policy),
    post(
        "/admin/sla/policies/{policy}",
        Object::Policy,
        &[
            ("version", "1"),
            ("target_amount", "1"),
            ("target_unit", "business_hours"),
            ("warn_percent", "50"),
            ("again_after_hours", "0"),
        ],
    ),
    get("/admin/finance", Object::None),
    post(
        "/admin/finance/programs",
        Object::None,
        &[("name", "leak"), ("currency", "USD")],
    ),
    post(
        "/admin/finance/programs/{program}",
        Object::Program,
        &[("name", "leak"), ("currency", "USD")],
    ),
    post(
        "/admin/finance/programs/{program}/suppliers",
        Object::Program,
        &[],
    ),
    get("/financing", Object::None),
    post(
        "/financing/programs/{program}/opt-in",
        Object::Program,
        &[("join", "yes")],
    ),
    get("/admin/settings", Object::None),
    post(
        "/admin/settings",
        Object::None,
        &[("production_requires_sample", "on")],
    ),
    get("/admin/milestones", Object::None),
    post(
        "/admin/milestones",
        Object::None,
        &[("code", "packed"), ("label", "leak"), ("position", "1")],
    ),
    post("/admin/milestones/add", Object::None, &[("label", "leak")]),
    get("/notifications", Object::None),
    get("/admin/audit", Object::None),
    get("/admin/audit/export.csv", Object::None),
    post("/notifications/read", Object::None, &[]),
];

const SUBMISSION: &str = "isolation-submission-token-00001";
const DECISION_FORM: &[(&str, &str)] = &[
    ("version", "2"),
    ("submission", SUBMISSION),
    ("line", "1"),
    ("action", "accept"),
];
const NEW_ORDER_FORM: &[(&str, &str)] = &[
    ("po_number", "LEAK-1"),
    ("currency", "USD"),
    ("incoterms", "FOB"),
    ("payment_terms", "Net 60"),
    ("requested_delivery", "2027-01-31"),
    ("line_sku", "X"),
    ("line_description", "X"),
    ("line_hs_code", "610910"),
    ("line_quantity", "1"),
    ("line_unit", "pcs"),
    ("line_unit_price", "1"),
    ("line_delivery_date", ""),
];

/// A kind of actor, and what is foreign to it.
struct Actor {
    email: &'static str,
    foreign_partners: Vec<String>,
    foreign_users: Vec<String>,
    foreign_invitations: Vec<String>,
    foreign_orders: Vec<String>,
    /// ASNs it must not see or receive.
    foreign_asns: Vec<String>,
    /// SLA alerts it must not handle.
    foreign_alerts: Vec<String>,
    /// Working calendars and SLA policies of brands it must not read or change.
    foreign_calendars: Vec<String>,
    foreign_policies: Vec<String>,
    /// (order, file) pairs it must not download.
    foreign_files: Vec<(String, String)>,
    /// Invoices it must not read or decide.
    foreign_invoices: Vec<String>,
    /// Financing programs it must not change or join.
    foreign_programs: Vec<String>,
    /// Text that must never appear on its list pages.
    foreign_text: Vec<&'static str>,
}

/// Orders each actor must not reach: another brand's, another partner's, a draft.
struct ForeignOrders {
    /// Blue Harbor with Sunrise, issued.
    blue_sunrise: String,
    /// Acme with Delta, confirmed, with a photo; nothing shipped to Harbor Logistics.
    acme_delta: String,
    /// Acme with Sunrise, issued, shipped to Harbor Logistics.
    acme_sunrise: String,
    /// Acme's draft with Sunrise: the partner may not see it yet.
    acme_draft: String,
    /// (order, file) of a photo on the Blue Harbor order.
    blue_file: (String, String),
    /// (order, file) of a photo on Acme's order with Sunrise (shipped to Harbor Logistics by
    /// an ASN, which makes Harbor a party to it).
    acme_sunrise_file: (String, String),
    /// (order, file) of a photo on Acme's order with Delta.
    acme_delta_file: (String, String),
    /// ASNs to Harbor Logistics: on Blue Harbor's order, and on Acme's.
    blue_asn: String,
    acme_asn: String,
    /// Sunrise's invoices (after Harbor received both ASNs): to Blue Harbor, and to Acme.
    blue_invoice: String,
    acme_sunrise_invoice: String,
}

async fn foreign_orders(app: &TestApp) -> ForeignOrders {
    use crate::support::orders::{order, progress_with_photo};
    let id = |o: portico::domain::ids::OrderId| o.to_string();
    let blue = order(
        app,
        "ops@blueharbor.test",
        "Blue Harbor Home",
        "BH-FILE",
        "Sunrise Textiles",
        None,
        true,
    )
    .await;
    let blue_file = (
        blue.to_string(),
        progress_with_photo(app, "sales@sunrise.test", "Blue Harbor Home", blue).await,
    );
    let acme = order(
        app,
        "ops@acme.test",
        "Acme Apparel",
        "AC-FILE",
        "Sunrise Textiles",
        None,
        true,
    )
    .await;
    let acme_sunrise_file = (
        acme.to_string(),
        progress_with_photo(app, "sales@sunrise.test", "Acme Apparel", acme).await,
    );
    let blue_asn = crate::support::orders::asn_on(
        app,
        "sales@sunrise.test",
        "Blue Harbor Home",
        blue,
        "Harbor Logistics",
    )
    .await;
    let acme_asn = crate::support::orders::asn_on(
        app,
        "sales@sunrise.test",
        "Acme Apparel",
        acme,
        "Harbor Logistics",
    )
    .await;
    let acme_delta = order(
        app,
        "ops@acme.test",
        "Acme Apparel",
        "AC-DELTA",
        "Delta Garment Works",
        None,
        true,
    )
    .await;
    let acme_delta_file = (
        acme_delta.to_string(),
        progress_with_photo(app, "planner@delta.test", "Acme Apparel", acme_delta).await,
    );
    let blue_invoice = crate::support::orders::invoice_on(
        app,
        "sales@sunrise.test",
        "Blue Harbor Home",
        blue,
        &blue_asn,
        "BH-INV-1",
    )
    .await;
    let acme_sunrise_invoice = crate::support::orders::invoice_on(
        app,
        "sales@sunrise.test",
        "Acme Apparel",
        acme,
        &acme_asn,
        "AC-INV-1",
    )
    .await;
    ForeignOrders {
        blue_file,
        acme_sunrise_file,
        blue_asn,
        acme_asn,
        blue_invoice,
        acme_sunrise_invoice,
        blue_sunrise: id(order(
            app,
            "ops@blueharbor.test",
            "Blue Harbor Home",
            "BH-1",
            "Sunrise Textiles",
            None,
            true,
        )
        .await),
        acme_delta: acme_delta_file.0.clone(),
        acme_delta_file,
        acme_sunrise: id(order(
            app,
            "ops@acme.test",
            "Acme Apparel",
            "AC-SUN",
            "Sunrise Textiles",
            Some("Harbor Logistics"),
            true,
        )
        .await),
        acme_draft: id(order(
            app,
            "ops@acme.test",
            "Acme Apparel",
            "AC-DRAFT",
            "Sunrise Textiles",
            None,
            false,
        )
        .await),
    }
}

/// What else lives on an order whose files are foreign to someone.
struct OnSameOrder {
    sample: String,
    component: String,
    /// A failed QC inspection (so a waiver would be possible for the order's own brand).
    inspection: String,
}

/// The actors, and a first sample and a QC inspection on each order whose files are foreign
/// to someone, keyed by that file.
async fn actors_and_samples(
    app: &TestApp,
    f: &Foreign,
) -> (Vec<Actor>, std::collections::HashMap<String, OnSameOrder>) {
    let actors = actors(app, f).await;
    let mut samples = std::collections::HashMap::new();
    let mut conn = app.db.reader().acquire().await.unwrap();
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT o.id, g.name, a.id, o.po_number FROM orders o JOIN orgs g ON g.id = o.tenant_id \
         JOIN attachments a ON a.order_id = o.id \
         WHERE o.po_number IN ('BH-FILE', 'AC-FILE', 'AC-DELTA')",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    drop(conn);
    // Keyed by the file on the same order, so each foreign (order, file) pair has its sample.
    for (order, brand, file, po) in rows {
        let partner = if po == "AC-DELTA" {
            "planner@delta.test"
        } else {
            "sales@sunrise.test"
        };
        let id =
            crate::support::orders::sample_on(app, partner, &brand, order.parse().unwrap()).await;
        let inspection =
            crate::support::orders::qc_on(app, partner, &brand, order.parse().unwrap(), false)
                .await;
        let component =
            crate::support::orders::component_on(app, partner, &brand, order.parse().unwrap())
                .await;
        samples.insert(
            file,
            OnSameOrder {
                sample: id,
                component,
                inspection,
            },
        );
    }
    (actors, samples)
}

/// Moves time a month on so every clock of the issued orders breaches, and returns the breach
/// alerts of Blue Harbor's order BH-1 and Acme's order AC-SUN.
async fn breach_alerts(app: &TestApp) -> (String, String) {
    app.state().clock.advance(30 * 24 * 3_600_000);
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

/// A calendar (with a holiday) and a partner-kind policy of each brand: (blue, acme) pairs.
/// A financing program of each brand with Jade Capital: (Blue Harbor's, Acme's). Blue Harbor
/// does not work with Jade, so its program is written straight to the database.
async fn programs(app: &TestApp) -> (String, String) {
    use portico::domain::finance::program::TermsInput;
    use portico::service::finance_programs::{ProgramInput, save};
    let admin = crate::support::orders::actor(app, "admin@acme.test", "Acme Apparel").await;
    let jade = app.org_id("Jade Capital").await;
    let input = ProgramInput {
        name: "Acme early pay".into(),
        financier: jade.to_string(),
        active: true,
        terms: TermsInput {
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
        },
    };
    let acme = save(app.state(), &admin, None, &input).await.unwrap();
    let blue_tenant =
        portico::domain::ids::TenantId::of_brand(app.org_id("Blue Harbor Home").await);
    let blue_admin = app.user_id("admin@blueharbor.test").await;
    let row = portico::db::finance_programs::ProgramRow {
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
    let mut tx = app.state().db.begin().await.unwrap();
    portico::db::finance_programs::save(&mut tx, &row, blue_admin, 0)
        .await
        .unwrap();
    let sunrise = app.org_id("Sunrise Textiles").await;
    portico::db::finance_programs::set_suppliers(
        &mut tx,
        blue_tenant,
        "blue-program",
        &[sunrise],
        0,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (row.id, acme)
}

async fn sla_setups(app: &TestApp) -> ((String, String), (String, String)) {
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
        let cal = calendars::create(app.state(), &actor, &input)
            .await
            .unwrap();
        calendars::add_holiday(app.state(), &actor, &cal, "2026-12-25", "Christmas")
            .await
            .unwrap();
        let policy = policies::add_scoped(app.state(), &actor, "first_sample", "kind:factory")
            .await
            .unwrap();
        out.push((cal, policy));
    }
    (out[0].clone(), out[1].clone())
}

async fn actors(app: &TestApp, f: &Foreign) -> Vec<Actor> {
    let o = foreign_orders(app).await;
    let ((blue_cal, blue_policy), (acme_cal, acme_policy)) = sla_setups(app).await;
    let both_calendars = vec![blue_cal.clone(), acme_cal.clone()];
    let both_policies = vec![blue_policy.clone(), acme_policy.clone()];
    let (blue_alert, acme_alert) = breach_alerts(app).await;
    let (blue_program, acme_program) = programs(app).await;
    let both_programs = vec![blue_program.clone(), acme_program.clone()];
    let both_alerts = vec![blue_alert.clone(), acme_alert.clone()];
    let id = |x: &dyn ToString| x.to_string();
    let user = |email: &'static str| async move { app.user_id(email).await.to_string() };
    let delta = id(&app.org_id("Delta Garment Works").await);
    let sunrise = id(&app.org_id("Sunrise Textiles").await);
    let partner_everything = vec![id(&f.bluewater_org), delta.clone(), sunrise.clone()];
    vec![
        // A brand admin: another brand's partner, users and invitations.
        Actor {
            email: "admin@acme.test",
            foreign_partners: vec![id(&f.bluewater_org)],
            foreign_users: vec![
                user("ops@blueharbor.test").await,
                id(&f.bluewater_user),
                user("sales@sunrise.test").await,
            ],
            foreign_invitations: vec![id(&f.blueharbor_invitation), id(&f.delta_invitation)],
            foreign_asns: vec![o.blue_asn.clone(), o.acme_asn.clone()],
            foreign_alerts: vec![blue_alert.clone()],
            foreign_calendars: vec![blue_cal.clone()],
            foreign_policies: vec![blue_policy.clone()],
            foreign_files: vec![
                o.blue_file.clone(),
                (o.acme_sunrise_file.0.clone(), o.blue_file.1.clone()),
            ],
            foreign_orders: vec![o.blue_sunrise.clone()],
            foreign_invoices: vec![o.blue_invoice.clone()],
            foreign_programs: vec![blue_program.clone()],
            foreign_text: vec![
                "Blue Harbor early pay",
                "BH-INV-1",
                "BH-1",
                "Bluewater Crafts",
                "ops@blueharbor.test",
                "new@blueharbor.test",
                "new@delta.test",
                // Not sales@sunrise.test: a partner's people acting on Acme's orders rightly
                // appear in Acme's audit log.
                "owner@bluewater.test",
            ],
        },
        // A brand user without admin rights.
        Actor {
            email: "ops@acme.test",
            foreign_partners: vec![id(&f.bluewater_org)],
            foreign_users: vec![user("admin@blueharbor.test").await, id(&f.bluewater_user)],
            foreign_invitations: vec![id(&f.blueharbor_invitation)],
            foreign_asns: vec![o.blue_asn.clone(), o.acme_asn.clone()],
            foreign_alerts: vec![blue_alert.clone()],
            foreign_calendars: vec![blue_cal.clone()],
            foreign_policies: vec![blue_policy.clone()],
            foreign_files: vec![o.blue_file.clone()],
            foreign_orders: vec![o.blue_sunrise.clone()],
            foreign_invoices: vec![o.blue_invoice.clone()],
            foreign_programs: both_programs.clone(),
            foreign_text: vec![
                "Blue Harbor early pay",
                "BH-INV-1",
                "BH-1",
                "Bluewater Crafts",
                "admin@blueharbor.test",
            ],
        },
        // A supplier serving two brands: other partners, brand users, other brands.
        Actor {
            email: "sales@sunrise.test",
            foreign_partners: partner_everything.clone(),
            foreign_users: vec![
                user("admin@acme.test").await,
                user("planner@delta.test").await,
                id(&f.bluewater_user),
            ],
            foreign_invitations: vec![
                id(&f.acme_invitation),
                id(&f.delta_invitation),
                id(&f.blueharbor_invitation),
            ],
            foreign_asns: vec![o.blue_asn.clone(), o.acme_asn.clone()],
            foreign_alerts: both_alerts.clone(),
            foreign_calendars: both_calendars.clone(),
            foreign_policies: both_policies.clone(),
            foreign_files: vec![
                o.blue_file.clone(),
                (o.acme_sunrise_file.0.clone(), o.blue_file.1.clone()),
                o.acme_delta_file.clone(),
            ],
            foreign_orders: vec![
                o.blue_sunrise.clone(),
                o.acme_delta.clone(),
                o.acme_draft.clone(),
            ],
            foreign_invoices: vec![o.blue_invoice.clone()],
            foreign_programs: both_programs.clone(),
            foreign_text: vec![
                "Blue Harbor early pay",
                "Acme early pay",
                "BH-INV-1",
                "BH-1",
                "AC-DELTA",
                "AC-DRAFT",
                "planner@delta.test",
                "admin@acme.test",
                "new@delta.test",
                "new@acme.test",
            ],
        },
        // A contract factory serving one brand.
        Actor {
            email: "planner@delta.test",
            foreign_partners: partner_everything.clone(),
            foreign_users: vec![
                user("sales@sunrise.test").await,
                user("ops@acme.test").await,
            ],
            foreign_invitations: vec![id(&f.acme_invitation), id(&f.blueharbor_invitation)],
            foreign_asns: vec![o.blue_asn.clone(), o.acme_asn.clone()],
            foreign_alerts: both_alerts.clone(),
            foreign_calendars: both_calendars.clone(),
            foreign_policies: both_policies.clone(),
            foreign_files: vec![o.blue_file.clone(), o.acme_sunrise_file.clone()],
            foreign_orders: vec![
                o.blue_sunrise.clone(),
                o.acme_sunrise.clone(),
                o.acme_draft.clone(),
            ],
            foreign_invoices: vec![o.blue_invoice.clone(), o.acme_sunrise_invoice.clone()],
            foreign_programs: both_programs.clone(),
            foreign_text: vec![
                "Blue Harbor early pay",
                "Acme early pay",
                "BH-INV-1",
                "AC-INV-1",
                "BH-1",
                "AC-SUN",
                "AC-DRAFT",
                "sales@sunrise.test",
                "new@acme.test",
            ],
        },
        // A warehouse and a financier.
        Actor {
            email: "dock@harborlog.test",
            foreign_partners: partner_everything.clone(),
            foreign_users: vec![
                user("sales@sunrise.test").await,
                user("admin@blueharbor.test").await,
            ],
            foreign_invitations: vec![id(&f.delta_invitation)],
            foreign_asns: vec![o.blue_asn.clone()],
            foreign_alerts: both_alerts.clone(),
            foreign_calendars: both_calendars.clone(),
            foreign_policies: both_policies.clone(),
            foreign_files: vec![o.blue_file.clone(), o.acme_delta_file.clone()],
            foreign_orders: vec![
                o.blue_sunrise.clone(),
                o.acme_delta.clone(),
                o.acme_draft.clone(),
            ],
            foreign_invoices: vec![o.blue_invoice.clone(), o.acme_sunrise_invoice.clone()],
            foreign_programs: both_programs.clone(),
            foreign_text: vec!["BH-1", "sales@sunrise.test"],
        },
        Actor {
            email: "analyst@jade.test",
            foreign_partners: partner_everything.clone(),
            foreign_users: vec![user("admin@acme.test").await],
            foreign_invitations: vec![id(&f.acme_invitation)],
            foreign_asns: vec![o.blue_asn.clone(), o.acme_asn.clone()],
            foreign_alerts: both_alerts.clone(),
            foreign_calendars: both_calendars.clone(),
            foreign_policies: both_policies.clone(),
            foreign_files: vec![o.acme_sunrise_file.clone(), o.acme_delta_file.clone()],
            foreign_orders: vec![o.acme_sunrise.clone(), o.acme_delta.clone()],
            foreign_invoices: vec![o.blue_invoice.clone(), o.acme_sunrise_invoice.clone()],
            foreign_programs: both_programs.clone(),
            foreign_text: vec!["AC-SUN", "admin@acme.test"],
        },
        // The platform operator has no brand: tenant pages do not exist for them.
        Actor {
            email: "root@portico.test",
            foreign_partners: partner_everything,
            foreign_users: vec![user("admin@acme.test").await],
            foreign_invitations: vec![id(&f.acme_invitation)],
            foreign_asns: vec![o.acme_asn.clone()],
            foreign_alerts: both_alerts.clone(),
            foreign_calendars: both_calendars.clone(),
            foreign_policies: both_policies.clone(),
            foreign_files: vec![o.acme_sunrise_file.clone()],
            foreign_orders: vec![o.acme_sunrise.clone()],
            foreign_invoices: vec![o.blue_invoice.clone(), o.acme_sunrise_invoice.clone()],
            foreign_programs: both_programs.clone(),
            foreign_text: vec!["AC-SUN", "admin@acme.test"],
        },
    ]
}

async fn request(client: &TestClient, case: &RouteCase, path: &str) -> crate::support::Page {
    match case.method {
        Method::Get => client.get(path).await,
        Method::Post => client.post(path, case.form).await,
        Method::Upload => {
            client
                .post_multipart(path, case.form, Some(crate::support::orders::png(9)))
                .await
        }
    }
}

#[tokio::test]
async fn no_actor_reaches_another_brands_or_partners_objects() {
    let app = TestApp::spawn().await;
    let foreign = foreign_objects(&app).await;
    let (actors, on_same_order) = actors_and_samples(&app, &foreign).await;
    let mut clients = Vec::new();
    for actor in &actors {
        clients.push(app.login(actor.email).await);
    }
    let mut failures = Vec::new();
    for (actor, client) in actors.iter().zip(&clients) {
        for case in TENANT_ROUTES.iter().filter(|c| c.object != Object::None) {
            let one = |placeholder: &str, ids: &Vec<String>| -> Vec<String> {
                ids.iter()
                    .map(|id| case.pattern.replace(placeholder, id))
                    .collect()
            };
            let paths = match case.object {
                Object::PartnerOrg => one("{org}", &actor.foreign_partners),
                Object::User => one("{user}", &actor.foreign_users),
                Object::Invitation => one("{id}", &actor.foreign_invitations),
                Object::Order => one("{id}", &actor.foreign_orders)
                    .into_iter()
                    .map(|p| p.replace("{line}", "1"))
                    .collect(),
                Object::File => actor
                    .foreign_files
                    .iter()
                    .map(|(order, file)| {
                        case.pattern.replace("{id}", order).replace("{file}", file)
                    })
                    .collect(),
                // The sample or inspection on the same order as the foreign file, asked for in
                // the same way.
                Object::Sample | Object::Inspection | Object::Component => actor
                    .foreign_files
                    .iter()
                    .filter_map(|(order, file)| on_same_order.get(file).map(|o| (order, o)))
                    .map(|(order, o)| {
                        case.pattern
                            .replace("{id}", order)
                            .replace("{sample}", &o.sample)
                            .replace("{inspection}", &o.inspection)
                            .replace("{component}", &o.component)
                    })
                    .collect(),
                Object::Asn => one("{asn}", &actor.foreign_asns),
                Object::Alert => one("{alert}", &actor.foreign_alerts),
                Object::Invoice => one("{invoice}", &actor.foreign_invoices),
                Object::Program => one("{program}", &actor.foreign_programs),
                Object::Calendar => one("{calendar}", &actor.foreign_calendars),
                Object::Policy => one("{policy}", &actor.foreign_policies),
                Object::None => unreachable!(),
            };
            for path in paths {
                let before = app.fingerprint().await;
                let page = request(client, case, &path).await;
                let after = app.fingerprint().await;
                if page.status != 404 {
                    failures.push(format!(
                        "{} {path}: {} instead of 404",
                        actor.email, page.status
                    ));
                }
                if before != after {
                    failures.push(format!("{} {path}: the database changed", actor.email));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "isolation broken:\n{}",
        failures.join("\n")
    );
}

#[tokio::test]
async fn list_pages_show_only_the_actors_own_rows() {
    let app = TestApp::spawn().await;
    let foreign = foreign_objects(&app).await;
    let mut failures = Vec::new();
    for actor in actors(&app, &foreign).await {
        let client = app.login(actor.email).await;
        for case in TENANT_ROUTES
            .iter()
            .filter(|c| c.object == Object::None && c.method == Method::Get)
        {
            // The dashboard's event stream is read up to its first event (one asking from
            // revision -1 gets one at once).
            let page = if case.pattern == "/sla/live" {
                client.first_event("/sla/live?rev=-1").await
            } else {
                client.get(case.pattern).await
            };
            for text in &actor.foreign_text {
                if page.body.contains(text) {
                    failures.push(format!("{} {}: shows {text}", actor.email, case.pattern));
                }
            }
        }
    }
    assert!(failures.is_empty(), "lists leak:\n{}", failures.join("\n"));
}

#[tokio::test]
async fn scope_fields_smuggled_into_forms_are_ignored() {
    let app = TestApp::spawn().await;
    let foreign = foreign_objects(&app).await;
    let blue = foreign.blueharbor_tenant.to_string();
    let bluewater = foreign.bluewater_org.to_string();
    let smuggled: Vec<(&str, &str)> = [
        "tenant",
        "tenant_id",
        "org_id",
        "inviting_org_id",
        "target_org_id",
    ]
    .into_iter()
    .flat_map(|k| [(k, blue.as_str()), (k, bluewater.as_str())])
    .collect();
    let admin = app.login("admin@acme.test").await;
    let delta = app.org_id("Delta Garment Works").await.to_string();
    let creating = [
        "/admin/partners/invite",
        "/admin/users/invite",
        "/orders/new",
    ];
    for case in TENANT_ROUTES
        .iter()
        .filter(|c| c.method == Method::Post && creating.contains(&c.pattern))
    {
        let mut form: Vec<(&str, &str)> = case.form.to_vec();
        if case.pattern == "/orders/new" {
            form.push(("partner", delta.as_str()));
        }
        form.extend(smuggled.iter().copied());
        let page = admin.post(case.pattern, &form).await;
        assert_eq!(page.status, 303, "{}: {}", case.pattern, page.body);
    }
    let mut conn = app.db.reader().acquire().await.unwrap();
    let leaked: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM invitations WHERE email = 'leak@leak.test' \
         AND (inviting_org_id <> $1 OR COALESCE(target_org_id, $1) <> $1)",
    )
    .bind(app.org_id("Acme Apparel").await)
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    assert_eq!(
        leaked, 0,
        "an invitation was created for another organisation"
    );
}

#[tokio::test]
async fn a_partner_cannot_switch_to_a_brand_it_does_not_actively_serve() {
    let app = TestApp::spawn().await;
    let foreign = foreign_objects(&app).await;
    let admin = app.login("admin@acme.test").await;
    let sunrise = app.org_id("Sunrise Textiles").await;
    admin
        .post(&format!("/admin/partners/{sunrise}/suspend"), &[])
        .await;

    let sales = app.login("sales@sunrise.test").await;
    let acme = app.org_id("Acme Apparel").await;
    for tenant in [
        acme.to_string(),
        foreign.blueharbor_tenant.to_string(),
        "not-an-id".to_owned(),
    ] {
        let page = sales
            .post("/context/brand", &[("tenant", &tenant), ("next", "/")])
            .await;
        if tenant == foreign.blueharbor_tenant.to_string() {
            assert_eq!(page.status, 303, "Blue Harbor is still served");
        } else {
            assert_eq!(page.status, 404, "{tenant}");
        }
    }
    let planner = app.login("planner@delta.test").await;
    let page = planner
        .post(
            "/context/brand",
            &[("tenant", &foreign.blueharbor_tenant.to_string())],
        )
        .await;
    assert_eq!(page.status, 404);
}

#[test]
fn every_tenant_scoped_route_is_in_the_harness() {
    let routes = web::routes();
    let listed: BTreeSet<&str> = TENANT_ROUTES.iter().map(|c| c.pattern).collect();
    let missing: Vec<&str> = routes
        .manifest()
        .iter()
        .filter(|(_, access)| *access == Access::TenantScoped)
        .map(|(path, _)| *path)
        .filter(|path| !listed.contains(path))
        .collect();
    assert!(
        missing.is_empty(),
        "tenant-scoped routes missing from the isolation harness: {missing:?}"
    );

    let unknown: Vec<&&str> = listed
        .iter()
        .filter(|p| {
            !routes
                .manifest()
                .iter()
                .any(|(path, a)| path == *p && *a == Access::TenantScoped)
        })
        .collect();
    assert!(
        unknown.is_empty(),
        "harness lists routes that are not tenant-scoped: {unknown:?}"
    );

    // Paths with an object id that are not tenant-scoped must be justified here.
    let id_routes_elsewhere: Vec<&str> = routes
        .manifest()
        .iter()
        .filter(|(path, access)| *access != Access::TenantScoped && path.contains('{'))
        .map(|(path, _)| *path)
        .collect();
    assert_eq!(
        id_routes_elsewhere,
        vec![
            "/assets/{*file}",
            "/password/reset/{token}",
            "/invitations/{token}"
        ],
        "a route with an id outside the tenant class needs a reason (secret token or static file)"
    );
}

#[test]
fn routes_are_only_added_through_the_classifying_builder() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut offenders = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("web/mod.rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                if text.contains(".route(")
                    || text.contains(".nest(")
                    || text.contains(".route_service(")
                {
                    offenders.push(path.display().to_string());
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "routes added outside web::Routes: {offenders:?}"
    );
}

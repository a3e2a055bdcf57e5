//! The isolation harness. Every tenant-scoped route is listed (in `isolation/routes.rs`) with
//! how to aim it at an object of another brand or another partner; each kind of actor asks for
//! such objects and must get 404 (exactly like an id that does not exist) with no change in the
//! database. `every_tenant_scoped_route_is_in_the_harness` fails when a new route is not listed.
//! The actors and their foreign objects are built in `support/isolation/`.

mod api;
mod routes;
mod targets;
mod trace;

use std::collections::BTreeSet;

use portico::web::{self, Access};

use crate::support::TestApp;
use crate::support::fixtures::foreign_objects;
use crate::support::isolation::{actors, actors_and_samples};
use routes::TENANT_ROUTES;
use targets::{fill, fingerprint, request, targets};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Object {
    /// No id in the path: the page must not show foreign rows.
    None,
    PartnerOrg,
    User,
    Invitation,
    /// Another organisation's (or brand's) API client: `{id}`.
    ApiClient,
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
    /// A financing of a supplier's invoice: `{financing}`.
    Financing,
    /// A node of the trace (material lot, batch, finished lot, shipment, order) another
    /// producer recorded, or of a chain that never reached the actor's brand: `{kind}` and
    /// `{id}`, in the path or in the form.
    TraceNode,
    /// A brand's complaint: `{complaint}`; `{root}` in a form is another batch or material lot
    /// on its trace than its root (so a change of root would show).
    Complaint,
    /// Another producer's material lot, named by its code in the form (`{lot_code}`), not in
    /// the path: the answer must be the one for a code nobody has (`isolation/trace.rs`).
    LotCode,
    /// A webhook endpoint of another organisation or brand: `{webhook}`, and `{delivery}` one
    /// of its deliveries.
    Webhook,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Method {
    /// A GET; a form, if any, is the query string.
    Get,
    Post,
    /// A multipart upload, as the browser sends files.
    Upload,
    /// A CSV file (multipart field `file`): a header of the form's names, one row of its values.
    ImportCsv,
}

struct RouteCase {
    method: Method,
    pattern: &'static str,
    object: Object,
    form: &'static [(&'static str, &'static str)],
}

const fn get(pattern: &'static str, object: Object) -> RouteCase {
    get_with(pattern, object, &[])
}

const fn get_with(
    pattern: &'static str,
    object: Object,
    query: &'static [(&'static str, &'static str)],
) -> RouteCase {
    RouteCase {
        method: Method::Get,
        pattern,
        object,
        form: query,
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

const fn import_csv(
    pattern: &'static str,
    object: Object,
    row: &'static [(&'static str, &'static str)],
) -> RouteCase {
    RouteCase {
        method: Method::ImportCsv,
        pattern,
        object,
        form: row,
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
        for case in TENANT_ROUTES
            .iter()
            .filter(|c| !matches!(c.object, Object::None | Object::LotCode))
        {
            for binding in targets(case.object, actor, &on_same_order) {
                let path = fill(case.pattern, &binding);
                let before = fingerprint(&app).await;
                let page = request(client, case, &binding).await;
                let after = fingerprint(&app).await;
                if page.status != 404 {
                    let form: Vec<String> = case
                        .form
                        .iter()
                        .map(|(k, v)| format!(" {k}={}", fill(v, &binding)))
                        .collect();
                    failures.push(format!(
                        "{} {path}{}: {} instead of 404",
                        actor.email,
                        form.concat(),
                        page.status
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
            // The trace search box takes any identifier: none of another's leads anywhere.
            if case.pattern == "/trace" {
                for text in &actor.foreign_text {
                    let q: String = url::form_urlencoded::byte_serialize(text.as_bytes()).collect();
                    let page = client.get(&format!("/trace?q={q}")).await;
                    if page.status == 303 || page.body.contains("/trace/node/") {
                        failures.push(format!("{} /trace?q={q}: finds {text}", actor.email));
                    }
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

/// The session names the brand a partner last worked in, and on PostgreSQL the statement that
/// reads the session puts the connection in that brand's scope ahead of the checks. When that
/// brand suspends the partner meanwhile, the page runs in the brand the partner still serves,
/// and nothing of the suspending brand shows.
#[tokio::test]
async fn a_partners_page_never_runs_in_the_brand_its_session_names_once_that_brand_suspends_it() {
    let app = TestApp::spawn().await;
    let acme = crate::support::orders::order(
        &app,
        "ops@acme.test",
        "Acme Apparel",
        "PO-ACME-STILL",
        "Sunrise Textiles",
        None,
        true,
    )
    .await;
    let blue = crate::support::orders::order(
        &app,
        "ops@blueharbor.test",
        "Blue Harbor Home",
        "PO-BLUE-GONE",
        "Sunrise Textiles",
        None,
        true,
    )
    .await;
    let sales = app.login("sales@sunrise.test").await;
    let blue_tenant = app.org_id("Blue Harbor Home").await.to_string();
    let switched = sales
        .post("/context/brand", &[("tenant", &blue_tenant), ("next", "/")])
        .await;
    assert_eq!(switched.status, 303);
    let inbox = sales.get("/orders?view=all").await;
    assert!(inbox.body.contains("PO-BLUE-GONE"), "{}", inbox.body);

    let admin = app.login("admin@blueharbor.test").await;
    let sunrise = app.org_id("Sunrise Textiles").await;
    let suspended = admin
        .post(&format!("/admin/partners/{sunrise}/suspend"), &[])
        .await;
    assert_eq!(suspended.status, 303);

    for _ in 0..2 {
        let inbox = sales.get("/orders?view=all").await;
        assert_eq!(inbox.status, 200);
        assert!(inbox.body.contains("PO-ACME-STILL"), "{}", inbox.body);
        assert!(!inbox.body.contains("PO-BLUE-GONE"), "{}", inbox.body);
        assert_eq!(sales.get(&format!("/orders/{blue}")).await.status, 404);
        assert_eq!(sales.get(&format!("/orders/{acme}")).await.status, 200);
    }
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
            } else if path.extension().is_some_and(|e| e == "rs")
                && !path.ends_with("web/mod.rs")
                // The JSON API has its own gate: every /api/v1 route but the public reference
                // sits behind the bearer-token layer, and `api_tokens.rs` aims each at other
                // organisations' objects.
                && !path.ends_with("api/mod.rs")
            {
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

//! The isolation harness. Every tenant-scoped route is listed (in `isolation/routes.rs`) with
//! how to aim it at an object of another brand or another partner; each kind of actor asks for
//! such objects and must get 404 (exactly like an id that does not exist) with no change in the
//! database. `every_tenant_scoped_route_is_in_the_harness` fails when a new route is not listed.
//! The actors and their foreign objects are built in `support/isolation/`.

mod routes;

use std::collections::BTreeSet;

use portico::web::{self, Access};

use crate::support::fixtures::foreign_objects;
use crate::support::isolation::{actors, actors_and_samples};
use crate::support::{TestApp, TestClient};
use routes::TENANT_ROUTES;

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
    /// A financing of a supplier's invoice: `{financing}`.
    Financing,
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
                Object::Financing => one("{financing}", &actor.foreign_financings),
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

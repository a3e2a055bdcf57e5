//! The trace routes that name another producer's lot in the form, not the path. A batch, typed
//! or imported, naming another producer's material lot is answered exactly as one naming a
//! code nobody has, and changes nothing; a lot code another producer has is free for each
//! producer's own lot, which never becomes the other's.

use std::collections::HashMap;

use super::Object;
use super::routes::TENANT_ROUTES;
use super::targets::{Binding, fingerprint, request, targets};
use crate::support::TestApp;
use crate::support::fixtures::foreign_objects;
use crate::support::isolation::actors;
use crate::support::isolation::trace::foreign_trace;

const NO_SUCH_LOT: &str = "NO-SUCH-LOT-1";

#[tokio::test]
async fn a_batch_naming_another_producers_lot_is_answered_as_for_no_lot() {
    let app = TestApp::spawn().await;
    let foreign = foreign_objects(&app).await;
    let mut failures = Vec::new();
    for actor in actors(&app, &foreign).await {
        let client = app.login(actor.email).await;
        // A producer is told on the form it has no such lot; anyone else finds no such page.
        let expected = if actor.records_trace { 422 } else { 404 };
        for case in TENANT_ROUTES.iter().filter(|c| c.object == Object::LotCode) {
            let before = fingerprint(&app).await;
            let nobody: Binding = vec![("{lot_code}", NO_SUCH_LOT.to_owned())];
            let unknown = request(&client, case, &nobody).await;
            if unknown.status != expected {
                failures.push(format!(
                    "{} {} naming no lot: {} instead of {expected}",
                    actor.email, case.pattern, unknown.status
                ));
            }
            let unknown_body = comparable(&unknown.body, NO_SUCH_LOT);
            for binding in targets(case.object, &actor, &HashMap::new()) {
                let code = &binding[0].1;
                let page = request(&client, case, &binding).await;
                if page.status != unknown.status || comparable(&page.body, code) != unknown_body {
                    failures.push(format!(
                        "{} {} naming {code}: {} and a page unlike the one for no lot",
                        actor.email, case.pattern, page.status
                    ));
                }
            }
            if fingerprint(&app).await != before {
                failures.push(format!(
                    "{} {}: the database changed",
                    actor.email, case.pattern
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "another producer's lots reached:\n{}",
        failures.join("\n")
    );
}

/// A page with the lot code it names and the request's own id (in the footer and on error
/// pages) blanked.
fn comparable(body: &str, code: &str) -> String {
    let text = body.replace(code, "{lot}");
    let is_id = |w: &[u8]| {
        w.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
    };
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while at < bytes.len() {
        if bytes.len() - at >= 36 && is_id(&bytes[at..at + 36]) {
            out.push_str("{id}");
            at += 36;
        } else {
            let c = text[at..].chars().next().unwrap_or_default();
            out.push(c);
            at += c.len_utf8().max(1);
        }
    }
    out
}

#[tokio::test]
async fn a_lot_code_another_producer_has_is_free_for_a_producers_own_lot() {
    let app = TestApp::spawn().await;
    foreign_objects(&app).await;
    let tr = foreign_trace(&app).await;
    let sunrise_lot = &tr.sunrise_acme;
    let lots = TENANT_ROUTES
        .iter()
        .find(|c| c.pattern == "/trace/lots")
        .expect("the lot form is in the harness");

    // Anyone but a producer finds no such page, and nothing is recorded.
    for email in [
        "admin@acme.test",
        "ops@acme.test",
        "dock@harborlog.test",
        "analyst@jade.test",
        "admin@blueharbor.test",
        "root@portico.test",
    ] {
        let client = app.login(email).await;
        let before = fingerprint(&app).await;
        let page = request(&client, lots, &Vec::new()).await;
        assert_eq!(page.status, 404, "{email} records a lot");
        assert_eq!(
            fingerprint(&app).await,
            before,
            "{email}: the database changed"
        );
    }

    // Delta receives a lot under the same supplier and code as Sunrise's: not refused as
    // taken (which would tell Delta that someone has it), and its own.
    let delta = app.login("planner@delta.test").await;
    let lot_form = [
        ("material", "Cotton jersey, navy"),
        ("supplier_name", "Mill"),
        ("supplier_lot_code", sunrise_lot.lot_code.as_str()),
        ("received_qty", "50"),
        ("unit", "m"),
    ];
    let page = delta.post("/trace/lots", &lot_form).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let owners: Vec<(String, String)> = {
        let mut conn = app.db.reader().acquire().await.unwrap();
        sqlx::query_as(
            "SELECT o.name, l.received_qty FROM material_lots l JOIN orgs o ON o.id = l.owner_org_id \
             WHERE l.supplier_lot_code = $1 ORDER BY o.name",
        )
        .bind(&sunrise_lot.lot_code)
        .fetch_all(&mut *conn)
        .await
        .unwrap()
    };
    assert_eq!(
        owners,
        [
            ("Delta Garment Works".to_owned(), "50".to_owned()),
            ("Sunrise Textiles".to_owned(), "500".to_owned())
        ]
    );

    // A batch of Delta's naming that code takes Delta's lot; Sunrise's lot still fed only its
    // own batch.
    let taken_from_sunrise = async || -> Vec<String> {
        let mut conn = app.db.reader().acquire().await.unwrap();
        sqlx::query_scalar(
            "SELECT to_id FROM trace_edges WHERE from_kind = 'material_lot' AND from_id = $1",
        )
        .bind(&sunrise_lot.lot)
        .fetch_all(&mut *conn)
        .await
        .unwrap()
    };
    assert_eq!(
        taken_from_sunrise().await,
        std::slice::from_ref(&sunrise_lot.batch)
    );
    let batch = [
        ("code", "DL-OWN-1"),
        ("line", "Line 2"),
        ("shift", "Late"),
        ("operator", "Dana"),
        ("started_at", "2026-11-22T14:00"),
        ("ended_at", ""),
        ("input_lot", sunrise_lot.lot_code.as_str()),
        ("input_qty", "50"),
        ("finished_code", "DL-OWN-FL-1"),
        ("finished_qty", "100"),
        ("finished_unit", "pcs"),
    ];
    let page = delta.post("/trace/batches", &batch).await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(
        taken_from_sunrise().await,
        std::slice::from_ref(&sunrise_lot.batch)
    );
    // Sunrise does not see Delta's batch from its code, nor Delta Sunrise's lot.
    let sunrise = app.login("sales@sunrise.test").await;
    let from_delta = delta
        .get(&format!("/trace/node/material_lot/{}", sunrise_lot.lot))
        .await;
    assert_eq!(from_delta.status, 404);
    let found = sunrise
        .get(&format!("/trace?q={}", sunrise_lot.lot_code))
        .await;
    assert_eq!(
        found.location().as_deref(),
        Some(format!("/trace/node/material_lot/{}", sunrise_lot.lot).as_str()),
        "Sunrise finds its own lot, and only that one"
    );
}

/// The harness's trace objects are real: their own side reaches each one (so a 404 elsewhere
/// is isolation, not a wrong id).
#[tokio::test]
async fn the_trace_objects_aimed_at_are_reached_by_their_own_side() {
    let app = TestApp::spawn().await;
    foreign_objects(&app).await;
    let tr = foreign_trace(&app).await;
    let acme = app.login("admin@acme.test").await;
    let blue = app.login("admin@blueharbor.test").await;
    let sunrise = app.login("sales@sunrise.test").await;
    let delta = app.login("planner@delta.test").await;
    let mut missed = Vec::new();
    let mut reach = async |client: &crate::support::TestClient, who: &str, path: String| {
        let page = client.get(&path).await;
        if page.status != 200 {
            missed.push(format!("{who} {path}: {}", page.status));
        }
    };
    for (client, who, chain) in [
        (&blue, "Blue Harbor", &tr.bluewater),
        (&blue, "Blue Harbor", &tr.sunrise_blue),
        (&acme, "Acme", &tr.delta),
        (&acme, "Acme", &tr.sunrise_acme),
    ] {
        for (kind, id) in chain.nodes() {
            reach(client, who, format!("/trace/node/{kind}/{id}")).await;
        }
    }
    for (client, who, chain) in [
        (&delta, "Delta", &tr.delta),
        (&sunrise, "Sunrise", &tr.sunrise_acme),
    ] {
        for (kind, id) in chain.recorded() {
            reach(client, who, format!("/trace/node/{kind}/{id}")).await;
        }
    }
    let blue_complaint = format!("/complaints/{}", tr.blue_complaint.id);
    reach(&blue, "Blue Harbor", blue_complaint).await;
    let acme_complaint = format!("/complaints/{}", tr.acme_complaint.id);
    reach(&acme, "Acme", acme_complaint).await;
    assert!(missed.is_empty(), "not reached:\n{}", missed.join("\n"));

    // The harness's root and hold forms do change the complaint, when its own brand sends them.
    let binding: Binding = vec![
        ("{complaint}", tr.blue_complaint.id.clone()),
        ("{root}", tr.blue_complaint.other_root.clone()),
    ];
    for pattern in [
        "/complaints/{complaint}/root",
        "/complaints/{complaint}/hold",
    ] {
        let case = TENANT_ROUTES
            .iter()
            .find(|c| c.pattern == pattern)
            .expect("in the harness");
        let before = fingerprint(&app).await;
        let page = request(&blue, case, &binding).await;
        assert_eq!(page.status, 303, "{pattern}");
        assert_ne!(fingerprint(&app).await, before, "{pattern} changed nothing");
    }
    // And its complaint forms open one on its own node.
    let node: Binding = vec![
        ("{kind}", "finished_lot".to_owned()),
        ("{id}", tr.delta.finished.clone()),
    ];
    for case in TENANT_ROUTES
        .iter()
        .filter(|c| c.pattern == "/complaints/new" && c.object == Object::TraceNode)
    {
        let page = request(&acme, case, &node).await;
        assert!(matches!(page.status, 200 | 303), "{}", page.status);
    }
    let mut conn = app.db.reader().acquire().await.unwrap();
    let opened: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM complaints WHERE subject_id = $1")
        .bind(&tr.delta.finished)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(opened, 2, "the harness's form opens a complaint");
    let (status, root): (String, String) =
        sqlx::query_as("SELECT status, root_kind FROM complaints WHERE id = $1")
            .bind(&tr.blue_complaint.id)
            .fetch_one(&mut *conn)
            .await
            .unwrap();
    assert_eq!((status.as_str(), root.as_str()), ("held", "material_lot"));
}

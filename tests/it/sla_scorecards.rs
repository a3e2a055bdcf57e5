//! Partner scorecards: on-time rate and times per partner and clock over a date range, the
//! weekly chart, the CSV export (audited), and a partner seeing only its own record.

use crate::support::{Options, TestApp};

async fn demo() -> TestApp {
    TestApp::spawn_with(Options {
        demo_orders: true,
        ..Default::default()
    })
    .await
}

#[tokio::test]
async fn the_brand_sees_every_partners_record_with_a_chart_and_exports_it() {
    let app = demo().await;
    let ops = app.login("ops@acme.test").await;
    let page = ops.get("/sla/scorecards").await;
    assert_eq!(page.status, 200);
    let rows = page.texts(".scorecard tbody tr");
    assert!(
        rows.iter()
            .any(|r| r.contains("Delta Garment Works") && r.contains("PO confirmation")),
        "{rows:?}"
    );
    assert!(rows.iter().any(|r| r.contains("Sunrise Textiles")));
    // Every fifth demo partner answered late: not everything is on time.
    assert!(
        rows.iter()
            .filter(|r| r.contains("PO confirmation"))
            .any(|r| !r.contains("100 %")),
        "{rows:?}"
    );
    assert!(page.has(".scorecard svg.week-chart rect.late"));
    let weeks = page.texts(".scorecard tbody tr:first-child svg g").len();
    assert!(
        (12..=13).contains(&weeks),
        "the last twelve weeks by default: {weeks}"
    );

    let delta = app.org_id("Delta Garment Works").await;
    let only = ops.get(&format!("/sla/scorecards?partner={delta}")).await;
    assert!(
        only.texts(".scorecard tbody tr")
            .iter()
            .all(|r| r.contains("Delta Garment Works"))
    );

    let csv = ops.get("/sla/scorecards.csv?kind=po_confirmation").await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.body
            .starts_with("partner,clock,finished,late,on_time_percent,median_hours,p90_hours")
    );
    assert!(csv.body.contains("Delta Garment Works,po_confirmation,"));
    let mut conn = app.db.reader().acquire().await.unwrap();
    let exported: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'sla.scorecard_exported'",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    assert_eq!(exported, 1);

    // A range that ends before it starts is explained, not guessed at.
    let bad = ops
        .get("/sla/scorecards?from=2026-10-01&to=2026-09-01")
        .await;
    assert!(bad.text("#range-error").contains("end is after its start"));
    let empty = ops
        .get("/sla/scorecards?from=2020-01-01&to=2020-02-01")
        .await;
    assert!(
        empty
            .text(".empty")
            .contains("No clock finished in this range.")
    );
}

#[tokio::test]
async fn a_partner_sees_only_its_own_record() {
    let app = demo().await;
    let sales = app.login("sales@sunrise.test").await;
    let delta = app.org_id("Delta Garment Works").await;
    for path in [
        "/sla/scorecards".to_owned(),
        format!("/sla/scorecards?partner={delta}"),
        format!("/sla/scorecards.csv?partner={delta}"),
    ] {
        let page = sales.get(&path).await;
        assert_eq!(page.status, 200, "{path}");
        assert!(
            !page.body.contains("Delta Garment Works"),
            "{path} leaks another partner"
        );
        assert!(
            page.body.contains("Sunrise Textiles"),
            "{path} shows Sunrise's own record"
        );
    }
    let nav = sales.get("/").await.texts("nav.mainnav a");
    assert!(nav.contains(&"Our record".to_owned()), "{nav:?}");
}

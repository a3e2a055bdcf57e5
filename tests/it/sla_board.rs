//! The brand-ops dashboard: clocks at risk and breached, least time left first, filtered; the
//! live revision; acknowledging, assigning, commenting and snoozing alerts, and who may.

use portico::domain::time::UtcMillis;
use portico::service::sla::scheduler::run_due;

use crate::support::orders::order;
use crate::support::{Page, TestApp, TestClient};

/// Monday 1 March 2027, 10:00 UTC (office hours in UTC are the brands' default calendar).
const MONDAY_10: i64 = 1_803_895_200_000;
const HOUR: i64 = 3_600_000;

/// Three orders issued on Monday morning; on Wednesday afternoon Delta's and Sunrise's early
/// ones are at risk, and by Thursday noon the first has breached.
async fn board_with_alerts(app: &TestApp) {
    let clock = &app.fixture_state().clock;
    clock.jump_to(UtcMillis(MONDAY_10 - HOUR));
    order(
        app,
        "ops@acme.test",
        "Acme Apparel",
        "LATE-DELTA",
        "Delta Garment Works",
        None,
        true,
    )
    .await;
    clock.jump_to(UtcMillis(MONDAY_10));
    order(
        app,
        "ops@acme.test",
        "Acme Apparel",
        "RISK-SUN",
        "Sunrise Textiles",
        None,
        true,
    )
    .await;
    clock.jump_to(UtcMillis(MONDAY_10 + 24 * HOUR));
    order(
        app,
        "ops@acme.test",
        "Acme Apparel",
        "CALM-SUN",
        "Sunrise Textiles",
        None,
        true,
    )
    .await;
    // Thursday 09:30: the 09:00 clock breached at 09:00, the 10:00 one has 30 min left.
    clock.jump_to(UtcMillis(MONDAY_10 + 72 * HOUR - 30 * 60_000));
    run_due(app.state()).await.unwrap();
}

fn rows(page: &Page) -> Vec<String> {
    page.texts(".sla-board tbody tr")
}

async fn act(
    client: &TestClient,
    page: &Page,
    row: usize,
    form: &str,
    fields: &[(&str, &str)],
) -> Page {
    let row = format!(".sla-board tbody tr:nth-child({row})");
    // Acknowledging is on the row; the other forms open from it (`handling_forms`).
    let response = if form == "acknowledge" {
        client
            .submit(page, &format!("{row} form.{form}"), fields)
            .await
    } else {
        let forms = handling_forms(client, page, &row).await;
        client.submit(&forms, &format!("form.{form}"), fields).await
    };
    assert_eq!(response.status, 303, "{}", response.body);
    client.follow(&response).await
}

/// A handling form of the board's first row refused for what was typed: the alert's page comes
/// back with the reason beside the field, not the board.
async fn refused(client: &TestClient, board: &Page, form: &str, fields: &[(&str, &str)]) -> Page {
    let forms = handling_forms(client, board, ".sla-board tbody tr:nth-child(1)").await;
    let page = client.submit(&forms, &format!("form.{form}"), fields).await;
    assert_eq!(page.status, 422, "{}", page.body);
    page
}

/// The page a row's "Assign, comment, snooze" opens without JavaScript (with it, the same
/// forms load into the row).
async fn handling_forms(client: &TestClient, board: &Page, row: &str) -> Page {
    let link = board
        .attr(&format!("{row} .sla-more-forms a"), "href")
        .expect("the row links its handling forms");
    let forms = client.get(&link).await;
    assert_eq!(forms.status, 200, "{}", forms.body);
    forms
}

#[tokio::test]
async fn ops_sees_breached_then_at_risk_clocks_and_filters_them() {
    let app = TestApp::spawn().await;
    let ops = app.login("ops@acme.test").await;
    let empty = ops.get("/sla").await;
    assert_eq!(empty.status, 200);
    assert!(empty.text(".empty").contains("Nothing is at risk"));

    board_with_alerts(&app).await;
    let page = ops.get("/sla").await;
    let shown = rows(&page);
    assert_eq!(shown.len(), 2, "the calm clock is not listed: {shown:?}");
    assert!(shown[0].contains("LATE-DELTA") && shown[0].contains("Breached"));
    assert!(shown[0].contains("late by 30 min"), "{}", shown[0]);
    assert!(shown[1].contains("RISK-SUN") && shown[1].contains("At risk"));
    assert!(shown[1].contains("30 min left"), "{}", shown[1]);
    assert!(shown[1].contains("PO confirmation"));

    let sunrise = app.org_id("Sunrise Textiles").await;
    let filtered = ops.get(&format!("/sla?partner={sunrise}")).await;
    assert_eq!(rows(&filtered).len(), 1);
    assert!(rows(&filtered)[0].contains("RISK-SUN"));
    let none = ops.get("/sla?kind=first_sample").await;
    assert!(rows(&none).is_empty());

    // The partner filter offers the partners with something on the board, not every partner
    // (and not the empty list remembered from the first visit: the board changed since);
    // a partner with nothing late stays chosen once picked.
    let choices = page.text("#f-partner");
    assert!(choices.contains("Delta Garment Works") && choices.contains("Sunrise Textiles"));
    assert!(!choices.contains("Harbor Logistics"), "{choices}");
    let harbor = app.org_id("Harbor Logistics").await;
    let calm = ops.get(&format!("/sla?partner={harbor}")).await;
    assert!(rows(&calm).is_empty());
    assert!(calm.body.contains(&format!("value=\"{harbor}\" selected")));
    // A filter naming no partner of this brand shows an empty board, not an error.
    let stranger = ops.get("/sla?partner=not-an-org").await;
    assert_eq!(stranger.status, 200);
    assert!(rows(&stranger).is_empty());

    // The fragment the live reload fetches is the same table.
    let fragment = ops.get("/sla?fragment=1").await;
    assert_eq!(rows(&fragment).len(), 2);
    assert!(!fragment.body.contains("<html"), "a fragment, not a page");

    // Partners have no brand dashboard.
    let planner = app.login("planner@delta.test").await;
    assert_eq!(planner.get("/sla").await.status, 403);
}

#[tokio::test]
async fn the_live_stream_says_when_the_picture_changed() {
    let app = TestApp::spawn().await;
    let ops = app.login("ops@acme.test").await;
    let before = ops.get("/sla").await;
    let rev: i64 = before
        .attr("#board", "data-rev")
        .unwrap_or_default()
        .parse()
        .expect("the board carries its revision");
    board_with_alerts(&app).await;
    let event = ops.first_event(&format!("/sla/live?rev={rev}")).await;
    assert_eq!(event.status, 200);
    assert!(event.body.contains("event: rev"), "{}", event.body);
    let now = ops
        .get("/sla")
        .await
        .attr("#board", "data-rev")
        .unwrap_or_default();
    assert!(
        event.body.contains(&format!("data: {now}")),
        "{} vs {now}",
        event.body
    );
    assert_ne!(now, rev.to_string());
}

#[tokio::test]
async fn ops_acknowledges_assigns_comments_and_snoozes_an_alert() {
    let app = TestApp::spawn().await;
    board_with_alerts(&app).await;
    let ops = app.login("ops@acme.test").await;
    let page = ops.get("/sla").await;

    let page = act(&ops, &page, 1, "acknowledge", &[]).await;
    assert!(page.text(".flashes").contains("The alert is acknowledged."));
    let first = &rows(&page)[0];
    assert!(first.contains("Acknowledged by Oscar Ops"), "{first}");
    assert!(!page.has(".sla-board tbody tr:nth-child(1) form.acknowledge"));

    let admin = app.user_id("admin@acme.test").await.to_string();
    let page = act(&ops, &page, 1, "assign", &[("to", &admin)]).await;
    assert!(
        rows(&page)[0].contains("Assigned to Alice Admin"),
        "{}",
        rows(&page)[0]
    );
    // Someone outside the brand cannot be assigned.
    let outsider = app.user_id("planner@delta.test").await.to_string();
    let page = act(&ops, &page, 1, "assign", &[("to", &outsider)]).await;
    assert!(
        page.text(".flash-error")
            .contains("Choose a colleague from the list.")
    );
    assert!(
        rows(&page)[0].contains("Assigned to Alice Admin"),
        "unchanged"
    );

    // A refused comment or snooze keeps what was typed, with the reason beside its field.
    let blank = refused(&ops, &page, "comment", &[("body", "  ")]).await;
    assert!(
        blank
            .text(".field-error")
            .contains("This field is required.")
    );
    let long = "Called Delta twice. ".repeat(60);
    let too_long = refused(&ops, &page, "comment", &[("body", &long)]).await;
    assert!(
        too_long
            .text(".field-error")
            .contains("This text is too long.")
    );
    assert_eq!(too_long.text("form.comment textarea"), long.trim_end());
    let page = act(
        &ops,
        &page,
        1,
        "comment",
        &[("body", "Called Delta; confirming today")],
    )
    .await;
    assert!(rows(&page)[0].contains("Oscar Ops: “Called Delta; confirming today”"));

    let no_reason = refused(&ops, &page, "snooze", &[("hours", "4"), ("reason", "")]).await;
    assert!(
        no_reason
            .text(".field-error")
            .contains("Say why the alert is snoozed.")
    );
    assert!(no_reason.has("form.snooze option[value=\"4\"][selected]"));
    let too_long = refused(
        &ops,
        &page,
        "snooze",
        &[("hours", "999"), ("reason", "Waiting for the dye house")],
    )
    .await;
    assert!(too_long.text(".field-error").contains("up to a week"));
    assert_eq!(
        too_long
            .attr("form.snooze input[name=reason]", "value")
            .as_deref(),
        Some("Waiting for the dye house")
    );
    let page = ops.get("/sla").await;
    assert!(
        !rows(&page)[0].contains("Waiting for the dye house"),
        "nothing was saved"
    );
    let page = act(
        &ops,
        &page,
        1,
        "snooze",
        &[("hours", "4"), ("reason", "Waiting for the mill")],
    )
    .await;
    assert!(rows(&page)[0].contains("Waiting for the mill"));
    assert!(page.has(".sla-board tbody tr.snoozed"));

    // Every step is in the audit log.
    let mut conn = app.db.reader().acquire().await.unwrap();
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE action LIKE 'sla.%' ORDER BY seq")
            .fetch_all(&mut *conn)
            .await
            .unwrap();
    assert_eq!(
        actions,
        [
            "sla.alert_acknowledged",
            "sla.alert_assigned",
            "sla.alert_commented",
            "sla.alert_snoozed"
        ]
    );
}

#[tokio::test]
async fn only_brand_admins_and_ops_handle_alerts_and_twice_is_refused() {
    let app = TestApp::spawn().await;
    board_with_alerts(&app).await;
    let quality = app.login("quality@acme.test").await;
    let page = quality.get("/sla").await;
    assert_eq!(rows(&page).len(), 2, "quality watches the clocks too");
    assert!(!page.has("form.acknowledge"), "but has nothing to press");
    let ops = app.login("ops@acme.test").await;
    let ops_page = ops.get("/sla").await;
    let action = ops_page
        .attr(
            ".sla-board tbody tr:nth-child(1) form.acknowledge",
            "action",
        )
        .expect("an acknowledge form");
    assert_eq!(quality.post(&action, &[]).await.status, 403);
    let forms = action.replace("/acknowledge", "/handle");
    assert_eq!(quality.get(&forms).await.status, 403);
    let partner = app.login("planner@delta.test").await;
    assert_eq!(
        partner.get(&forms).await.status,
        404,
        "partners have no alerts"
    );

    let page = act(&ops, &ops_page, 1, "acknowledge", &[]).await;
    assert!(page.text(".flashes").contains("acknowledged"));
    let again = ops.post(&action, &[]).await;
    assert_eq!(again.status, 303);
    assert!(
        ops.follow(&again)
            .await
            .text(".flash-error")
            .contains("Someone already acknowledged this alert.")
    );
}

#[tokio::test]
async fn a_rows_handling_forms_load_when_opened_with_the_current_assignee_chosen() {
    let app = TestApp::spawn().await;
    board_with_alerts(&app).await;
    let ops = app.login("ops@acme.test").await;
    let board = ops.get("/sla").await;
    assert!(
        !board.has("form.assign") && !board.has("form.comment") && !board.has("form.snooze"),
        "the board carries one acknowledge button per row, not every form"
    );
    let admin = app.user_id("admin@acme.test").await.to_string();
    let board = act(&ops, &board, 1, "assign", &[("to", &admin)]).await;
    let row = ".sla-board tbody tr:nth-child(1)";
    let link = board
        .attr(&format!("{row} .sla-more-forms a"), "href")
        .unwrap();
    assert_eq!(
        board.attr(&format!("{row} details.sla-more"), "hx-get"),
        Some(link.clone())
    );

    // What htmx loads into the row: the three forms, nothing of the page around them.
    let htmx = app
        .login("ops@acme.test")
        .await
        .with_header("HX-Request", "true");
    let fragment = htmx.get(&link).await;
    assert_eq!(fragment.status, 200);
    assert!(!fragment.body.contains("<html"), "{}", fragment.body);
    for form in ["assign", "comment", "snooze"] {
        assert!(fragment.has(&format!("form.{form}")), "{form}");
    }
    assert_eq!(
        fragment.attr("form.assign option[selected]", "value"),
        Some(admin)
    );

    // Without JavaScript it is a page of its own, back to the board.
    let page = ops.get(&link).await;
    assert_eq!(page.text("h1"), "Handle the alert");
    assert!(page.text(".alert-card").contains("LATE-DELTA"));
    assert!(page.has(".breadcrumb a[href='/sla']"));
}

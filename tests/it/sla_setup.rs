//! The brand admin's deadlines setup: calendars (hours, holidays, imports) and versioned
//! policies — an edit applies to clocks that start afterwards, never to running ones.

use portico::domain::time::UtcMillis;

use crate::support::orders::order;
use crate::support::{Page, TestApp, TestClient};

/// Monday 1 March 2027, 02:00 UTC = 10:00 in Shanghai.
const MONDAY_SHANGHAI_10: i64 = 1_803_866_400_000;
const HOUR: i64 = 3_600_000;

const SHANGHAI: &[(&str, &str)] = &[
    ("name", "Shanghai factory"),
    ("time_zone", "Asia/Shanghai"),
    ("hours_mon", "09:00-12:00, 13:00-18:00"),
    ("hours_tue", "09:00-12:00, 13:00-18:00"),
    ("hours_wed", "09:00-12:00, 13:00-18:00"),
    ("hours_thu", "09:00-12:00, 13:00-18:00"),
    ("hours_fri", "09:00-12:00, 13:00-18:00"),
];

/// The ids of the elements `selector` finds.
fn ids(page: &Page, selector: &str) -> Vec<String> {
    let selector = scraper::Selector::parse(selector).unwrap();
    page.html()
        .select(&selector)
        .filter_map(|e| e.value().attr("id").map(str::to_owned))
        .collect()
}

async fn setup_page(admin: &TestClient) -> Page {
    admin.get("/admin/sla").await
}

async fn create_shanghai(admin: &TestClient) -> String {
    let page = setup_page(admin).await;
    let done = admin
        .submit(&page, "form[action='/admin/sla/calendars']", SHANGHAI)
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let page = admin.follow(&done).await;
    assert!(page.text(".flashes").contains("The calendar is saved."));
    ids(&page, "section.calendar")
        .into_iter()
        .filter_map(|id| id.strip_prefix("calendar-").map(str::to_owned))
        .find(|id| id != "office")
        .expect("the new calendar's section")
}

async fn deadline_of(app: &TestApp, po: &str) -> (i64, i64) {
    let mut conn = app.db.reader().acquire().await.unwrap();
    sqlx::query_as(
        "SELECT t.deadline_at, t.policy_version FROM sla_timers t JOIN orders o ON o.id = t.order_id \
         WHERE o.po_number = $1 AND t.kind = 'po_confirmation'",
    )
    .bind(po)
    .fetch_one(&mut *conn)
    .await
    .unwrap()
}

#[tokio::test]
async fn an_admin_keeps_calendars_with_hours_and_holidays_and_bad_input_is_explained() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@acme.test").await;
    let page = setup_page(&admin).await;
    assert!(
        page.text("#calendars + section")
            .contains("Office hours (UTC)"),
        "the default calendar"
    );

    // A wrong zone and overlapping hours are refused beside their fields; nothing is lost.
    let mut bad: Vec<(&str, &str)> = SHANGHAI.to_vec();
    bad[1] = ("time_zone", "China/Shanghai");
    bad[3] = ("hours_tue", "09:00-12:00, 11:00-13:00");
    let refused = admin
        .submit(&page, "form[action='/admin/sla/calendars']", &bad)
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.text("#ctz-new-error").contains("IANA database"));
    assert!(
        refused
            .text(".calendar-new")
            .contains("These hours overlap")
    );
    assert_eq!(
        refused.attr("#ctz-new", "value").as_deref(),
        Some("China/Shanghai")
    );
    assert_eq!(
        refused.attr("#h-tue-new", "value").as_deref(),
        Some("09:00-12:00, 11:00-13:00")
    );

    let id = create_shanghai(&admin).await;
    let page = setup_page(&admin).await;
    let section = format!("#calendar-{id}");
    assert!(page.text(&section).contains("Asia/Shanghai"));
    assert_eq!(
        page.attr(&format!("#h-mon-{id}"), "value").as_deref(),
        Some("09:00-12:00, 13:00-18:00")
    );

    // Holidays: one by one (twice is refused), and from files (all rows or none).
    let add = format!("{section} form.holiday-add");
    let done = admin
        .submit(
            &page,
            &add,
            &[("day", "2027-10-01"), ("holiday_name", "National Day")],
        )
        .await;
    let page = admin.follow(&done).await;
    assert!(page.text(&section).contains("2027-10-01 National Day"));
    let again = admin
        .submit(
            &page,
            &add,
            &[("day", "2027-10-01"), ("holiday_name", "again")],
        )
        .await;
    assert!(
        admin
            .follow(&again)
            .await
            .text(".flash-error")
            .contains("already has a holiday on that date")
    );

    let import = format!("/admin/sla/calendars/{id}/import");
    let bad_csv = b"date,name\n2027-10-02,Golden Week\n10/03/2027,Golden Week\n".to_vec();
    let refused = admin
        .upload(&import, "files", "holidays.csv", bad_csv)
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .text(".import-problems")
            .contains("Row 3: Enter a date as YYYY-MM-DD.")
    );
    assert!(
        !refused.text(&section).contains("2027-10-02"),
        "nothing imported"
    );

    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:1\r\n\
        DTSTART;VALUE=DATE:20271001\r\nDTEND;VALUE=DATE:20271008\r\nSUMMARY:Golden Week\r\n\
        END:VEVENT\r\nEND:VCALENDAR\r\n";
    let done = admin
        .upload(&import, "files", "cn.ics", ics.as_bytes().to_vec())
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let page = admin.follow(&done).await;
    assert!(
        page.text(".flashes").contains("6 holiday(s) imported."),
        "{}",
        page.text(".flashes")
    );
    assert_eq!(page.texts(&format!("{section} ul.holidays li")).len(), 7);

    let remove = format!("{section} ul.holidays li:first-child form");
    let done = admin.submit(&page, &remove, &[]).await;
    let page = admin.follow(&done).await;
    assert_eq!(page.texts(&format!("{section} ul.holidays li")).len(), 6);

    // Ops may look at deadlines but not change the setup.
    let ops = app.login("ops@acme.test").await;
    assert_eq!(ops.get("/admin/sla").await.status, 403);
}

#[tokio::test]
async fn a_policy_edit_is_a_new_version_and_running_clocks_keep_theirs() {
    let app = TestApp::spawn().await;
    let clock = &app.fixture_state().clock;
    clock.jump_to(UtcMillis(MONDAY_SHANGHAI_10));
    let admin = app.login("admin@acme.test").await;
    let shanghai = create_shanghai(&admin).await;

    // A clock under version 1: 24 working hours of 09:00-17:00 UTC from Monday 02:00 UTC.
    order(
        &app,
        "ops@acme.test",
        "Acme Apparel",
        "V1",
        "Delta Garment Works",
        None,
        true,
    )
    .await;
    let (v1_deadline, v1) = deadline_of(&app, "V1").await;
    assert_eq!(v1, 1);

    // Version 2: 16 working hours on the Shanghai calendar, warning at 50 %.
    let page = setup_page(&admin).await;
    let form = "#policy-default-po_confirmation form";
    let fields = [
        ("active", "on"),
        ("target_amount", "16"),
        ("target_unit", "business_hours"),
        ("calendar", shanghai.as_str()),
        ("warn_percent", "50"),
        ("again_after_hours", "8"),
    ];
    let done = admin.submit(&page, form, &fields).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert!(
        admin
            .follow(&done)
            .await
            .text(".flashes")
            .contains("saved as a new version")
    );

    // The running clock did not move; a new one runs on version 2: Monday 10:00 in Shanghai
    // plus 16 working hours (8 a day) is Wednesday 10:00 there.
    assert_eq!(deadline_of(&app, "V1").await, (v1_deadline, 1));
    order(
        &app,
        "ops@acme.test",
        "Acme Apparel",
        "V2",
        "Delta Garment Works",
        None,
        true,
    )
    .await;
    let (v2_deadline, v2) = deadline_of(&app, "V2").await;
    assert_eq!(v2, 2);
    assert!((v2_deadline - (MONDAY_SHANGHAI_10 + 48 * HOUR)).abs() < 5_000);

    // Saving from the page as it was before is refused as stale; out-of-range values too.
    let stale = admin.submit(&page, form, &fields).await;
    assert!(
        admin
            .follow(&stale)
            .await
            .text(".flash-error")
            .contains("Someone saved this policy since you opened it")
    );
    let page = setup_page(&admin).await;
    let refused = admin
        .submit(
            &page,
            form,
            &[("warn_percent", "100"), ("target_amount", "0")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .text("#policy-default-po_confirmation")
            .contains("Enter a warning point from 1 to 99 %.")
    );
    assert!(
        refused
            .text("#policy-default-po_confirmation")
            .contains("Enter a target from 1 to 1000.")
    );

    // The history says who changed what.
    let history = admin
        .get("/admin/sla/policies/default-po_confirmation")
        .await;
    let versions = history.texts("ol.policy-versions li");
    assert_eq!(versions.len(), 2, "{versions:?}");
    assert!(versions[0].contains("Version 2") || versions[0].contains("version 2"));
    assert!(versions[0].contains("Alice Admin"));
    assert!(versions[0].contains("16 working hours"));
    assert!(versions[1].contains("Portico's default"));
    assert!(versions[1].contains("24 working hours"));

    // Only admins change policies.
    let ops = app.login("ops@acme.test").await;
    let post = ops
        .post("/admin/sla/policies/default-po_confirmation", &fields)
        .await;
    assert_eq!(post.status, 403);
}

#[tokio::test]
async fn a_policy_for_factories_overrides_the_default_for_them_only() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@acme.test").await;
    let page = setup_page(&admin).await;
    let done = admin
        .submit(
            &page,
            "form.policy-add",
            &[("kind", "po_confirmation"), ("scope", "kind:factory")],
        )
        .await;
    let page = admin.follow(&done).await;
    assert!(page.text(".flashes").contains("The policy is added"));
    let factory = ids(&page, "section.policy")
        .into_iter()
        .find(|id| !id.starts_with("policy-default-"))
        .expect("the new policy")
        .replace("policy-", "");
    assert!(
        page.text(&format!("#policy-{factory}"))
            .contains("Every Contract factory")
    );
    let done = admin
        .submit(
            &page,
            &format!("#policy-{factory} form"),
            &[
                ("active", "on"),
                ("target_amount", "48"),
                ("target_unit", "calendar_hours"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    // A second one for the same scope is refused.
    let page = setup_page(&admin).await;
    let twice = admin
        .submit(
            &page,
            "form.policy-add",
            &[("kind", "po_confirmation"), ("scope", "kind:factory")],
        )
        .await;
    assert!(
        admin
            .follow(&twice)
            .await
            .text(".flash-error")
            .contains("already exists")
    );

    order(
        &app,
        "ops@acme.test",
        "Acme Apparel",
        "FAC",
        "Delta Garment Works",
        None,
        true,
    )
    .await;
    order(
        &app,
        "ops@acme.test",
        "Acme Apparel",
        "SUP",
        "Sunrise Textiles",
        None,
        true,
    )
    .await;
    let mut conn = app.db.reader().acquire().await.unwrap();
    let policies: Vec<(String, String)> = sqlx::query_as(
        "SELECT o.po_number, t.policy_id FROM sla_timers t JOIN orders o ON o.id = t.order_id \
         WHERE t.kind = 'po_confirmation' ORDER BY o.po_number",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    assert_eq!(
        policies,
        [
            ("FAC".to_owned(), factory.clone()),
            ("SUP".to_owned(), "default-po_confirmation".to_owned())
        ]
    );
}

#[tokio::test]
async fn a_tampered_policy_scope_is_refused_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let foreign = crate::support::fixtures::foreign_objects(&app).await;
    let admin = app.login("admin@acme.test").await;
    let page = setup_page(&admin).await;
    let before = ids(&page, "section.policy");
    let harbor = app.org_id("Harbor Logistics").await.to_string();
    // Another brand's supplier, a brand as a "kind of partner", an unknown shape: none is a
    // scope Acme may use. (Harbor Logistics, Acme's own warehouse, is the control.)
    for scope in [
        format!("partner:{}", foreign.bluewater_org),
        "kind:brand".to_owned(),
        "kind:platform".to_owned(),
        format!("org:{harbor}"),
        String::new(),
    ] {
        let refused = admin
            .submit(
                &page,
                "form.policy-add",
                &[("kind", "goods_receipt"), ("scope", scope.as_str())],
            )
            .await;
        let shown = admin.follow(&refused).await;
        assert!(
            shown
                .text(".flash-error")
                .contains("Choose a kind of partner or one of your partners."),
            "{scope}: {}",
            shown.text(".flashes")
        );
        assert_eq!(
            ids(&shown, "section.policy"),
            before,
            "{scope}: nothing stored"
        );
    }
    let added = admin
        .submit(
            &page,
            "form.policy-add",
            &[
                ("kind", "goods_receipt"),
                ("scope", &format!("partner:{harbor}")),
            ],
        )
        .await;
    let shown = admin.follow(&added).await;
    assert!(shown.text(".flashes").contains("The policy is added"));
    assert_eq!(ids(&shown, "section.policy").len(), before.len() + 1);
}

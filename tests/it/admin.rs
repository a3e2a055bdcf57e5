//! Administration: partnerships and an organisation's own users, with their refusals.

use crate::support::TestApp;

#[tokio::test]
async fn suspending_a_partner_cuts_its_access_to_the_brand_until_reactivated() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@acme.test").await;
    let delta = app.org_id("Delta Garment Works").await;
    let planner = app.login("planner@delta.test").await;
    assert_eq!(planner.get("/admin/users").await.status, 200);

    let detail = admin.get(&format!("/admin/partners/{delta}")).await;
    assert!(detail.text(".status").contains("Active"));
    assert!(
        detail.text("table").contains("planner@delta.test"),
        "admins see the partner's people"
    );
    let confirm = admin.get(&format!("/admin/partners/{delta}/suspend")).await;
    assert!(confirm.text("h1").contains("Suspend Delta Garment Works?"));
    let done = admin.submit(&confirm, "main form", &[]).await;
    assert_eq!(done.status, 303);
    let detail = admin.follow(&done).await;
    assert!(
        detail
            .text(".flash-success")
            .contains("Delta Garment Works is suspended")
    );
    assert!(detail.text(".page-head .status").contains("Suspended"));

    // Delta served only Acme: its users now have no active brand.
    let blocked = planner.get("/admin/users").await;
    assert_eq!(blocked.status, 403);
    assert!(blocked.text("h1").contains("No active brand"));
    let home = planner.get("/").await;
    assert!(home.text(".flash-info").contains("no active brand"));

    // Suspending twice is refused with a message, not an error page.
    let again = admin
        .post(&format!("/admin/partners/{delta}/suspend"), &[])
        .await;
    let page = admin.follow(&again).await;
    assert!(page.text(".flash-error").contains("already suspended"));

    let reactivated = admin
        .post(&format!("/admin/partners/{delta}/reactivate"), &[])
        .await;
    assert_eq!(reactivated.status, 303);
    assert_eq!(planner.get("/admin/users").await.status, 200);
}

#[tokio::test]
async fn brand_users_who_are_not_admins_see_partners_but_cannot_change_them() {
    let app = TestApp::spawn().await;
    let ops = app.login("ops@acme.test").await;
    let delta = app.org_id("Delta Garment Works").await;
    let list = ops.get("/admin/partners").await;
    assert_eq!(list.status, 200);
    assert!(!list.has("a[href='/admin/partners/invite']"));
    let detail = ops.get(&format!("/admin/partners/{delta}")).await;
    assert_eq!(detail.status, 200);
    assert!(!detail.has("table"), "contact details are for admins");
    let before = app.fingerprint().await;
    assert_eq!(
        ops.post(&format!("/admin/partners/{delta}/suspend"), &[])
            .await
            .status,
        403
    );
    assert_eq!(ops.get("/admin/partners/invite").await.status, 403);
    assert_eq!(
        ops.post(
            "/admin/partners/invite",
            &[
                ("org_name", "X Co"),
                ("org_kind", "supplier"),
                ("email", "x@x.test")
            ]
        )
        .await
        .status,
        403
    );
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn an_admin_changes_a_colleagues_role_but_never_removes_the_last_admin() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@acme.test").await;
    let ops = app.user_id("ops@acme.test").await;
    let page = admin.get(&format!("/admin/users/{ops}")).await;
    let changed = admin
        .submit(&page, "form[action$='/role']", &[("role", "quality")])
        .await;
    assert_eq!(changed.status, 303);
    let page = admin.follow(&changed).await;
    assert!(
        page.text(".flash-success")
            .contains("role has been changed")
    );
    assert!(page.text(".facts").contains("Quality"));

    // A role the organisation kind does not have is refused.
    let bogus = admin
        .post(&format!("/admin/users/{ops}/role"), &[("role", "viewer")])
        .await;
    assert!(
        admin
            .follow(&bogus)
            .await
            .text(".flash-error")
            .contains("listed roles")
    );

    // The only admin cannot demote or disable themself, and no one can remove the last admin.
    let me = app.user_id("admin@acme.test").await;
    let own = admin.get(&format!("/admin/users/{me}")).await;
    assert!(own.text("main").contains("This is you"));
    assert!(!own.has("form[action$='/role']"));
    let self_demote = admin
        .post(&format!("/admin/users/{me}/role"), &[("role", "ops")])
        .await;
    assert!(
        admin
            .follow(&self_demote)
            .await
            .text(".flash-error")
            .contains("your own account")
    );

    let promoted = admin
        .post(&format!("/admin/users/{ops}/role"), &[("role", "admin")])
        .await;
    assert_eq!(promoted.status, 303);
    let second_admin = app.login("ops@acme.test").await;
    let demote_first = second_admin
        .post(&format!("/admin/users/{me}/role"), &[("role", "finance")])
        .await;
    assert!(
        second_admin
            .follow(&demote_first)
            .await
            .text(".flash-success")
            .contains("changed")
    );
    // ops is now the only admin; admin@acme (finance now) cannot touch anything.
    assert_eq!(admin.get("/admin/users").await.status, 403);
}

#[tokio::test]
async fn a_disabled_user_can_be_enabled_again() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@acme.test").await;
    let finance = app.user_id("finance@acme.test").await;
    let confirm = admin.get(&format!("/admin/users/{finance}/disable")).await;
    assert!(
        confirm
            .text("main")
            .contains("finance@acme.test will be signed out")
    );
    let done = admin.submit(&confirm, "main form", &[]).await;
    let page = admin.follow(&done).await;
    assert!(page.text(".page-head .status").contains("Disabled"));
    let enable = admin.submit(&page, "form[action$='/enable']", &[]).await;
    assert!(
        admin
            .follow(&enable)
            .await
            .text(".flash-success")
            .contains("sign in again")
    );
    assert_eq!(
        app.login("finance@acme.test").await.get("/").await.status,
        200
    );
}

#[tokio::test]
async fn every_change_leaves_an_audit_entry() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@acme.test").await;
    let delta = app.org_id("Delta Garment Works").await;
    admin
        .post(&format!("/admin/partners/{delta}/suspend"), &[])
        .await;
    admin.get(&format!("/admin/partners/{delta}")).await;
    let mut conn = app.db.reader().acquire().await.unwrap();
    for action in [
        "auth.sign_in",
        "partner.suspended",
        "partner.contacts_viewed",
    ] {
        let entries = portico::db::audit::recent_with_action(&mut conn, action, 5)
            .await
            .unwrap();
        assert!(!entries.is_empty(), "no audit entry for {action}");
    }
    let suspended = &portico::db::audit::recent_with_action(&mut conn, "partner.suspended", 1)
        .await
        .unwrap()[0];
    assert_eq!(
        suspended.subject_id.as_deref(),
        Some(delta.to_string().as_str())
    );
    assert!(suspended.detail.contains("\"to\":\"suspended\""));

    drop(conn);

    // History cannot be rewritten.
    let mut tx = app.db.begin().await.unwrap();
    let tamper = sqlx::query("UPDATE audit_log SET action = 'nothing'")
        .execute(&mut *tx)
        .await;
    assert!(tamper.is_err(), "the audit log refuses updates");
    drop(tx);
    let mut tx = app.db.begin().await.unwrap();
    let delete = sqlx::query("DELETE FROM audit_log").execute(&mut *tx).await;
    assert!(delete.is_err(), "the audit log refuses deletes");
}

#[tokio::test]
async fn long_lists_are_paged_by_key_without_gaps_or_repeats() {
    use portico::db;
    use portico::domain::ids::{OrgId, TenantId};
    use portico::domain::org::OrgKind;
    use portico::domain::partnership::PartnershipStatus;

    let app = TestApp::spawn().await;
    let acme = TenantId::of_brand(app.org_id("Acme Apparel").await);
    let mut tx = app.db.begin().await.unwrap();
    for n in 0..57 {
        let org = db::orgs::Org {
            id: OrgId::new(),
            kind: OrgKind::Supplier,
            name: format!("Mill {n:02}"),
            created_at: 0,
        };
        db::orgs::insert(&mut tx, &org).await.unwrap();
        db::partnerships::insert(&mut tx, acme, org.id, PartnershipStatus::Active, 0)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();

    let admin = app.login("admin@acme.test").await;
    let first = admin.get("/admin/partners").await;
    let mut names = first.texts("tbody tr td:first-child");
    assert_eq!(names.len(), 50);
    let next = first
        .attr("a[rel='next']", "href")
        .expect("a next page link");
    let second = admin.get(&next).await;
    assert!(
        !second.has("a[rel='next']"),
        "the last page has no next link"
    );
    names.extend(second.texts("tbody tr td:first-child"));
    assert_eq!(
        names.len(),
        61,
        "57 mills and the 4 demo partners, each once"
    );
    let mut sorted = names.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 61);
    assert_eq!(names, sorted, "ordered by name across pages");
}

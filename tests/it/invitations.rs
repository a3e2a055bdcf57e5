//! Invitation links: partner organisations, colleagues and new brands' admins; single use,
//! expiring, revocable.

use crate::support::invite::{PASSWORD, accept_new, invite_partner, link_from};
use crate::support::{DEMO_PASSWORD, TestApp};

#[tokio::test]
async fn a_brand_invites_a_new_partner_whose_admin_accepts_once_and_signs_in() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@acme.test").await;
    let path = invite_partner(&app, &admin, "Lotus Dyeworks", "factory", "boss@lotus.test").await;

    // The link was also e-mailed.
    let mails = app.mails();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, "boss@lotus.test");
    assert!(mails[0].subject.contains("Acme Apparel"));
    assert_eq!(
        mails[0].link_starting(&app.base_url).unwrap(),
        format!("{}{path}", app.base_url)
    );

    // The link is shown only once.
    let again = admin.get("/invitations/created").await;
    assert!(!again.has("#invite-link"));

    let invitee = app.client();
    let preview = invitee.get(&path).await;
    assert!(
        preview
            .text("main")
            .contains("Acme Apparel invites Lotus Dyeworks")
    );
    let accepted = accept_new(&invitee, &path, "Lan Lotus").await;
    assert_eq!(accepted.status, 303);
    assert_eq!(accepted.location().as_deref(), Some("/login"));

    let signed_in = invitee.login("boss@lotus.test", PASSWORD).await;
    assert_eq!(signed_in.status, 303);
    let home = invitee.get("/").await;
    assert!(home.text(".muted").contains("Lotus Dyeworks"));
    assert!(home.text(".muted").contains("Acme Apparel"));

    // The brand now lists the partner, active.
    let partners = admin.get("/admin/partners").await;
    assert!(partners.text("tbody").contains("Lotus Dyeworks"));

    // A second use of the link is refused and creates nothing.
    let before = app.fingerprint().await;
    let reuse = app.client().get(&path).await;
    assert_eq!(reuse.status, 410);
    assert!(reuse.text(".flash-error").contains("already been used"));
    let replay = app
        .client()
        .post(
            &path,
            &[
                ("display_name", "X"),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(replay.status, 422);
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn an_expired_invitation_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@acme.test").await;
    let path = invite_partner(&app, &admin, "Late Looms", "supplier", "late@looms.test").await;
    let mut tx = app.db.begin().await.unwrap();
    sqlx::query("UPDATE invitations SET expires_at = 1")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let page = app.client().get(&path).await;
    assert_eq!(page.status, 410);
    assert!(page.text(".flash-error").contains("expired"));
    assert!(!page.has("input[name='password']"));
    let before = app.fingerprint().await;
    let forced = app
        .client()
        .post(
            &path,
            &[
                ("display_name", "L"),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(forced.status, 422);
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn a_revoked_invitation_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@acme.test").await;
    let path = invite_partner(
        &app,
        &admin,
        "Gone Garments",
        "factory",
        "gone@garments.test",
    )
    .await;
    let list = admin.get("/admin/invitations").await;
    let revoke_href = list
        .attr("a[href$='/revoke']", "href")
        .expect("revoke link");
    let confirm = admin.get(&revoke_href).await;
    assert!(confirm.text("main").contains("gone@garments.test"));
    let revoked = admin.submit(&confirm, "main form", &[]).await;
    assert_eq!(revoked.status, 303);
    let list = admin.follow(&revoked).await;
    assert!(list.text("tbody").contains("Revoked"));

    let page = app.client().get(&path).await;
    assert_eq!(page.status, 410);
    assert!(page.text(".flash-error").contains("revoked"));
}

#[tokio::test]
async fn an_unknown_invitation_link_is_not_found() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.client()
            .get("/invitations/not-a-real-token")
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn an_existing_partner_admin_accepts_a_second_brand_by_signing_in() {
    let app = TestApp::spawn().await;
    // Delta works only for Acme; Blue Harbor invites it.
    let blue = app.login("admin@blueharbor.test").await;
    let path = invite_partner(
        &app,
        &blue,
        "Delta Garment Works",
        "factory",
        "planner@delta.test",
    )
    .await;

    let planner = app.client();
    let preview = planner.get(&path).await;
    assert!(
        preview
            .text("main")
            .contains("already have a Portico account")
    );
    let sign_in = preview.attr("a.button", "href").unwrap();
    assert_eq!(sign_in, format!("/login?next={path}"));
    let login_form = planner.get(&sign_in).await;
    let signed_in = planner
        .submit(
            &login_form,
            "form[action='/login']",
            &[("email", "planner@delta.test"), ("password", DEMO_PASSWORD)],
        )
        .await;
    assert_eq!(signed_in.location().as_deref(), Some(path.as_str()));
    let page = planner.get(&path).await;
    let accepted = planner.submit(&page, "main form", &[]).await;
    assert_eq!(accepted.status, 303);
    let home = planner.follow(&accepted).await;
    let brands = home.texts("#brand-select option");
    assert_eq!(
        brands,
        vec!["Acme Apparel".to_owned(), "Blue Harbor Home".to_owned()]
    );
}

#[tokio::test]
async fn inviting_someone_who_already_works_with_the_brand_is_refused_beside_the_field() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@acme.test").await;
    let form = admin.get("/admin/partners/invite").await;
    let refused = admin
        .submit(
            &form,
            "form[action='/admin/partners/invite']",
            &[
                ("org_name", "Sunrise"),
                ("org_kind", "supplier"),
                ("email", "sales@sunrise.test"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.text("#f-email-error"),
        "This organisation already works with this brand."
    );
    assert_eq!(
        refused.attr("#f-org_name", "value").as_deref(),
        Some("Sunrise"),
        "input kept"
    );

    let blank = admin
        .submit(
            &form,
            "form[action='/admin/partners/invite']",
            &[("org_name", " "), ("org_kind", "bank"), ("email", "x")],
        )
        .await;
    assert_eq!(blank.status, 422);
    assert_eq!(blank.text("#f-org_name-error"), "This field is required.");
    assert!(!blank.text(".field-error").is_empty());
    assert!(blank.body.contains("Enter an e-mail address"));
    assert!(blank.body.contains("Choose what kind of partner this is."));
}

#[tokio::test]
async fn a_partner_admin_invites_a_colleague_who_joins_with_the_chosen_role() {
    let app = TestApp::spawn().await;
    let sunrise = app.login("sales@sunrise.test").await;
    let form = sunrise.get("/admin/users/invite").await;
    let roles = form.texts("#f-role option");
    assert_eq!(roles, vec!["Administrator", "Member", "Viewer"]);
    let created = sunrise
        .submit(
            &form,
            "form[action='/admin/users/invite']",
            &[("email", "mei@sunrise.test"), ("role", "member")],
        )
        .await;
    assert_eq!(created.status, 303);
    let path = link_from(&app, &sunrise, &created).await;

    let mei = app.client();
    let accepted = accept_new(&mei, &path, "Mei Sunrise").await;
    assert_eq!(accepted.status, 303);
    assert_eq!(mei.login("mei@sunrise.test", PASSWORD).await.status, 303);
    let home = mei.get("/").await;
    assert!(home.text(".muted").contains("Sunrise Textiles"));
    assert_eq!(
        mei.get("/admin/users").await.status,
        403,
        "members do not manage users"
    );

    let users = sunrise.get("/admin/users").await;
    assert!(users.text("tbody").contains("mei@sunrise.test"));
}

#[tokio::test]
async fn a_platform_admin_creates_a_brand_whose_first_admin_accepts() {
    let app = TestApp::spawn().await;
    let root = app.login("root@portico.test").await;
    let page = root.get("/platform/brands").await;
    assert!(page.text("tbody").contains("Acme Apparel"));
    let duplicate = root
        .submit(
            &page,
            "form[action='/platform/brands']",
            &[("name", "Acme Apparel"), ("email", "x@new.test")],
        )
        .await;
    assert_eq!(duplicate.status, 422);
    assert_eq!(
        duplicate.text("#f-name-error"),
        "A brand with this name already exists."
    );

    let created = root
        .submit(
            &page,
            "form[action='/platform/brands']",
            &[("name", "Cedar Outdoor"), ("email", "admin@cedar.test")],
        )
        .await;
    assert_eq!(created.status, 303);
    let path = link_from(&app, &root, &created).await;
    let cedar = app.client();
    assert_eq!(accept_new(&cedar, &path, "Cal Cedar").await.status, 303);
    cedar.login("admin@cedar.test", PASSWORD).await;
    let partners = cedar.get("/admin/partners").await;
    assert_eq!(partners.status, 200);
    assert!(partners.text(".empty").contains("No partners yet"));
    let home = cedar.get("/").await;
    assert_eq!(
        home.texts(".count"),
        vec!["0", "0", "0", "0", "0", "0", "0", "1"],
        "zero is a real, shown count"
    );
}

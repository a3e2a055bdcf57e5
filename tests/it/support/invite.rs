//! Invitation links through the pages, as a brand admin and an invitee use them.

use super::{Page, TestApp, TestClient};

/// The password invitees in tests choose.
pub const PASSWORD: &str = "correct horse battery";

/// Creates an invitation through the form and returns the link shown to copy.
pub async fn invite_partner(
    app: &TestApp,
    admin: &TestClient,
    name: &str,
    kind: &str,
    email: &str,
) -> String {
    let form = admin.get("/admin/partners/invite").await;
    assert_eq!(form.status, 200);
    let created = admin
        .submit(
            &form,
            "form[action='/admin/partners/invite']",
            &[("org_name", name), ("org_kind", kind), ("email", email)],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    link_from(app, admin, &created).await
}

pub async fn link_from(app: &TestApp, client: &TestClient, created: &Page) -> String {
    let page = client.follow(created).await;
    let link = page
        .attr("#invite-link", "value")
        .expect("link shown to copy");
    assert!(link.starts_with(&app.base_url));
    link.strip_prefix(&app.base_url).unwrap().to_owned()
}

pub async fn accept_new(client: &TestClient, path: &str, name: &str) -> Page {
    let page = client.get(path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    client
        .submit(
            &page,
            "main form",
            &[
                ("display_name", name),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
        )
        .await
}

/// A new partner organisation of `brand_admin`'s brand, invited and accepted; returns its
/// admin signed in.
pub async fn new_partner(
    app: &TestApp,
    brand_admin: &str,
    name: &str,
    kind: &str,
    email: &str,
) -> TestClient {
    let admin = app.login(brand_admin).await;
    let path = invite_partner(app, &admin, name, kind, email).await;
    let invitee = app.client();
    let accepted = accept_new(&invitee, &path, name).await;
    assert_eq!(accepted.status, 303, "{}", accepted.body);
    assert_eq!(invitee.login(email, PASSWORD).await.status, 303);
    invitee
}

//! Telling an organisation's admins that one of their webhook endpoints was turned off (it
//! answered 410 Gone, or kept failing until its retries ran out).

use serde_json::json;

use crate::app::AppState;
use crate::db::notifications::NewNotification;
use crate::db::webhooks::Endpoint;
use crate::db::{self, Conn};
use crate::domain::digest::Delivery;
use crate::i18n::Lang;
use crate::service::ServiceResult;

/// `why` is `gone` or `failing` (the message key under `notification.webhooks`).
pub(crate) async fn webhook_disabled(
    conn: &mut Conn,
    state: &AppState,
    endpoint: &Endpoint,
    why: &str,
) -> ServiceResult<()> {
    let kind = format!("webhooks.{why}");
    let link = format!("/settings/webhooks/{}", endpoint.id);
    let now = state.now().0;
    for admin in db::notifications::recipients(conn, endpoint.org_id, &["admin"]).await? {
        db::notifications::insert(
            conn,
            &NewNotification {
                tenant: endpoint.tenant_id,
                user: admin.id,
                kind: &kind,
                order: None,
                link: Some(&link),
                po_number: None,
                actor_org_name: Some(&endpoint.url),
                now,
            },
        )
        .await?;
        // A broken integration is urgent: e-mailed at once unless e-mail is off.
        if Delivery::parse(&admin.email_delivery) == Some(Delivery::Off) {
            continue;
        }
        let lang = admin
            .locale
            .as_deref()
            .and_then(Lang::parse)
            .unwrap_or_default();
        let subject = lang.t1(&format!("notification.{kind}"), &endpoint.url);
        let body = format!(
            "{subject}\n\n{}{link}\n\n{}\n",
            state.config.public_url,
            lang.t("mail.notification_footer")
        );
        let mail = json!({ "to": admin.email, "subject": subject, "body": body });
        db::notifications::enqueue(conn, "email", &mail).await?;
    }
    Ok(())
}

//! How a user wants notification e-mail (each one, a daily digest, or none) and the digest
//! itself: the items gathered since the last one, sent once a day at the digest hour in the
//! user's time zone. Several replicas may run the pass; each digest is claimed by one.

use serde_json::json;

use super::{AuditEvent, FieldErrors, ServiceError, ServiceResult, actions, audit};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db;
use crate::db::digests::DigestItem;
use crate::domain::digest::{Delivery, is_known_zone, next_digest_at};
use crate::domain::ids::UserId;
use crate::i18n::Lang;

/// Digests claimed per transaction.
const BATCH: i64 = 50;

pub struct DeliveryChoice {
    pub delivery: Delivery,
    pub time_zone: String,
    /// Whether items are waiting for the next digest, and when it goes out.
    pub next_digest_at: Option<i64>,
}

pub async fn choice(state: &AppState, actor: &Actor) -> ServiceResult<DeliveryChoice> {
    let mut conn = state.db.read().await?;
    let row = db::digests::settings(&mut conn, actor.user_id).await?;
    Ok(DeliveryChoice {
        delivery: Delivery::parse(&row.email_delivery).unwrap_or(Delivery::Immediate),
        time_zone: row.digest_time_zone,
        next_digest_at: row.digest_due_at,
    })
}

/// Saves the choice. Items already waiting for a digest are not lost: switching to immediate
/// sends them at the next pass, a new time zone moves their digest, and only switching e-mail
/// off drops them (they stay in the notification centre).
pub async fn save_choice(
    state: &AppState,
    actor: &Actor,
    delivery: &str,
    time_zone: &str,
) -> ServiceResult<()> {
    let mut errors = FieldErrors::default();
    let delivery = errors.check(
        "delivery",
        Delivery::parse(delivery).ok_or("account.refused.delivery"),
    );
    let zone = time_zone.trim();
    if !is_known_zone(zone) {
        errors.add("time_zone", "account.refused.time_zone");
    }
    errors.into_result()?;
    let Some(delivery) = delivery else {
        return Err(ServiceError::Invalid(FieldErrors::default()));
    };
    let now = state.now();
    let mut tx = state.db.begin().await?;
    let waiting = db::digests::has_items(&mut tx, actor.user_id).await?;
    let due = match delivery {
        Delivery::Off => {
            db::digests::drop_items(&mut tx, actor.user_id).await?;
            None
        }
        _ if !waiting => None,
        Delivery::Immediate => Some(now.0),
        Delivery::Daily => Some(next_digest_at(now, zone).0),
    };
    db::digests::set_settings(&mut tx, actor.user_id, delivery.as_str(), zone, due).await?;
    audit(
        &mut tx,
        actor,
        None,
        AuditEvent::new(actions::NOTIFICATIONS_SET, "user", actor.user_id)
            .detail(json!({ "email": delivery.as_str(), "time_zone": zone })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sends every digest due now; returns how many went out. Each is claimed, emptied and queued
/// as one e-mail in one transaction, so a digest is sent once and an item never twice.
pub async fn send_due(state: &AppState) -> anyhow::Result<usize> {
    // A pass crosses brands: every user's digest, whatever brands it covers.
    crate::db::scope::system(send_due_in_system_scope(state)).await
}

async fn send_due_in_system_scope(state: &AppState) -> anyhow::Result<usize> {
    let mut sent = 0;
    loop {
        let now = state.now().0;
        let due = {
            let mut conn = state.db.read().await?;
            db::digests::due(&mut conn, now, BATCH).await?
        };
        if due.is_empty() {
            break;
        }
        let mut tx = state.db.begin().await?;
        let mut claimed = 0;
        for (user, due_at) in due {
            if !db::digests::claim(&mut tx, user, due_at).await? {
                continue;
            }
            claimed += 1;
            if queue_digest(&mut tx, user).await? {
                sent += 1;
            }
        }
        tx.commit().await?;
        if claimed == 0 {
            break;
        }
    }
    if sent > 0 {
        state.outbox_wake.notify_one();
    }
    Ok(sent)
}

/// Empties the user's waiting items into one queued e-mail (none for a disabled account).
async fn queue_digest(conn: &mut db::Conn, user: UserId) -> anyhow::Result<bool> {
    let items = db::digests::take_items(conn, user).await?;
    let to = db::digests::recipient(conn, user).await?;
    if items.is_empty() || to.status != "active" || to.email_delivery == "off" {
        return Ok(false);
    }
    let settings = db::digests::settings(conn, user).await?;
    let lang = to
        .locale
        .as_deref()
        .and_then(Lang::parse)
        .unwrap_or_default();
    let mail = json!({
        "to": to.email,
        "subject": lang.t1("mail.digest_subject", items.len()),
        "body": digest_body(lang, &items, &settings.digest_time_zone),
    });
    db::notifications::enqueue(conn, "email", &mail).await?;
    Ok(true)
}

fn digest_body(lang: Lang, items: &[DigestItem], zone: &str) -> String {
    let tz = jiff::tz::TimeZone::get(zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let mut body = format!("{}\n\n", lang.t("mail.digest_intro"));
    for item in items {
        let when = jiff::Timestamp::from_millisecond(item.created_at)
            .map(|t| {
                t.to_zoned_datetime(tz.clone())
                    .strftime("%Y-%m-%d %H:%M")
                    .to_string()
            })
            .unwrap_or_default();
        body.push_str(&format!("{when}  {}\n    {}\n\n", item.subject, item.link));
    }
    body.push_str(lang.t("mail.digest_footer"));
    body.push('\n');
    body
}

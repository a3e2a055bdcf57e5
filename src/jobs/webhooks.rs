//! Delivers webhooks at least once. A worker claims a delivery with a lease before sending
//! (several replicas never send the same attempt twice while one is alive), sends the event as
//! a CloudEvents 1.0 structured-mode JSON body signed per Standard Webhooks, and records the
//! attempt. Failures are retried on `RETRY_DELAYS_SECS` (about three days); a 410 Gone, or
//! retries running out, turns the endpoint off and tells its organisation's admins.
//!
//! Each call re-checks the target address and connects only to the address it checked (pinned
//! in the client), never through a proxy, never following redirects (a 3xx is a failure).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use crate::app::AppState;
use crate::db::webhooks::{Attempt, Delivery, Endpoint};
use crate::db::{self, Conn};
use crate::domain::time::UtcMillis;
use crate::domain::webhook_delivery::{retry_delay_secs, signature, snippet};
use crate::service::{events, notifications, webhooks};

/// Deliveries claimed at once. The lease must outlast sending the whole batch one by one
/// (BATCH × (RESOLVE_TIMEOUT + TIMEOUT) = 200 s), or another replica could take the tail of it.
const BATCH: i64 = 10;
const LEASE_SECS: i64 = 300;
const TIMEOUT: Duration = Duration::from_secs(15);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);
/// How much of a response body the log keeps.
const SNIPPET_CHARS: usize = 500;

pub fn spawn(state: AppState, wake: Arc<Notify>) {
    tokio::spawn(async move {
        loop {
            if let Err(err) = deliver_due(&state).await {
                tracing::warn!(error = %err, "webhook delivery failed");
            }
            tokio::select! {
                () = wake.notified() => {}
                () = tokio::time::sleep(Duration::from_secs(5)) => {}
            }
        }
    });
}

/// Sends every delivery due now. Returns how many attempts were made.
pub async fn deliver_due(state: &AppState) -> anyhow::Result<usize> {
    deliver_due_as_of(state, UtcMillis::now().0).await
}

/// Sends every delivery due by `now` (tests pass a later instant to reach a retry at once).
pub async fn deliver_due_as_of(state: &AppState, now: i64) -> anyhow::Result<usize> {
    // Deliveries of every brand.
    crate::db::scope::system(deliver_due_as_of_in_system_scope(state, now)).await
}

async fn deliver_due_as_of_in_system_scope(state: &AppState, now: i64) -> anyhow::Result<usize> {
    let mut attempted = 0;
    loop {
        let due = {
            let mut conn = state.db.read().await?;
            db::webhooks::due(&mut conn, now, BATCH).await?
        };
        if due.is_empty() {
            return Ok(attempted);
        }
        let mut claimed = Vec::new();
        let mut tx = state.db.begin().await?;
        for delivery in due {
            let lease = UtcMillis(now).plus_secs(LEASE_SECS).0;
            if db::webhooks::claim(&mut tx, &delivery, now, lease).await? {
                claimed.push(delivery);
            }
        }
        tx.commit().await?;
        if claimed.is_empty() {
            return Ok(attempted);
        }
        for delivery in claimed {
            attempt(state, &delivery, now).await?;
            attempted += 1;
        }
    }
}

/// What one HTTP call gave.
struct Sent {
    status: Option<u16>,
    duration_ms: i64,
    response: Option<String>,
    error: Option<String>,
}

async fn attempt(state: &AppState, delivery: &Delivery, now: i64) -> anyhow::Result<()> {
    let tenant = delivery.tenant_id;
    let (endpoint, event) = {
        let mut conn = state.db.read().await?;
        let endpoint =
            db::webhooks::endpoint_by_id(&mut conn, tenant, &delivery.endpoint_id).await?;
        let event = db::events::get(&mut conn, tenant, &delivery.event_id).await?;
        (endpoint, event)
    };
    let (Some(endpoint), Some(event)) = (endpoint, event) else {
        return Ok(()); // deleted meanwhile (its deliveries went with it)
    };
    let sent = if endpoint.status == "active" {
        let body = events::cloud_event(&events::view(&state.config.public_url, &event)).to_string();
        send(state, &endpoint, &event.id, &body).await
    } else {
        Sent {
            status: None,
            duration_ms: 0,
            response: None,
            error: Some("endpoint disabled".into()),
        }
    };
    let ok = sent.status.is_some_and(|s| (200..300).contains(&s));
    let gone = sent.status == Some(410);
    let attempts = delivery.attempts + 1;
    let retry = (!ok && !gone && endpoint.status == "active")
        .then(|| retry_delay_secs(attempts))
        .flatten();
    let (status, due_at) = match (ok, retry) {
        (true, _) => ("delivered", now),
        (false, Some(secs)) => ("pending", UtcMillis(now).plus_secs(secs).0),
        (false, None) => ("failed", now),
    };
    let mut tx = state.db.begin().await?;
    db::webhooks::record_attempt(
        &mut tx,
        tenant,
        &delivery.id,
        &Attempt {
            at: now,
            status_code: sent.status.map(i64::from),
            duration_ms: sent.duration_ms,
            response: sent.response.as_deref(),
            error: sent.error.as_deref(),
            status,
            due_at,
        },
    )
    .await?;
    if endpoint.status == "active" && status == "failed" {
        let why = if gone { "gone" } else { "failing" };
        disable(&mut tx, state, &endpoint, why, now).await?;
    }
    tx.commit().await?;
    if status == "failed" {
        state.outbox_wake.notify_one();
    }
    Ok(())
}

/// Turns the endpoint off, gives up its other pending deliveries, audits it and tells admins.
async fn disable(
    conn: &mut Conn,
    state: &AppState,
    endpoint: &Endpoint,
    why: &str,
    now: i64,
) -> anyhow::Result<()> {
    let tenant = endpoint.tenant_id;
    if !db::webhooks::set_status(conn, tenant, &endpoint.id, "disabled", Some(why), now).await? {
        return Ok(());
    }
    db::webhooks::fail_pending(conn, tenant, &endpoint.id).await?;
    crate::service::audit_unauthenticated(
        conn,
        None,
        Some(tenant),
        crate::service::AuditEvent::new(
            crate::service::actions::WEBHOOK_DISABLED,
            "webhook",
            &endpoint.id,
        )
        .detail(serde_json::json!({ "reason": why, "url": endpoint.url })),
        None,
    )
    .await?;
    notifications::webhook_disabled(conn, state, endpoint, why)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}

async fn send(state: &AppState, endpoint: &Endpoint, event_id: &str, body: &str) -> Sent {
    let started = Instant::now();
    let failed = |error: String| Sent {
        status: None,
        duration_ms: started.elapsed().as_millis() as i64,
        response: None,
        error: Some(error),
    };
    let allow_private = state.config.webhooks_allow_private;
    let checked = tokio::time::timeout(
        RESOLVE_TIMEOUT,
        webhooks::check_target(&endpoint.url, allow_private),
    )
    .await;
    let (url, ip) = match checked {
        Ok(Ok(target)) => target,
        Ok(Err(_)) => return failed("target address refused".into()),
        Err(_) => return failed("could not resolve the host in time".into()),
    };
    let key = match webhooks::signing_key(state, endpoint) {
        Ok(key) => key,
        Err(err) => {
            tracing::error!(error = %err, endpoint = endpoint.id, "webhook secret unreadable");
            return failed("signing secret unavailable".into());
        }
    };
    let host = url.host_str().unwrap_or_default().to_owned();
    let port = url.port_or_known_default().unwrap_or(443);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(TIMEOUT)
        .connect_timeout(CONNECT_TIMEOUT)
        .resolve(&host, SocketAddr::new(ip, port))
        .user_agent("Portico-Webhooks/1")
        .build();
    let client = match client {
        Ok(client) => client,
        Err(_) => return failed("client setup failed".into()),
    };
    let timestamp = UtcMillis::now().0 / 1000;
    let response = client
        .post(url)
        .header("content-type", "application/cloudevents+json")
        .header("webhook-id", event_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header(
            "webhook-signature",
            signature(&key, event_id, timestamp, body),
        )
        .body(body.to_owned())
        .send()
        .await;
    let mut response = match response {
        Ok(response) => response,
        Err(err) if err.is_timeout() => return failed("timed out".into()),
        Err(err) if err.is_connect() => return failed("could not connect".into()),
        Err(_) => return failed("request failed".into()),
    };
    let status = response.status().as_u16();
    // Read no more of the body than the log keeps.
    let mut bytes = Vec::new();
    while bytes.len() < SNIPPET_CHARS * 4 {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            _ => break,
        }
    }
    let text = String::from_utf8_lossy(&bytes);
    Sent {
        status: Some(status),
        duration_ms: started.elapsed().as_millis() as i64,
        response: Some(snippet(&text, SNIPPET_CHARS)),
        error: None,
    }
}

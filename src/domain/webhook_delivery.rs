//! How a webhook is signed (Standard Webhooks) and when a failed delivery is tried again.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const SECRET_PREFIX: &str = "whsec_";

/// Delays before each retry, after the first attempt failed: about three days in all
/// (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, 10 h, 14 h, 20 h = 71 h 35 min 5 s). After the
/// last one fails the endpoint is disabled.
pub const RETRY_DELAYS_SECS: &[i64] = &[
    5,
    5 * 60,
    30 * 60,
    2 * 3600,
    5 * 3600,
    10 * 3600,
    10 * 3600,
    10 * 3600,
    14 * 3600,
    20 * 3600,
];

/// The wait before the next try once `attempts` attempts failed, or None when retries are
/// exhausted.
pub fn retry_delay_secs(attempts: i64) -> Option<i64> {
    let index = usize::try_from(attempts.checked_sub(1)?).ok()?;
    RETRY_DELAYS_SECS.get(index).copied()
}

/// A secret as shown to the user: `whsec_` and the base64 of the key bytes.
pub fn format_secret(bytes: &[u8]) -> String {
    format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes))
}

/// The key bytes of a `whsec_…` secret.
pub fn secret_bytes(secret: &str) -> Option<Vec<u8>> {
    STANDARD.decode(secret.strip_prefix(SECRET_PREFIX)?).ok()
}

/// The `webhook-signature` header: `v1,` and the base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`.
pub fn signature(key: &[u8], id: &str, timestamp: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// A response body cut to what the delivery log keeps (on a character boundary).
pub fn snippet(body: &str, max: usize) -> String {
    match body.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &body[..cut]),
        None => body.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_span_about_three_days_then_stop() {
        assert_eq!(retry_delay_secs(0), None);
        assert_eq!(retry_delay_secs(1), Some(5));
        assert_eq!(retry_delay_secs(2), Some(300));
        let total: i64 = (1..).map_while(retry_delay_secs).sum();
        assert!((70 * 3600..74 * 3600).contains(&total), "{total}");
        assert_eq!(retry_delay_secs(RETRY_DELAYS_SECS.len() as i64 + 1), None);
    }

    #[test]
    fn signatures_follow_the_standard_webhooks_example() {
        // The specification's example secret, id, timestamp and payload.
        let key = secret_bytes("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let sig = signature(
            &key,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            r#"{"test": 2432232314}"#,
        );
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        let round = format_secret(&key);
        assert_eq!(round, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    }

    #[test]
    fn snippets_are_cut_on_characters() {
        assert_eq!(snippet("héllo", 2), "hé…");
        assert_eq!(snippet("ok", 10), "ok");
    }
}

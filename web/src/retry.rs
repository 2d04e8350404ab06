//! When to try again: the one policy of every browser call that must get through (a
//! shopper's chat message, an agent's reply, the agent page's lists and streams). A
//! restarted server or a dropped connection is ridden out without anybody doing
//! anything, and a server that says when to come back (`Retry-After`) is believed.

use crate::http::Failure;

/// First delay after a failure; doubled per failure, up to [`MAX_DELAY_MS`].
const FIRST_DELAY_MS: f64 = 1_000.0;
/// Somebody is waiting at the screen: a message should go out soon after the server is
/// back, not minutes later.
const MAX_DELAY_MS: f64 = 30_000.0;
/// The longest `Retry-After` taken at its word; a longer one is a misconfiguration,
/// and the message still matters.
const MAX_RETRY_AFTER_MS: f64 = 300_000.0;

/// What to do after a request failed.
#[derive(Debug, Clone, PartialEq)]
pub enum Next {
    /// Asking again cannot help; the reason, for people.
    GiveUp(String),
    /// Try again after this many milliseconds.
    Retry { after_ms: f64 },
}

/// `attempts` counts earlier failures of the same request; `random` is in `[0, 1)` and
/// keeps many pages from returning to a restarted server all at once.
pub fn after(failure: &Failure, attempts: u32, random: f64) -> Next {
    let backoff = backoff_ms(attempts, random);
    match failure {
        Failure::Http { status, .. } if is_final(*status) => Next::GiveUp(failure.to_string()),
        Failure::Http {
            retry_after_ms: Some(wait),
            ..
        } => Next::Retry {
            after_ms: wait.min(MAX_RETRY_AFTER_MS).max(backoff),
        },
        Failure::Http { .. } | Failure::Network(_) | Failure::Unreadable(_) => {
            Next::Retry { after_ms: backoff }
        }
    }
}

/// A client error other than timeouts and rate limits: the same request gets the same
/// answer.
pub fn is_final(status: u16) -> bool {
    (400..500).contains(&status) && status != 408 && status != 429
}

/// Exponential backoff with "equal jitter": half the delay fixed, half random.
pub fn backoff_ms(attempts: u32, random: f64) -> f64 {
    let full = (FIRST_DELAY_MS * 2f64.powi(attempts.min(16) as i32)).min(MAX_DELAY_MS);
    full / 2.0 + full / 2.0 * random.clamp(0.0, 1.0)
}

/// Whole seconds, rounded up, for "retrying in 4 s".
pub fn seconds(ms: f64) -> u64 {
    (ms / 1_000.0).ceil().max(1.0) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(status: u16) -> Failure {
        Failure::http(status, format!("refused with {status}"))
    }

    #[test]
    fn server_trouble_and_lost_connections_are_retried() {
        for failure in [
            http(500),
            http(502),
            http(503),
            http(408),
            http(429),
            Failure::Network("Failed to fetch".into()),
            Failure::Unreadable("not JSON".into()),
        ] {
            assert!(
                matches!(after(&failure, 0, 0.5), Next::Retry { .. }),
                "{failure:?}"
            );
        }
    }

    #[test]
    fn refusals_are_final_and_say_why() {
        assert_eq!(
            after(&http(400), 0, 0.5),
            Next::GiveUp("refused with 400 (HTTP 400)".into())
        );
        for status in [401, 404, 409, 413] {
            assert!(matches!(after(&http(status), 3, 0.5), Next::GiveUp(_)));
        }
    }

    #[test]
    fn the_server_says_when_to_come_back() {
        let limited = |ms| Failure::Http {
            status: 429,
            message: "slow down".into(),
            retry_after_ms: Some(ms),
        };
        assert_eq!(
            after(&limited(7_000.0), 0, 0.0),
            Next::Retry { after_ms: 7_000.0 }
        );
        // Never sooner than our own backoff, never later than the cap.
        assert_eq!(
            after(&limited(100.0), 3, 1.0),
            Next::Retry { after_ms: 8_000.0 }
        );
        assert_eq!(
            after(&limited(86_400_000.0), 0, 0.0),
            Next::Retry {
                after_ms: MAX_RETRY_AFTER_MS
            }
        );
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_with_jitter() {
        assert_eq!(backoff_ms(0, 0.0), 500.0);
        assert_eq!(backoff_ms(0, 1.0), 1_000.0);
        assert_eq!(backoff_ms(1, 1.0), 2_000.0);
        assert_eq!(backoff_ms(3, 0.0), 4_000.0);
        assert_eq!(backoff_ms(40, 1.0), MAX_DELAY_MS);
        assert_eq!(backoff_ms(40, 0.0), MAX_DELAY_MS / 2.0);
        assert_eq!(backoff_ms(2, 7.0), backoff_ms(2, 1.0));
    }

    #[test]
    fn waits_are_said_in_whole_seconds() {
        assert_eq!(seconds(0.0), 1);
        assert_eq!(seconds(1_200.0), 2);
        assert_eq!(seconds(30_000.0), 30);
    }
}

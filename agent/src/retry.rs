//! When to try again: replies, the conversation list and the event stream all ride
//! out a server restart or a dropped connection without the agent doing anything.

use crate::api::Failure;

/// First delay after a failure; doubled per failure, up to [`MAX_DELAY_MS`].
const FIRST_DELAY_MS: f64 = 1_000.0;
/// An agent is waiting at the screen: a reply should go out soon after the server is
/// back, not minutes later.
const MAX_DELAY_MS: f64 = 30_000.0;

/// What to do after a request failed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Next {
    /// Asking again cannot help; the reason, for the agent.
    GiveUp(String),
    /// The token was refused: back to the sign-in form with this message.
    SignOut(String),
    /// Try again after this many milliseconds.
    Retry { after_ms: f64 },
}

/// `attempts` counts earlier failures of the same request; `random` is in `[0, 1)`
/// and keeps many agents' pages from returning to a restarted server all at once.
pub(crate) fn after(failure: &Failure, attempts: u32, random: f64) -> Next {
    match failure {
        Failure::Unauthorized(message) => Next::SignOut(message.clone()),
        Failure::Http { status, message } if is_final(*status) => Next::GiveUp(match status {
            409 => "the conversation has ended".to_string(),
            _ => message.clone(),
        }),
        Failure::Http { .. } | Failure::Network(_) | Failure::Unreadable(_) => Next::Retry {
            after_ms: backoff_ms(attempts, random),
        },
    }
}

/// A client error other than timeouts and rate limits: the same request gets the same
/// answer.
fn is_final(status: u16) -> bool {
    (400..500).contains(&status) && status != 408 && status != 429
}

/// Exponential backoff with "equal jitter": half the delay fixed, half random.
pub(crate) fn backoff_ms(attempts: u32, random: f64) -> f64 {
    let full = (FIRST_DELAY_MS * 2f64.powi(attempts.min(16) as i32)).min(MAX_DELAY_MS);
    full / 2.0 + full / 2.0 * random.clamp(0.0, 1.0)
}

/// Whole seconds, rounded up, for "retrying in 4 s".
pub(crate) fn seconds(ms: f64) -> u64 {
    (ms / 1_000.0).ceil().max(1.0) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(status: u16) -> Failure {
        Failure::Http {
            status,
            message: format!("refused with {status}"),
        }
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
            after(&http(409), 3, 0.5),
            Next::GiveUp("the conversation has ended".into())
        );
        assert_eq!(
            after(&http(400), 0, 0.5),
            Next::GiveUp("refused with 400".into())
        );
        assert_eq!(
            after(&http(404), 0, 0.5),
            Next::GiveUp("refused with 404".into())
        );
        assert_eq!(
            after(&Failure::Unauthorized("wrong token".into()), 0, 0.5),
            Next::SignOut("wrong token".into())
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

//! When to retry, when to give up: the outbox's decisions, kept free of the browser so
//! they are tested natively.

/// First retry delay; doubled per failed attempt, up to [`MAX_DELAY_MS`].
pub(crate) const FIRST_DELAY_MS: f64 = 1_000.0;
pub(crate) const MAX_DELAY_MS: f64 = 5.0 * 60.0 * 1_000.0;

/// What to do with a response after one delivery attempt.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Verdict {
    /// The endpoint has it (2xx, including "already stored").
    Delivered,
    /// The endpoint will never take it (a 4xx other than 408 and 429): keeping it would
    /// retry forever.
    Refused { status: u16 },
    /// Try again after this many milliseconds.
    Retry { after_ms: f64 },
}

/// `status` is `None` when the request did not get an answer (offline, DNS, CORS, a
/// dropped connection). `attempts` counts earlier failures of this response;
/// `random` is in `[0, 1)` and spreads retries of many shoppers apart (jitter), so an
/// endpoint coming back is not hit by all of them at once.
pub(crate) fn verdict(
    status: Option<u16>,
    retry_after: Option<&str>,
    attempts: u32,
    random: f64,
) -> Verdict {
    match status {
        Some(200..=299) => Verdict::Delivered,
        Some(s @ 400..=499) if s != 408 && s != 429 => Verdict::Refused { status: s },
        _ => {
            let backoff = backoff_ms(attempts, random);
            let asked = retry_after.and_then(seconds).map(|s| s * 1_000.0);
            Verdict::Retry {
                after_ms: asked.map_or(backoff, |a| a.max(backoff)).min(MAX_DELAY_MS),
            }
        }
    }
}

/// Exponential backoff with "equal jitter": half the delay fixed, half random.
pub(crate) fn backoff_ms(attempts: u32, random: f64) -> f64 {
    let full = (FIRST_DELAY_MS * 2f64.powi(attempts.min(16) as i32)).min(MAX_DELAY_MS);
    full / 2.0 + full / 2.0 * random.clamp(0.0, 1.0)
}

/// `Retry-After` as delay-seconds (the form rate limiters send); an HTTP date is left
/// to the backoff.
fn seconds(value: &str) -> Option<f64> {
    value.trim().parse::<u32>().ok().map(f64::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_and_duplicates_are_delivered() {
        assert_eq!(verdict(Some(201), None, 0, 0.5), Verdict::Delivered);
        assert_eq!(verdict(Some(200), None, 3, 0.5), Verdict::Delivered);
    }

    #[test]
    fn client_errors_are_refused_but_429_and_408_are_retried() {
        assert_eq!(
            verdict(Some(400), None, 0, 0.5),
            Verdict::Refused { status: 400 }
        );
        assert_eq!(
            verdict(Some(413), None, 0, 0.5),
            Verdict::Refused { status: 413 }
        );
        assert!(matches!(
            verdict(Some(429), None, 0, 0.5),
            Verdict::Retry { .. }
        ));
        assert!(matches!(
            verdict(Some(408), None, 0, 0.5),
            Verdict::Retry { .. }
        ));
    }

    #[test]
    fn network_errors_and_5xx_back_off_exponentially_with_jitter() {
        for status in [None, Some(500), Some(503)] {
            let Verdict::Retry { after_ms } = verdict(status, None, 0, 0.0) else {
                panic!()
            };
            assert_eq!(after_ms, 500.0);
        }
        assert_eq!(backoff_ms(0, 1.0), 1_000.0);
        assert_eq!(backoff_ms(3, 0.0), 4_000.0);
        assert_eq!(backoff_ms(3, 1.0), 8_000.0);
        assert_eq!(backoff_ms(40, 1.0), MAX_DELAY_MS);
        assert!(backoff_ms(2, 0.3) != backoff_ms(2, 0.7));
    }

    #[test]
    fn retry_after_is_honoured_when_longer_than_the_backoff() {
        let Verdict::Retry { after_ms } = verdict(Some(429), Some("7"), 0, 1.0) else {
            panic!()
        };
        assert_eq!(after_ms, 7_000.0);
        let Verdict::Retry { after_ms } = verdict(Some(429), Some("1"), 4, 1.0) else {
            panic!()
        };
        assert_eq!(after_ms, 16_000.0);
        let Verdict::Retry { after_ms } =
            verdict(Some(503), Some("Wed, 21 Oct 2026 07:28:00 GMT"), 0, 1.0)
        else {
            panic!()
        };
        assert_eq!(after_ms, 1_000.0);
    }
}

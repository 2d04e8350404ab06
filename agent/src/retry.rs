//! The agent page's reading of the shared retry policy (`shopdesk_web::retry`):
//! replies, the conversation list and the event stream all ride out a server restart
//! or a dropped connection, and an ended session sends the agent back to sign in.

use shopdesk_web::retry;
pub(crate) use shopdesk_web::retry::{backoff_ms, seconds};

use crate::api::{self, Failure};

/// What to do after a request failed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Next {
    /// Asking again cannot help; the reason, for the agent.
    GiveUp(String),
    /// The session ended: back to the sign-in form with this message.
    SignOut(String),
    /// Try again after this many milliseconds.
    Retry { after_ms: f64 },
}

/// `attempts` counts earlier failures of the same request; `random` is in `[0, 1)`.
pub(crate) fn after(failure: &Failure, attempts: u32, random: f64) -> Next {
    if let Some(message) = api::session_ended(failure) {
        return Next::SignOut(message);
    }
    match retry::after(failure, attempts, random) {
        retry::Next::GiveUp(reason) => Next::GiveUp(reason),
        retry::Next::Retry { after_ms } => Next::Retry { after_ms },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(status: u16) -> Failure {
        Failure::http(status, format!("refused with {status}"))
    }

    #[test]
    fn an_ended_session_signs_the_agent_out_with_the_servers_reason() {
        let ended = Failure::http(401, "your session has ended; sign in again");
        assert_eq!(
            after(&ended, 0, 0.5),
            Next::SignOut("Your session has ended; sign in again.".into())
        );
    }

    #[test]
    fn everything_else_follows_the_shared_policy() {
        assert_eq!(
            after(&http(409), 0, 0.5),
            Next::GiveUp("refused with 409 (HTTP 409)".into())
        );
        assert!(matches!(after(&http(503), 0, 0.5), Next::Retry { .. }));
        assert!(matches!(
            after(&Failure::Network("Failed to fetch".into()), 0, 0.5),
            Next::Retry { .. }
        ));
    }
}

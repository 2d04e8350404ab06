//! Whether the agent takes chats: available, or away by their own choice or because
//! the page saw them do nothing for a while. Pure; the session sends each change to
//! the server.

/// The agent's availability as this page knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Availability {
    pub away: bool,
    /// Away because of idleness (activity brings the agent back), not by choice (which
    /// only the agent undoes).
    by_idle: bool,
    last_activity: i64,
}

impl Availability {
    /// As the server says at sign-in, at `now`.
    pub(crate) fn new(away: bool, now: i64) -> Self {
        Self {
            away,
            by_idle: false,
            last_activity: now,
        }
    }

    /// The agent pressed the switch: the new state, to send.
    pub(crate) fn toggle(&mut self) -> bool {
        self.away = !self.away;
        self.by_idle = false;
        self.away
    }

    /// The agent did something at `now`: `Some(false)` when that ends an idle away.
    pub(crate) fn activity(&mut self, now: i64) -> Option<bool> {
        self.last_activity = now;
        if self.away && self.by_idle {
            self.away = false;
            self.by_idle = false;
            return Some(false);
        }
        None
    }

    /// The clock ticked: `Some(true)` when `idle_ms` passed without activity.
    pub(crate) fn tick(&mut self, now: i64, idle_ms: i64) -> Option<bool> {
        if !self.away && now - self.last_activity >= idle_ms {
            self.away = true;
            self.by_idle = true;
            return Some(true);
        }
        None
    }

    /// The server refused a change: back to `away`, as it still is there.
    pub(crate) fn refused(&mut self, away: bool) {
        self.away = away;
        self.by_idle = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IDLE: i64 = 600_000;

    #[test]
    fn idleness_sets_away_and_activity_ends_it() {
        let mut a = Availability::new(false, 0);
        assert_eq!(a.tick(IDLE - 1, IDLE), None);
        assert_eq!(a.tick(IDLE, IDLE), Some(true));
        assert_eq!(
            a.tick(IDLE + 20_000, IDLE),
            None,
            "already away: nothing to send"
        );
        assert_eq!(a.activity(IDLE + 30_000), Some(false));
        assert!(!a.away);
        assert_eq!(a.tick(IDLE + 40_000, IDLE), None, "the clock restarted");
    }

    #[test]
    fn away_by_choice_stays_until_the_agent_says_otherwise() {
        let mut a = Availability::new(false, 0);
        assert!(a.toggle());
        assert_eq!(a.activity(5), None, "activity does not undo a choice");
        assert!(a.away);
        assert!(!a.toggle());
        // Signed in while away (set on another tab): activity does not undo it either.
        let mut b = Availability::new(true, 0);
        assert_eq!(b.activity(1), None);
        assert_eq!(b.tick(IDLE * 2, IDLE), None);
    }

    #[test]
    fn a_refused_change_returns_to_what_the_server_has() {
        let mut a = Availability::new(false, 0);
        assert_eq!(a.tick(IDLE, IDLE), Some(true));
        a.refused(false);
        assert!(!a.away);
        assert_eq!(a.activity(IDLE + 1), None);
    }
}

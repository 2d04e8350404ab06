//! What passes without being stored: "typing…" and "read up to here". They travel to
//! the event streams of this instance at once and, on PostgreSQL, to the other
//! instances through `NOTIFY` on the chat's own channel (its listener tells them from
//! event wake-ups by their first character, `{`).
//!
//! A signal that is lost (a stream reconnecting, a full buffer) costs nothing that
//! matters: typing fades by itself, and read marks are stored (`ChatStore::mark_read`)
//! and sent again to every stream that starts.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use shopdesk_wire::chat::{Author, Signal};
use tokio::sync::broadcast;

use super::store::CHANNEL;
use crate::db::Database;

/// At most one typing signal per conversation and side in this long (the clients
/// throttle too; this holds for clients that do not).
pub const TYPING_EVERY_MS: i64 = 2_000;
/// Signals waiting for slow streams; older ones are dropped for them.
const BUFFER: usize = 1024;
/// Typing times remembered before the oldest are forgotten.
const REMEMBERED: usize = 10_000;

/// Cheap to clone.
#[derive(Debug, Clone)]
pub struct Signals {
    sender: broadcast::Sender<Signal>,
    /// When each (conversation, side) last typed, for the throttle.
    typed: Arc<Mutex<HashMap<(String, Author), i64>>>,
}

impl Default for Signals {
    fn default() -> Self {
        Self {
            sender: broadcast::channel(BUFFER).0,
            typed: Arc::default(),
        }
    }
}

impl Signals {
    pub fn subscribe(&self) -> broadcast::Receiver<Signal> {
        self.sender.subscribe()
    }

    /// A signal heard from another instance (or this one's own, back from PostgreSQL).
    pub fn heard(&self, payload: &str) {
        match serde_json::from_str::<Signal>(payload) {
            Ok(signal) => {
                let _ = self.sender.send(signal);
            }
            Err(e) => tracing::warn!("ignored a chat signal {payload:?}: {e}"),
        }
    }

    /// Whether `author` may signal typing in `conversation` now; records it if so.
    pub fn may_type(&self, conversation: &str, author: Author, now: i64) -> bool {
        let mut typed = self.typed.lock().unwrap_or_else(|p| p.into_inner());
        let key = (conversation.to_string(), author);
        if typed
            .get(&key)
            .is_some_and(|&at| now - at < TYPING_EVERY_MS)
        {
            return false;
        }
        if typed.len() >= REMEMBERED {
            typed.retain(|_, at| now - *at < TYPING_EVERY_MS);
        }
        typed.insert(key, now);
        true
    }

    /// Sends `signal` to every stream, on every instance.
    pub async fn send(&self, db: &Database, signal: Signal) {
        if db.listens() {
            // PostgreSQL brings it back to this instance's listener too.
            let payload = match serde_json::to_string(&signal) {
                Ok(p) => p,
                Err(e) => return tracing::warn!("chat signal not sent: {e}"),
            };
            let sent = sqlx::query("SELECT 1 FROM pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(payload)
                .execute(db.writer())
                .await;
            if let Err(e) = sent {
                tracing::warn!("chat signal not sent to other instances: {e}");
                let _ = self.sender.send(signal);
            }
        } else {
            let _ = self.sender.send(signal);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing_is_passed_on_at_most_every_two_seconds_per_side() {
        let signals = Signals::default();
        assert!(signals.may_type("c1", Author::Shopper, 0));
        assert!(!signals.may_type("c1", Author::Shopper, 1_999));
        assert!(
            signals.may_type("c1", Author::Agent, 1_999),
            "the other side"
        );
        assert!(
            signals.may_type("c2", Author::Shopper, 1_999),
            "another chat"
        );
        assert!(signals.may_type("c1", Author::Shopper, 2_000));
    }

    #[test]
    fn signals_from_other_instances_reach_local_streams_and_junk_is_ignored() {
        let signals = Signals::default();
        let mut streams = signals.subscribe();
        signals.heard("{not json");
        signals.heard(r#"{"type":"typing","conversation":"c1","author":"agent","name":"Ana"}"#);
        assert_eq!(
            streams.try_recv().unwrap(),
            Signal::Typing {
                conversation: "c1".into(),
                author: Author::Agent,
                name: Some("Ana".into()),
            }
        );
        assert!(streams.try_recv().is_err());
    }
}

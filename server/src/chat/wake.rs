//! Who to wake when a chat event is committed: the streams of its conversation and the
//! agents' stream, nobody else. A message therefore costs the same whether 50 or
//! 50,000 shoppers hold a stream open on this instance.
//!
//! A wake-up says only "conversation C has events up to N"; the stream then reads them
//! from the database. A wake-up that is missed (another instance's, while the
//! PostgreSQL listener reconnected) costs latency, never data: after a reconnect every
//! stream is nudged to read again.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::watch;

/// What a stream waits on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Latest {
    /// The newest event number known for what the stream follows.
    pub seq: i64,
    /// Moved on when wake-ups may have been missed: read again, whatever `seq` says.
    pub nudges: u64,
    /// The server is stopping: streams end, so a graceful shutdown does not wait.
    pub stopping: bool,
}

/// The registry of waiting streams. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Wakeups {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// One channel per conversation someone on this instance follows; removed with
    /// its last follower.
    conversations: Mutex<HashMap<String, watch::Sender<Latest>>>,
    /// Every conversation (the agents' stream).
    all: Mutex<Option<watch::Sender<Latest>>>,
    stopping: Mutex<bool>,
    /// Subscriptions open now: shoppers' (one conversation) and agents' (all).
    shoppers: AtomicUsize,
    agents: AtomicUsize,
}

/// Streams open on this instance now (for `/metrics`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Open {
    pub shoppers: usize,
    pub agents: usize,
    /// Conversations at least one shopper stream follows.
    pub conversations: usize,
}

/// One stream's place in the registry; leaving it (drop) forgets a conversation nobody
/// else follows.
#[derive(Debug)]
pub struct Subscription {
    wakeups: Wakeups,
    conversation: Option<String>,
    pub receiver: watch::Receiver<Latest>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Moves `latest` to `seq` if that is newer; whether it moved.
fn advance(latest: &mut Latest, seq: i64) -> bool {
    let newer = seq > latest.seq;
    if newer {
        latest.seq = seq;
    }
    newer
}

impl Wakeups {
    /// Follows `conversation`, or every conversation with `None`.
    pub fn subscribe(&self, conversation: Option<&str>) -> Subscription {
        let stopping = *lock(&self.inner.stopping);
        let fresh = || {
            watch::channel(Latest {
                stopping,
                ..Latest::default()
            })
            .0
        };
        let receiver = match conversation {
            Some(id) => lock(&self.inner.conversations)
                .entry(id.to_string())
                .or_insert_with(fresh)
                .subscribe(),
            None => lock(&self.inner.all).get_or_insert_with(fresh).subscribe(),
        };
        self.counter(conversation.is_some())
            .fetch_add(1, Ordering::Relaxed);
        Subscription {
            wakeups: self.clone(),
            conversation: conversation.map(str::to_string),
            receiver,
        }
    }

    fn counter(&self, shopper: bool) -> &AtomicUsize {
        if shopper {
            &self.inner.shoppers
        } else {
            &self.inner.agents
        }
    }

    /// Streams open on this instance now.
    pub fn open(&self) -> Open {
        Open {
            shoppers: self.inner.shoppers.load(Ordering::Relaxed),
            agents: self.inner.agents.load(Ordering::Relaxed),
            conversations: self.followed(),
        }
    }

    /// Conversation `conversation` has events up to `seq`, committed.
    pub fn wake(&self, conversation: &str, seq: i64) {
        if let Some(tx) = lock(&self.inner.conversations).get(conversation) {
            tx.send_if_modified(|l| advance(l, seq));
        }
        if let Some(tx) = lock(&self.inner.all).as_ref() {
            tx.send_if_modified(|l| advance(l, seq));
        }
    }

    /// Wake-ups may have been missed: every stream reads again.
    pub fn nudge_all(&self) {
        self.each(|tx| tx.send_modify(|l| l.nudges += 1));
    }

    /// Ends every stream, now and from now on (the server is stopping).
    pub fn stop(&self) {
        *lock(&self.inner.stopping) = true;
        self.each(|tx| tx.send_modify(|l| l.stopping = true));
    }

    /// Whether the server is stopping.
    pub fn stopping(&self) -> bool {
        *lock(&self.inner.stopping)
    }

    /// Conversations followed on this instance now.
    pub fn followed(&self) -> usize {
        lock(&self.inner.conversations).len()
    }

    fn each(&self, f: impl Fn(&watch::Sender<Latest>)) {
        lock(&self.inner.conversations).values().for_each(&f);
        if let Some(tx) = lock(&self.inner.all).as_ref() {
            f(tx);
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.wakeups
            .counter(self.conversation.is_some())
            .fetch_sub(1, Ordering::Relaxed);
        let Some(id) = &self.conversation else {
            return;
        };
        let mut conversations = lock(&self.wakeups.inner.conversations);
        // This subscription's receiver is still alive here: it is the last one when
        // the count is 1.
        if conversations
            .get(id)
            .is_some_and(|tx| tx.receiver_count() <= 1)
        {
            conversations.remove(id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_wakes_its_conversation_and_the_agents_only() {
        let wakeups = Wakeups::default();
        let mut a = wakeups.subscribe(Some("a"));
        let b = wakeups.subscribe(Some("b"));
        let mut agents = wakeups.subscribe(None);
        wakeups.wake("a", 7);
        assert!(a.receiver.has_changed().unwrap());
        assert_eq!(a.receiver.borrow_and_update().seq, 7);
        assert!(!b.receiver.has_changed().unwrap(), "b sleeps on");
        assert_eq!(agents.receiver.borrow_and_update().seq, 7);
        // The same event again (this instance's own NOTIFY) or an older one: no wake.
        wakeups.wake("a", 7);
        wakeups.wake("a", 5);
        assert!(!a.receiver.has_changed().unwrap());
        assert!(!agents.receiver.has_changed().unwrap());
        // A conversation nobody here follows costs a map lookup.
        wakeups.wake("elsewhere", 9);
        assert_eq!(agents.receiver.borrow_and_update().seq, 9);
        assert!(!b.receiver.has_changed().unwrap());
    }

    #[test]
    fn a_conversation_is_forgotten_with_its_last_stream() {
        let wakeups = Wakeups::default();
        let first = wakeups.subscribe(Some("a"));
        let second = wakeups.subscribe(Some("a"));
        assert_eq!(wakeups.followed(), 1);
        drop(first);
        assert_eq!(wakeups.followed(), 1, "one stream still follows it");
        wakeups.wake("a", 3);
        assert_eq!(second.receiver.borrow().seq, 3);
        drop(second);
        assert_eq!(wakeups.followed(), 0);
    }

    #[test]
    fn open_streams_are_counted_until_they_close() {
        let wakeups = Wakeups::default();
        let a = wakeups.subscribe(Some("a"));
        let a_again = wakeups.subscribe(Some("a"));
        let agents = wakeups.subscribe(None);
        let open = |shoppers, agents, conversations| Open {
            shoppers,
            agents,
            conversations,
        };
        assert_eq!(wakeups.open(), open(2, 1, 1));
        drop(a);
        drop(agents);
        assert_eq!(wakeups.open(), open(1, 0, 1));
        drop(a_again);
        assert_eq!(wakeups.open(), open(0, 0, 0));
    }

    #[test]
    fn nudges_and_stopping_reach_every_stream_even_later_ones() {
        let wakeups = Wakeups::default();
        let mut a = wakeups.subscribe(Some("a"));
        let mut agents = wakeups.subscribe(None);
        wakeups.nudge_all();
        assert!(a.receiver.has_changed().unwrap());
        assert_eq!(agents.receiver.borrow_and_update().nudges, 1);
        wakeups.stop();
        assert!(a.receiver.borrow_and_update().stopping);
        assert!(wakeups.subscribe(Some("b")).receiver.borrow().stopping);
    }
}

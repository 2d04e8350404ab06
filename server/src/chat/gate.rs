//! Admission of event streams: how many may be open per conversation, per client
//! network and in total, and how long each may live.
//!
//! A stream holds a connection and a task for as long as it is open. The total is this
//! instance's memory and file descriptors, so it is counted here, in memory. The caps
//! per conversation and per network are fairness between shoppers, so on PostgreSQL
//! they hold across instances (`shoppers.rs`): a shopper's tabs, or one network's
//! streams, count together wherever the load balancer sent them. Opening a stream
//! takes a single-use ticket (`tickets.rs`), asked for through the rate-limited shopper
//! API, so how fast anyone can open streams is bounded too.
//!
//! Streams end after [`Bounds::idle`] without an event and after [`Bounds::lifetime`]
//! in any case; clients resume after their last event (`Last-Event-ID` / `?after=`),
//! so a cut costs a reconnect, never an event.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::shoppers::{Here, Shoppers};

/// Bounds on open streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// A shopper's tabs on one conversation (each page they open keeps one).
    pub per_conversation: usize,
    /// Streams from one client network (an IPv4 address or IPv6 /64): a household or
    /// an office, or a mobile carrier's shared address.
    pub per_client: usize,
    /// Every stream on this instance, agents' included (each instance holds its own).
    pub total: usize,
    /// A stream with nothing to send for this long ends.
    pub idle: Duration,
    /// A stream ends after this long whatever happens.
    pub lifetime: Duration,
}

impl Default for Bounds {
    fn default() -> Self {
        Self {
            per_conversation: 8,
            per_client: 200,
            total: 19_000,
            idle: Duration::from_secs(30 * 60),
            lifetime: Duration::from_secs(4 * 60 * 60),
        }
    }
}

/// Why a stream was not admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    Conversation,
    Client,
    Total,
    /// The streams open on other instances could not be counted.
    Uncounted,
}

impl Refused {
    pub fn message(self) -> &'static str {
        match self {
            Refused::Conversation => {
                "this conversation has as many open streams as it may have; close another tab"
            }
            Refused::Client => "this network has as many open streams as it may have",
            Refused::Total => "the server has as many open streams as it can hold",
            Refused::Uncounted => {
                "open streams cannot be counted now (the database did not answer); retry shortly"
            }
        }
    }
}

#[derive(Debug, Default)]
struct Counts {
    conversations: HashMap<String, usize>,
    clients: HashMap<String, usize>,
    total: usize,
}

/// Counts of open streams; cheap to clone (clones count together).
#[derive(Debug, Clone)]
pub struct Gate {
    bounds: Bounds,
    counts: Arc<Mutex<Counts>>,
    /// Shopper streams in the database: who has their chat open, and on PostgreSQL
    /// the count across instances.
    shoppers: Option<Shoppers>,
}

/// An admitted stream: counted until dropped.
#[derive(Debug)]
pub struct Admitted {
    counts: Arc<Mutex<Counts>>,
    conversation: Option<String>,
    client: Option<String>,
    /// A shopper's stream, in the database.
    _here: Option<Here>,
}

impl Gate {
    /// Counting on this instance only.
    pub fn new(bounds: Bounds) -> Self {
        Self {
            bounds,
            counts: Arc::default(),
            shoppers: None,
        }
    }

    /// Recording shopper streams in `db`, and on PostgreSQL counting them with every
    /// instance's. Must run inside the tokio runtime.
    pub fn recorded(bounds: Bounds, db: &crate::db::Database) -> Self {
        Self {
            shoppers: Some(Shoppers::new(db)),
            ..Self::new(bounds)
        }
    }

    /// The same gate, with other bounds.
    pub fn with_bounds(self, bounds: Bounds) -> Self {
        Self { bounds, ..self }
    }

    pub fn bounds(&self) -> Bounds {
        self.bounds
    }

    /// Admits a stream of `conversation` (none: the agents') from `client`, if every
    /// bound allows it: this instance's first (no database work for what it refuses
    /// alone), then every instance's.
    pub async fn admit(
        &self,
        conversation: Option<&str>,
        client: Option<&str>,
    ) -> Result<Admitted, Refused> {
        let mut admitted = self.admit_here(conversation, client)?;
        let (Some(shoppers), Some(conversation)) = (&self.shoppers, conversation) else {
            return Ok(admitted);
        };
        let network = client.unwrap_or_default();
        match shoppers
            .here(conversation, network, &self.bounds, crate::now_ms())
            .await
        {
            Ok(Ok(here)) => {
                admitted._here = Some(here);
                Ok(admitted)
            }
            Ok(Err(refused)) => Err(refused),
            Err(e) => {
                tracing::warn!("cannot record an open shopper stream: {e}");
                Err(Refused::Uncounted)
            }
        }
    }

    /// The server is stopping: its streams no longer count on other instances.
    pub async fn leave(&self) {
        if let Some(shoppers) = &self.shoppers {
            shoppers.leave().await;
        }
    }

    fn admit_here(
        &self,
        conversation: Option<&str>,
        client: Option<&str>,
    ) -> Result<Admitted, Refused> {
        let mut c = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        if c.total >= self.bounds.total {
            return Err(Refused::Total);
        }
        if let Some(id) = conversation {
            if c.conversations.get(id).copied().unwrap_or(0) >= self.bounds.per_conversation {
                return Err(Refused::Conversation);
            }
        }
        if let Some(client) = client {
            if c.clients.get(client).copied().unwrap_or(0) >= self.bounds.per_client {
                return Err(Refused::Client);
            }
        }
        c.total += 1;
        if let Some(id) = conversation {
            *c.conversations.entry(id.to_string()).or_default() += 1;
        }
        if let Some(client) = client {
            *c.clients.entry(client.to_string()).or_default() += 1;
        }
        Ok(Admitted {
            counts: self.counts.clone(),
            conversation: conversation.map(str::to_string),
            client: client.map(str::to_string),
            _here: None,
        })
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut guard = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let c = &mut *guard;
        c.total = c.total.saturating_sub(1);
        release(&mut c.conversations, self.conversation.as_deref());
        release(&mut c.clients, self.client.as_deref());
    }
}

/// One stream fewer for `key`; a key with none left is forgotten (memory follows what
/// is open, not what ever was).
fn release(map: &mut HashMap<String, usize>, key: Option<&str>) {
    let Some(key) = key else { return };
    if let Some(n) = map.get_mut(key) {
        *n -= 1;
        if *n == 0 {
            map.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate() -> Gate {
        Gate::new(Bounds {
            per_conversation: 2,
            per_client: 3,
            total: 4,
            ..Bounds::default()
        })
    }

    #[test]
    fn each_bound_holds_and_a_closed_stream_frees_its_place() {
        let g = gate();
        let a1 = g.admit_here(Some("c1"), Some("n1")).unwrap();
        let _a2 = g.admit_here(Some("c1"), Some("n1")).unwrap();
        assert_eq!(
            g.admit_here(Some("c1"), Some("n2")).unwrap_err(),
            Refused::Conversation
        );
        let _b = g.admit_here(Some("c2"), Some("n1")).unwrap();
        assert_eq!(
            g.admit_here(Some("c3"), Some("n1")).unwrap_err(),
            Refused::Client
        );
        let _agents = g.admit_here(None, None).unwrap();
        assert_eq!(
            g.admit_here(Some("c4"), Some("n9")).unwrap_err(),
            Refused::Total
        );
        drop(a1);
        let _again = g.admit_here(Some("c1"), Some("n1")).unwrap();
        let c = g.counts.lock().unwrap();
        assert_eq!(c.total, 4);
    }

    #[test]
    fn counts_are_forgotten_when_their_streams_close() {
        let g = gate();
        let streams: Vec<_> = (0..3)
            .map(|i| g.admit_here(Some(&format!("c{i}")), Some("n")).unwrap())
            .collect();
        drop(streams);
        let c = g.counts.lock().unwrap();
        assert_eq!((c.total, c.conversations.len(), c.clients.len()), (0, 0, 0));
    }
}

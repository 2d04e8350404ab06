//! Server-sent event streams of chat events, read from the database after the last
//! event the client has. `EventSource` reconnects by itself and sends `Last-Event-ID`,
//! so a dropped connection costs nothing.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;

use tokio::time::Instant;

use axum::http::HeaderName;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream;
use shopdesk_wire::chat::{Author, ChatEvent, Signal, What};
use tokio::sync::broadcast;

use super::gate::{Admitted, Bounds};
use super::presence::Online;
use super::store::ChatStore;
use super::wake::Subscription;

/// Events read per database query.
const PAGE: u32 = 200;
/// How soon a browser reconnects after the connection drops.
const RETRY: Duration = Duration::from_secs(2);

struct State {
    store: ChatStore,
    /// Wakes this stream for its conversation's events only (`wake.rs`).
    wake: Subscription,
    conversation: Option<String>,
    after: i64,
    /// The nudges seen so far (see `wake::Latest::nudges`).
    nudges: u64,
    ready: VecDeque<ChatEvent>,
    first: bool,
    /// Read without waiting for a wake-up: at first (events may predate the
    /// subscription), and after a full page (more may be stored).
    read_again: bool,
    done: bool,
    /// Counts its agent or shopper as connected while the stream is open.
    _holds: Holds,
    /// Typing and read marks from the other side (`signals.rs`); none once closed.
    signals: Option<broadcast::Receiver<Signal>>,
    /// A signal to send before anything else.
    signal: Option<Signal>,
    /// When the stream ends whatever happens (`gate::Bounds::lifetime`).
    ends_at: Instant,
    /// How long it waits for something to send (`gate::Bounds::idle`).
    idle: Duration,
}

impl State {
    /// The other side's signals: the agents' for a shopper's conversation, shoppers'
    /// for the agents' stream.
    fn wants(&self, signal: &Signal) -> bool {
        let (conversation, author) = match signal {
            Signal::Typing {
                conversation,
                author,
                ..
            }
            | Signal::Read {
                conversation,
                author,
                ..
            } => (conversation, *author),
        };
        match &self.conversation {
            Some(id) => id == conversation && author == Author::Agent,
            None => author == Author::Shopper,
        }
    }

    /// Waits for a wake-up or a signal this stream wants; `false` when the server is
    /// stopping, or the stream was idle or open for as long as it may be.
    async fn wait(&mut self) -> bool {
        let until = self.ends_at.min(Instant::now() + self.idle);
        tokio::time::timeout_at(until, self.wake_or_signal())
            .await
            .unwrap_or(false)
    }

    async fn wake_or_signal(&mut self) -> bool {
        loop {
            let Some(signals) = self.signals.as_mut() else {
                return self.wake.receiver.changed().await.is_ok();
            };
            tokio::select! {
                changed = self.wake.receiver.changed() => return changed.is_ok(),
                got = signals.recv() => match got {
                    Ok(signal) => {
                        if self.wants(&signal) {
                            self.signal = Some(signal);
                            return true;
                        }
                    }
                    // Missed some: typing fades anyway, read marks come with the next.
                    Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => self.signals = None,
                },
            }
        }
    }
}

/// The events of `conversation` (or of all, for agents) after `after`. A
/// conversation's stream ends with its `closed` event; one that has already ended
/// sends that event again, so a late reconnect learns it too.
///
/// `X-Accel-Buffering: no` asks an nginx in front (a merchant's own, configured
/// without `deploy/nginx/`) to pass each event on at once instead of filling its
/// buffer first.
pub(super) fn events(
    store: ChatStore,
    conversation: Option<String>,
    after: i64,
    holds: Holds,
    bounds: Bounds,
) -> Response {
    let signals = store.signals().subscribe();
    let state = State {
        wake: store.subscribe(conversation.as_deref()),
        store,
        conversation,
        after,
        nudges: 0,
        ready: VecDeque::new(),
        first: true,
        read_again: true,
        done: false,
        _holds: holds,
        signals: Some(signals),
        signal: None,
        ends_at: Instant::now() + bounds.lifetime,
        idle: bounds.idle,
    };
    let sse = Sse::new(stream::unfold(state, next))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)));
    ([(X_ACCEL_BUFFERING, "no")], sse).into_response()
}

/// Who an open stream counts as connected, and its place at the gate: held for their
/// `Drop`, never read.
#[derive(Debug)]
#[allow(dead_code)]
pub(super) enum Holds {
    Agent(Online, Admitted),
    Shopper(Admitted),
}

const X_ACCEL_BUFFERING: HeaderName = HeaderName::from_static("x-accel-buffering");

async fn next(mut s: State) -> Option<(Result<Event, Infallible>, State)> {
    if s.first {
        s.first = false;
        if let Some(id) = &s.conversation {
            if let Ok(Some(seq)) = s.store.closing_seq(id).await {
                s.after = s.after.min(seq - 1);
            }
            // What the agents have read so far: "Seen" is right from the start.
            if let Ok((_, seq)) = s.store.read_marks(id).await {
                s.signal = (seq > 0).then(|| Signal::Read {
                    conversation: id.clone(),
                    author: Author::Agent,
                    seq,
                });
            }
        }
        // Tells the browser how soon to reconnect; carries no event.
        return Some((Ok(Event::default().retry(RETRY).comment("ready")), s));
    }
    loop {
        if let Some(signal) = s.signal.take() {
            let sse = Event::default()
                .event("signal")
                .json_data(&signal)
                .unwrap_or_else(|_| Event::default().comment("unserializable signal"));
            return Some((Ok(sse), s));
        }
        if let Some(event) = s.ready.pop_front() {
            s.after = event.seq;
            if s.conversation.is_some() && matches!(event.what, What::Closed { .. }) {
                s.done = true;
            }
            let sse = Event::default()
                .id(event.seq.to_string())
                .json_data(&event)
                .unwrap_or_else(|_| Event::default().comment("unserializable event"));
            return Some((Ok(sse), s));
        }
        if s.done || s.wake.receiver.borrow().stopping {
            return None;
        }
        // Marked seen before reading: an event committed after this point wakes us.
        let latest = *s.wake.receiver.borrow_and_update();
        // Woken by an event this stream already has (its own instance's NOTIFY coming
        // back, a page read ahead): no query.
        let skip = !s.read_again && latest.seq <= s.after && latest.nudges == s.nudges;
        s.read_again = false;
        s.nudges = latest.nudges;
        if skip {
            if !s.wait().await {
                return None;
            }
            continue;
        }
        match s
            .store
            .events_after(s.conversation.as_deref(), s.after, PAGE)
            .await
        {
            Ok(events) if !events.is_empty() => {
                s.read_again = events.len() >= PAGE as usize;
                s.ready.extend(events);
            }
            Ok(_) => {
                if !s.wait().await {
                    return None;
                }
            }
            Err(e) => {
                // The client reconnects and resumes after its last event.
                tracing::error!("chat stream: {e}");
                return None;
            }
        }
    }
}

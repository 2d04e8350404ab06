//! Prometheus metrics of one instance: requests by route and status with latency
//! histograms, open event streams, chat messages, feedback stored, the writers' queues
//! and the database pools.
//!
//! Counters live where the work happens (the stores count what they committed, the
//! `track` layer counts requests); this module registers them and reads the gauges
//! (streams, queues, pools) when scraped, so nothing is counted twice or kept in sync.
//! `prometheus-client` keeps one registry per [`Metrics`], not a process-wide one: two
//! servers in one test process count apart.

use std::collections::HashSet;
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::{Registry, Unit};

use crate::chat::store::ChatStore;
use crate::db::Database;
use crate::feedback::store::Store;

/// What `/metrics` answers with (Prometheus reads OpenMetrics text).
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The route label of requests no API route matched: the static site (store page,
/// widget modules, FAQ index) and unknown paths.
const FILES: &str = "(files)";

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    /// The route's pattern (`/v1/chat/{id}/messages`), never the path itself: a label
    /// value per conversation would grow without bound.
    route: &'static str,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: &'static str,
    route: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SideLabel {
    side: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct WriterLabel {
    writer: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    pool: &'static str,
    state: &'static str,
}

type Latency = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// One instance's metrics. Shared by the request layer and the `/metrics` route.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Latency,
    streams: Family<SideLabel, Gauge>,
    followed: Gauge,
    queued: Family<WriterLabel, Gauge>,
    connections: Family<PoolLabels, Gauge>,
    db: Database,
    feedback: Store,
    chat: ChatStore,
}

/// 0.5 ms to about 16 s, doubling: feedback is acknowledged in ~1 ms, a stream's
/// headers go out at once, a report over many responses may take seconds.
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

impl Metrics {
    pub fn new(db: &Database, feedback: &Store, chat: &ChatStore) -> Self {
        let mut registry = Registry::with_prefix("shopdesk");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route pattern and status",
            requests.clone(),
        );
        let latency = Latency::new_with_constructor(latency_histogram);
        registry.register_with_unit(
            "http_request_duration",
            "Time to answer a request (for event streams: until the stream opened)",
            Unit::Seconds,
            latency.clone(),
        );
        let streams = Family::<SideLabel, Gauge>::default();
        registry.register(
            "event_streams_open",
            "Chat event streams open on this instance (shopper: one conversation; agent: all)",
            streams.clone(),
        );
        let followed = Gauge::default();
        registry.register(
            "conversations_followed",
            "Conversations at least one open shopper stream on this instance follows",
            followed.clone(),
        );
        let counts = chat.counts();
        registry.register(
            "chat_conversations_started",
            "Chat conversations this instance started",
            counts.started.clone(),
        );
        registry.register(
            "chat_messages",
            "Chat messages this instance stored, by author (retries not counted)",
            counts.messages.clone(),
        );
        registry.register(
            "chat_conversations_closed",
            "Chat conversations this instance ended",
            counts.closed.clone(),
        );
        registry.register(
            "feedback_responses",
            "Feedback responses this instance answered, by kind and outcome (stored, duplicate)",
            feedback.counts().clone(),
        );
        let queued = Family::<WriterLabel, Gauge>::default();
        registry.register(
            "writer_queue",
            "Writes waiting for their writer's next transaction (feedback, chat)",
            queued.clone(),
        );
        let connections = Family::<PoolLabels, Gauge>::default();
        registry.register(
            "db_connections",
            "Database connections by pool and state (idle, busy)",
            connections.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            streams,
            followed,
            queued,
            connections,
            db: db.clone(),
            feedback: feedback.clone(),
            chat: chat.clone(),
        }
    }

    /// Counts one answered request.
    fn observe(&self, method: &'static str, route: &'static str, status: u16, seconds: f64) {
        self.latency
            .get_or_create(&RouteLabels { method, route })
            .observe(seconds);
        self.requests
            .get_or_create(&RequestLabels {
                method,
                route,
                status,
            })
            .inc();
    }

    /// The exposition text, with the gauges read now.
    pub fn render(&self) -> String {
        let open = self.chat.open_streams();
        let gauge = |family: &Family<SideLabel, Gauge>, side, n: usize| {
            family.get_or_create(&SideLabel { side }).set(n as i64);
        };
        gauge(&self.streams, "shopper", open.shoppers);
        gauge(&self.streams, "agent", open.agents);
        self.followed.set(open.conversations as i64);
        for (writer, n) in [
            ("feedback", self.feedback.queued()),
            ("chat", self.chat.queued()),
        ] {
            self.queued
                .get_or_create(&WriterLabel { writer })
                .set(n as i64);
        }
        for (pool, open, idle) in self.db.pools() {
            let busy = (open as usize).saturating_sub(idle);
            for (state, n) in [("idle", idle), ("busy", busy)] {
                self.connections
                    .get_or_create(&PoolLabels { pool, state })
                    .set(n as i64);
            }
        }
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

/// The one copy of a route pattern. Patterns are the router's, a fixed handful, so
/// keeping each for the life of the process costs a few hundred bytes, and spares
/// every request an allocation.
fn interned(pattern: &str) -> &'static str {
    static PATTERNS: OnceLock<RwLock<HashSet<&'static str>>> = OnceLock::new();
    let patterns = PATTERNS.get_or_init(RwLock::default);
    if let Some(known) = patterns
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .get(pattern)
    {
        return known;
    }
    let mut write = patterns.write().unwrap_or_else(|p| p.into_inner());
    if let Some(known) = write.get(pattern) {
        return known;
    }
    let kept: &'static str = Box::leak(pattern.to_owned().into_boxed_str());
    write.insert(kept);
    kept
}

/// Counts and times a request. Layered twice: on the API routes with
/// `Router::route_layer`, where the matched pattern is known, and on the static site,
/// which has none (`(files)`). One layer per request: each costs a boxed call.
pub async fn track(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let method = method_label(request.method());
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or(FILES, |p| interned(p.as_str()));
    let started = Instant::now();
    let response = next.run(request).await;
    metrics.observe(
        method,
        route,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

/// Known methods by name; any other (a client may send anything) as one label.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::{interned, method_label};
    use axum::http::Method;

    #[test]
    fn a_pattern_is_kept_once() {
        let a = interned("/v1/chat/{id}/messages");
        let b = interned(&String::from("/v1/chat/{id}/messages"));
        assert!(std::ptr::eq(a, b));
        assert_eq!(a, "/v1/chat/{id}/messages");
    }

    #[test]
    fn unknown_methods_share_one_label() {
        assert_eq!(method_label(&Method::POST), "POST");
        let odd = Method::from_bytes(b"BREW").unwrap();
        assert_eq!(method_label(&odd), "other");
    }
}

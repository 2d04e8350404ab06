//! What one client may take of the server: conversations, event streams, requests and
//! guesses, each bound answered with a clear JSON refusal while the server stays up;
//! and what every client is promised: a retried start opens nothing twice, and every
//! stream sees every message.

mod common;

use std::time::{Duration, Instant};

use common::client::{call, said, send, ticketed, uuid, Stream, STORE};
use common::{on_both, Backend, Extras, TestDb, Tokens};
use serde_json::{json, Value};
use shopdesk_server::chat::gate::Bounds;
use shopdesk_server::chat::routing::Routing;
use shopdesk_server::chat::OpenCaps;
use shopdesk_server::edge::Shopfront;
use shopdesk_server::limit::RateLimiter;

on_both!(
    a_retried_start_returns_the_conversation_it_opened,
    open_conversations_are_capped_per_network_and_in_total,
    streams_are_capped_per_conversation_per_network_and_in_total,
    an_idle_stream_ends_and_resumes_where_it_was,
    two_messages_at_once_reach_every_stream,
    wrong_tokens_are_throttled_per_address,
);

const AGENT: &str = "bounds-agent-token-0123456789";
const ADMIN: &str = "bounds-admin-token-0123456789";

struct Server {
    base: String,
    _db: TestDb,
}

/// A server behind a trusted proxy (clients named by `X-Forwarded-For`), with
/// `bounds` and `limiter`.
fn serve(
    backend: Backend,
    bounds: Option<(OpenCaps, Bounds)>,
    limiter: Option<RateLimiter>,
) -> Server {
    let db = TestDb::new(backend);
    let base = common::listen_full(
        common::config(db.dir.path()),
        Shopfront {
            origins: vec![STORE.to_string()],
            limiter: limiter.map(std::sync::Arc::new),
            trust_proxy: true,
        },
        &db.location,
        Tokens {
            admin: Some(ADMIN.into()),
            agent: Some(AGENT.into()),
        },
        Routing::default(),
        Extras {
            bounds,
            trust_proxy: true,
            ..Extras::default()
        },
    );
    Server { base, _db: db }
}

/// `POST /v1/chat` with `handoff` from the client at `from`.
fn start_from(base: &str, from: &str, handoff: Value) -> (u16, Option<String>, Value) {
    let response = send(
        "POST",
        &format!("{base}/v1/chat"),
        &[("Origin", STORE), ("X-Forwarded-For", from)],
        Some(handoff),
    );
    let status = response.status();
    let retry = response.header("Retry-After").map(str::to_string);
    (status, retry, common::client::json_body(response))
}

fn a_retried_start_returns_the_conversation_it_opened(backend: Backend) {
    let s = serve(backend, None, None);
    let handoff = json!({"start_key": "k-1", "searched": ["refund"]});
    let (first, _, one) = start_from(&s.base, "192.0.2.1", handoff.clone());
    let (again, _, two) = start_from(&s.base, "192.0.2.1", handoff);
    assert_eq!((first, again), (201, 200));
    assert_eq!(one["id"], two["id"]);
    // The key the retry returned opens the conversation too.
    let id = one["id"].as_str().unwrap();
    for (n, started) in [&one, &two].into_iter().enumerate() {
        let (status, _, _) = call(
            "POST",
            &format!("{}/v1/chat/{id}/messages", s.base),
            started["token"].as_str(),
            Some(STORE),
            Some(json!({"id": uuid(n as u32 + 1), "body": "hi"})),
        );
        assert_eq!(status, 201);
    }
    let (other, _, three) = start_from(&s.base, "192.0.2.1", json!({"start_key": "k-2"}));
    assert_eq!(other, 201);
    assert_ne!(three["id"], one["id"]);
    let (status, _, list) = call(
        "GET",
        &format!("{}/v1/agent/conversations", s.base),
        Some(AGENT),
        None,
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(list["conversations"].as_array().unwrap().len(), 2, "{list}");
}

fn open_conversations_are_capped_per_network_and_in_total(backend: Backend) {
    let caps = OpenCaps {
        per_client: 2,
        total: 3,
    };
    let s = serve(backend, Some((caps, Bounds::default())), None);
    // One IPv6 /64 is one client, however many addresses it uses.
    let (a, _, first) = start_from(&s.base, "2001:db8:1:2::1", json!({}));
    let (b, _, _) = start_from(&s.base, "2001:db8:1:2:ffff::9", json!({}));
    let (c, retry, refused) = start_from(&s.base, "2001:db8:1:2:abcd::5", json!({}));
    assert_eq!((a, b, c), (201, 201, 503));
    assert_eq!(retry.as_deref(), Some("60"));
    assert!(
        refused["error"].as_str().unwrap().contains("network"),
        "{refused}"
    );
    // Another network may, until the shop is full.
    assert_eq!(start_from(&s.base, "198.51.100.7", json!({})).0, 201);
    let (full, _, refused) = start_from(&s.base, "198.51.100.8", json!({}));
    assert_eq!(full, 503);
    assert!(
        refused["error"].as_str().unwrap().contains("shop"),
        "{refused}"
    );
    // Closing one makes room.
    let id = first["id"].as_str().unwrap();
    let (closed, _, _) = call(
        "POST",
        &format!("{}/v1/chat/{id}/close", s.base),
        first["token"].as_str(),
        Some(STORE),
        None,
    );
    assert_eq!(closed, 204);
    assert_eq!(start_from(&s.base, "198.51.100.8", json!({})).0, 201);
}

fn stream_from(url: &str, from: &str) -> (u16, Option<Stream>) {
    Stream::open_with(url, &[("X-Forwarded-For", from)])
}

fn streams_are_capped_per_conversation_per_network_and_in_total(backend: Backend) {
    let bounds = Bounds {
        per_conversation: 2,
        per_client: 3,
        total: 4,
        ..Bounds::default()
    };
    let s = serve(backend, Some((common::OPEN, bounds)), None);
    let (_, _, one) = start_from(&s.base, "192.0.2.1", json!({}));
    let (_, _, two) = start_from(&s.base, "192.0.2.1", json!({}));
    let events = |c: &Value| format!("{}/v1/chat/{}/events", s.base, c["id"].as_str().unwrap());
    let key = |c: &Value| c["token"].as_str().unwrap().to_string();
    let open = |c: &Value, from: &str| stream_from(&ticketed(&events(c), &key(c)), from);
    let first = open(&one, "192.0.2.1");
    let second = open(&one, "192.0.2.1");
    assert_eq!((first.0, second.0), (200, 200));
    assert_eq!(
        open(&one, "192.0.2.9").0,
        503,
        "a third tab on one conversation"
    );
    let third = open(&two, "192.0.2.1");
    assert_eq!(third.0, 200);
    assert_eq!(
        open(&two, "192.0.2.1").0,
        503,
        "a fourth stream from one network"
    );
    let fourth = open(&two, "203.0.113.4");
    assert_eq!(fourth.0, 200);
    assert_eq!(
        open(&two, "203.0.113.5").0,
        503,
        "a fifth stream on the server"
    );
    // The agents' stream counts too, and is refused with a JSON reason.
    let response = send(
        "GET",
        &format!("{}/v1/agent/events", s.base),
        &[("Authorization", &format!("Bearer {AGENT}"))],
        None,
    );
    assert_eq!(response.status(), 503);
    assert_eq!(response.header("Retry-After"), Some("30"));
    assert!(common::client::json_body(response)["error"].is_string());
    // A closed stream frees its place.
    drop(first);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let (status, _) = open(&one, "192.0.2.1");
        if status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "the place was never freed");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn an_idle_stream_ends_and_resumes_where_it_was(backend: Backend) {
    let bounds = Bounds {
        idle: Duration::from_millis(700),
        lifetime: Duration::from_secs(3),
        ..Bounds::default()
    };
    let s = serve(backend, Some((common::OPEN, bounds)), None);
    let (_, _, c) = start_from(&s.base, "192.0.2.1", json!({}));
    let (id, key) = (c["id"].as_str().unwrap(), c["token"].as_str().unwrap());
    let events = format!("{}/v1/chat/{id}/events", s.base);
    let say = |n: u32| {
        call(
            "POST",
            &format!("{}/v1/chat/{id}/messages", s.base),
            Some(key),
            Some(STORE),
            Some(json!({"id": uuid(n), "body": format!("m{n}")})),
        )
        .0
    };
    assert_eq!(say(1), 201);
    let started = Instant::now();
    let (_, stream) = Stream::open(&ticketed(&events, key), None);
    let mut stream = stream.unwrap();
    let mut last = 0;
    while let Some(e) = stream.next() {
        last = e["seq"].as_i64().unwrap_or(last);
    }
    let idle_for = started.elapsed();
    assert!(
        idle_for < Duration::from_secs(3),
        "ended after {idle_for:?}"
    );
    assert_eq!(say(2), 201);
    // Resuming after the last event it had: the new message only.
    let (_, stream) = Stream::open(&ticketed(&events, key), Some(last));
    let mut stream = stream.unwrap();
    assert_eq!(said(&stream.next().unwrap()), "shopper: m2");
    // A stream that never goes idle still ends at its lifetime.
    let (_, stream) = Stream::open(&ticketed(&events, key), Some(last));
    let mut stream = stream.unwrap();
    let opened = Instant::now();
    let talker = {
        let (base, id, key) = (s.base.clone(), id.to_string(), key.to_string());
        std::thread::spawn(move || {
            for n in 10..30 {
                call(
                    "POST",
                    &format!("{base}/v1/chat/{id}/messages"),
                    Some(&key),
                    Some(STORE),
                    Some(json!({"id": uuid(n), "body": "."})),
                );
                std::thread::sleep(Duration::from_millis(250));
            }
        })
    };
    while stream.next().is_some() {}
    let lived = opened.elapsed();
    talker.join().unwrap();
    assert!(
        lived >= Duration::from_millis(2500) && lived < Duration::from_secs(5),
        "lived {lived:?}"
    );
}

fn two_messages_at_once_reach_every_stream(backend: Backend) {
    let s = serve(backend, None, None);
    let (_, _, c) = start_from(&s.base, "192.0.2.1", json!({}));
    let (id, key) = (
        c["id"].as_str().unwrap().to_string(),
        c["token"].as_str().unwrap().to_string(),
    );
    let events = format!("{}/v1/chat/{id}/events", s.base);
    let mut streams: Vec<Stream> = (0..2)
        .map(|_| Stream::open(&ticketed(&events, &key), None).1.unwrap())
        .collect();
    streams.push(
        Stream::open(
            &ticketed(&format!("{}/v1/agent/events", s.base), AGENT),
            None,
        )
        .1
        .unwrap(),
    );
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
    let writers: Vec<_> = [
        (
            Some(key.clone()),
            format!("{}/v1/chat/{id}/messages", s.base),
            "from the shopper",
        ),
        (
            Some(AGENT.to_string()),
            format!("{}/v1/agent/conversations/{id}/messages", s.base),
            "from the agent",
        ),
    ]
    .into_iter()
    .enumerate()
    .map(|(n, (token, url, body))| {
        let barrier = barrier.clone();
        std::thread::spawn(move || {
            barrier.wait();
            let (status, _, _) = call(
                "POST",
                &url,
                token.as_deref(),
                Some(STORE),
                Some(json!({"id": uuid(n as u32 + 1), "body": body})),
            );
            assert_eq!(status, 201);
        })
    })
    .collect();
    for w in writers {
        w.join().unwrap();
    }
    for stream in &mut streams {
        let mut seen = Vec::new();
        while seen.len() < 2 {
            let e = stream.next().expect("the stream ended");
            if e["type"] == "message" {
                seen.push(e["body"].as_str().unwrap().to_string());
            }
        }
        seen.sort();
        assert_eq!(seen, ["from the agent", "from the shopper"]);
    }
}

fn wrong_tokens_are_throttled_per_address(backend: Backend) {
    let s = serve(backend, None, None);
    let list = format!("{}/v1/agent/conversations", s.base);
    let report = format!("{}/v1/reports/feedback", s.base);
    let from = |ip: &str, url: &str, token: &str| {
        let response = send(
            "GET",
            url,
            &[
                ("Authorization", &format!("Bearer {token}")),
                ("X-Forwarded-For", ip),
            ],
            None,
        );
        (
            response.status(),
            response.header("Retry-After").map(str::to_string),
        )
    };
    // A spent or made-up ticket beside the right token is not a wrong token.
    let events = format!("{}/v1/agent/events?ticket=made-up", s.base);
    for _ in 0..25 {
        let response = send(
            "GET",
            &list,
            &[
                ("Authorization", &format!("Bearer {AGENT}")),
                ("X-Forwarded-For", "192.0.2.50"),
            ],
            None,
        );
        assert_eq!(response.status(), 200);
        let streamed = Stream::open_with(
            &events,
            &[
                ("Authorization", &format!("Bearer {AGENT}")),
                ("X-Forwarded-For", "192.0.2.50"),
            ],
        );
        assert_eq!(streamed.0, 200);
    }
    for n in 0..20 {
        let url = if n % 2 == 0 { &list } else { &report };
        assert_eq!(
            from("192.0.2.50", url, "guess-guess-guess-guess").0,
            401,
            "guess {n}"
        );
    }
    // The 21st waits, and so does the right token from that address: guessing costs
    // the guesser, not the shop.
    let (status, retry) = from("192.0.2.50", &list, "guess-guess-guess-guess");
    assert_eq!(status, 429);
    assert!(retry.unwrap().parse::<u64>().unwrap() > 60);
    assert_eq!(from("192.0.2.50", &list, AGENT).0, 429);
    // Another address is not held up.
    assert_eq!(from("192.0.2.51", &list, AGENT).0, 200);
    assert_eq!(from("192.0.2.51", &report, ADMIN).0, 200);
}

#[test]
fn a_spray_across_one_ipv6_64_shares_one_rate_limit_budget() {
    let s = serve(Backend::Sqlite, None, Some(RateLimiter::new(0.01, 5)));
    let post = |from: &str| {
        send(
            "POST",
            &format!("{}/v1/chat", s.base),
            &[("Origin", STORE), ("X-Forwarded-For", from)],
            Some(json!({})),
        )
        .status()
    };
    let statuses: Vec<u16> = (0..8)
        .map(|i| post(&format!("2001:db8:aa:bb:{i:x}::{:x}", i * 7 + 1)))
        .collect();
    assert_eq!(&statuses[..5], [201; 5]);
    assert_eq!(&statuses[5..], [429; 3]);
    // Streams spend the same budget: asking for a ticket and opening the stream are
    // requests like any other.
    assert_eq!(post("2001:db8:aa:cc::1"), 201);
}

#[test]
fn what_axum_refuses_below_the_handlers_is_json_naming_the_parameter() {
    let s = serve(Backend::Sqlite, None, None);
    let bearer = format!("Bearer {AGENT}");
    for (path, field) in [
        ("/v1/agent/conversations?limit=x", Some("limit")),
        ("/v1/agent/events?after=x", Some("after")),
        ("/v1/agent/conversations/%FF", None),
        ("/v1/reports/feedback?format=csv&format=csv", None),
    ] {
        let token = if path.starts_with("/v1/reports") {
            format!("Bearer {ADMIN}")
        } else {
            bearer.clone()
        };
        let response = send(
            "GET",
            &format!("{}{path}", s.base),
            &[("Authorization", &token)],
            None,
        );
        assert_eq!(response.status(), 400, "{path}");
        assert!(
            response.content_type().starts_with("application/json"),
            "{path}"
        );
        let body = common::client::json_body(response);
        assert!(
            body["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{path}: {body}"
        );
        if let Some(field) = field {
            assert_eq!(body["field"], field, "{path}: {body}");
        }
    }
}

#[test]
fn a_disallowed_origin_is_refused_on_the_stream_and_the_preflight() {
    let s = serve(Backend::Sqlite, None, None);
    let (id, key, _) = common::client::start_chat(&s.base);
    let evil = "https://evil.example";
    let stream = send(
        "GET",
        &ticketed(&format!("{}/v1/chat/{id}/events", s.base), &key),
        &[("Origin", evil)],
        None,
    );
    assert_eq!(stream.status(), 403);
    assert_eq!(stream.header("Access-Control-Allow-Origin"), None);
    let preflight = |origin: &str| {
        send(
            "OPTIONS",
            &format!("{}/v1/chat", s.base),
            &[
                ("Origin", origin),
                ("Access-Control-Request-Method", "POST"),
                ("Access-Control-Request-Headers", "content-type"),
            ],
            None,
        )
    };
    let refused = preflight(evil);
    assert_eq!(refused.status(), 403);
    assert_eq!(refused.header("Access-Control-Allow-Origin"), None);
    let allowed = preflight(STORE);
    assert_eq!(allowed.status(), 204);
    assert_eq!(allowed.header("Access-Control-Allow-Origin"), Some(STORE));
}

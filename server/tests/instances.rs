//! Several instances of the real `shopdesk-server` binary on one PostgreSQL: one
//! service whichever instance a client reaches, an instance killed with SIGKILL
//! mid-conversation, and PostgreSQL itself restarted under a conversation.

mod common;

use std::time::{Duration, Instant};

use common::client::{call, said, start_chat, ticketed, uuid, Stream, STORE};
use common::instance::{get, Instance, AGENT};
use common::stored;
use pg_temp::{Cluster, Durability};
use serde_json::{json, Value};
use shopdesk_server::db::Location;

/// `GET /readyz`'s status.
fn ready(base: &str) -> u16 {
    get(&format!("{base}/readyz")).0
}

/// Waits, as a load balancer would, until every instance says it is ready: its
/// database answers and it hears the others.
fn wait_ready(instances: &[&Instance]) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while instances.iter().any(|i| ready(&i.base) != 200) {
        assert!(
            Instant::now() < deadline,
            "the instances did not become ready"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn shopper_says(base: &str, id: &str, token: &str, n: u32) -> Result<(u16, Value), String> {
    let response = ureq::post(&format!("{base}/v1/chat/{id}/messages"))
        .set("Authorization", &format!("Bearer {token}"))
        .set("Origin", STORE)
        .timeout(Duration::from_secs(10))
        .send_json(json!({"id": uuid(n), "body": format!("message {n}")}));
    match response {
        Ok(r) => Ok((r.status(), r.into_json().unwrap())),
        Err(ureq::Error::Status(code, r)) => Ok((code, r.into_json().unwrap_or(Value::Null))),
        Err(e) => Err(e.to_string()),
    }
}

/// The conversation as the agents' API returns it: what was said, in order.
fn transcript(base: &str, id: &str) -> Vec<String> {
    let (status, _, history) = call(
        "GET",
        &format!("{base}/v1/agent/conversations/{id}"),
        Some(AGENT),
        None,
        None,
    );
    assert_eq!(status, 200, "{history}");
    history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(said)
        .collect()
}

/// The next event on `stream` that is a message, as `author: body`.
fn next_message(stream: &mut Stream) -> String {
    loop {
        let event = stream.next().expect("the stream ended");
        if event["type"] == "message" {
            return said(&event);
        }
    }
}

#[test]
fn two_instances_are_one_service_and_a_killed_one_loses_nothing() {
    let pg = pg_temp::fresh_database().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let root = common::store_site(dir.path());
    let mut a = Instance::start(&pg.url, &root);
    let b = Instance::start(&pg.url, &root);
    wait_ready(&[&a, &b]);

    // An agent on B; a shopper on A sees them online and is heard on B at once.
    let (_, agents) = Stream::open(
        &ticketed(&format!("{}/v1/agent/events", b.base), AGENT),
        None,
    );
    let mut agents = agents.unwrap();
    let (id, token, started) = start_chat(&a.base);
    assert_eq!(started["agents_online"], 1, "presence is shared");
    assert_eq!(agents.next().unwrap()["type"], "started");
    let url = |base: &str| ticketed(&format!("{base}/v1/chat/{id}/events"), &token);
    let (_, shopper) = Stream::open(&url(&a.base), None);
    let mut shopper = shopper.unwrap();
    assert_eq!(shopper.next().unwrap()["type"], "started");
    assert_eq!(shopper_says(&a.base, &id, &token, 1).unwrap().0, 201);
    assert_eq!(next_message(&mut agents), "shopper: message 1");
    let (status, _, reply) = call(
        "POST",
        &format!("{}/v1/agent/conversations/{id}/messages", b.base),
        Some(AGENT),
        None,
        Some(json!({"id": uuid(1), "body": "hello from B"})),
    );
    assert_eq!(status, 201, "{reply}");
    assert_eq!(next_message(&mut agents), "agent: hello from B");
    assert_eq!(next_message(&mut shopper), "shopper: message 1");
    assert_eq!(next_message(&mut shopper), "agent: hello from B");
    let last_seen = reply["seq"].as_i64().unwrap();

    // Feedback posted to both instances is stored once per id.
    for n in 0..20 {
        let body = json!({"id": uuid(500 + n), "kind": "csat", "score": 4,
                          "created_at": "2026-11-20T12:00:00Z"});
        for (base, expected) in [(&a.base, 201), (&b.base, 200)] {
            let r = ureq::post(&format!("{base}/v1/feedback")).send_json(body.clone());
            assert_eq!(r.map(|r| r.status()).unwrap_or(0), expected);
        }
    }
    assert_eq!(stored(&Location::Postgres(pg.url.clone())), 20);

    // A burst of messages to A, which is killed in the middle of it. The shopper's
    // client does what the widget does: a message not acknowledged is sent again, to
    // whichever instance answers.
    let mut acknowledged = 0;
    for n in 2..=21 {
        if n == 8 {
            a.kill();
        }
        let answer = shopper_says(&a.base, &id, &token, n)
            .ok()
            .filter(|(status, _)| *status == 201);
        if answer.is_some() {
            acknowledged += 1;
            continue;
        }
        let (status, _) = shopper_says(&b.base, &id, &token, n).unwrap();
        assert!(status == 201 || status == 200, "{status}");
    }
    assert_eq!(acknowledged, 6, "messages 2-7 went to A before it died");
    // A's stream broke with it; the shopper resumes on B after the last event seen.
    drop(shopper);
    let (_, resumed) = Stream::open(&url(&b.base), Some(last_seen));
    let mut resumed = resumed.unwrap();
    let got: Vec<String> = (2..=21).map(|_| next_message(&mut resumed)).collect();
    let expected: Vec<String> = (2..=21).map(|n| format!("shopper: message {n}")).collect();
    assert_eq!(got, expected, "each message once, in order");
    let all = transcript(&b.base, &id);
    assert_eq!(all.len(), 1 + 1 + 1 + 20, "{all:?}");
    // The agent on B heard every one of them too.
    let heard: Vec<String> = (2..=21).map(|_| next_message(&mut agents)).collect();
    assert_eq!(heard, expected);
}

/// `POST /v1/feedback`'s status.
fn post_feedback(base: &str, n: u32) -> u16 {
    let body = json!({"id": uuid(n), "kind": "csat", "score": 5,
                      "created_at": "2026-11-20T12:00:00Z"});
    match ureq::post(&format!("{base}/v1/feedback")).send_json(body) {
        Ok(r) => r.status(),
        Err(ureq::Error::Status(code, _)) => code,
        Err(e) => panic!("{base}: {e}"),
    }
}

#[test]
fn a_client_spread_over_two_instances_spends_one_rate_limit_budget() {
    let pg = pg_temp::fresh_database().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let root = common::store_site(dir.path());
    // A burst of 10 and next to no refill: what is spent stays spent.
    let flags = ["--rate-limit", "0.01", "--rate-burst", "10"];
    let a = Instance::start_with(&pg.url, &root, &flags);
    let b = Instance::start_with(&pg.url, &root, &flags);
    wait_ready(&[&a, &b]);
    // Their reports' listeners connect beside the chat's.
    std::thread::sleep(Duration::from_secs(1));

    for n in 0..10 {
        assert_eq!(post_feedback(&a.base, n), 201, "request {n} to A");
    }
    assert_eq!(post_feedback(&a.base, 10), 429, "A's budget is spent");
    // B hears of it within a round or two. Alone, B would take 10 more; each probe
    // it takes before the report arrives is one of those.
    let mut taken_by_b = 0;
    let refused = (0..8).any(|n| {
        let status = post_feedback(&b.base, 100 + n);
        if status == 201 {
            taken_by_b += 1;
            std::thread::sleep(Duration::from_millis(250));
        }
        status == 429
    });
    assert!(
        refused,
        "B took {taken_by_b} requests of a budget spent on A"
    );
    // What B took reaches A in turn: A's bucket only goes further below zero.
    assert_eq!(post_feedback(&a.base, 200), 429);
    assert_eq!(stored(&Location::Postgres(pg.url.clone())), 10 + taken_by_b);
}

#[test]
fn stream_caps_count_the_streams_open_on_every_instance() {
    let pg = pg_temp::fresh_database().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let root = common::store_site(dir.path());
    let flags = [
        "--trust-proxy",
        "--max-streams-per-chat",
        "2",
        "--max-streams-per-client",
        "3",
    ];
    let a = Instance::start_with(&pg.url, &root, &flags);
    let mut b = Instance::start_with(&pg.url, &root, &flags);
    wait_ready(&[&a, &b]);
    let (one, one_key, _) = start_chat(&a.base);
    let (two, two_key, _) = start_chat(&a.base);
    let open = |base: &str, id: &str, key: &str, from: &str| {
        let url = ticketed(&format!("{base}/v1/chat/{id}/events"), key);
        Stream::open_with(&url, &[("X-Forwarded-For", from)])
    };
    // A shopper's two tabs, each on another instance: a third is refused on either.
    let tab_a = open(&a.base, &one, &one_key, "192.0.2.1");
    let tab_b = open(&b.base, &one, &one_key, "192.0.2.1");
    assert_eq!((tab_a.0, tab_b.0), (200, 200));
    assert_eq!(
        open(&a.base, &one, &one_key, "192.0.2.9").0,
        503,
        "a third tab"
    );
    // One network's third stream is on B; its fourth is refused on A.
    let third = open(&b.base, &two, &two_key, "192.0.2.1");
    assert_eq!(third.0, 200);
    assert_eq!(
        open(&a.base, &two, &two_key, "192.0.2.1").0,
        503,
        "a fourth stream"
    );
    let other = open(&a.base, &two, &two_key, "198.51.100.2");
    assert_eq!(other.0, 200, "another network");
    // A tab closed on B frees its place for a tab on A.
    drop(tab_b);
    let deadline = Instant::now() + Duration::from_secs(5);
    while open(&a.base, &one, &one_key, "192.0.2.9").0 != 200 {
        assert!(
            Instant::now() < deadline,
            "the closed tab's place was never freed"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // An instance killed without a goodbye: its streams stop counting once its
    // heartbeat is stale (30 s), not never.
    b.kill();
    drop(third);
    let killed = Instant::now();
    assert_eq!(open(&a.base, &two, &two_key, "203.0.113.7").0, 503);
    while open(&a.base, &two, &two_key, "203.0.113.7").0 != 200 {
        assert!(
            killed.elapsed() < Duration::from_secs(45),
            "a killed instance's streams count forever"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    drop(other);
}

#[test]
fn postgres_restarted_under_a_conversation_loses_nothing_acknowledged() {
    // A server of its own (it is stopped and started), durable as in production.
    let cluster = Cluster::start(Durability::Production).unwrap();
    let url = cluster.create_database("shop").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let root = common::store_site(dir.path());
    let a = Instance::start(&url, &root);
    let b = Instance::start(&url, &root);
    wait_ready(&[&a, &b]);
    let doc: Value = ureq::get(&format!("{}/v1/openapi.json", a.base))
        .call()
        .unwrap()
        .into_json()
        .unwrap();
    assert!(doc["paths"]["/v1/ready"]["get"]["responses"]
        .get("503")
        .is_some());
    let (id, token, _) = start_chat(&a.base);
    for n in 1..=5 {
        assert_eq!(shopper_says(&a.base, &id, &token, n).unwrap().0, 201);
    }

    cluster.kill().unwrap();
    assert_eq!(
        (ready(&a.base), ready(&b.base)),
        (503, 503),
        "not ready without it"
    );
    let (status, refusal) = shopper_says(&a.base, &id, &token, 6).unwrap();
    assert_eq!(status, 503, "{refusal}");
    assert!(
        refusal["error"].as_str().unwrap().contains("retry"),
        "{refusal}"
    );

    cluster.start_again().unwrap();
    wait_ready(&[&a, &b]);
    // Listening again on B: a message said on A reaches B's agents at once.
    let (_, agents) = Stream::open(
        &ticketed(&format!("{}/v1/agent/events", b.base), AGENT),
        None,
    );
    let mut agents = agents.unwrap();
    let listed: Vec<String> = (0..6).map(|_| said(&agents.next().unwrap())).collect();
    assert_eq!(listed[5], "shopper: message 5");
    let deadline = Instant::now() + Duration::from_secs(30);
    // The retried message, once the database answers (the listener may still be
    // reconnecting: then it arrives by the nudge after it).
    loop {
        let (status, _) = shopper_says(&a.base, &id, &token, 6).unwrap();
        if status == 201 || status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "the message was never taken");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(next_message(&mut agents), "shopper: message 6");
    let all = transcript(&b.base, &id);
    let expected: Vec<String> = std::iter::once("started".to_string())
        .chain((1..=6).map(|n| format!("shopper: message {n}")))
        .collect();
    assert_eq!(
        all, expected,
        "nothing acknowledged was lost, nothing doubled"
    );
}

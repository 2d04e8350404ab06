//! Typing and read marks over a real listener: passed to the other side at once,
//! typing throttled and never stored, read marks stored as each side's high-water mark
//! and sent to a stream that starts later; on both backends, and across two instances.

mod common;

use common::client::{call, start_chat, ticketed, uuid, Stream, STORE};
use common::instance::AGENT;
use common::staff::{add, shop, Desk};
use common::{on_both, Backend, TestDb};
use serde_json::{json, Value};
use shopdesk_server::agents::accounts::Role;
use shopdesk_server::chat::routing::Routing;

on_both!(typing_and_read_marks_reach_the_other_side);

/// A shopper's call in their conversation: status and body.
fn shopper(base: &str, id: &str, token: &str, what: &str, body: Value) -> (u16, Value) {
    let (status, _, answer) = call(
        "POST",
        &format!("{base}/v1/chat/{id}/{what}"),
        Some(token),
        Some(STORE),
        Some(body),
    );
    (status, answer)
}

/// The next item of `stream` that is not an `assigned` event (routing runs beside).
fn next(stream: &mut Stream) -> Value {
    loop {
        let item = stream.next().expect("the stream ended");
        if item["type"] != "assigned" {
            return item;
        }
    }
}

fn typing_and_read_marks_reach_the_other_side(backend: Backend) {
    let db = TestDb::new(backend);
    let base = shop(&db, Routing::default());
    let mut ana = Desk::open(
        &base,
        add(&db.location, "Ana", "ana@shop.example", Role::Agent),
        "ana@shop.example",
    );
    let (id, token, _) = start_chat(&base);
    let events = format!("{base}/v1/chat/{id}/events");
    let mut widget = Stream::open(&ticketed(&events, &token), None).1.unwrap();
    assert_eq!(next(&mut widget)["type"], "started");
    let page = ana.page.as_mut().unwrap();
    assert_eq!(next(page)["type"], "started");

    // The shopper types: the agent sees it once, however often the widget says so.
    for _ in 0..3 {
        assert_eq!(shopper(&base, &id, &token, "typing", json!({})).0, 204);
    }
    let typing = next(page);
    assert_eq!(
        typing,
        json!({"type": "typing", "conversation": id, "author": "shopper"})
    );
    let (status, said) = shopper(
        &base,
        &id,
        &token,
        "messages",
        json!({"id": uuid(1), "body": "hi"}),
    );
    assert_eq!(status, 201);
    let message = next(page);
    assert_eq!(
        message["type"], "message",
        "one typing signal, then the message"
    );
    let seq = said["seq"].as_i64().unwrap();

    // The agent types, with their name; and reads the message.
    let url = |what: &str| format!("{base}/v1/agent/conversations/{id}/{what}");
    assert_eq!(ana.post(&url("typing"), json!({})).status, 204);
    assert_eq!(
        next(&mut widget)["type"],
        "message",
        "the shopper's own message first"
    );
    let typing = next(&mut widget);
    assert_eq!(
        (typing["type"].as_str(), typing["name"].as_str()),
        (Some("typing"), Some("Ana"))
    );
    assert_eq!(ana.post(&url("read"), json!({"seq": seq})).status, 204);
    assert_eq!(
        next(&mut widget),
        json!({"type": "read", "conversation": id, "author": "agent", "seq": seq})
    );
    // Never backwards, never past the conversation's last event, never nonsense.
    assert_eq!(ana.post(&url("read"), json!({"seq": seq - 1})).status, 204);
    assert_eq!(
        ana.post(&url("read"), json!({"seq": seq + 1000})).status,
        204
    );
    let bad = ana.post(&url("read"), json!({"seq": 0}));
    assert_eq!(bad.status, 400, "{}", bad.body);
    // The shopper reads the agent's reply; the list says so.
    let reply = ana.post(&url("messages"), json!({"id": uuid(2), "body": "Hello!"}));
    assert_eq!(reply.status, 201);
    let reply_seq = reply.body["seq"].as_i64().unwrap();
    assert_eq!(
        shopper(&base, &id, &token, "read", json!({"seq": reply_seq})).0,
        204
    );
    let (_, _, list) = call(
        "GET",
        &format!("{base}/v1/agent/conversations"),
        Some(AGENT),
        None,
        None,
    );
    let listed = &list["conversations"][0];
    assert_eq!(
        (
            listed["shopper_read"].as_i64(),
            listed["agent_read"].as_i64()
        ),
        (Some(reply_seq), Some(seq))
    );

    // A stream that starts later (another page) learns the agents' mark at once.
    let mut later = Stream::open(&ticketed(&events, &token), None).1.unwrap();
    assert_eq!(
        next(&mut later),
        json!({"type": "read", "conversation": id, "author": "agent", "seq": seq})
    );
    // Typing was never stored: the conversation holds what was said.
    let history_url = format!("{base}/v1/agent/conversations/{id}");
    let (_, _, history) = call("GET", &history_url, Some(AGENT), None, None);
    let kinds: Vec<&str> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .filter(|k| *k != "assigned")
        .collect();
    assert_eq!(kinds, ["started", "message", "message"]);
    // A stranger's typing and read marks are refused.
    assert_eq!(
        shopper(&base, &id, "wrong-token", "typing", json!({})).0,
        404
    );
    assert_eq!(
        shopper(&base, &id, "wrong-token", "read", json!({"seq": 1})).0,
        404
    );
}

/// Typing on an instance reaches an agent whose page is on another.
#[test]
fn signals_cross_instances() {
    let db = TestDb::new(Backend::Postgres);
    let (a, b) = (shop(&db, Routing::default()), shop(&db, Routing::default()));
    let mut ana = Desk::open(
        &a,
        add(&db.location, "Ana", "ana@shop.example", Role::Agent),
        "ana@shop.example",
    );
    let (id, token, _) = start_chat(&b);
    let page = ana.page.as_mut().unwrap();
    assert_eq!(next(page)["type"], "started");
    assert_eq!(shopper(&b, &id, &token, "typing", json!({})).0, 204);
    assert_eq!(next(page)["type"], "typing");
}

//! Live chat over a real listener on 127.0.0.1:0: a shopper's conversation from start
//! to end with an agent on the other side, both event streams, and every refusal.

mod common;

use common::client::{call, said, ticketed, uuid, Stream, STORE};
use common::{on_both, Backend, TestDb, Tokens};
use serde_json::json;

const AGENT: &str = "test-agent-token-0123456789";

on_both!(
    a_shopper_and_an_agent_talk_until_the_agent_ends_the_chat,
    an_agent_message_with_a_shoppers_id_is_another_message,
    a_reconnecting_stream_resumes_after_the_last_event_it_saw,
    refusals_say_what_is_wrong_and_change_nothing,
    without_any_agent_chat_is_off_and_says_how_to_turn_it_on,
);

struct Server {
    base: String,
    _db: TestDb,
}

fn start(backend: Backend, agent_token: Option<&str>) -> Server {
    let db = TestDb::new(backend);
    let tokens = Tokens {
        admin: None,
        agent: agent_token.map(str::to_string),
    };
    let base = common::listen(
        common::config(db.dir.path()),
        common::shopfront(&[STORE], None),
        &db.location,
        tokens,
    );
    Server { base, _db: db }
}

fn a_shopper_and_an_agent_talk_until_the_agent_ends_the_chat(backend: Backend) {
    let s = start(backend, Some(AGENT));
    let agent_url = ticketed(&format!("{}/v1/agent/events", s.base), AGENT);
    let (_, agents) = Stream::open(&agent_url, None);
    let mut agents = agents.unwrap();
    let handoff = json!({
        "page_url": "https://shop.example/checkout",
        "page_title": "Checkout",
        "locale": "de",
        "searched": ["rücksendung", "return label"],
        "read": [{"id": "returns", "title": "Returns and refunds"}],
        "context": {"cart": 2},
    });
    let (status, cors, started) = call(
        "POST",
        &format!("{}/v1/chat", s.base),
        None,
        Some(STORE),
        Some(handoff.clone()),
    );
    assert_eq!(status, 201, "{started}");
    assert_eq!(cors.as_deref(), Some(STORE));
    assert_eq!(
        started["agents_online"], 1,
        "the agent page's stream counts"
    );
    let id = started["id"].as_str().unwrap().to_string();
    let token = started["token"].as_str().unwrap().to_string();
    // The agent sees the handoff as it was sent.
    let first = agents.next().unwrap();
    assert_eq!(
        (first["type"].as_str(), first["conversation"].as_str()),
        (Some("started"), Some(id.as_str()))
    );
    assert_eq!(first["handoff"], handoff);

    let messages = format!("{}/v1/chat/{id}/messages", s.base);
    let hello = json!({"id": uuid(1), "body": "Where is my return label?"});
    let (status, _, stored) = call(
        "POST",
        &messages,
        Some(&token),
        Some(STORE),
        Some(hello.clone()),
    );
    assert_eq!(status, 201);
    // A retry of the same message is acknowledged with the same event, not repeated.
    let (status, _, again) = call("POST", &messages, Some(&token), Some(STORE), Some(hello));
    assert_eq!((status, &again), (200, &stored));
    assert_eq!(
        said(&agents.next().unwrap()),
        "shopper: Where is my return label?"
    );

    let reply = json!({"id": uuid(2), "body": "I have sent it to you by e-mail."});
    let agent_messages = format!("{}/v1/agent/conversations/{id}/messages", s.base);
    assert_eq!(
        call("POST", &agent_messages, Some(AGENT), None, Some(reply)).0,
        201
    );
    assert_eq!(
        said(&agents.next().unwrap()),
        "agent: I have sent it to you by e-mail."
    );

    // The shopper's stream: everything so far, in order, then the end.
    let shopper_url = format!("{}/v1/chat/{id}/events", s.base);
    let (_, shopper) = Stream::open(&ticketed(&shopper_url, &token), None);
    let mut shopper = shopper.unwrap();
    let seen: Vec<String> = (0..3).map(|_| said(&shopper.next().unwrap())).collect();
    assert_eq!(
        seen,
        [
            "started",
            "shopper: Where is my return label?",
            "agent: I have sent it to you by e-mail."
        ]
    );
    let close = format!("{}/v1/agent/conversations/{id}/close", s.base);
    assert_eq!(call("POST", &close, Some(AGENT), None, None).0, 204);
    assert_eq!(said(&shopper.next().unwrap()), "closed by agent");
    assert!(
        shopper.next().is_none(),
        "the shopper's stream ends with the conversation"
    );
    assert_eq!(said(&agents.next().unwrap()), "closed by agent");

    // Nothing more can be said; a late reconnect still learns that it ended.
    let late = json!({"id": uuid(3), "body": "one more thing"});
    assert_eq!(
        call("POST", &messages, Some(&token), Some(STORE), Some(late)).0,
        409
    );
    let (_, reconnect) = Stream::open(&ticketed(&shopper_url, &token), Some(1_000_000));
    let mut reconnect = reconnect.unwrap();
    assert_eq!(said(&reconnect.next().unwrap()), "closed by agent");
    assert!(reconnect.next().is_none());

    // The agent page's list and history.
    let (status, _, list) = call(
        "GET",
        &format!("{}/v1/agent/conversations", s.base),
        Some(AGENT),
        None,
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(list["conversations"][0]["id"], id.as_str());
    assert!(list["conversations"][0]["closed_at"].is_i64());
    let (_, _, history) = call(
        "GET",
        &format!("{}/v1/agent/conversations/{id}", s.base),
        Some(AGENT),
        None,
        None,
    );
    assert_eq!(history["events"].as_array().unwrap().len(), 4);
}

/// Starts a conversation with an empty handoff; its id and the shopper's token.
fn open_conversation(s: &Server) -> (String, String) {
    let (id, token, _) = common::client::start_chat(&s.base);
    (id, token)
}

fn an_agent_message_with_a_shoppers_id_is_another_message(backend: Backend) {
    let s = start(backend, Some(AGENT));
    let (id, token) = open_conversation(&s);
    let (id, token) = (id.as_str(), token.as_str());
    // Each side makes its own ids; nothing stops two of them from being equal.
    let shared = uuid(7);
    let shopper = json!({"id": shared, "body": "Is the blue one in stock?"});
    let agent = json!({"id": shared, "body": "Yes, three left."});
    let shopper_url = format!("{}/v1/chat/{id}/messages", s.base);
    let agent_url = format!("{}/v1/agent/conversations/{id}/messages", s.base);
    let (status, _, first) = call(
        "POST",
        &shopper_url,
        Some(token),
        Some(STORE),
        Some(shopper),
    );
    assert_eq!(status, 201, "{first}");
    let (status, _, reply) = call("POST", &agent_url, Some(AGENT), None, Some(agent.clone()));
    assert_eq!(
        status, 201,
        "the agent's reply is stored, not taken for the shopper's: {reply}"
    );
    assert_ne!(reply["seq"], first["seq"]);
    assert_eq!(said(&reply), "agent: Yes, three left.");
    // The agent's retry is still recognised as the same message.
    let (status, _, again) = call("POST", &agent_url, Some(AGENT), None, Some(agent));
    assert_eq!((status, &again), (200, &reply));
    let (_, _, history) = call(
        "GET",
        &format!("{}/v1/agent/conversations/{id}", s.base),
        Some(AGENT),
        None,
        None,
    );
    let said_all: Vec<String> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(said)
        .collect();
    assert_eq!(
        said_all,
        [
            "started",
            "shopper: Is the blue one in stock?",
            "agent: Yes, three left."
        ]
    );
}

fn a_reconnecting_stream_resumes_after_the_last_event_it_saw(backend: Backend) {
    let s = start(backend, Some(AGENT));
    let (id, token) = open_conversation(&s);
    let (id, token) = (id.as_str(), token.as_str());
    let messages = format!("{}/v1/chat/{id}/messages", s.base);
    let mut seqs = Vec::new();
    for n in 1..=3 {
        let (_, _, e) = call(
            "POST",
            &messages,
            Some(token),
            None,
            Some(json!({"id": uuid(n), "body": format!("message {n}")})),
        );
        seqs.push(e["seq"].as_i64().unwrap());
    }
    let url = format!("{}/v1/chat/{id}/events", s.base);
    let (_, stream) = Stream::open(&ticketed(&url, token), Some(seqs[0]));
    let mut stream = stream.unwrap();
    assert_eq!(said(&stream.next().unwrap()), "shopper: message 2");
    assert_eq!(said(&stream.next().unwrap()), "shopper: message 3");
    // `?after=` does the same for clients that start fresh.
    let (_, stream) = Stream::open(&ticketed(&format!("{url}?after={}", seqs[1]), token), None);
    assert_eq!(said(&stream.unwrap().next().unwrap()), "shopper: message 3");
}

fn refusals_say_what_is_wrong_and_change_nothing(backend: Backend) {
    let s = start(backend, Some(AGENT));
    let chat = format!("{}/v1/chat", s.base);
    let (status, _, e) = call(
        "POST",
        &chat,
        None,
        Some("https://evil.example"),
        Some(json!({})),
    );
    assert_eq!(status, 403);
    assert!(
        e["error"].as_str().unwrap().contains("--allow-origin"),
        "{e}"
    );
    let (status, _, e) = call(
        "POST",
        &chat,
        None,
        None,
        Some(json!({"page_url": "javascript:alert(1)"})),
    );
    assert_eq!((status, e["field"].as_str()), (400, Some("page_url")));
    let (status, _, e) = call(
        "POST",
        &chat,
        None,
        None,
        Some(json!({"searched": "shoes"})),
    );
    assert_eq!(
        (status, e["field"].as_str()),
        (400, Some("searched")),
        "{e}"
    );
    let big = json!({"context": {"notes": "x".repeat(20_000)}});
    assert_eq!(call("POST", &chat, None, None, Some(big)).0, 413);
    let plain = ureq::post(&chat)
        .set("Content-Type", "text/plain")
        .send_string("{}");
    assert!(matches!(plain, Err(ureq::Error::Status(415, _))));

    let (_, _, started) = call("POST", &chat, None, None, Some(json!({})));
    let id = started["id"].as_str().unwrap();
    let messages = format!("{}/v1/chat/{id}/messages", s.base);
    let hello = json!({"id": uuid(1), "body": "hi"});
    assert_eq!(
        call("POST", &messages, None, None, Some(hello.clone())).0,
        401
    );
    assert_eq!(
        call(
            "POST",
            &messages,
            Some("not-the-token"),
            None,
            Some(hello.clone())
        )
        .0,
        404
    );
    let (status, _, e) = call(
        "POST",
        &messages,
        Some(started["token"].as_str().unwrap()),
        None,
        Some(json!({"id": uuid(2), "body": ""})),
    );
    assert_eq!((status, e["field"].as_str()), (400, Some("body")));
    // Streams: no credential in the URL, and a ticket opens one stream once.
    let events = format!("{}/v1/chat/{id}/events", s.base);
    let (code, _) = Stream::open(&format!("{events}?token=wrong"), None);
    assert_eq!(code, 400);
    let (code, _) = Stream::open(&format!("{events}?ticket=made-up"), None);
    assert_eq!(code, 401);
    let once = ticketed(&events, started["token"].as_str().unwrap());
    assert_eq!(Stream::open(&once, None).0, 200);
    assert_eq!(
        Stream::open(&once, None).0,
        401,
        "a ticket opened a second stream"
    );
    // Another conversation's key opens none of this one's endpoints, stream included.
    let (_, _, other) = call("POST", &chat, None, None, Some(json!({})));
    let other_key = other["token"].as_str().unwrap();
    for (path, body) in [
        ("messages", Some(hello.clone())),
        ("typing", None),
        ("read", Some(json!({"seq": 1}))),
        ("tickets", None),
        ("close", None),
    ] {
        let url = format!("{}/v1/chat/{id}/{path}", s.base);
        assert_eq!(
            call("POST", &url, Some(other_key), None, body).0,
            404,
            "{path}"
        );
    }
    let others_ticket = ticketed(
        &format!(
            "{}/v1/chat/{}/events",
            s.base,
            other["id"].as_str().unwrap()
        ),
        other_key,
    );
    let ticket = others_ticket.split("ticket=").nth(1).unwrap();
    assert_eq!(
        Stream::open(&format!("{events}?ticket={ticket}"), None).0,
        401
    );
    let bearer = format!("Bearer {other_key}");
    assert_eq!(
        Stream::open_with(&events, &[("Authorization", &bearer)]).0,
        404
    );

    // A wrong agent credential opens no agent endpoint.
    let agent = |path: &str| format!("{}/v1/agent/{path}", s.base);
    for (method, path) in [
        ("GET", "conversations".to_string()),
        ("GET", format!("conversations/{id}")),
        ("POST", format!("conversations/{id}/messages")),
        ("POST", format!("conversations/{id}/close")),
        ("POST", format!("conversations/{id}/take")),
        ("POST", format!("conversations/{id}/typing")),
        ("POST", format!("conversations/{id}/read")),
        ("POST", format!("conversations/{id}/assign")),
        ("GET", "agents".to_string()),
        ("POST", "tickets".to_string()),
        ("GET", "events".to_string()),
        ("GET", "canned".to_string()),
        ("GET", "accounts".to_string()),
        ("PUT", "presence".to_string()),
    ] {
        let url = agent(&path);
        assert_eq!(call(method, &url, None, None, None).0, 401, "{path}");
        assert_eq!(
            call(method, &url, Some("wrong-token-wrong-token"), None, None).0,
            401,
            "{path}"
        );
    }
    assert_eq!(
        Stream::open(&format!("{}?ticket=made-up", agent("events")), None).0,
        401
    );
    let (status, _, list) = call(
        "GET",
        &format!("{}/v1/agent/conversations", s.base),
        Some(AGENT),
        None,
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(
        list["conversations"].as_array().unwrap().len(),
        2,
        "both still open"
    );
    let missing = format!("{}/v1/agent/conversations/{}/messages", s.base, uuid(9));
    assert_eq!(
        call(
            "POST",
            &missing,
            Some(AGENT),
            None,
            Some(json!({"id": uuid(3), "body": "hi"}))
        )
        .0,
        404
    );
}

fn without_any_agent_chat_is_off_and_says_how_to_turn_it_on(backend: Backend) {
    let s = start(backend, None);
    let (status, cors, e) = call(
        "POST",
        &format!("{}/v1/chat", s.base),
        None,
        Some(STORE),
        Some(json!({})),
    );
    assert_eq!(status, 503);
    assert_eq!(
        cors.as_deref(),
        Some(STORE),
        "the widget must be able to read why"
    );
    let message = e["error"].as_str().unwrap();
    assert!(
        message.contains("agent add") && message.contains("--agent-token"),
        "{e}"
    );
    // A token the server was not given opens nothing.
    assert_eq!(
        call(
            "GET",
            &format!("{}/v1/agent/conversations", s.base),
            Some(AGENT),
            None,
            None
        )
        .0,
        401
    );
}

#[test]
fn the_openapi_document_describes_the_chat() {
    let s = start(Backend::Sqlite, Some(AGENT));
    let (_, _, doc) = call(
        "GET",
        &format!("{}/v1/openapi.json", s.base),
        None,
        None,
        None,
    );
    for path in [
        "/v1/chat",
        "/v1/chat/{id}/messages",
        "/v1/chat/{id}/close",
        "/v1/chat/{id}/events",
        "/v1/agent/conversations",
        "/v1/agent/conversations/{id}",
        "/v1/agent/conversations/{id}/messages",
        "/v1/agent/conversations/{id}/close",
        "/v1/agent/conversations/{id}/take",
        "/v1/agent/conversations/{id}/assign",
        "/v1/agent/conversations/{id}/typing",
        "/v1/agent/conversations/{id}/read",
        "/v1/chat/{id}/typing",
        "/v1/chat/{id}/read",
        "/v1/agent/agents",
        "/v1/agent/canned",
        "/v1/agent/canned/{id}",
        "/v1/agent/accounts",
        "/v1/agent/events",
        "/v1/chat/availability",
        "/v1/chat/resume",
    ] {
        assert!(
            doc["paths"][path].is_object(),
            "{path} is not in openapi.json"
        );
    }
    // Every field the wire types write is documented.
    let handoff = serde_json::to_value(shopdesk_wire::chat::Handoff {
        page_url: Some("https://shop.example/".into()),
        page_title: Some("t".into()),
        locale: Some("en".into()),
        searched: vec!["q".into()],
        read: vec![],
        identity: Some(json!({})),
        context: Some(json!({})),
        visitor_id: Some("v".into()),
        name: Some("Ben".into()),
        email: Some("ben@example.com".into()),
        time_zone: Some("Europe/Berlin".into()),
        transcript: true,
        suggested: vec![shopdesk_wire::chat::ArticleRef {
            id: "a".into(),
            title: "A".into(),
        }],
        start_key: Some("k".into()),
        verified: Some(true),
    })
    .unwrap();
    for field in handoff.as_object().unwrap().keys() {
        assert!(
            doc["components"]["schemas"]["Handoff"]["properties"][field].is_object(),
            "Handoff.{field} is not in openapi.json"
        );
    }
    let summary = serde_json::to_value(shopdesk_wire::chat::Summary {
        id: "c".into(),
        started_at: 0,
        closed_at: Some(1),
        handoff: shopdesk_wire::chat::Handoff::default(),
        assigned: Some(shopdesk_wire::chat::Assignee {
            id: "a".into(),
            name: "Ana".into(),
        }),
        shopper_read: 1,
        agent_read: 1,
        offline: true,
    })
    .unwrap();
    for field in summary.as_object().unwrap().keys() {
        assert!(
            doc["components"]["schemas"]["Summary"]["properties"][field].is_object(),
            "Summary.{field} is not in openapi.json"
        );
    }
    let available = serde_json::to_value(shopdesk_wire::chat::Availability {
        live: false,
        in_hours: false,
        agents_online: 0,
        next_open: Some(1),
        away_message: Some("Back soon".into()),
        off: true,
    })
    .unwrap();
    for field in available.as_object().unwrap().keys() {
        assert!(
            doc["components"]["schemas"]["Availability"]["properties"][field].is_object(),
            "Availability.{field} is not in openapi.json"
        );
    }
    let mail = serde_json::to_value(shopdesk_wire::chat::MailState {
        kind: "reply".into(),
        seq: 1,
        to: "ben@example.com".into(),
        status: "pending".into(),
        attempts: 1,
        error: Some("down".into()),
        next_attempt: Some(2),
        sent_at: Some(3),
    })
    .unwrap();
    for field in mail.as_object().unwrap().keys() {
        assert!(
            doc["components"]["schemas"]["MailState"]["properties"][field].is_object(),
            "MailState.{field} is not in openapi.json"
        );
    }
}

//! Who handles which conversation, over a real listener: round-robin routing up to the
//! cap, "Take it", hand-over, the refusals, and conversations taken back from agents
//! who left or stayed silent; on both backends, and across two instances.

mod common;

use std::time::{Duration, Instant};

use common::client::{call, start_chat, ticketed, uuid, Stream, STORE};
use common::instance::AGENT;
use common::staff::{add, shop, Desk};
use common::{on_both, Backend, TestDb};
use serde_json::{json, Value};
use shopdesk_server::agents::accounts::Role;
use shopdesk_server::chat::routing::Routing;

on_both!(
    waiting_conversations_go_to_available_agents_in_turn_up_to_the_cap,
    agents_take_hand_over_and_are_refused_what_is_not_theirs,
    a_silent_or_departed_agent_loses_the_conversation,
    a_conversation_the_shopper_left_after_an_answer_closes,
    the_list_pages_through_ended_conversations_and_searches,
);

/// Who handles each conversation now, by the agents' list (`None`: the queue).
fn handlers(base: &str) -> Vec<(String, Option<String>)> {
    let (status, _, list) = call(
        "GET",
        &format!("{base}/v1/agent/conversations"),
        Some(AGENT),
        None,
        None,
    );
    assert_eq!(status, 200, "{list}");
    list["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["closed_at"].is_null())
        .map(|c| {
            let who = c["assigned"]["name"].as_str().map(str::to_string);
            (c["id"].as_str().unwrap().to_string(), who)
        })
        .collect()
}

/// Waits until `ok` holds of the list of handlers.
fn until(base: &str, what: &str, ok: impl Fn(&[(String, Option<String>)]) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let now = handlers(base);
        if ok(&now) {
            return;
        }
        assert!(Instant::now() < deadline, "{what}: still {now:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// How many conversations each named agent handles.
fn load(handlers: &[(String, Option<String>)], name: &str) -> usize {
    handlers
        .iter()
        .filter(|(_, who)| who.as_deref() == Some(name))
        .count()
}

fn waiting_conversations_go_to_available_agents_in_turn_up_to_the_cap(backend: Backend) {
    let db = TestDb::new(backend);
    let base = shop(
        &db,
        Routing {
            cap: 2,
            ..Routing::default()
        },
    );
    let ana = add(&db.location, "Ana", "ana@shop.example", Role::Agent);
    let ben = add(&db.location, "Ben", "ben@shop.example", Role::Agent);
    // Cy has an account but no page open: never given anything.
    add(&db.location, "Cy", "cy@shop.example", Role::Agent);
    let ana = Desk::open(&base, ana, "ana@shop.example");
    let _ben = Desk::open(&base, ben, "ben@shop.example");

    let first = start_chat(&base).0;
    until(&base, "the first conversation is routed", |h| {
        h.iter().any(|(id, who)| id == &first && who.is_some())
    });
    for _ in 0..4 {
        start_chat(&base);
    }
    until(&base, "four routed, one waiting", |h| {
        load(h, "Ana") == 2
            && load(h, "Ben") == 2
            && h.iter().filter(|(_, w)| w.is_none()).count() == 1
    });
    let now = handlers(&base);
    // In turn: the second conversation went to whoever did not get the first.
    let names: Vec<_> = now[..4].iter().map(|(_, w)| w.clone().unwrap()).collect();
    assert_ne!(names[0], names[1], "{names:?}");
    assert_eq!(load(&now, "Cy"), 0);

    // An ended conversation frees a place: the waiting one is routed at once.
    let (status, _, _) = call(
        "POST",
        &format!("{base}/v1/agent/conversations/{}/close", now[0].0),
        Some(AGENT),
        None,
        None,
    );
    assert_eq!(status, 204);
    until(
        &base,
        "the waiting conversation takes the freed place",
        |h| h.len() == 4 && h.iter().all(|(_, w)| w.is_some()),
    );

    // Ana puts one of hers back: it waits for someone else, not straight back to her.
    let hers = handlers(&base)
        .into_iter()
        .find(|(_, w)| w.as_deref() == Some("Ana"))
        .unwrap()
        .0;
    let back = ana.post(
        &format!("{base}/v1/agent/conversations/{hers}/assign"),
        json!({"to": null}),
    );
    assert_eq!(back.status, 200, "{}", back.body);
    std::thread::sleep(Duration::from_millis(2_500));
    let now = handlers(&base);
    assert_eq!(load(&now, "Ana"), 1, "{now:?}");
    assert!(
        now.iter().any(|(id, w)| id == &hers && w.is_none()),
        "{now:?}"
    );
}

fn agents_take_hand_over_and_are_refused_what_is_not_theirs(backend: Backend) {
    let db = TestDb::new(backend);
    // Nothing routed: agents take conversations themselves.
    let base = shop(
        &db,
        Routing {
            cap: 0,
            ..Routing::default()
        },
    );
    let ana = Desk::open(
        &base,
        add(&db.location, "Ana", "ana@shop.example", Role::Agent),
        "ana@shop.example",
    );
    let ben = Desk::open(
        &base,
        add(&db.location, "Ben", "ben@shop.example", Role::Agent),
        "ben@shop.example",
    );
    let dee = Desk::open(
        &base,
        add(&db.location, "Dee", "dee@shop.example", Role::Admin),
        "dee@shop.example",
    );
    let cy = add(&db.location, "Cy", "cy@shop.example", Role::Agent);
    let (id, token, _) = start_chat(&base);
    let url = |what: &str| format!("{base}/v1/agent/conversations/{id}/{what}");
    let mut shopper = Stream::open(
        &ticketed(&format!("{base}/v1/chat/{id}/events"), &token),
        None,
    )
    .1
    .unwrap();
    assert_eq!(shopper.next().unwrap()["type"], "started");

    // Ana takes it; the shopper learns who answers.
    let taken = ana.post(&url("take"), json!({}));
    assert_eq!(taken.status, 200, "{}", taken.body);
    assert_eq!(taken.body["to"]["name"], "Ana");
    assert_eq!(taken.body["why"]["reason"], "taken");
    let seen = shopper.next().unwrap();
    assert_eq!(
        (seen["type"].as_str(), seen["to"]["name"].as_str()),
        (Some("assigned"), Some("Ana"))
    );
    assert_eq!(
        ana.post(&url("take"), json!({})).status,
        204,
        "hers already"
    );

    // Ben may neither take it, nor answer in it, nor give it away.
    for (what, body) in [
        ("take", json!({})),
        ("messages", json!({"id": uuid(1), "body": "I can help"})),
        ("assign", json!({"to": ben.id})),
    ] {
        let refused = ben.post(&url(what), body);
        assert_eq!(refused.status, 409, "{what}: {}", refused.body);
        assert_eq!(
            refused.body["error"], "Ana handles this conversation; ask them to hand it over",
            "{what}"
        );
    }

    // Not to an offline colleague, nor to nobody in particular.
    let offline = ana.post(&url("assign"), json!({"to": cy}));
    assert_eq!(offline.status, 409);
    assert!(
        offline.body["error"]
            .as_str()
            .unwrap()
            .starts_with("Cy is offline"),
        "{}",
        offline.body
    );
    let unknown = ana.post(&url("assign"), json!({"to": "no-such-agent"}));
    assert_eq!(unknown.status, 409);
    assert!(unknown.body["error"].as_str().unwrap().contains("no agent"));
    let bad = ana.post(&url("assign"), json!({"to": 7}));
    assert_eq!(bad.status, 400, "{}", bad.body);

    // Ana hands it to Ben, who answers under his name.
    let handed = ana.post(&url("assign"), json!({"to": ben.id}));
    assert_eq!(handed.status, 200, "{}", handed.body);
    assert_eq!(handed.body["why"], json!({"reason": "handed", "by": "Ana"}));
    let said = ben.post(&url("messages"), json!({"id": uuid(2), "body": "Ben here"}));
    assert_eq!(said.status, 201, "{}", said.body);
    assert_eq!(shopper.next().unwrap()["to"]["name"], "Ben");
    let reply = shopper.next().unwrap();
    assert_eq!(
        (reply["body"].as_str(), reply["name"].as_str()),
        (Some("Ben here"), Some("Ben"))
    );

    // An admin takes over; Ben puts nothing back he no longer has.
    let over = dee.post(&url("take"), json!({}));
    assert_eq!(over.status, 200, "{}", over.body);
    assert_eq!(ben.post(&url("assign"), json!({"to": null})).status, 409);
    // Back to the queue, from where a reply takes it.
    let queued = dee.post(&url("assign"), json!({"to": null}));
    assert_eq!(queued.status, 200);
    assert!(queued.body["to"].is_null());
    let replied = ana.post(
        &url("messages"),
        json!({"id": uuid(3), "body": "Ana again"}),
    );
    assert_eq!(replied.status, 201);
    let kinds: Vec<String> = (0..4)
        .map(|_| {
            let e = shopper.next().unwrap();
            format!(
                "{} {}",
                e["type"].as_str().unwrap(),
                e["to"]["name"].as_str().unwrap_or("-")
            )
        })
        .collect();
    assert_eq!(
        kinds,
        ["assigned Dee", "assigned -", "assigned Ana", "message -"]
    );

    // The automation token is nobody: it routes by id, it cannot "take".
    let (status, _, refusal) = call("POST", &url("take"), Some(AGENT), None, Some(json!({})));
    assert_eq!(status, 409, "{refusal}");
    let (status, _, _) = call(
        "POST",
        &url("assign"),
        Some(AGENT),
        None,
        Some(json!({"to": ben.id})),
    );
    assert_eq!(status, 200);

    // Colleagues, with who is online and how busy.
    let (status, _, colleagues) = call(
        "GET",
        &format!("{base}/v1/agent/agents"),
        Some(AGENT),
        None,
        None,
    );
    assert_eq!(status, 200);
    let line = |name: &str| {
        let c = colleagues["agents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap()
            .clone();
        (
            c["online"].as_bool().unwrap(),
            c["handling"].as_u64().unwrap(),
        )
    };
    assert_eq!(line("Ben"), (true, 1));
    assert_eq!(line("Cy"), (false, 0));

    // An ended conversation changes hands no more.
    let (status, _, _) = call("POST", &url("close"), Some(AGENT), None, None);
    assert_eq!(status, 204);
    let late = ben.post(&url("assign"), json!({"to": null}));
    assert_eq!(late.status, 409);
    assert_eq!(
        late.body["error"],
        "this conversation has ended; start a new one"
    );
}

fn a_silent_or_departed_agent_loses_the_conversation(backend: Backend) {
    let db = TestDb::new(backend);
    let base = shop(
        &db,
        Routing {
            cap: 1,
            requeue_after_ms: 1_500,
            offline_after_ms: 1_000,
            ..Routing::default()
        },
    );
    let ana = Desk::open(
        &base,
        add(&db.location, "Ana", "ana@shop.example", Role::Agent),
        "ana@shop.example",
    );
    let (id, token, _) = start_chat(&base);
    let mut shopper = Stream::open(
        &ticketed(&format!("{base}/v1/chat/{id}/events"), &token),
        None,
    )
    .1
    .unwrap();
    let mut next_assignment = || loop {
        let e = shopper.next().unwrap();
        if e["type"] == "assigned" {
            let to = e["to"]["name"].as_str().unwrap_or("queue").to_string();
            return format!("{to} ({})", e["why"]["reason"].as_str().unwrap());
        }
    };
    assert_eq!(next_assignment(), "Ana (routed)");

    // Answered in time: it stays.
    let say = |n: u32| {
        let (status, _, _) = call(
            "POST",
            &format!("{base}/v1/chat/{id}/messages"),
            Some(&token),
            Some(STORE),
            Some(json!({"id": uuid(n), "body": "hello?"})),
        );
        assert_eq!(status, 201);
    };
    say(1);
    let url = format!("{base}/v1/agent/conversations/{id}/messages");
    assert_eq!(
        ana.post(&url, json!({"id": uuid(2), "body": "Hi!"})).status,
        201
    );
    std::thread::sleep(Duration::from_millis(2_500));
    until(&base, "answered: still Ana's", |h| load(h, "Ana") == 1);

    // Unanswered: back to the queue, and to Ben, not to Ana again.
    let mut ben = Desk::open(
        &base,
        add(&db.location, "Ben", "ben@shop.example", Role::Agent),
        "ben@shop.example",
    );
    say(3);
    assert_eq!(next_assignment(), "queue (unanswered)");
    assert_eq!(next_assignment(), "Ben (routed)");

    // Ben closes his page: once he is gone, it goes back to Ana.
    ben.leave();
    assert_eq!(next_assignment(), "queue (offline)");
    assert_eq!(next_assignment(), "Ana (routed)");
    drop(ana);
}

fn a_conversation_the_shopper_left_after_an_answer_closes(backend: Backend) {
    let db = TestDb::new(backend);
    let base = shop(
        &db,
        Routing {
            idle_close_ms: 1_500,
            ..Routing::default()
        },
    );
    let ana = Desk::open(
        &base,
        add(&db.location, "Ana", "ana@shop.example", Role::Agent),
        "ana@shop.example",
    );
    let talk = |n: u32, answered: bool| {
        let (id, token, _) = start_chat(&base);
        let (status, _, _) = call(
            "POST",
            &format!("{base}/v1/chat/{id}/messages"),
            Some(&token),
            Some(STORE),
            Some(json!({"id": uuid(n), "body": "Is it in stock?"})),
        );
        assert_eq!(status, 201);
        if answered {
            let url = format!("{base}/v1/agent/conversations/{id}/messages");
            let reply = ana.post(&url, json!({"id": uuid(n + 1), "body": "Yes!"}));
            assert_eq!(reply.status, 201);
        }
        (id, token)
    };
    let (left, token) = talk(1, true);
    // Waiting for an answer: never closed for silence, however long.
    let (waiting, _) = talk(3, false);
    let mut shopper = Stream::open(
        &ticketed(&format!("{base}/v1/chat/{left}/events"), &token),
        None,
    )
    .1
    .unwrap();
    let closed = loop {
        let e = shopper
            .next()
            .expect("the stream ended without a closed event");
        if e["type"] == "closed" {
            break e;
        }
    };
    assert_eq!(
        (closed["by"].as_str(), closed["idle"].as_bool()),
        (Some("agent"), Some(true))
    );
    assert!(
        shopper.next().is_none(),
        "the conversation's stream ends with it"
    );
    until(&base, "the waiting conversation stays open", |h| {
        h.len() == 1 && h[0].0 == waiting
    });
    // Nothing more can be said in it; the shopper is told plainly.
    let (status, _, refusal) = call(
        "POST",
        &format!("{base}/v1/chat/{left}/messages"),
        Some(&token),
        Some(STORE),
        Some(json!({"id": uuid(9), "body": "Hello?"})),
    );
    assert_eq!(status, 409);
    assert_eq!(
        refusal["error"],
        "this conversation has ended; start a new one"
    );
}

fn the_list_pages_through_ended_conversations_and_searches(backend: Backend) {
    let db = TestDb::new(backend);
    let base = shop(&db, Routing::default());
    let mut ids = Vec::new();
    for i in 0..25 {
        let handoff = json!({
            "identity": {"name": format!("Shopper {i}"), "email": format!("s{i}@mail.example")},
            "context": {"order": format!("A-100{i}")},
        });
        let (status, _, started) = call(
            "POST",
            &format!("{base}/v1/chat"),
            None,
            Some(STORE),
            Some(handoff),
        );
        assert_eq!(status, 201);
        let (id, token) = (
            started["id"].as_str().unwrap().to_string(),
            started["token"].as_str().unwrap().to_string(),
        );
        let (status, _, _) = call(
            "POST",
            &format!("{base}/v1/chat/{id}/messages"),
            Some(&token),
            Some(STORE),
            Some(json!({"id": uuid(i), "body": format!("hello {i}: {i}% off?")})),
        );
        assert_eq!(status, 201);
        if i >= 2 {
            let (status, _, _) = call(
                "POST",
                &format!("{base}/v1/agent/conversations/{id}/close"),
                Some(AGENT),
                None,
                None,
            );
            assert_eq!(status, 204);
        }
        ids.push(id);
    }
    let list = |query: &str| {
        let (status, _, list) = call(
            "GET",
            &format!("{base}/v1/agent/conversations{query}"),
            Some(AGENT),
            None,
            None,
        );
        (status, list)
    };
    let names = |list: &Value| -> Vec<String> {
        list["conversations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                c["handoff"]["identity"]["name"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    let (_, first) = list("");
    let shown = first["conversations"].as_array().unwrap();
    assert_eq!(shown.len(), 22, "two open, the latest twenty ended");
    // The next page starts after the last ended one shown, and says when it ends.
    let last = &shown[21];
    let after = format!(
        "?ended_before={}&before_id={}",
        last["closed_at"].as_i64().unwrap(),
        last["id"].as_str().unwrap()
    );
    let (_, page) = list(&format!("{after}&limit=2"));
    assert_eq!(names(&page), ["Shopper 4", "Shopper 3"]);
    assert_eq!(page["more"], true);
    let (_, rest) = list(&after);
    assert_eq!(names(&rest), ["Shopper 4", "Shopper 3", "Shopper 2"]);
    assert_eq!(rest["more"], false);
    // Search: the order number in the handoff, the shopper's email, a message's words.
    let (_, order) = list("?q=a-10012");
    assert_eq!(names(&order), ["Shopper 12"]);
    let (_, email) = list("?q=S7%40MAIL.example");
    assert_eq!(names(&email), ["Shopper 7"]);
    let (_, said) = list("?q=hello%2021");
    assert_eq!(names(&said), ["Shopper 21"]);
    let (_, many) = list("?q=shopper%201&limit=5");
    assert_eq!(many["conversations"].as_array().unwrap().len(), 5);
    assert_eq!(many["more"], true, "1 and 10 to 19 match");
    // Wildcards are text: "0%" is in every message, "0_" in none.
    let (_, percent) = list("?q=0%25%20off&limit=100");
    assert_eq!(
        percent["conversations"].as_array().unwrap().len(),
        3,
        "hello 0, 10, 20"
    );
    let (_, underscore) = list("?q=0_");
    assert!(names(&underscore).is_empty());
    let (status, short) = list("?q=x");
    assert_eq!(status, 400);
    assert_eq!(short["error"], "search for at least 2 characters");
    let _ = ids;
}

/// Two instances on one PostgreSQL: an agent whose page is on one is routed a
/// conversation started on the other, and neither exceeds the cap.
#[test]
fn routing_holds_across_instances() {
    let db = TestDb::new(Backend::Postgres);
    let routing = Routing {
        cap: 3,
        ..Routing::default()
    };
    let a = shop(&db, routing);
    let b = shop(&db, routing);
    let _ana = Desk::open(
        &a,
        add(&db.location, "Ana", "ana@shop.example", Role::Agent),
        "ana@shop.example",
    );
    for i in 0..6 {
        start_chat(if i % 2 == 0 { &a } else { &b });
    }
    until(&b, "Ana, on instance A, gets three from both", |h| {
        load(h, "Ana") == 3
    });
    std::thread::sleep(Duration::from_millis(2_500));
    let now = handlers(&a);
    assert_eq!(load(&now, "Ana"), 3, "never over the cap: {now:?}");
    assert_eq!(now.len(), 6);
}

//! Verified identities: a customer id the shop's backend signed is marked verified for
//! agents and opens the shopper's earlier conversations on any device; anything else
//! is marked unverified, or refused when the shop requires verification.

mod common;

use common::client::{call, uuid, STORE};
use common::{on_both, Backend, Extras, TestDb, Tokens};
use serde_json::{json, Value};
use shopdesk_server::chat::identity::{sign, Verifier};
use shopdesk_server::chat::routing::Routing;

on_both!(
    a_signed_identity_is_verified_and_a_forged_one_is_not,
    a_shop_that_requires_verification_refuses_unsigned_and_forged_identities,
    a_verified_shopper_sees_their_earlier_conversations_and_nobody_else_does,
);

const AGENT: &str = "identity-agent-token-0123456789";
const SECRET: &str = "the-shops-identity-secret-01";

struct Server {
    base: String,
    _db: TestDb,
}

fn serve(backend: Backend, required: bool) -> Server {
    let db = TestDb::new(backend);
    let base = common::listen_full(
        common::config(db.dir.path()),
        common::shopfront(&[STORE], None),
        &db.location,
        Tokens {
            agent: Some(AGENT.into()),
            ..Tokens::default()
        },
        Routing::default(),
        Extras {
            identities: Verifier {
                secret: Some(SECRET.into()),
                required,
            },
            ..Extras::default()
        },
    );
    Server { base, _db: db }
}

fn start(base: &str, identity: Value) -> (u16, Value) {
    let (status, _, body) = call(
        "POST",
        &format!("{base}/v1/chat"),
        None,
        Some(STORE),
        Some(json!({"identity": identity, "verified": true})),
    );
    (status, body)
}

fn handoff_of(base: &str, id: &str) -> Value {
    let (status, _, list) = call(
        "GET",
        &format!("{base}/v1/agent/conversations"),
        Some(AGENT),
        None,
        None,
    );
    assert_eq!(status, 200);
    list["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap()["handoff"]
        .clone()
}

fn a_signed_identity_is_verified_and_a_forged_one_is_not(backend: Backend) {
    let s = serve(backend, false);
    let (status, ok) = start(
        &s.base,
        json!({"id": "cus_42", "email": "ana@mail.example", "signature": sign(SECRET, "cus_42")}),
    );
    assert_eq!(status, 201, "{ok}");
    let handoff = handoff_of(&s.base, ok["id"].as_str().unwrap());
    assert_eq!(handoff["verified"], true);
    assert_eq!(
        handoff["identity"],
        json!({"id": "cus_42", "email": "ana@mail.example"}),
        "no signature kept"
    );

    // A page claiming someone else: shown, but marked, whatever it says of itself.
    let (status, forged) = start(
        &s.base,
        json!({"id": "cus_42", "signature": sign(SECRET, "cus_7")}),
    );
    assert_eq!(status, 201);
    assert_eq!(
        handoff_of(&s.base, forged["id"].as_str().unwrap())["verified"],
        false
    );
    let (_, unsigned) = start(&s.base, json!({"id": "cus_42", "name": "Ana"}));
    assert_eq!(
        handoff_of(&s.base, unsigned["id"].as_str().unwrap())["verified"],
        false
    );
    // Without an identity there is nothing to verify.
    let (_, _, anonymous) = call(
        "POST",
        &format!("{}/v1/chat", s.base),
        None,
        Some(STORE),
        Some(json!({"verified": true})),
    );
    assert!(handoff_of(&s.base, anonymous["id"].as_str().unwrap())
        .get("verified")
        .is_none());
}

fn a_shop_that_requires_verification_refuses_unsigned_and_forged_identities(backend: Backend) {
    let s = serve(backend, true);
    for identity in [
        json!({"id": "cus_42"}),
        json!({"id": "cus_42", "signature": sign(SECRET, "cus_43")}),
        json!({"id": "cus_42", "signature": sign("not-the-secret-at-all", "cus_42")}),
    ] {
        let (status, e) = start(&s.base, identity.clone());
        assert_eq!(
            (status, e["field"].as_str()),
            (403, Some("identity.signature")),
            "{identity}: {e}"
        );
    }
    let (status, _) = start(
        &s.base,
        json!({"id": "cus_42", "signature": sign(SECRET, "cus_42")}),
    );
    assert_eq!(status, 201);
    let (_, _, list) = call(
        "GET",
        &format!("{}/v1/agent/conversations", s.base),
        Some(AGENT),
        None,
        None,
    );
    assert_eq!(
        list["conversations"].as_array().unwrap().len(),
        1,
        "refusals stored nothing"
    );
}

fn history(base: &str, id: &str, signature: &str) -> (u16, Value) {
    let (status, _, body) = call(
        "POST",
        &format!("{base}/v1/chat/history"),
        None,
        Some(STORE),
        Some(json!({"id": id, "signature": signature})),
    );
    (status, body)
}

fn a_verified_shopper_sees_their_earlier_conversations_and_nobody_else_does(backend: Backend) {
    let s = serve(backend, false);
    let ana = |n: u32, text: &str| {
        let (_, started) = start(
            &s.base,
            json!({"id": "cus_42", "signature": sign(SECRET, "cus_42")}),
        );
        let id = started["id"].as_str().unwrap().to_string();
        let (status, _, _) = call(
            "POST",
            &format!("{}/v1/chat/{id}/messages", s.base),
            started["token"].as_str(),
            Some(STORE),
            Some(json!({"id": uuid(n), "body": text})),
        );
        assert_eq!(status, 201);
        id
    };
    let first = ana(1, "Where is my order 1234?");
    std::thread::sleep(std::time::Duration::from_millis(5));
    let second = ana(2, "Can I change the size?");
    // Someone claiming Ana without her signature, and another verified customer.
    start(
        &s.base,
        json!({"id": "cus_42", "signature": "00".repeat(32)}),
    );
    start(
        &s.base,
        json!({"id": "cus_7", "signature": sign(SECRET, "cus_7")}),
    );

    // On another device: the id and signature the shop's page gives identify.
    let (status, found) = history(&s.base, "cus_42", &sign(SECRET, "cus_42"));
    assert_eq!(status, 200, "{found}");
    let listed = found["conversations"].as_array().unwrap();
    let ids: Vec<&str> = listed.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [second.as_str(), first.as_str()],
        "newest first, only hers"
    );
    assert_eq!(listed[0]["preview"], "Can I change the size?");
    // Each comes with a key that opens it.
    let key = listed[1]["token"].as_str().unwrap();
    let (status, _, _) = call(
        "POST",
        &format!("{}/v1/chat/{first}/messages", s.base),
        Some(key),
        Some(STORE),
        Some(json!({"id": uuid(3), "body": "Any news?"})),
    );
    assert_eq!(status, 201);

    // A forged proof opens nothing; an unverified claim never sees hers.
    let (status, e) = history(&s.base, "cus_42", &sign(SECRET, "cus_7"));
    assert_eq!((status, e["field"].as_str()), (403, Some("signature")));
    assert_eq!(history(&s.base, "cus_42", "not hex").0, 403);
    let (_, other) = history(&s.base, "cus_7", &sign(SECRET, "cus_7"));
    assert_eq!(other["conversations"].as_array().unwrap().len(), 1);
}

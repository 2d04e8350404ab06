//! What the shop keeps about shoppers: page addresses without their queries, periods
//! after which feedback and ended conversations go, and erasure of one shopper (the
//! `forget` command of the real binary and the admin API).

mod common;

use std::process::Command;

use common::client::{call, uuid, STORE};
use common::{block_on, on_both, Backend, Extras, TestDb, Tokens};
use serde_json::{json, Value};
use shopdesk_server::chat::routing::Routing;
use shopdesk_server::db::Database;
use shopdesk_server::privacy::retention::{sweep, Retention};

on_both!(
    page_addresses_are_kept_without_their_query_unless_the_shop_keeps_them,
    forgetting_a_shopper_deletes_everything_about_them_and_nothing_else,
    retention_deletes_old_feedback_searches_and_ended_conversations_only,
);

const AGENT: &str = "privacy-agent-token-0123456789";
const ADMIN: &str = "privacy-admin-token-0123456789";
const PAGE: &str = "https://shop.example/orders/42?email=ana%40mail.example&reset=abc#top";

fn serve(db: &TestDb, keep_url_query: bool) -> String {
    common::listen_full(
        common::config(db.dir.path()),
        common::shopfront(&[STORE], None),
        &db.location,
        Tokens {
            admin: Some(ADMIN.into()),
            agent: Some(AGENT.into()),
        },
        Routing::default(),
        Extras {
            keep_url_query,
            ..Extras::default()
        },
    )
}

fn feedback(base: &str, n: u32, visitor: &str, created_at: &str) {
    let (status, _, body) = call(
        "POST",
        &format!("{base}/v1/feedback"),
        None,
        Some(STORE),
        Some(json!({
            "id": uuid(n), "kind": "csat", "score": 5, "created_at": created_at,
            "page_url": PAGE, "visitor_id": visitor,
        })),
    );
    assert_eq!(status, 201, "{body}");
}

/// A search session started at `started_at`, with one search.
fn search_session(base: &str, n: u32, started_at: &str) {
    let (status, _, body) = call(
        "POST",
        &format!("{base}/v1/searches"),
        None,
        Some(STORE),
        Some(json!({
            "id": uuid(n), "locale": "en", "started_at": started_at,
            "searches": [{"query": "klarna", "results": 0}],
        })),
    );
    assert_eq!(status, 201, "{body}");
}

fn start(base: &str, handoff: Value) -> (String, String) {
    let (status, _, started) = call(
        "POST",
        &format!("{base}/v1/chat"),
        None,
        Some(STORE),
        Some(handoff),
    );
    assert_eq!(status, 201, "{started}");
    (
        started["id"].as_str().unwrap().to_string(),
        started["token"].as_str().unwrap().to_string(),
    )
}

fn csv(base: &str) -> Vec<Vec<String>> {
    let text = ureq::get(&format!("{base}/v1/reports/feedback?format=csv"))
        .set("Authorization", &format!("Bearer {ADMIN}"))
        .call()
        .unwrap()
        .into_string()
        .unwrap();
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn conversations(base: &str) -> Vec<Value> {
    let (status, _, list) = call(
        "GET",
        &format!("{base}/v1/agent/conversations"),
        Some(AGENT),
        None,
        None,
    );
    assert_eq!(status, 200);
    list["conversations"].as_array().unwrap().clone()
}

fn page_addresses_are_kept_without_their_query_unless_the_shop_keeps_them(backend: Backend) {
    for (keep, expected) in [(false, "https://shop.example/orders/42"), (true, PAGE)] {
        let db = TestDb::new(backend);
        let base = serve(&db, keep);
        feedback(&base, 1, "v-1", "2026-11-20T12:00:00Z");
        assert_eq!(csv(&base)[0][7], expected, "feedback, keep={keep}");
        start(&base, json!({"page_url": PAGE}));
        let listed = conversations(&base);
        assert_eq!(
            listed[0]["handoff"]["page_url"], expected,
            "handoff, keep={keep}"
        );
    }
}

fn forgetting_a_shopper_deletes_everything_about_them_and_nothing_else(backend: Backend) {
    let db = TestDb::new(backend);
    let base = serve(&db, false);
    feedback(&base, 1, "ana-browser", "2026-11-20T12:00:00Z");
    feedback(&base, 2, "ana-browser", "2026-11-21T12:00:00Z");
    feedback(&base, 3, "ben-browser", "2026-11-21T12:00:00Z");
    let (ana_chat, ana_key) = start(&base, json!({"visitor_id": "ana-browser"}));
    for n in 0..3 {
        let (status, _, _) = call(
            "POST",
            &format!("{base}/v1/chat/{ana_chat}/messages"),
            Some(&ana_key),
            Some(STORE),
            Some(json!({"id": uuid(10 + n), "body": "my address is …"})),
        );
        assert_eq!(status, 201);
    }
    let (ben_chat, _) = start(
        &base,
        json!({"visitor_id": "ben-browser", "email": "Ben@Mail.example"}),
    );
    let (cleo_chat, _) = start(&base, json!({"email": "cleo@mail.example"}));

    // The real binary, on the same database.
    let out = Command::new(env!("CARGO_BIN_EXE_shopdesk-server"))
        .args([
            "forget",
            "--visitor",
            "ana-browser",
            "--database",
            &db.arg(),
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let erased: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        erased,
        json!({"conversations": 1, "messages": 4, "emails": 0, "feedback": 2})
    );
    let ids: Vec<String> = csv(&base).into_iter().map(|r| r[0].clone()).collect();
    assert_eq!(ids, [uuid(3)], "only Ben's feedback is left");
    let left: Vec<Value> = conversations(&base)
        .into_iter()
        .map(|c| c["id"].clone())
        .collect();
    assert!(
        !left.contains(&json!(ana_chat)) && left.len() == 2,
        "{left:?}"
    );

    // The admin API, by email, any case.
    let forget = |token: Option<&str>, body: Value| {
        call(
            "POST",
            &format!("{base}/v1/admin/forget"),
            token,
            None,
            Some(body),
        )
    };
    assert_eq!(forget(None, json!({"email": "ben@mail.example"})).0, 401);
    assert_eq!(
        forget(Some(AGENT), json!({"email": "ben@mail.example"})).0,
        401
    );
    let (status, _, e) = forget(Some(ADMIN), json!({}));
    assert_eq!(
        (status, e["field"].as_str()),
        (400, Some("visitor_id")),
        "{e}"
    );
    let (status, _, _) = forget(
        Some(ADMIN),
        json!({"email": "b@x.example", "visitor_id": "v"}),
    );
    assert_eq!(status, 400);
    let (status, _, erased) = forget(Some(ADMIN), json!({"email": "BEN@mail.example"}));
    assert_eq!(status, 200, "{erased}");
    assert_eq!(erased["conversations"], 1);
    let left: Vec<Value> = conversations(&base)
        .into_iter()
        .map(|c| c["id"].clone())
        .collect();
    assert_eq!(left, [json!(cleo_chat)]);
    assert!(!left.contains(&json!(ben_chat)));
    // Forgetting someone unknown deletes nothing, and says so.
    let out = Command::new(env!("CARGO_BIN_EXE_shopdesk-server"))
        .args([
            "forget",
            "--email",
            "nobody@mail.example",
            "--database",
            &db.arg(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("deleted 0 conversation(s)"));
    // Naming nobody is an error before anything is opened.
    let out = Command::new(env!("CARGO_BIN_EXE_shopdesk-server"))
        .args(["forget", "--database", &db.arg()])
        .output()
        .unwrap();
    assert!(!out.status.success());
}

fn retention_deletes_old_feedback_searches_and_ended_conversations_only(backend: Backend) {
    let db = TestDb::new(backend);
    let base = serve(&db, false);
    feedback(&base, 1, "v", "2026-01-10T12:00:00Z");
    feedback(&base, 2, "v", "2026-11-20T12:00:00Z");
    search_session(&base, 3, "2026-01-10T12:00:00Z");
    search_session(&base, 4, "2026-11-20T12:00:00Z");
    let (ended, key) = start(&base, json!({}));
    let (open, _) = start(&base, json!({}));
    let (status, _, _) = call(
        "POST",
        &format!("{base}/v1/chat/{ended}/close"),
        Some(&key),
        Some(STORE),
        None,
    );
    assert_eq!(status, 204);
    // 2027-01-04: a year after the first response, a month and a half after the second.
    let later = 1_798_934_400_000_i64;
    let swept = block_on(async {
        let d = Database::open(&db.location).await.unwrap();
        let kept = Retention {
            feedback_days: Some(300),
            chats_days: Some(1),
        };
        // Nothing ended a day before now: nothing goes yet.
        let chats_only = Retention {
            feedback_days: None,
            chats_days: Some(1),
        };
        let none = sweep(&d, chats_only, shopdesk_server::now_ms())
            .await
            .unwrap();
        assert_eq!(none.conversations, 0);
        let s = sweep(&d, kept, later).await.unwrap();
        d.close().await;
        s
    });
    assert_eq!(
        (swept.feedback, swept.searches, swept.conversations),
        (1, 1, 1)
    );
    let (_, _, searches) = call(
        "GET",
        &format!("{base}/v1/reports/searches"),
        Some(ADMIN),
        None,
        None,
    );
    assert_eq!(searches["totals"]["sessions"], 1, "{searches}");
    assert_eq!(searches["days"][0]["day"], "2026-11-20");
    let ids: Vec<String> = csv(&base).into_iter().map(|r| r[0].clone()).collect();
    assert_eq!(ids, [uuid(2)]);
    let left: Vec<Value> = conversations(&base)
        .into_iter()
        .map(|c| c["id"].clone())
        .collect();
    assert_eq!(left, [json!(open)], "the open conversation stays");
}

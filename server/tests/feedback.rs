//! The feedback endpoint and reports over a real listener on 127.0.0.1:0, and the
//! `report` subcommand of the real binary.

mod common;

use std::process::Command;

use common::client::uuid;
use common::{on_both, stored, Backend, TestDb, Tokens};
use serde_json::{json, Value};
use shopdesk_server::db::Database;
use shopdesk_server::feedback::store::Store;
use shopdesk_server::limit::RateLimiter;

const TOKEN: &str = "test-admin-token-0123456789";

on_both!(
    a_valid_response_is_stored_once_however_often_it_is_sent,
    invalid_responses_get_400_naming_the_field_and_nothing_is_stored,
    oversize_and_non_json_bodies_are_refused_with_json,
    only_allowed_store_origins_may_post_from_a_browser,
    a_client_over_the_rate_limit_gets_429_with_retry_after,
    feedback_and_chat_share_one_budget_per_client,
    the_report_adds_up_behind_the_admin_token,
    the_report_subcommand_prints_the_same_numbers,
    responses_survive_a_restart_of_the_store,
    hostile_comments_stay_text_in_the_csv_and_on_the_terminal,
);

struct Server {
    base: String,
    db: TestDb,
}

fn start(backend: Backend, limiter: Option<RateLimiter>) -> Server {
    let db = TestDb::new(backend);
    let shopfront = common::shopfront(&["https://shop.example"], limiter);
    let tokens = Tokens {
        admin: Some(TOKEN.into()),
        agent: None,
    };
    let base = common::listen(
        common::config(db.dir.path()),
        shopfront,
        &db.location,
        tokens,
    );
    Server { base, db }
}

fn event(id: &str, kind: &str, score: i64) -> Value {
    json!({
        "id": id, "kind": kind, "score": score,
        "created_at": "2026-11-20T12:00:00Z",
        "page_url": "https://shop.example/thanks",
    })
}

/// Status, headers we care about, and the JSON body (or `Value::Null`).
fn post(base: &str, body: &str, origin: Option<&str>) -> (u16, Option<String>, Value) {
    let mut req =
        ureq::post(&format!("{base}/v1/feedback")).set("Content-Type", "application/json");
    if let Some(o) = origin {
        req = req.set("Origin", o);
    }
    let response = match req.send_string(body) {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{e}"),
    };
    let status = response.status();
    let retry = response.header("Retry-After").map(str::to_string);
    let allow = response
        .header("Access-Control-Allow-Origin")
        .map(str::to_string);
    let text = response.into_string().unwrap();
    let value = serde_json::from_str(&text).unwrap_or(Value::Null);
    (status, retry.or(allow), value)
}

fn a_valid_response_is_stored_once_however_often_it_is_sent(backend: Backend) {
    let s = start(backend, None);
    let body = event(&uuid(1), "nps", 9).to_string();
    let (status, _, v) = post(&s.base, &body, None);
    assert_eq!((status, v["duplicate"].clone()), (201, json!(false)));
    for _ in 0..3 {
        let (status, _, v) = post(&s.base, &body, None);
        assert_eq!((status, v["duplicate"].clone()), (200, json!(true)));
    }
    assert_eq!(stored(&s.db.location), 1);
}

fn invalid_responses_get_400_naming_the_field_and_nothing_is_stored(backend: Backend) {
    let s = start(backend, None);
    let cases = [
        (event(&uuid(2), "nps", 11), "score"),
        (event(&uuid(3), "csat", 0), "score"),
        (event(&uuid(4), "ces", 8), "score"),
        (event(&uuid(5), "article", 1), "article_id"),
        (event("not-a-uuid", "nps", 5), "id"),
        (event(&uuid(6), "stars", 5), "kind"),
        (
            json!({"kind": "nps", "score": 5, "created_at": "2026-11-20T12:00:00Z"}),
            "id",
        ),
    ];
    for (body, field) in cases {
        let (status, _, v) = post(&s.base, &body.to_string(), None);
        assert_eq!(status, 400, "{body}");
        assert_eq!(v["field"], field, "{body}: {v}");
        assert!(v["error"].as_str().unwrap().contains(field), "{v}");
    }
    let (status, _, v) = post(&s.base, "{not json", None);
    assert_eq!((status, v["field"].clone()), (400, json!("body")));
    assert_eq!(stored(&s.db.location), 0);
}

fn oversize_and_non_json_bodies_are_refused_with_json(backend: Backend) {
    let s = start(backend, None);
    let mut big = event(&uuid(7), "nps", 5);
    big["comment"] = json!("x".repeat(20_000));
    let (status, _, v) = post(&s.base, &big.to_string(), None);
    assert_eq!(status, 413);
    assert!(v["error"].as_str().unwrap().contains("too large"), "{v}");
    let response = ureq::post(&format!("{}/v1/feedback", s.base))
        .set("Content-Type", "application/x-www-form-urlencoded")
        .send_string("kind=nps");
    let Err(ureq::Error::Status(415, r)) = response else {
        panic!("expected 415")
    };
    assert!(r.into_string().unwrap().contains("JSON"));
    assert_eq!(stored(&s.db.location), 0);
}

fn only_allowed_store_origins_may_post_from_a_browser(backend: Backend) {
    let s = start(backend, None);
    let (status, allow, _) = post(
        &s.base,
        &event(&uuid(8), "nps", 5).to_string(),
        Some("https://shop.example"),
    );
    assert_eq!(
        (status, allow.as_deref()),
        (201, Some("https://shop.example"))
    );
    let (status, _, v) = post(
        &s.base,
        &event(&uuid(9), "nps", 5).to_string(),
        Some("https://evil.example"),
    );
    assert_eq!(status, 403);
    assert!(
        v["error"].as_str().unwrap().contains("--allow-origin"),
        "{v}"
    );
    // The preflight answers allowed origins only.
    let ok = ureq::request("OPTIONS", &format!("{}/v1/feedback", s.base))
        .set("Origin", "https://shop.example")
        .set("Access-Control-Request-Method", "POST")
        .call()
        .unwrap();
    assert_eq!(
        ok.header("Access-Control-Allow-Origin"),
        Some("https://shop.example")
    );
    // One shopfront for every store route: the chat's bearer token is allowed too.
    assert_eq!(
        ok.header("Access-Control-Allow-Headers"),
        Some("content-type, authorization")
    );
    let refused = ureq::request("OPTIONS", &format!("{}/v1/feedback", s.base))
        .set("Origin", "https://evil.example")
        .call();
    assert!(matches!(refused, Err(ureq::Error::Status(403, _))));
    assert_eq!(stored(&s.db.location), 1);
}

fn a_client_over_the_rate_limit_gets_429_with_retry_after(backend: Backend) {
    let s = start(backend, Some(RateLimiter::new(1.0, 3)));
    let statuses: Vec<(u16, Option<String>)> = (0..5)
        .map(|i| {
            let (status, retry, _) =
                post(&s.base, &event(&uuid(100 + i), "csat", 4).to_string(), None);
            (status, retry)
        })
        .collect();
    assert_eq!(
        statuses[..3].iter().map(|s| s.0).collect::<Vec<_>>(),
        [201, 201, 201]
    );
    assert_eq!(statuses[3].0, 429);
    let retry: u64 = statuses[3].1.as_deref().unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry), "{retry}");
    assert_eq!(stored(&s.db.location), 3);
}

fn feedback_and_chat_share_one_budget_per_client(backend: Backend) {
    let db = TestDb::new(backend);
    let shopfront = common::shopfront(&[], Some(RateLimiter::new(0.01, 4)));
    let tokens = Tokens {
        admin: None,
        agent: Some(TOKEN.into()),
    };
    let base = common::listen(
        common::config(db.dir.path()),
        shopfront,
        &db.location,
        tokens,
    );
    for i in 0..2 {
        let (status, _, _) = post(&base, &event(&uuid(300 + i), "csat", 4).to_string(), None);
        assert_eq!(status, 201);
    }
    let start = |expected: u16| {
        let answer = ureq::post(&format!("{base}/v1/chat"))
            .set("Content-Type", "application/json")
            .send_string("{}");
        let status = match &answer {
            Ok(r) => r.status(),
            Err(ureq::Error::Status(code, _)) => *code,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(status, expected);
    };
    start(201);
    start(201);
    // Four requests in all: the fifth, to either endpoint, is over the one budget.
    start(429);
    let (status, retry, _) = post(&base, &event(&uuid(310), "csat", 4).to_string(), None);
    assert_eq!(status, 429);
    assert!(retry.is_some());
}

fn seed(base: &str) {
    let mut n = 200;
    let mut send = |kind: &str, score: i64, extra: Value| {
        n += 1;
        let mut e = event(&uuid(n), kind, score);
        for (k, v) in extra.as_object().unwrap() {
            e[k] = v.clone();
        }
        assert_eq!(post(base, &e.to_string(), None).0, 201);
    };
    // NPS: 3 promoters, 1 passive, 2 detractors → (3 - 2) / 6 = 16.7.
    for score in [10, 9, 9, 7, 3, 6] {
        send("nps", score, json!({}));
    }
    // CSAT: 2 of 3 rated 4-5 → 66.7 %.
    for score in [5, 4, 2] {
        send("csat", score, json!({}));
    }
    // CES: average 5.5.
    for score in [5, 6] {
        send("ces", score, json!({}));
    }
    send("article", 1, json!({"article_id": "returns"}));
    send(
        "article",
        0,
        json!({"article_id": "returns", "comment": "no label info"}),
    );
    send("article", 1, json!({"article_id": "shipping"}));
    // Outside the period asked for below.
    send("nps", 0, json!({"created_at": "2026-10-01T00:00:00Z"}));
}

fn the_report_adds_up_behind_the_admin_token(backend: Backend) {
    let s = start(backend, None);
    seed(&s.base);
    let url = format!(
        "{}/v1/reports/feedback?from=2026-11-01&to=2026-12-01",
        s.base
    );
    assert!(matches!(
        ureq::get(&url).call(),
        Err(ureq::Error::Status(401, _))
    ));
    let r: Value = ureq::get(&url)
        .set("Authorization", &format!("Bearer {TOKEN}"))
        .call()
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(r["responses"], 14);
    assert_eq!(r["nps"]["score"], 16.7);
    assert_eq!(
        (
            r["nps"]["promoters"].clone(),
            r["nps"]["detractors"].clone()
        ),
        (json!(3), json!(2))
    );
    assert_eq!(r["csat"]["percent"], 66.7);
    assert_eq!(r["ces"]["average"], 5.5);
    assert_eq!(
        r["articles"][0],
        json!({"article_id": "returns", "helpful": 1, "not_helpful": 1, "percent_helpful": 50.0})
    );
    assert_eq!(r["comments"][0]["comment"], "no label info");

    let csv = ureq::get(&format!("{url}&format=csv"))
        .set("Authorization", &format!("Bearer {TOKEN}"))
        .call()
        .unwrap()
        .into_string()
        .unwrap();
    assert_eq!(csv.lines().count(), 15, "{csv}");
    assert!(csv.starts_with("id,kind,score,comment,"));

    let bad = ureq::get(&format!("{}/v1/reports/feedback?from=last+week", s.base))
        .set("Authorization", &format!("Bearer {TOKEN}"))
        .call();
    let Err(ureq::Error::Status(400, r)) = bad else {
        panic!("expected 400")
    };
    assert_eq!(r.into_json::<Value>().unwrap()["field"], "from");
}

fn the_report_subcommand_prints_the_same_numbers(backend: Backend) {
    let s = start(backend, None);
    seed(&s.base);
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_shopdesk-server"))
            .arg("report")
            .arg("--database")
            .arg(s.db.arg())
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let text = run(&["--from", "2026-11-01", "--to", "2026-12-01"]);
    assert!(text.contains("NPS      16.7"), "{text}");
    assert!(
        text.contains("CSAT   66.7 %   (2 of 3 responses rated 4-5)"),
        "{text}"
    );
    assert!(text.contains("no label info"), "{text}");
    let json: Value = serde_json::from_str(&run(&["--json"])).unwrap();
    assert_eq!(json["responses"], 15);
    assert_eq!(run(&["--csv", "--from", "2026-11-01"]).lines().count(), 15);

    let bad = Command::new(env!("CARGO_BIN_EXE_shopdesk-server"))
        .args(["report", "--database", "/nonexistent/shopdesk.db"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--database"));
}

fn hostile_comments_stay_text_in_the_csv_and_on_the_terminal(backend: Backend) {
    let s = start(backend, None);
    let comments = [
        "=HYPERLINK(\"https://evil.example\",\"refund\")",
        "+1 great",
        "@SUM(A1:A9)",
        "-cmd|' /C calc'!A0",
        "\u{1b}]0;pwned\u{7}\u{1b}[2Jbad \u{202e}txt.exe",
    ];
    for (i, comment) in comments.iter().enumerate() {
        let mut e = event(&uuid(900 + i as u32), "article", 0);
        e["article_id"] = json!("returns");
        e["comment"] = json!(comment);
        assert_eq!(post(&s.base, &e.to_string(), None).0, 201);
    }
    let csv = ureq::get(&format!("{}/v1/reports/feedback?format=csv", s.base))
        .set("Authorization", &format!("Bearer {TOKEN}"))
        .call()
        .unwrap()
        .into_string()
        .unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let cells: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[3].to_string())
        .collect();
    for comment in &comments[..4] {
        assert!(
            cells.contains(&format!("'{comment}")),
            "{comment}: {cells:?}"
        );
    }
    let out = Command::new(env!("CARGO_BIN_EXE_shopdesk-server"))
        .args(["report", "--database", &s.db.arg()])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("]0;pwned[2Jbad txt.exe"), "{text}");
    assert!(
        !text.contains(['\u{1b}', '\u{7}', '\u{202e}']),
        "control characters reached the terminal: {text:?}"
    );
}

fn responses_survive_a_restart_of_the_store(backend: Backend) {
    let s = start(backend, None);
    assert_eq!(
        post(&s.base, &event(&uuid(300), "nps", 8).to_string(), None).0,
        201
    );
    // Another connection, as after a restart: the response is there.
    let kept = common::block_on(async {
        let db = Database::open(&s.db.location).await.unwrap();
        Store::new(db).unwrap().exists(&uuid(300)).await.unwrap()
    });
    assert!(kept);
}

#[test]
fn the_openapi_document_describes_the_endpoint() {
    let s = start(Backend::Sqlite, None);
    let doc: Value = ureq::get(&format!("{}/v1/openapi.json", s.base))
        .call()
        .unwrap()
        .into_json()
        .unwrap();
    let schema = &doc["components"]["schemas"]["FeedbackEvent"];
    assert_eq!(
        schema["required"],
        json!(["id", "kind", "score", "created_at"])
    );
    // Every field the wire type has is documented.
    let e = serde_json::to_value(shopdesk_wire::FeedbackEvent::from_json(
        json!({"id": uuid(1), "kind": "article", "score": 1, "article_id": "a", "comment": "c",
               "survey_id": "s", "conversation_id": "c", "page_url": "https://x.example/",
               "locale": "en", "visitor_id": "v", "context": {}, "created_at": "2026-11-20T12:00:00Z"})
            .to_string()
            .as_bytes(),
    ).unwrap())
    .unwrap();
    for field in e.as_object().unwrap().keys() {
        assert!(
            schema["properties"].get(field).is_some(),
            "{field} is not in openapi.json"
        );
    }
    assert!(doc["paths"]["/v1/feedback"]["post"]["responses"]
        .get("429")
        .is_some());
}

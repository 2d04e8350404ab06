//! Search analytics over a real listener on 127.0.0.1:0: storing sessions once, what is
//! refused and what is dropped, and the content-gaps report on a fixture (both
//! backends).

mod common;

use common::{on_both, Backend, TestDb, Tokens};
use serde_json::{json, Value};

const TOKEN: &str = "test-admin-token-0123456789";
const ORIGIN: &str = "https://shop.example";

on_both!(
    a_session_is_stored_once_and_personal_queries_never,
    bad_sessions_are_refused_naming_the_field_and_nothing_is_stored,
    the_gaps_report_adds_up_on_the_fixture,
    the_report_narrows_to_a_period_and_a_language_and_exports_csv,
);

#[test]
fn the_gaps_cli_prints_what_an_editor_acts_on() {
    let s = start(Backend::Sqlite);
    seed(&s.base);
    let gaps = |args: &[&str]| {
        let out = std::process::Command::new(faq_indexer())
            .args([
                "gaps",
                "--server",
                &s.base,
                "--from",
                "2026-12-01",
                "--to",
                "2026-12-03",
            ])
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let (code, text, err) = gaps(&["--token", TOKEN]);
    assert_eq!(code, Some(0), "{err}");
    insta::assert_snapshot!("gaps_text", text);
    let (code, csv, _) = gaps(&["--token", TOKEN, "--csv"]);
    assert_eq!(code, Some(0));
    insta::assert_snapshot!("gaps_csv", csv);
    let (code, json, _) = gaps(&["--token", TOKEN, "--json", "--locale", "de"]);
    assert_eq!(code, Some(0));
    let json: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["totals"]["sessions"], 2);

    // Mistakes say what to do.
    let (code, _, err) = gaps(&["--token", "wrong"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("answered 401") && err.contains("check --token"),
        "{err}"
    );
    let (code, _, err) = gaps(&["--token", TOKEN, "--locale", "d e"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("answered 400"), "{err}");
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let nobody = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let out = std::process::Command::new(faq_indexer())
        .args(["gaps", "--server", &nobody, "--token", TOKEN])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        err.contains("cannot reach") && err.contains("check --server"),
        "{err}"
    );
}

/// The `faq-indexer` binary beside this test's (`cargo test --workspace` builds it).
fn faq_indexer() -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    let bin = exe
        .parent()
        .and_then(|deps| deps.parent())
        .unwrap()
        .join("faq-indexer");
    assert!(
        bin.is_file(),
        "{} is missing: build it first (cargo build -p faq-indexer; scripts/test.sh does)",
        bin.display()
    );
    bin
}

struct Server {
    base: String,
    _db: TestDb,
}

fn start(backend: Backend) -> Server {
    let db = TestDb::new(backend);
    let shopfront = common::shopfront(&[ORIGIN], None);
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
    Server { base, _db: db }
}

/// Status and JSON body of a POST from the store's origin.
fn post(base: &str, path: &str, body: &Value) -> (u16, Value) {
    let response = ureq::post(&format!("{base}{path}"))
        .set("Content-Type", "application/json")
        .set("Origin", ORIGIN)
        .send_string(&body.to_string());
    let response = match response {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{e}"),
    };
    (
        response.status(),
        response.into_json().unwrap_or(Value::Null),
    )
}

fn report(base: &str, query: &str) -> Value {
    ureq::get(&format!("{base}/v1/reports/searches?{query}"))
        .set("Authorization", &format!("Bearer {TOKEN}"))
        .call()
        .unwrap()
        .into_json()
        .unwrap()
}

fn fixture() -> Value {
    serde_json::from_str(include_str!("fixtures/search-sessions.json")).unwrap()
}

/// Posts the fixture's sessions and feedback, each answered 201.
fn seed(base: &str) {
    let f = fixture();
    for s in f["sessions"].as_array().unwrap() {
        assert_eq!(post(base, "/v1/searches", s).0, 201, "{s}");
    }
    for e in f["feedback"].as_array().unwrap() {
        assert_eq!(post(base, "/v1/feedback", e).0, 201, "{e}");
    }
}

fn a_session_is_stored_once_and_personal_queries_never(backend: Backend) {
    let s = start(backend);
    let session = fixture()["sessions"][0].clone();
    let (status, body) = post(&s.base, "/v1/searches", &session);
    assert_eq!(
        (status, body["duplicate"].clone()),
        (201, json!(false)),
        "{body}"
    );
    let (status, body) = post(&s.base, "/v1/searches", &session);
    assert_eq!(
        (status, body["duplicate"].clone()),
        (200, json!(true)),
        "the outbox's retry"
    );

    // A client that sends what the widget would have dropped: stored without it.
    let (status, body) = post(
        &s.base,
        "/v1/searches",
        &json!({"id": common::client::uuid(50), "locale": "en", "started_at": "2026-12-01T09:00:00Z",
                "searches": [{"query": "ana@example.com", "results": 0},
                             {"query": "call +49 30 1234567", "results": 0},
                             {"query": "gift cards", "results": 1}]}),
    );
    assert_eq!((status, body["dropped"].clone()), (201, json!(2)), "{body}");
    // Only personal queries: nothing to store, and nothing for the outbox to retry.
    let (status, body) = post(
        &s.base,
        "/v1/searches",
        &json!({"id": common::client::uuid(51), "locale": "en", "started_at": "2026-12-01T09:00:00Z",
                "searches": [{"query": "order #1042", "results": 0}]}),
    );
    assert_eq!((status, body["dropped"].clone()), (200, json!(1)), "{body}");

    let csv = ureq::get(&format!("{}/v1/reports/searches?format=csv", s.base))
        .set("Authorization", &format!("Bearer {TOKEN}"))
        .call()
        .unwrap()
        .into_string()
        .unwrap();
    assert_eq!(csv.lines().count(), 1 + 2 + 1, "{csv}");
    for personal in ["@", "1234567", "1042"] {
        assert!(!csv.contains(personal), "{personal} was stored: {csv}");
    }
    assert_eq!(report(&s.base, "")["totals"]["sessions"], 2);
}

fn bad_sessions_are_refused_naming_the_field_and_nothing_is_stored(backend: Backend) {
    let s = start(backend);
    let good = fixture()["sessions"][0].clone();
    type Change = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Change)> = vec![
        ("id", Box::new(|v| v["id"] = json!("one"))),
        ("searches", Box::new(|v| v["searches"] = json!([]))),
        (
            "searches[1].results",
            Box::new(|v| v["searches"][1]["results"] = json!("3")),
        ),
        (
            "started_at",
            Box::new(|v| v["started_at"] = json!("monday")),
        ),
    ];
    for (field, change) in cases {
        let mut bad = good.clone();
        change(&mut bad);
        let (status, body) = post(&s.base, "/v1/searches", &bad);
        assert_eq!(
            (status, body["field"].as_str()),
            (400, Some(field)),
            "{body}"
        );
    }
    let refused = ureq::post(&format!("{}/v1/searches", s.base))
        .set("Content-Type", "application/json")
        .set("Origin", "https://elsewhere.example")
        .send_string(&good.to_string());
    assert!(matches!(refused, Err(ureq::Error::Status(403, _))));
    assert_eq!(report(&s.base, "")["totals"]["sessions"], 0);
    // Reports are the admins'.
    let url = format!("{}/v1/reports/searches", s.base);
    assert!(matches!(
        ureq::get(&url).call(),
        Err(ureq::Error::Status(401, _))
    ));
    let wrong = ureq::get(&url).set("Authorization", "Bearer nope").call();
    assert!(matches!(wrong, Err(ureq::Error::Status(401, _))));
    let bad_top = ureq::get(&format!("{url}?top=0"))
        .set("Authorization", &format!("Bearer {TOKEN}"))
        .call();
    let Err(ureq::Error::Status(400, r)) = bad_top else {
        panic!("top=0 was accepted")
    };
    assert_eq!(r.into_json::<Value>().unwrap()["field"], "top");
}

fn the_gaps_report_adds_up_on_the_fixture(backend: Backend) {
    let s = start(backend);
    seed(&s.base);
    let r = report(&s.base, "");
    // Sessions 1 and 5 read an article and did not ask; 2 and 4 asked a person.
    assert_eq!(
        r["totals"],
        json!({"sessions": 6, "self_served": 2, "escalated": 2,
               "self_service_percent": 33.3, "escalation_percent": 33.3})
    );
    assert_eq!(
        r["days"],
        json!([
            {"day": "2026-12-01", "locale": "en", "sessions": 4, "self_served": 1, "escalated": 2,
             "self_service_percent": 25.0, "escalation_percent": 50.0},
            {"day": "2026-12-02", "locale": "de", "sessions": 2, "self_served": 1, "escalated": 0,
             "self_service_percent": 50.0, "escalation_percent": 0.0}
        ])
    );
    // "Klarna?" and "klarna " are one query; session 3 searched it twice.
    assert_eq!(
        r["no_results"],
        json!([
            {"locale": "en", "query": "klarna", "shoppers": 3, "searches": 4},
            {"locale": "de", "query": "klarna", "shoppers": 1, "searches": 1}
        ]),
        "the order number of session 6 is not there"
    );
    assert_eq!(
        r["escalated_searches"],
        json!([
            {"locale": "en", "query": "klarna", "shoppers": 1, "searches": 1},
            {"locale": "en", "query": "returns", "shoppers": 1, "searches": 1}
        ])
    );
    assert_eq!(
        r["escalated_articles"],
        json!([{"article_id": "returns-policy", "readers": 2, "escalated": 1}])
    );
    assert_eq!(
        r["unhelpful_articles"],
        json!([{"article_id": "returns-policy", "not_helpful": 2, "helpful": 0,
                "comments": ["no word on sale items"]}])
    );
}

fn the_report_narrows_to_a_period_and_a_language_and_exports_csv(backend: Backend) {
    let s = start(backend);
    seed(&s.base);
    let de = report(&s.base, "locale=de");
    assert_eq!(de["totals"]["sessions"], 2);
    assert_eq!(de["no_results"].as_array().unwrap().len(), 1);
    assert_eq!(
        de["unhelpful_articles"][0]["not_helpful"], 1,
        "votes in German only"
    );
    let day2 = report(&s.base, "from=2026-12-02&to=2026-12-03");
    assert_eq!(day2["totals"]["sessions"], 2);
    assert_eq!(day2["locale"], Value::Null);
    let top1 = report(&s.base, "top=1");
    assert_eq!(top1["no_results"].as_array().unwrap().len(), 1);

    let csv = ureq::get(&format!(
        "{}/v1/reports/searches?format=csv&locale=en",
        s.base
    ))
    .set("Authorization", &format!("Bearer {TOKEN}"))
    .call()
    .unwrap()
    .into_string()
    .unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "day,locale,session,position,query,results,opened,helpful,escalated"
    );
    assert_eq!(lines.len(), 1 + 6, "{csv}");
    assert_eq!(
        lines[2],
        "2026-12-01,en,00000000-0000-4000-8000-000000000001,1,payment methods,3,payments,yes,false"
    );
    // The charts, drawn by the server: two days, two rates each.
    // The charts, drawn by the server: two days, two rates each. (Status, type, body.)
    let chart = |name: &str| -> (u16, String, String) {
        let answer = ureq::get(&format!(
            "{}/v1/reports/searches/chart/{name}?from=2026-12-01",
            s.base
        ))
        .set("Authorization", &format!("Bearer {TOKEN}"))
        .call();
        let r = match answer {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{e}"),
        };
        let (status, kind) = (r.status(), r.content_type().to_string());
        (status, kind, r.into_string().unwrap())
    };
    let (status, kind, svg) = chart("rates.svg");
    assert_eq!((status, kind.as_str()), (200, "image/svg+xml"));
    assert!(svg.starts_with("<svg") && svg.contains("12-02"), "{svg}");
    assert_eq!(svg.matches("<circle").count(), 4);
    assert_eq!(chart("sessions.svg").0, 200);
    assert_eq!(chart("pie.svg").0, 404);
    let anonymous = ureq::get(&format!("{}/v1/reports/searches/chart/rates.svg", s.base)).call();
    assert!(matches!(anonymous, Err(ureq::Error::Status(401, _))));
    let bad = ureq::get(&format!("{}/v1/reports/searches?from=yesterday", s.base))
        .set("Authorization", &format!("Bearer {TOKEN}"))
        .call();
    let Err(ureq::Error::Status(400, r)) = bad else {
        panic!("from=yesterday was accepted")
    };
    assert_eq!(r.into_json::<Value>().unwrap()["field"], "from");
}

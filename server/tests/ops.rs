//! What operators ask of the real binary: `/healthz`, `/readyz`, Prometheus `/metrics`
//! on its own address, and JSON logs.

mod common;

use common::client::{call, ticketed, uuid, Stream, STORE};
use common::instance::{get, Instance};
use common::{on_both, store_site, Backend, TestDb};
use serde_json::{json, Value};

on_both!(metrics_count_what_happened_and_stay_off_the_public_address,);

/// The value of the sample `name{labels}` (labels as printed, in order), if present.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map(|value| value.trim().parse().unwrap())
}

fn metrics_count_what_happened_and_stay_off_the_public_address(backend: Backend) {
    let db = TestDb::new(backend);
    let server = Instance::start_with(
        &db.arg(),
        &store_site(db.dir.path()),
        &["--metrics-addr", "127.0.0.1:0", "--log-format", "json"],
    );
    let scrape = || {
        let (status, text) = get(server.metrics.as_deref().expect("no Metrics: line"));
        assert_eq!(status, 200);
        text
    };

    // Probes: the process is up; the database answers with this server's schema.
    let (status, body) = get(&format!("{}/healthz", server.base));
    assert_eq!(
        (status, body.contains("\"up\":true")),
        (200, true),
        "{body}"
    );
    // On PostgreSQL it is ready once its LISTEN connection is up too: wait, as a load
    // balancer would.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let body = loop {
        let (status, body) = get(&format!("{}/readyz", server.base));
        if status == 200 {
            break body;
        }
        assert_eq!(status, 503, "{body}");
        assert!(std::time::Instant::now() < deadline, "never ready: {body}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let ready: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(ready["schema"], shopdesk_server::db::SCHEMA_VERSION);
    assert_eq!(get(&format!("{}/v1/ready", server.base)).0, 200);
    let (_, doc) = get(&format!("{}/v1/openapi.json", server.base));
    let doc: Value = serde_json::from_str(&doc).unwrap();
    for path in ["/healthz", "/readyz", "/v1/ready"] {
        assert!(
            doc["paths"][path]["get"].is_object(),
            "{path} not documented"
        );
    }

    // Metrics are not on the public address.
    assert_eq!(get(&format!("{}/metrics", server.base)).0, 404);

    // One response stored, the same again (a duplicate), one refused.
    let response = json!({"id": uuid(1), "kind": "nps", "score": 9,
                          "created_at": "2026-11-30T12:00:00Z"});
    let feedback = format!("{}/v1/feedback", server.base);
    let post = |body: Value| call("POST", &feedback, None, Some(STORE), Some(body)).0;
    assert_eq!(post(response.clone()), 201);
    assert_eq!(post(response), 200);
    assert_eq!(
        post(json!({"id": uuid(2), "kind": "nps", "score": 11})),
        400
    );

    // A conversation with one shopper message and an open shopper stream.
    let (id, token, _) = common::client::start_chat(&server.base);
    let (id, token) = (id.as_str(), token.as_str());
    let (status, _, said) = call(
        "POST",
        &format!("{}/v1/chat/{id}/messages", server.base),
        Some(token),
        Some(STORE),
        Some(json!({"id": uuid(3), "body": "where is my parcel?"})),
    );
    assert_eq!(status, 201, "{said}");
    let (status, stream) = Stream::open(
        &ticketed(&format!("{}/v1/chat/{id}/events", server.base), token),
        None,
    );
    assert_eq!(status, 200);
    let mut stream = stream.unwrap();
    assert_eq!(stream.next().unwrap()["type"], "started");

    let text = scrape();
    let expect = |series: &str, value: f64| {
        assert_eq!(sample(&text, series), Some(value), "{series} in\n{text}");
    };
    expect(
        r#"shopdesk_feedback_responses_total{kind="nps",outcome="stored"}"#,
        1.0,
    );
    expect(
        r#"shopdesk_feedback_responses_total{kind="nps",outcome="duplicate"}"#,
        1.0,
    );
    for status in [201, 200, 400] {
        expect(
            &format!(
                r#"shopdesk_http_requests_total{{method="POST",route="/v1/feedback",status="{status}"}}"#
            ),
            1.0,
        );
    }
    expect(
        r#"shopdesk_http_request_duration_seconds_count{method="POST",route="/v1/feedback"}"#,
        3.0,
    );
    // Routes by pattern, never by conversation.
    expect(
        r#"shopdesk_http_requests_total{method="POST",route="/v1/chat/{id}/messages",status="201"}"#,
        1.0,
    );
    assert!(!text.contains(id), "a conversation id became a label");
    expect("shopdesk_chat_conversations_started_total", 1.0);
    expect(r#"shopdesk_chat_messages_total{author="shopper"}"#, 1.0);
    expect(r#"shopdesk_event_streams_open{side="shopper"}"#, 1.0);
    expect("shopdesk_conversations_followed", 1.0);
    expect(r#"shopdesk_writer_queue{writer="feedback"}"#, 0.0);
    assert!(
        text.contains("shopdesk_db_connections{"),
        "no pool gauges in\n{text}"
    );
    // The static site counts under one label, whatever the path.
    let files_404 = r#"shopdesk_http_requests_total{method="GET",route="(files)",status="404"}"#;
    let before = sample(&text, files_404).unwrap();
    assert_eq!(get(&format!("{}/no/such/file.js", server.base)).0, 404);
    assert_eq!(sample(&scrape(), files_404), Some(before + 1.0));

    // The stream closes: the gauge follows.
    drop(stream);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while sample(&scrape(), r#"shopdesk_event_streams_open{side="shopper"}"#) != Some(0.0) {
        assert!(
            std::time::Instant::now() < deadline,
            "the stream stayed counted"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }

    // Every log line is one JSON object with a level and a message.
    let logs = server.logs.lock().unwrap().clone();
    assert!(!logs.is_empty(), "no log lines");
    for line in &logs {
        let entry: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(
            entry["level"].is_string() && entry["message"].is_string(),
            "{line}"
        );
    }
}

#[test]
fn a_metrics_address_equal_to_the_public_one_is_refused() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_shopdesk-server"))
        .args([
            "--addr",
            "127.0.0.1:18080",
            "--metrics-addr",
            "127.0.0.1:18080",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("metrics_addr"), "{err}");
}

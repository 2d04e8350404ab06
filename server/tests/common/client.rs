//! A client of the server's HTTP API for the tests: JSON calls and server-sent event
//! streams, as a store page and the agent page make them.

use std::io::{BufRead, BufReader, Read};
use std::time::Duration;

use serde_json::Value;

/// The store origin the tests' pages are on.
pub(crate) const STORE: &str = "https://shop.example";

/// Status, the CORS header, and the JSON body (or `Value::Null`).
pub(crate) fn call(
    method: &str,
    url: &str,
    token: Option<&str>,
    origin: Option<&str>,
    body: Option<Value>,
) -> (u16, Option<String>, Value) {
    let bearer = token.map(|t| format!("Bearer {t}"));
    let mut headers = Vec::new();
    if let Some(b) = &bearer {
        headers.push(("Authorization", b.as_str()));
    }
    if let Some(o) = origin {
        headers.push(("Origin", o));
    }
    let response = send(method, url, &headers, body);
    let status = response.status();
    let cors = response
        .header("Access-Control-Allow-Origin")
        .map(str::to_string);
    (status, cors, json_body(response))
}

/// One request with `headers` and an optional JSON body; the response whatever its
/// status.
pub(crate) fn send(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> ureq::Response {
    let mut req = ureq::request(method, url);
    for (name, value) in headers {
        req = req.set(name, value);
    }
    let result = match body {
        Some(b) => req
            .set("Content-Type", "application/json")
            .send_string(&b.to_string()),
        None => req.call(),
    };
    match result {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{method} {url}: {e}"),
    }
}

/// The response's JSON body, or `Value::Null`.
pub(crate) fn json_body(response: ureq::Response) -> Value {
    let text = response.into_string().unwrap();
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// A conversation started from the store page with an empty handoff: its id, its
/// token and the whole answer.
pub(crate) fn start_chat(base: &str) -> (String, String, Value) {
    let (status, _, started) = call(
        "POST",
        &format!("{base}/v1/chat"),
        None,
        Some(STORE),
        Some(serde_json::json!({})),
    );
    assert_eq!(status, 201, "{started}");
    let field = |name: &str| started[name].as_str().unwrap().to_string();
    (field("id"), field("token"), started)
}

pub(crate) fn uuid(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

/// A server-sent event stream, read event by event (`data:` lines as JSON).
pub(crate) struct Stream(BufReader<Box<dyn Read + Send + Sync>>);

impl Stream {
    pub(crate) fn open(url: &str, last_event_id: Option<i64>) -> (u16, Option<Stream>) {
        let id = last_event_id.map(|id| id.to_string());
        let headers: Vec<(&str, &str)> =
            id.iter().map(|id| ("Last-Event-ID", id.as_str())).collect();
        Self::open_with(url, &headers)
    }

    /// The same with more request headers (a session cookie).
    pub(crate) fn open_with(url: &str, headers: &[(&str, &str)]) -> (u16, Option<Stream>) {
        let agent = ureq::AgentBuilder::new()
            .timeout_read(Duration::from_secs(10))
            .build();
        let mut req = agent.get(url).set("Origin", STORE);
        for (name, value) in headers {
            req = req.set(name, value);
        }
        match req.call() {
            Ok(r) => {
                if url.contains("/v1/chat/") {
                    // Store pages on other origins may read their conversation.
                    assert_eq!(
                        r.header("Access-Control-Allow-Origin"),
                        Some(STORE),
                        "{url}"
                    );
                }
                assert!(r.content_type().starts_with("text/event-stream"));
                (200, Some(Stream(BufReader::new(r.into_reader()))))
            }
            Err(ureq::Error::Status(code, _)) => (code, None),
            Err(e) => panic!("{url}: {e}"),
        }
    }

    /// The next event's data, or `None` when the server ended the stream.
    pub(crate) fn next(&mut self) -> Option<Value> {
        let mut line = String::new();
        loop {
            line.clear();
            if self.0.read_line(&mut line).expect("the stream stalled") == 0 {
                return None;
            }
            if let Some(data) = line.strip_prefix("data:") {
                return Some(serde_json::from_str(data.trim()).unwrap());
            }
        }
    }
}

pub(crate) fn said(event: &Value) -> String {
    match event["type"].as_str().unwrap() {
        "message" => format!(
            "{}: {}",
            event["author"].as_str().unwrap(),
            event["body"].as_str().unwrap()
        ),
        "closed" => format!("closed by {}", event["by"].as_str().unwrap()),
        other => other.to_string(),
    }
}

/// `events` (a shopper's `…/v1/chat/{id}/events` or the agents' `…/v1/agent/events`,
/// with or without a query) with a single-use ticket asked for with `credential`, as
/// the widget and the agent page open their streams.
pub(crate) fn ticketed(events: &str, credential: &str) -> String {
    let (path, query) = events.split_once('?').unwrap_or((events, ""));
    let asks = path.replace("/events", "/tickets");
    let (status, _, body) = call("POST", &asks, Some(credential), Some(STORE), None);
    assert_eq!(status, 201, "{asks}: {body}");
    let ticket = body["ticket"].as_str().unwrap();
    match query {
        "" => format!("{path}?ticket={ticket}"),
        q => format!("{path}?{q}&ticket={ticket}"),
    }
}

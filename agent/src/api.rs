//! The agent endpoints of the server (`/v1/agent/…`, same origin as the page).

use std::fmt;

use serde::de::DeserializeOwned;
use serde_json::Value;
use shopdesk_wire::chat::{ChatEvent, Say, Summary};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

use crate::text::{error_message, percent_encode};

/// Why a request did not do what it should.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// 401: the token is wrong, or the server was restarted with another one.
    Unauthorized(String),
    /// The server said no, in its own words.
    Http { status: u16, message: String },
    /// No answer: offline, server down, connection dropped.
    Network(String),
    /// An answer this page cannot read (a proxy's error page, a newer server).
    Unreadable(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Unauthorized(m) => write!(f, "{m}"),
            Failure::Http { status, message } if message.starts_with("HTTP ") => {
                write!(f, "the server answered HTTP {status}")
            }
            Failure::Http { status, message } => write!(f, "{message} (HTTP {status})"),
            // The browser's words ("Failed to fetch") add nothing for an agent.
            Failure::Network(_) => write!(f, "cannot reach the server"),
            Failure::Unreadable(m) => write!(f, "unexpected answer from the server: {m}"),
        }
    }
}

/// The conversation list and where the event stream should start.
#[derive(Debug)]
pub(crate) struct Listing {
    pub conversations: Vec<Summary>,
    pub seq: i64,
}

pub(crate) async fn list(token: &str) -> Result<Listing, Failure> {
    let body = call("GET", "/v1/agent/conversations", token, None).await?;
    let value: Value = parse(&body)?;
    Ok(Listing {
        conversations: each(value.get("conversations")),
        seq: value.get("seq").and_then(Value::as_i64).unwrap_or(0),
    })
}

pub(crate) async fn history(token: &str, id: &str) -> Result<Vec<ChatEvent>, Failure> {
    let path = format!("/v1/agent/conversations/{}", percent_encode(id));
    let value: Value = parse(&call("GET", &path, token, None).await?)?;
    Ok(each(value.get("events")))
}

/// Posts a reply; the stored event when the server sent it back (201, or 200 for a
/// retry of one it already has).
pub(crate) async fn say(token: &str, id: &str, say: &Say) -> Result<Option<ChatEvent>, Failure> {
    let path = format!("/v1/agent/conversations/{}/messages", percent_encode(id));
    let json = serde_json::to_string(say).map_err(|e| Failure::Unreadable(e.to_string()))?;
    let body = call("POST", &path, token, Some(json)).await?;
    // Stored is stored: an odd body must not make the reply go out again.
    Ok(serde_json::from_str(&body).ok())
}

pub(crate) async fn close(token: &str, id: &str) -> Result<(), Failure> {
    let path = format!("/v1/agent/conversations/{}/close", percent_encode(id));
    call("POST", &path, token, None).await.map(drop)
}

/// The URL of the live event stream. `EventSource` cannot send headers, so the token
/// goes in the query.
pub(crate) fn events_url(token: &str, after: i64) -> String {
    format!(
        "/v1/agent/events?token={}&after={after}",
        percent_encode(token)
    )
}

/// Items of a JSON array that this page understands; others (a newer server's kinds
/// of event) are skipped rather than failing the whole list.
fn each<T: DeserializeOwned>(array: Option<&Value>) -> Vec<T> {
    array
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|v| serde_json::from_value(v.clone()).ok())
                .collect()
        })
        .unwrap_or_default()
}

fn parse<T: DeserializeOwned>(body: &str) -> Result<T, Failure> {
    serde_json::from_str(body).map_err(|e| Failure::Unreadable(e.to_string()))
}

/// One request with the agent token; the body of a 2xx answer as text.
async fn call(
    method: &str,
    path: &str,
    token: &str,
    json: Option<String>,
) -> Result<String, Failure> {
    let network = |e: JsValue| Failure::Network(describe(&e));
    let init = RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().map_err(network)?;
    headers
        .set("Authorization", &format!("Bearer {token}"))
        .map_err(network)?;
    if let Some(json) = json {
        headers
            .set("Content-Type", "application/json")
            .map_err(network)?;
        init.set_body(&JsValue::from_str(&json));
    }
    init.set_headers(&headers);
    let request = Request::new_with_str_and_init(path, &init).map_err(network)?;
    let window = web_sys::window().ok_or_else(|| Failure::Network("no window".into()))?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(network)?
        .dyn_into()
        .map_err(network)?;
    let status = response.status();
    let text = match response.text() {
        Ok(promise) => JsFuture::from(promise)
            .await
            .map_err(network)?
            .as_string()
            .unwrap_or_default(),
        Err(e) => return Err(network(e)),
    };
    match status {
        200..=299 => Ok(text),
        401 => Err(Failure::Unauthorized(
            "The server did not accept this agent token; check it and sign in again.".into(),
        )),
        _ => Err(Failure::Http {
            status,
            message: error_message(status, &text),
        }),
    }
}

/// A JS error's message, whatever was thrown.
pub(crate) fn describe(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".into())
}

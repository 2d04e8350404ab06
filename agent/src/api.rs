//! The agent endpoints of the server (`/v1/agent/…`, same origin as the page).

use serde::de::DeserializeOwned;
use serde_json::Value;
pub(crate) use shopdesk_web::http::Failure;
use shopdesk_web::http::{self, percent_encode, Call};
use shopdesk_wire::chat::{ChatEvent, Say, Summary};

/// A 401 means the agent token: the server was restarted with another one, or it was
/// mistyped. Any other failure is the shared kind.
const TOKEN_REFUSED: &str =
    "The server did not accept this agent token; check it and sign in again.";

/// The message for the sign-in form when `failure` is a refused token.
pub(crate) fn token_refused(failure: &Failure) -> Option<String> {
    (failure.status() == Some(401)).then(|| TOKEN_REFUSED.to_string())
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
    let request = match method {
        "POST" => Call::post(path),
        _ => Call::get(path),
    }
    .bearer(token);
    let request = match &json {
        Some(body) => request.json(body),
        None => request,
    };
    http::call(request).await.map(|answer| answer.body)
}

//! The agent endpoints of the server (`/v1/agent/…`, same origin as the page).

use serde::de::DeserializeOwned;
use serde_json::Value;
pub(crate) use shopdesk_web::http::Failure;
use shopdesk_web::http::{self, percent_encode, Call};
use shopdesk_wire::agents::{
    AccountChange, AccountInfo, CannedInput, CannedReply, Colleague, Handover, NewAgent, Presence,
    SignIn, SignedIn,
};
use shopdesk_wire::chat::{ChatEvent, MailState, ReadUpTo, Say, Summary};
use shopdesk_wire::gaps::GapsReport;

/// A 401 means the session ended (signed out elsewhere, idle too long, the account
/// disabled or its password reset): back to the sign-in form, with the server's reason.
pub(crate) fn session_ended(failure: &Failure) -> Option<String> {
    (failure.status() == Some(401)).then(|| sentence(failure))
}

/// A refusal in the server's own words, as a sentence for the page.
pub(crate) fn sentence(failure: &Failure) -> String {
    let text = match failure {
        Failure::Http { message, .. } => message.clone(),
        other => other.to_string(),
    };
    let mut chars = text.chars();
    let mut line: String = chars
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    line.push_str(chars.as_str());
    if !line.ends_with(['.', '!', '?']) {
        line.push('.');
    }
    line
}

/// Who is signed in in this browser, if anyone (the session cookie is sent by the
/// browser itself, same origin; the page never sees it).
pub(crate) async fn current() -> Result<Option<SignedIn>, Failure> {
    let answer = http::call(Call::get(SESSION)).await?;
    if answer.status == 204 {
        return Ok(None);
    }
    parse(&answer.body).map(Some)
}

pub(crate) async fn sign_in(email: &str, password: &str) -> Result<SignedIn, Failure> {
    let body = serde_json::to_string(&SignIn {
        email: email.to_string(),
        password: password.to_string(),
    })
    .map_err(|e| Failure::Unreadable(e.to_string()))?;
    parse(&http::call(Call::post(SESSION).json(&body)).await?.body)
}

pub(crate) async fn sign_out(csrf: &str) -> Result<(), Failure> {
    http::call(Call::delete(SESSION).header(CSRF_HEADER, csrf))
        .await
        .map(drop)
}

/// Away (not taking chats) or back.
pub(crate) async fn set_away(csrf: &str, away: bool) -> Result<(), Failure> {
    let body = serde_json::to_string(&Presence { away })
        .map_err(|e| Failure::Unreadable(e.to_string()))?;
    http::call(
        Call::put("/v1/agent/presence")
            .header(CSRF_HEADER, csrf)
            .json(&body),
    )
    .await
    .map(drop)
}

const SESSION: &str = "/v1/agent/session";
const CSRF_HEADER: &str = "X-CSRF-Token";

/// The conversation list and where the event stream should start.
#[derive(Debug)]
pub(crate) struct Listing {
    pub conversations: Vec<Summary>,
    pub seq: i64,
}

pub(crate) async fn list() -> Result<Listing, Failure> {
    let body = call("GET", "/v1/agent/conversations", None, None).await?;
    let value: Value = parse(&body)?;
    Ok(Listing {
        conversations: each(value.get("conversations")),
        seq: value.get("seq").and_then(Value::as_i64).unwrap_or(0),
    })
}

/// A page of conversations: a search's results or older ended ones; `more`: the
/// server has more.
#[derive(Debug)]
pub(crate) struct Page {
    pub conversations: Vec<Summary>,
    pub seq: i64,
    pub more: bool,
}

/// Conversations whose handoff or messages contain `text`.
pub(crate) async fn search(text: &str) -> Result<Page, Failure> {
    page(&format!(
        "/v1/agent/conversations?limit=50&q={}",
        percent_encode(text)
    ))
    .await
}

/// Ended conversations listed after the one closed at `before` with id `id`.
pub(crate) async fn older(before: i64, id: &str) -> Result<Page, Failure> {
    page(&format!(
        "/v1/agent/conversations?limit=20&ended_before={before}&before_id={}",
        percent_encode(id)
    ))
    .await
}

async fn page(path: &str) -> Result<Page, Failure> {
    let value: Value = parse(&call("GET", path, None, None).await?)?;
    Ok(Page {
        conversations: each(value.get("conversations")),
        seq: value.get("seq").and_then(Value::as_i64).unwrap_or(0),
        more: value.get("more").and_then(Value::as_bool).unwrap_or(false),
    })
}

/// A conversation's events, and its emails to the shopper.
pub(crate) async fn history(id: &str) -> Result<(Vec<ChatEvent>, Vec<MailState>), Failure> {
    let path = format!("/v1/agent/conversations/{}", percent_encode(id));
    let value: Value = parse(&call("GET", &path, None, None).await?)?;
    Ok((each(value.get("events")), each(value.get("mail"))))
}

/// Posts a reply; the stored event when the server sent it back (201, or 200 for a
/// retry of one it already has).
pub(crate) async fn say(csrf: &str, id: &str, say: &Say) -> Result<Option<ChatEvent>, Failure> {
    let path = format!("/v1/agent/conversations/{}/messages", percent_encode(id));
    let json = serde_json::to_string(say).map_err(|e| Failure::Unreadable(e.to_string()))?;
    let body = call("POST", &path, Some(csrf), Some(json)).await?;
    // Stored is stored: an odd body must not make the reply go out again.
    Ok(serde_json::from_str(&body).ok())
}

pub(crate) async fn close(csrf: &str, id: &str) -> Result<(), Failure> {
    let path = format!("/v1/agent/conversations/{}/close", percent_encode(id));
    call("POST", &path, Some(csrf), None).await.map(drop)
}

/// "Take it": the conversation becomes this agent's. The `assigned` event when it
/// changed hands (none if it was theirs already).
pub(crate) async fn take(csrf: &str, id: &str) -> Result<Option<ChatEvent>, Failure> {
    let path = format!("/v1/agent/conversations/{}/take", percent_encode(id));
    let body = call("POST", &path, Some(csrf), None).await?;
    Ok(serde_json::from_str(&body).ok())
}

/// Hands the conversation to colleague `to`, or back to the queue.
pub(crate) async fn hand_over(
    csrf: &str,
    id: &str,
    to: Option<String>,
) -> Result<Option<ChatEvent>, Failure> {
    let path = format!("/v1/agent/conversations/{}/assign", percent_encode(id));
    let json =
        serde_json::to_string(&Handover { to }).map_err(|e| Failure::Unreadable(e.to_string()))?;
    let body = call("POST", &path, Some(csrf), Some(json)).await?;
    Ok(serde_json::from_str(&body).ok())
}

/// The agent types a reply in `id` (not stored; the shopper sees it for a moment).
pub(crate) async fn typing(csrf: &str, id: &str) -> Result<(), Failure> {
    let path = format!("/v1/agent/conversations/{}/typing", percent_encode(id));
    call("POST", &path, Some(csrf), None).await.map(drop)
}

/// The agent has seen every event of `id` up to `seq`.
pub(crate) async fn read(csrf: &str, id: &str, seq: i64) -> Result<(), Failure> {
    let path = format!("/v1/agent/conversations/{}/read", percent_encode(id));
    let json =
        serde_json::to_string(&ReadUpTo { seq }).map_err(|e| Failure::Unreadable(e.to_string()))?;
    call("POST", &path, Some(csrf), Some(json)).await.map(drop)
}

/// Every enabled agent, with whether they are online and how busy.
pub(crate) async fn colleagues() -> Result<Vec<Colleague>, Failure> {
    let value: Value = parse(&call("GET", "/v1/agent/agents", None, None).await?)?;
    Ok(each(value.get("agents")))
}

/// The shop's canned replies.
pub(crate) async fn canned() -> Result<Vec<CannedReply>, Failure> {
    let value: Value = parse(&call("GET", CANNED, None, None).await?)?;
    Ok(each(value.get("replies")))
}

pub(crate) async fn add_canned(csrf: &str, input: &CannedInput) -> Result<CannedReply, Failure> {
    let json = serde_json::to_string(input).map_err(|e| Failure::Unreadable(e.to_string()))?;
    parse(&call("POST", CANNED, Some(csrf), Some(json)).await?)
}

pub(crate) async fn remove_canned(csrf: &str, id: &str) -> Result<(), Failure> {
    let path = format!("{CANNED}/{}", percent_encode(id));
    http::call(Call::delete(&path).header(CSRF_HEADER, csrf))
        .await
        .map(drop)
}

const CANNED: &str = "/v1/agent/canned";

/// Every account (admins only).
pub(crate) async fn accounts() -> Result<Vec<AccountInfo>, Failure> {
    let value: Value = parse(&call("GET", ACCOUNTS, None, None).await?)?;
    Ok(each(value.get("accounts")))
}

pub(crate) async fn add_account(csrf: &str, new: &NewAgent) -> Result<AccountInfo, Failure> {
    let json = serde_json::to_string(new).map_err(|e| Failure::Unreadable(e.to_string()))?;
    parse(&call("POST", ACCOUNTS, Some(csrf), Some(json)).await?)
}

pub(crate) async fn change_account(
    csrf: &str,
    change: &AccountChange,
) -> Result<AccountInfo, Failure> {
    let json = serde_json::to_string(change).map_err(|e| Failure::Unreadable(e.to_string()))?;
    let request = Call::put(ACCOUNTS).header(CSRF_HEADER, csrf).json(&json);
    parse(&http::call(request).await?.body)
}

const ACCOUNTS: &str = "/v1/agent/accounts";

/// The content-gaps report from `from` (RFC 3339) until now (admins only).
pub(crate) async fn gaps(from: &str) -> Result<GapsReport, Failure> {
    let path = format!("/v1/reports/searches?top=20&from={}", percent_encode(from));
    parse(&call("GET", &path, None, None).await?)
}

/// The URL of the live event stream (`EventSource` sends the session cookie itself).
pub(crate) fn events_url(after: i64) -> String {
    format!("/v1/agent/events?after={after}")
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

/// One request in the session (with the CSRF token when it changes something); the
/// body of a 2xx answer as text.
async fn call(
    method: &str,
    path: &str,
    csrf: Option<&str>,
    json: Option<String>,
) -> Result<String, Failure> {
    let request = match method {
        "POST" => Call::post(path),
        _ => Call::get(path),
    };
    let request = match csrf {
        Some(token) => request.header(CSRF_HEADER, token),
        None => request,
    };
    let request = match &json {
        Some(body) => request.json(body),
        None => request,
    };
    http::call(request).await.map(|answer| answer.body)
}

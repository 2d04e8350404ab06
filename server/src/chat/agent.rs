//! The agents' side of the chat (`/v1/agent/…`), used by the agent page: every
//! conversation with its handoff, one event stream for all of them, replies and
//! closing. All behind the agent token.

// A refusal is the finished HTTP response, made at most once per request: its size
// does not matter.
#![allow(clippy::result_large_err)]

use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use shopdesk_wire::chat::{Author, Say};

use super::{failed, read, resume_after, stored, stream, Chat, Shared, StreamQuery};
use crate::reply::{now_ms, refuse};

/// Ended conversations the list shows besides the open ones.
const RECENTLY_ENDED: u32 = 20;

/// An agent counted as online for as long as this lives (their event stream).
#[derive(Debug)]
pub struct Online(Arc<Chat>);

impl Online {
    fn new(chat: Arc<Chat>) -> Self {
        chat.agents_online.fetch_add(1, Ordering::Relaxed);
        Online(chat)
    }
}

impl Drop for Online {
    fn drop(&mut self) {
        self.0.agents_online.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The agent token must come with the request (a header, or `?token=` for streams).
fn agent(chat: &Chat, headers: &HeaderMap, query_token: Option<&str>) -> Result<(), Response> {
    let Some(expected) = &chat.agent_token else {
        return Err(refuse(
            StatusCode::NOT_FOUND,
            "live chat is off on this server; start it with an agent token (--agent-token)",
            None,
        ));
    };
    let given = crate::access::bearer(headers).or(query_token);
    if given.is_some_and(|g| crate::access::same_secret(g, expected)) {
        Ok(())
    } else {
        Err(refuse(
            StatusCode::UNAUTHORIZED,
            "send the agent token as `Authorization: Bearer <token>`",
            None,
        ))
    }
}

/// `GET /v1/agent/conversations`: open conversations (longest waiting first), the
/// latest ended ones, and the event number to stream from.
pub(super) async fn list(State(chat): State<Shared>, headers: HeaderMap) -> Response {
    if let Err(r) = agent(&chat, &headers, None) {
        return r;
    }
    match chat.store.list(RECENTLY_ENDED).await {
        Ok((conversations, seq)) => {
            Json(json!({ "conversations": conversations, "seq": seq })).into_response()
        }
        Err(e) => failed(e),
    }
}

/// `GET /v1/agent/conversations/{id}`: every event of one conversation.
pub(super) async fn history(
    State(chat): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = agent(&chat, &headers, None) {
        return r;
    }
    let mut events = Vec::new();
    let mut after = 0;
    loop {
        match chat.store.events_after(Some(id.clone()), after, 500).await {
            Ok(page) if page.is_empty() => break,
            Ok(page) => {
                after = page.last().map_or(after, |e| e.seq);
                events.extend(page);
            }
            Err(e) => return failed(e),
        }
    }
    // Every conversation starts with its `started` event: none, no conversation.
    if events.is_empty() {
        return refuse(
            StatusCode::NOT_FOUND,
            &format!("there is no conversation {id}"),
            None,
        );
    }
    Json(json!({ "events": events })).into_response()
}

/// `POST /v1/agent/conversations/{id}/messages`.
pub(super) async fn say(
    State(chat): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let answer = async {
        agent(&chat, &headers, None)?;
        let message = read(&headers, body, Say::from_json)?;
        stored(chat.store.say(&id, Author::Agent, message, now_ms()).await)
    };
    answer.await.unwrap_or_else(|r| r)
}

/// `POST /v1/agent/conversations/{id}/close`.
pub(super) async fn close(
    State(chat): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = agent(&chat, &headers, None) {
        return r;
    }
    match chat.store.close(&id, Author::Agent, now_ms()).await {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => failed(e),
    }
}

/// `GET /v1/agent/events?token=&after=`: every conversation's events; while it is
/// open, the agent counts as online.
pub(super) async fn events(
    State(chat): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<StreamQuery>,
) -> Response {
    if let Err(r) = agent(&chat, &headers, query.token.as_deref()) {
        return r;
    }
    let after = resume_after(&headers, &query);
    stream::events(
        chat.store.clone(),
        None,
        after,
        Some(Online::new(chat.clone())),
    )
    .into_response()
}

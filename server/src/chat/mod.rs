//! Live chat: a shopper hands over from the FAQ to a person, and agents answer on the
//! agent page (`/agent/`).
//!
//! Shoppers' calls (`/v1/chat/…`) come from store pages, so they follow the same origin
//! rules and rate limit as feedback, and each conversation is opened by the token its
//! start returned. Agents' calls (`/v1/agent/…`) need the agent token. Both sides
//! receive events as server-sent events (`stream.rs`) that resume after the last event
//! a client saw.

// A refusal is the finished HTTP response, made at most once per request: its size
// does not matter.
#![allow(clippy::result_large_err)]

pub mod agent;
pub mod store;
mod stream;

use std::net::SocketAddr;
use std::sync::atomic::AtomicU32;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use shopdesk_wire::chat::{Author, Handoff, Say, Started};

use self::store::{ChatError, ChatStore};
use crate::limit::RateLimiter;
use crate::reply::{forbidden_origin, now_ms, preflight as cors_preflight, refuse, with_cors};

/// What the chat endpoints need.
#[derive(Debug)]
pub struct Chat {
    pub store: ChatStore,
    /// Store origins whose pages may chat (the same list as for feedback).
    pub origins: Vec<String>,
    pub limiter: Option<RateLimiter>,
    /// Bearer token for `/v1/agent/*`; without one, chat is off (nobody could answer).
    pub agent_token: Option<String>,
    pub trust_proxy: bool,
    /// Agent pages connected right now.
    pub agents_online: AtomicU32,
}

pub type Shared = Arc<Chat>;

impl Chat {
    /// Chat over `store`; off (503 to shoppers) without an `agent_token`.
    pub fn new(
        store: ChatStore,
        origins: Vec<String>,
        limiter: Option<RateLimiter>,
        agent_token: Option<String>,
        trust_proxy: bool,
    ) -> Self {
        Self {
            store,
            origins,
            limiter,
            agent_token,
            trust_proxy,
            agents_online: AtomicU32::new(0),
        }
    }
}

/// The chat routes; `body_limit` bounds what a shopper may post.
pub fn router(chat: Shared, body_limit: usize) -> Router {
    Router::new()
        .route("/v1/chat", post(start).options(preflight))
        .route("/v1/chat/{id}/messages", post(say).options(preflight))
        .route("/v1/chat/{id}/close", post(close).options(preflight))
        .route("/v1/chat/{id}/events", get(events))
        .route("/v1/agent/conversations", get(agent::list))
        .route("/v1/agent/conversations/{id}", get(agent::history))
        .route("/v1/agent/conversations/{id}/messages", post(agent::say))
        .route("/v1/agent/conversations/{id}/close", post(agent::close))
        .route("/v1/agent/events", get(agent::events))
        .layer(axum::extract::DefaultBodyLimit::max(body_limit))
        .with_state(chat)
}

fn forbidden(origin: &str) -> Response {
    forbidden_origin(origin, "use the chat")
}

/// The checks every shopper request passes: origin, chat on, rate limit.
fn admit(
    chat: &Chat,
    client: SocketAddr,
    headers: &HeaderMap,
) -> Result<Option<HeaderValue>, Response> {
    let origin =
        crate::access::allowed_origin(&chat.origins, headers).map_err(|o| forbidden(&o))?;
    if chat.agent_token.is_none() {
        return Err(with_cors(
            refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "live chat is off on this server; start it with an agent token (--agent-token)",
                None,
            ),
            origin,
        ));
    }
    if let Some(r) = chat
        .limiter
        .as_ref()
        .and_then(|l| l.refusal(headers, client, chat.trust_proxy))
    {
        return Err(with_cors(r, origin));
    }
    Ok(origin)
}

/// A JSON body, or the refusal that says why not.
fn json_body(headers: &HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<Bytes, Response> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| {
            t.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .eq_ignore_ascii_case("application/json")
        });
    if !json {
        return Err(refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send JSON (Content-Type: application/json)",
            None,
        ));
    }
    body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            refuse(
                StatusCode::PAYLOAD_TOO_LARGE,
                "the request is too large; messages are limited to 4000 characters",
                None,
            )
        } else {
            refuse(rejection.status(), &rejection.body_text(), None)
        }
    })
}

/// A JSON body read by `parse` (which checks it), or the refusal that says why not,
/// naming the bad field.
pub(crate) fn read<T>(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    parse: fn(&[u8]) -> Result<T, shopdesk_wire::Invalid>,
) -> Result<T, Response> {
    let body = json_body(headers, body)?;
    parse(&body).map_err(|invalid| {
        refuse(
            StatusCode::BAD_REQUEST,
            &invalid.to_string(),
            Some(&invalid.field),
        )
    })
}

pub(crate) fn failed(e: ChatError) -> Response {
    match e {
        ChatError::NotFound(_) => refuse(StatusCode::NOT_FOUND, &e.to_string(), None),
        ChatError::Closed => refuse(StatusCode::CONFLICT, &e.to_string(), None),
        other => {
            tracing::error!("chat: {other}");
            refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "the chat could not store that right now; retry later",
                None,
            )
        }
    }
}

/// `POST /v1/chat`: a shopper asks for a person, with their handoff.
async fn start(
    State(chat): State<Shared>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let origin = match admit(&chat, client, &headers) {
        Ok(origin) => origin,
        Err(r) => return r,
    };
    let answer = async {
        let handoff = read(&headers, body, Handoff::from_json)?;
        let opened = chat.store.start(handoff, now_ms()).await.map_err(failed)?;
        let started = Started {
            id: opened.id,
            token: opened.token,
            agents_online: chat
                .agents_online
                .load(std::sync::atomic::Ordering::Relaxed),
        };
        Ok::<_, Response>((StatusCode::CREATED, Json(started)).into_response())
    };
    with_cors(answer.await.unwrap_or_else(|r| r), origin)
}

/// The shopper's token must open conversation `id`.
async fn shopper(chat: &Chat, id: &str, token: Option<&str>) -> Result<(), Response> {
    let Some(token) = token else {
        return Err(refuse(
            StatusCode::UNAUTHORIZED,
            "send the conversation's token as `Authorization: Bearer <token>`",
            None,
        ));
    };
    match chat.store.authorize(id, token).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(refuse(
            StatusCode::NOT_FOUND,
            "there is no conversation with this id and token; start a new one",
            None,
        )),
        Err(e) => Err(failed(e)),
    }
}

/// `POST /v1/chat/{id}/messages`: 201 with the stored event, 200 if this message id was
/// already stored, 409 once the conversation has ended.
async fn say(
    State(chat): State<Shared>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let origin = match admit(&chat, client, &headers) {
        Ok(origin) => origin,
        Err(r) => return r,
    };
    let answer = async {
        shopper(&chat, &id, crate::access::bearer(&headers)).await?;
        let message = read(&headers, body, Say::from_json)?;
        stored(
            chat.store
                .say(&id, Author::Shopper, message, now_ms())
                .await,
        )
    };
    with_cors(answer.await.unwrap_or_else(|r| r), origin)
}

/// The answer to a message: the event as stored, 201 if new.
pub(crate) fn stored(
    result: Result<(shopdesk_wire::chat::ChatEvent, bool), ChatError>,
) -> Result<Response, Response> {
    let (event, added) = result.map_err(failed)?;
    let status = if added {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(event)).into_response())
}

/// `POST /v1/chat/{id}/close`: the shopper ends the chat (again: no change).
async fn close(
    State(chat): State<Shared>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let origin = match admit(&chat, client, &headers) {
        Ok(origin) => origin,
        Err(r) => return r,
    };
    let answer = async {
        shopper(&chat, &id, crate::access::bearer(&headers)).await?;
        chat.store
            .close(&id, Author::Shopper, now_ms())
            .await
            .map_err(failed)?;
        Ok::<_, Response>(StatusCode::NO_CONTENT.into_response())
    };
    with_cors(answer.await.unwrap_or_else(|r| r), origin)
}

#[derive(Debug, Deserialize)]
pub(crate) struct StreamQuery {
    /// `EventSource` cannot send headers: the token comes in the URL.
    token: Option<String>,
    /// The last event the client has (the `Last-Event-ID` header wins).
    after: Option<i64>,
}

/// Where a stream resumes: after `Last-Event-ID` (an `EventSource` reconnecting), else
/// after `?after=`, else from the start.
pub(crate) fn resume_after(headers: &HeaderMap, query: &StreamQuery) -> i64 {
    headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .or(query.after)
        .unwrap_or(0)
        .max(0)
}

/// `GET /v1/chat/{id}/events?token=`: the conversation's events as server-sent events,
/// ending after it closes.
async fn events(
    State(chat): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(query): Query<StreamQuery>,
) -> Response {
    let origin = match crate::access::allowed_origin(&chat.origins, &headers) {
        Ok(origin) => origin,
        Err(o) => return forbidden(&o),
    };
    let token = query.token.as_deref().or(crate::access::bearer(&headers));
    if let Err(r) = shopper(&chat, &id, token).await {
        return with_cors(r, origin);
    }
    let after = resume_after(&headers, &query);
    with_cors(
        stream::events(chat.store.clone(), Some(id), after, None).into_response(),
        origin,
    )
}

/// `OPTIONS` for the shopper's endpoints (store pages on other origins).
async fn preflight(State(chat): State<Shared>, headers: HeaderMap) -> Response {
    cors_preflight(
        &chat.origins,
        &headers,
        "content-type, authorization",
        "use the chat",
    )
}

//! The agents' side of the chat (`/v1/agent/…`), used by the agent page: every
//! conversation with its handoff, one event stream for all of them, replies and
//! closing. All behind a signed-in agent's session or the automation token.

use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use shopdesk_wire::agents::Handover;
use shopdesk_wire::chat::{Assignee, Author, ChatEvent, ReadUpTo, Say, Ticket};

use super::tickets::{self, Holder};
use super::{failed, resume_after, stored, stream, Actor, Shared, StreamQuery, Target};
use crate::agents::accounts::Role;
use crate::agents::Caller;
use crate::edge::{ApiError, Checked};
use crate::now_ms;

/// Ended conversations the list shows besides the open ones.
const RECENTLY_ENDED: u32 = 20;

/// A signed-in agent or the automation token (see `crate::agents`); checked before
/// the body is read.
pub(super) struct Agent(pub Caller);

impl Agent {
    /// The signed-in agent (none for automation): shoppers see their name on replies.
    fn assignee(&self) -> Option<Assignee> {
        match &self.0 {
            Caller::Agent(session) => Some(Assignee {
                id: session.account.id.clone(),
                name: session.account.name.clone(),
            }),
            Caller::Automation => None,
        }
    }

    fn actor(&self) -> Actor {
        Actor {
            agent: self.assignee(),
            admin: matches!(&self.0, Caller::Agent(s) if s.account.role == Role::Admin),
        }
    }
}

impl FromRequestParts<Shared> for Agent {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, chat: &Shared) -> Result<Self, ApiError> {
        chat.staff
            .authenticate(&parts.method, &parts.headers)
            .await
            .map(Agent)
    }
}

/// What the agents' list asks for: by default every open conversation and the latest
/// ended ones; `ended_before` pages further back through the ended ones; `q` searches.
#[derive(Debug, Deserialize)]
pub(super) struct ListQuery {
    q: Option<String>,
    /// The `closed_at` and id of the last ended conversation the agent has.
    ended_before: Option<i64>,
    before_id: Option<String>,
    limit: Option<u32>,
}

/// Most conversations a search or a page of ended ones returns.
const MAX_PAGE: u32 = 100;

/// `GET /v1/agent/conversations`: open conversations (longest waiting first), the
/// latest ended ones, and the event number to stream from; or, with `ended_before`, the
/// next page of ended ones; or, with `q`, the conversations whose handoff or messages
/// contain it. `more` says whether a page or a search had more to give.
pub(super) async fn list(
    State(chat): State<Shared>,
    _: Agent,
    Query(query): Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let limit = query.limit.unwrap_or(RECENTLY_ENDED).clamp(1, MAX_PAGE);
    let page = |mut found: Vec<_>, seq| {
        let more = found.len() > limit as usize;
        found.truncate(limit as usize);
        Json(json!({ "conversations": found, "seq": seq, "more": more }))
    };
    if let Some(q) = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        if q.chars().count() < 2 {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "search for at least 2 characters",
            ));
        }
        let seq = chat.store.clock().await.map_err(failed)?;
        let found = chat.store.search(q, limit + 1).await.map_err(failed)?;
        return Ok(page(found, seq));
    }
    if let Some(before) = query.ended_before {
        let seq = chat.store.clock().await.map_err(failed)?;
        let found = chat
            .store
            .ended_before(before, query.before_id.as_deref().unwrap_or(""), limit + 1)
            .await
            .map_err(failed)?;
        return Ok(page(found, seq));
    }
    let (conversations, seq) = chat.store.list(RECENTLY_ENDED).await.map_err(failed)?;
    Ok(Json(json!({ "conversations": conversations, "seq": seq })))
}

/// `GET /v1/agent/conversations/{id}`: every event of one conversation.
pub(super) async fn history(
    State(chat): State<Shared>,
    _: Agent,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let mut events: Vec<ChatEvent> = Vec::new();
    let mut after = 0;
    loop {
        let page = chat
            .store
            .events_after(Some(&id), after, 500)
            .await
            .map_err(failed)?;
        let Some(last) = page.last() else {
            break;
        };
        after = last.seq;
        events.extend(page);
    }
    // Every conversation starts with its `started` event: none, no conversation.
    if events.is_empty() {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!("there is no conversation {id}"),
        ));
    }
    let mail = crate::mail::outbox::states(chat.store.db(), &id)
        .await
        .map_err(|e| failed(e.into()))?;
    Ok(Json(json!({ "events": events, "mail": mail })))
}

/// `POST /v1/agent/conversations/{id}/messages`.
pub(super) async fn say(
    State(chat): State<Shared>,
    agent: Agent,
    Path(id): Path<String>,
    Checked(message): Checked<Say>,
) -> Result<impl IntoResponse, ApiError> {
    stored(
        chat.store
            .say_as(&id, Author::Agent, agent.assignee(), message, now_ms())
            .await,
    )
}

/// `POST /v1/agent/conversations/{id}/take`: "Take it". 200 with the `assigned` event,
/// 204 if it was this agent's already, 409 if a colleague handles it (admins may take
/// it over).
pub(super) async fn take(
    State(chat): State<Shared>,
    agent: Agent,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    moved(&chat, &id, agent.actor(), Target::Me).await
}

/// `POST /v1/agent/conversations/{id}/assign` `{"to": id}` hands the conversation to
/// an online colleague, `{"to": null}` back to the queue; only by the agent who handles
/// it (or an admin, or automation).
pub(super) async fn assign(
    State(chat): State<Shared>,
    agent: Agent,
    Path(id): Path<String>,
    Checked(handover): Checked<Handover>,
) -> Result<Response, ApiError> {
    let to = handover.to.map_or(Target::Queue, Target::Colleague);
    moved(&chat, &id, agent.actor(), to).await
}

async fn moved(chat: &Shared, id: &str, actor: Actor, to: Target) -> Result<Response, ApiError> {
    let event = chat
        .store
        .assign(id, actor, to, now_ms())
        .await
        .map_err(failed)?;
    // Back in the queue: someone else may be given it now.
    chat.route_now();
    Ok(match event {
        Some(event) => Json(event).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    })
}

/// `POST /v1/agent/conversations/{id}/typing`: the agent is typing a reply.
pub(super) async fn typing(
    State(chat): State<Shared>,
    agent: Agent,
    Path(id): Path<String>,
) -> StatusCode {
    let name = agent.assignee().map(|a| a.name);
    chat.typing(id, Author::Agent, name).await
}

/// `POST /v1/agent/conversations/{id}/read` `{"seq": n}`: the agent has seen every
/// event of the conversation up to `n`.
pub(super) async fn read(
    State(chat): State<Shared>,
    _: Agent,
    Path(id): Path<String>,
    Checked(read): Checked<ReadUpTo>,
) -> Result<StatusCode, ApiError> {
    chat.read(&id, Author::Agent, read.seq).await
}

/// `GET /v1/agent/agents`: colleagues to hand a conversation to, and how busy each is.
pub(super) async fn colleagues(
    State(chat): State<Shared>,
    _: Agent,
) -> Result<Json<Value>, ApiError> {
    let agents = chat.store.colleagues(now_ms()).await.map_err(failed)?;
    Ok(Json(json!({ "agents": agents })))
}

/// `POST /v1/agent/conversations/{id}/close`.
pub(super) async fn close(
    State(chat): State<Shared>,
    _: Agent,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    chat.store
        .close(&id, Author::Agent, now_ms())
        .await
        .map_err(failed)?;
    chat.route_now();
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /v1/agent/tickets`: a single-use ticket for the agents' event stream (the
/// agent page's cookie reaches the stream by itself; this is for clients whose
/// credential is a token, which must not sit in a URL).
pub(super) async fn ticket(
    State(chat): State<Shared>,
    agent: Agent,
) -> Result<(StatusCode, Json<Ticket>), ApiError> {
    let holder = Holder::Agent(agent.assignee().map(|a| a.id));
    let ticket = tickets::issue(chat.store.db(), &holder, now_ms())
        .await
        .map_err(|e| failed(e.into()))?;
    Ok((StatusCode::CREATED, Json(Ticket { ticket })))
}

/// `GET /v1/agent/events?after=`: every conversation's events; while it is open, the
/// agent counts as online (once, however many tabs). Opened with the session cookie,
/// an `Authorization` header, or `?ticket=`.
pub(super) async fn events(
    State(chat): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<StreamQuery>,
) -> Result<Response, ApiError> {
    query.refuse_token("/v1/agent/tickets")?;
    // A credential in the headers wins: a refused ticket must not count as a wrong
    // token against the address (`throttle::guard_tokens`).
    let ticket = query
        .ticket
        .as_ref()
        .filter(|_| crate::access::bearer(&headers).is_none());
    let agent = match ticket {
        Some(ticket) => match tickets::redeem(chat.store.db(), ticket, now_ms())
            .await
            .map_err(|e| failed(e.into()))?
        {
            Some(Holder::Agent(agent)) => agent.unwrap_or_else(|| "automation".into()),
            _ => return Err(super::stale_ticket()),
        },
        None => match chat.staff.authenticate(&Method::GET, &headers).await? {
            Caller::Agent(session) => session.account.id,
            Caller::Automation => "automation".into(),
        },
    };
    let admitted = chat.admit(None, None).await?;
    let after = resume_after(&headers, &query);
    let online = chat.presence.online(&agent).await;
    Ok(stream::events(
        chat.store.clone(),
        None,
        after,
        stream::Holds::Agent(online, admitted),
        chat.streams.bounds(),
    ))
}

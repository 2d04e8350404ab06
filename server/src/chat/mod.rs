//! Live chat: a shopper hands over from the FAQ to a person, and agents answer on the
//! agent page (`/agent/`).
//!
//! Shoppers' calls (`/v1/chat/…`) come from store pages, so they follow the same origin
//! rules and rate limit as feedback, and each conversation is opened by the token its
//! start returned. Agents' calls (`/v1/agent/…`) need the agent token. Both sides
//! receive events as server-sent events (`stream.rs`) that resume after the last event
//! a client saw.

pub mod agent;
pub mod gate;
pub mod hours;
pub mod identity;
pub mod presence;
pub mod routing;
mod shoppers;
pub mod signals;
pub mod store;
mod stream;
pub mod tickets;
pub mod wake;
mod writer;

pub use writer::{Actor, Admission, AuthorLabel, Counts, OpenCaps, Target};

use std::sync::Arc;

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use shopdesk_wire::chat::{
    Author, Availability, ChatEvent, Handoff, History, HistoryRequest, ReadUpTo, Resume, Say,
    Signal, Started, Ticket,
};

use self::hours::OfficeHours;
use self::presence::Presence;
use self::routing::Routing;
use self::store::{ChatError, ChatStore};
use crate::agents::SharedStaff;
use crate::edge::{ApiError, Checked};
use crate::mail::link::LinkError;
use crate::now_ms;

/// What the chat endpoints need (origins and the rate limit of the shopper's routes
/// are the shopfront's, `crate::edge::shopfront`).
#[derive(Debug)]
pub struct Chat {
    pub store: ChatStore,
    /// Bearer token for `/v1/agent/*`; without one, chat is off (nobody could answer).
    pub staff: SharedStaff,
    /// Agent pages connected right now, on every instance.
    pub presence: Presence,
    /// Wakes this instance's routing (`routing.rs`) when something here changed.
    route_now: Arc<tokio::sync::Notify>,
    /// When the shop answers in person, and what it says when nobody is there.
    pub away: Away,
    /// Caps on open conversations (every instance together).
    pub open: OpenCaps,
    /// Admission of event streams (per conversation and network: every instance).
    pub streams: gate::Gate,
    /// Store page addresses whole; by default without query and fragment.
    pub keep_url_query: bool,
    /// Which identities are believed (`identity.rs`).
    pub identities: identity::Verifier,
}

/// Open conversations at most per client network and in total, by default.
pub const OPEN_CAPS: OpenCaps = OpenCaps {
    per_client: 20,
    total: 5_000,
};

/// When nobody can answer live.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Away {
    /// Without office hours, the shop is open whenever an agent is online.
    pub hours: Option<OfficeHours>,
    pub message: Option<String>,
}

pub type Shared = Arc<Chat>;

impl Chat {
    /// Chat over `store`, answered by `staff` and routed by `routing`; off (503 to
    /// shoppers) while nobody can answer. Must run inside the tokio runtime (presence
    /// and routing run tasks of their own).
    pub fn new(store: ChatStore, staff: SharedStaff, routing: Routing) -> Self {
        let route_now = Arc::new(tokio::sync::Notify::new());
        routing::start(store.clone(), routing, route_now.clone());
        Self {
            presence: Presence::new(store.db().clone(), route_now.clone()),
            streams: gate::Gate::recorded(gate::Bounds::default(), store.db()),
            store,
            staff,
            route_now,
            away: Away::default(),
            open: OPEN_CAPS,
            keep_url_query: false,
            identities: identity::Verifier::default(),
        }
    }

    /// Verifying identities with the shop's secret.
    pub fn with_identities(mut self, identities: identity::Verifier) -> Self {
        self.identities = identities;
        self
    }

    /// Keeping store page addresses whole (their query strings may hold personal data).
    pub fn keeping_url_query(mut self, keep: bool) -> Self {
        self.keep_url_query = keep;
        self
    }

    /// With other caps on open conversations and streams.
    pub fn with_bounds(mut self, open: OpenCaps, streams: gate::Bounds) -> Self {
        self.open = open;
        self.streams = self.streams.with_bounds(streams);
        self
    }

    /// The client's network (`crate::limit::Client`) a request came from: the socket's
    /// address, or behind a trusted proxy the one it added.
    fn network(&self, headers: &HeaderMap, socket: SocketAddr) -> String {
        let ip = crate::limit::client_ip(headers, socket.ip(), self.staff.trust_proxy);
        crate::limit::Client::from(ip).to_string()
    }

    /// Admits a stream, or refuses it with 503 and a time to come back.
    async fn admit(
        &self,
        conversation: Option<&str>,
        network: Option<&str>,
    ) -> Result<gate::Admitted, ApiError> {
        self.streams
            .admit(conversation, network)
            .await
            .map_err(|refused| {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, refused.message()).retry_after(30)
            })
    }

    /// With office hours and an away message.
    pub fn with_away(mut self, away: Away) -> Self {
        self.away = away;
        self
    }

    /// Whether a person can answer at `now`.
    pub async fn availability(&self, now: i64) -> Result<Availability, ApiError> {
        let agents_online = self
            .presence
            .agents_online()
            .await
            .map_err(|e| failed(ChatError::from(e)))?;
        let t = jiff::Timestamp::from_millisecond(now).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        let in_hours = self.away.hours.as_ref().is_none_or(|h| h.open_at(t));
        let next_open = match (&self.away.hours, in_hours) {
            (Some(h), false) => h.next_open(t).map(|t| t.as_millisecond()),
            _ => None,
        };
        Ok(Availability {
            live: in_hours && agents_online > 0,
            in_hours,
            agents_online: u32::try_from(agents_online).unwrap_or(0),
            next_open,
            away_message: self.away.message.clone(),
            off: false,
        })
    }

    /// Routes at once (a conversation arrived or ended, an agent came or went).
    pub(crate) fn route_now(&self) {
        self.route_now.notify_one();
    }

    async fn on(&self) -> Result<(), ApiError> {
        if self.staff.can_answer().await {
            Ok(())
        } else {
            Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "live chat is off on this server: add an agent (shopdesk-server agent add) or start it with --agent-token",
            ))
        }
    }

    /// The shopper's `token` must open conversation `id`.
    async fn authorize(&self, id: &str, token: Option<&str>) -> Result<(), ApiError> {
        let Some(token) = token else {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "send the conversation's token as `Authorization: Bearer <token>`",
            ));
        };
        match self.store.authorize(id, token).await {
            Ok(true) => Ok(()),
            Ok(false) => Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "there is no conversation with this id and token; start a new one",
            )),
            Err(e) => Err(failed(e)),
        }
    }
}

/// The shopper's calls from store pages (behind the shopfront guard); `body_limit`
/// bounds what a shopper may post.
pub fn shopper_routes(chat: Shared, body_limit: usize) -> Router {
    Router::new()
        .route("/v1/chat", post(start))
        .route("/v1/chat/availability", get(availability))
        .route("/v1/chat/resume", post(resume))
        .route("/v1/chat/history", post(history))
        .route("/v1/chat/{id}/messages", post(say))
        .route("/v1/chat/{id}/close", post(close))
        .route("/v1/chat/{id}/typing", post(typing))
        .route("/v1/chat/{id}/read", post(read))
        .route("/v1/chat/{id}/tickets", post(ticket))
        .layer(axum::extract::DefaultBodyLimit::max(body_limit))
        .with_state(chat)
}

/// The shopper's event stream (admitted by origin).
pub fn shopper_streams(chat: Shared) -> Router {
    Router::new()
        .route("/v1/chat/{id}/events", get(events))
        .with_state(chat)
}

/// The agent page's calls (same origin, behind the agent token).
pub fn agent_routes(chat: Shared, body_limit: usize) -> Router {
    Router::new()
        .route("/v1/agent/conversations", get(agent::list))
        .route("/v1/agent/conversations/{id}", get(agent::history))
        .route("/v1/agent/conversations/{id}/messages", post(agent::say))
        .route("/v1/agent/conversations/{id}/close", post(agent::close))
        .route("/v1/agent/conversations/{id}/take", post(agent::take))
        .route("/v1/agent/conversations/{id}/typing", post(agent::typing))
        .route("/v1/agent/conversations/{id}/read", post(agent::read))
        .route("/v1/agent/conversations/{id}/assign", post(agent::assign))
        .route("/v1/agent/agents", get(agent::colleagues))
        .route("/v1/agent/tickets", post(agent::ticket))
        .layer(axum::extract::DefaultBodyLimit::max(body_limit))
        .with_state(chat)
}

/// The agents' event stream (behind the agent token, like their calls).
pub fn agent_streams(chat: Shared) -> Router {
    Router::new()
        .route("/v1/agent/events", get(agent::events))
        .with_state(chat)
}

/// Chat is on: extracted first, so a shop without chat says so before anything else.
struct ChatOn;

impl FromRequestParts<Shared> for ChatOn {
    type Rejection = ApiError;

    async fn from_request_parts(_: &mut Parts, chat: &Shared) -> Result<Self, ApiError> {
        chat.on().await.map(|()| ChatOn)
    }
}

/// A conversation the request's bearer token opens; checked before the body is read.
struct Conversation(String);

impl FromRequestParts<Shared> for Conversation {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, chat: &Shared) -> Result<Self, ApiError> {
        chat.on().await?;
        let Path(id) = Path::<String>::from_request_parts(parts, chat)
            .await
            .map_err(|e| ApiError::new(e.status(), e.body_text()))?;
        chat.authorize(&id, crate::access::bearer(&parts.headers))
            .await?;
        Ok(Conversation(id))
    }
}

pub(crate) fn failed(e: ChatError) -> ApiError {
    match e {
        ChatError::NotFound(_) => ApiError::new(StatusCode::NOT_FOUND, e.to_string()),
        ChatError::Closed | ChatError::AssignedTo(_) | ChatError::Handover(_) => {
            ApiError::new(StatusCode::CONFLICT, e.to_string())
        }
        ChatError::Link(LinkError::Invalid) => ApiError::new(StatusCode::FORBIDDEN, e.to_string()),
        ChatError::Link(LinkError::Expired) => ApiError::new(StatusCode::GONE, e.to_string()),
        ChatError::Full(_) => {
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e.to_string()).retry_after(60)
        }
        other => ApiError::unavailable("the chat could not store that", format!("chat: {other}")),
    }
}

/// `GET /v1/chat/availability`: whether a person answers now, else when the shop is
/// back; the widget asks when the shopper opens the chat. Answered even while chat is
/// off (nobody answers then): the widget asks on every store page where a shopper
/// opens the panel, and a refusal would be a console error on each.
async fn availability(State(chat): State<Shared>) -> Result<Json<Availability>, ApiError> {
    let mut available = chat.availability(now_ms()).await?;
    if !chat.staff.can_answer().await {
        available.live = false;
        available.off = true;
    }
    Ok(Json(available))
}

/// `POST /v1/chat`: a shopper asks for a person, with their handoff. Outside office
/// hours or with nobody online it is a message left for later (`offline`), answered
/// by email if the shopper gave an address.
///
/// A start sent again with the same `start_key` (its answer was lost) answers 200 with
/// the conversation it opened; open conversations are capped per client network and
/// in total (503 with `Retry-After`).
async fn start(
    State(chat): State<Shared>,
    ConnectInfo(socket): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    _: ChatOn,
    Checked(mut handoff): Checked<Handoff>,
) -> Result<impl IntoResponse, ApiError> {
    handoff.page_url = crate::privacy::urls::kept(handoff.page_url, chat.keep_url_query);
    let customer = match chat.identities.check(handoff.identity.as_mut()) {
        Ok(identity::Checked::Verified(id)) => Some(id),
        Ok(_) => None,
        Err(refused) => {
            return Err(
                ApiError::new(StatusCode::FORBIDDEN, refused.message()).field("identity.signature")
            )
        }
    };
    // The server's word only: what a client claims here is replaced.
    handoff.verified = handoff.identity.as_ref().map(|_| customer.is_some());
    let now = now_ms();
    let available = chat.availability(now).await?;
    let client = chat
        .store
        .keys()
        .await
        .map_err(failed)?
        .client_key(&chat.network(&headers, socket));
    let opened = chat
        .store
        .start_within(
            handoff,
            !available.live,
            Admission {
                client: Some(client),
                caps: chat.open,
                customer,
            },
            now,
        )
        .await
        .map_err(failed)?;
    let status = if opened.event.is_some() {
        chat.route_now();
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let started = Started {
        id: opened.id,
        token: opened.token,
        agents_online: available.agents_online,
    };
    Ok((status, Json(started)))
}

/// `POST /v1/chat/resume` `{"link": …}`: the signed link from an email, exchanged for
/// its conversation and a key to it (403 if the link was changed, 410 once expired).
async fn resume(
    State(chat): State<Shared>,
    _: ChatOn,
    Checked(resume): Checked<Resume>,
) -> Result<Json<Started>, ApiError> {
    let now = now_ms();
    let (id, token) = chat.store.resume(&resume.link, now).await.map_err(failed)?;
    let available = chat.availability(now).await?;
    Ok(Json(Started {
        id,
        token,
        agents_online: available.agents_online,
    }))
}

/// `POST /v1/chat/history` `{"id": …, "signature": …}`: a verified shopper's earlier
/// conversations, each with a key to it (403 when the signature does not prove the id;
/// an unverified identity never sees a verified one's conversations).
async fn history(
    State(chat): State<Shared>,
    _: ChatOn,
    Checked(asked): Checked<HistoryRequest>,
) -> Result<Json<History>, ApiError> {
    if !chat.identities.proves(&asked.id, &asked.signature) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "this signature does not prove the customer id; earlier conversations are shown to verified shoppers only",
        )
        .field("signature"));
    }
    let conversations = chat
        .store
        .history(&asked.id, HISTORY_SHOWN)
        .await
        .map_err(failed)?;
    Ok(Json(History { conversations }))
}

/// Earlier conversations a verified shopper is shown.
const HISTORY_SHOWN: i64 = 20;

/// `POST /v1/chat/{id}/messages`: 201 with the stored event, 200 if this message was
/// already stored, 409 once the conversation has ended.
async fn say(
    State(chat): State<Shared>,
    Conversation(id): Conversation,
    Checked(message): Checked<Say>,
) -> Result<impl IntoResponse, ApiError> {
    stored(
        chat.store
            .say(&id, Author::Shopper, message, now_ms())
            .await,
    )
}

/// The answer to a message: the event as stored, 201 if new.
pub(crate) fn stored(
    result: Result<(ChatEvent, bool), ChatError>,
) -> Result<(StatusCode, Json<ChatEvent>), ApiError> {
    let (event, added) = result.map_err(failed)?;
    let status = if added {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(event)))
}

/// `POST /v1/chat/{id}/close`: the shopper ends the chat (again: no change).
async fn close(
    State(chat): State<Shared>,
    Conversation(id): Conversation,
) -> Result<StatusCode, ApiError> {
    chat.store
        .close(&id, Author::Shopper, now_ms())
        .await
        .map_err(failed)?;
    chat.route_now();
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /v1/chat/{id}/typing`: the shopper is typing (204; passed on at most every
/// two seconds, never stored).
async fn typing(State(chat): State<Shared>, Conversation(id): Conversation) -> StatusCode {
    chat.typing(id, Author::Shopper, None).await
}

/// `POST /v1/chat/{id}/read` `{"seq": n}`: the shopper has seen every event up to `n`.
async fn read(
    State(chat): State<Shared>,
    Conversation(id): Conversation,
    Checked(read): Checked<ReadUpTo>,
) -> Result<StatusCode, ApiError> {
    chat.read(&id, Author::Shopper, read.seq).await
}

impl Chat {
    /// Passes on that `author` types in `id`, unless they did a moment ago.
    pub(crate) async fn typing(
        &self,
        id: String,
        author: Author,
        name: Option<String>,
    ) -> StatusCode {
        if self.store.signals().may_type(&id, author, now_ms()) {
            let signal = Signal::Typing {
                conversation: id,
                author,
                name,
            };
            self.store.signals().send(self.store.db(), signal).await;
        }
        StatusCode::NO_CONTENT
    }

    /// Stores `author`'s read mark and passes it on.
    pub(crate) async fn read(
        &self,
        id: &str,
        author: Author,
        seq: i64,
    ) -> Result<StatusCode, ApiError> {
        self.store
            .mark_read(id, author, seq)
            .await
            .map_err(failed)?;
        Ok(StatusCode::NO_CONTENT)
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct StreamQuery {
    /// `EventSource` cannot send headers: a single-use ticket (`tickets.rs`) opens the
    /// stream instead of a credential in the URL.
    ticket: Option<String>,
    /// Refused with advice: a long-lived secret in a URL ends up in logs.
    token: Option<String>,
    /// The last event the client has (the `Last-Event-ID` header wins).
    after: Option<i64>,
}

impl StreamQuery {
    /// The refusal of a `?token=`, which older clients sent.
    fn refuse_token(&self, ask: &str) -> Result<(), ApiError> {
        match self.token {
            Some(_) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                format!(
                    "credentials do not belong in URLs (proxies log them): ask `POST {ask}` \
                     for a ticket and open the stream with `?ticket=`, or send `Authorization`"
                ),
            )
            .field("token")),
            None => Ok(()),
        }
    }
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

/// The refusal of a ticket that opens nothing (made up, used, expired, or another's).
fn stale_ticket() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "this ticket is used, expired or not for this stream; ask for a new one",
    )
    .field("ticket")
}

/// `POST /v1/chat/{id}/tickets`: a single-use ticket for the conversation's stream.
async fn ticket(
    State(chat): State<Shared>,
    Conversation(id): Conversation,
) -> Result<(StatusCode, Json<Ticket>), ApiError> {
    let ticket = tickets::issue(chat.store.db(), &tickets::Holder::Shopper(id), now_ms())
        .await
        .map_err(|e| failed(ChatError::from(e)))?;
    Ok((StatusCode::CREATED, Json(Ticket { ticket })))
}

/// `GET /v1/chat/{id}/events?ticket=`: the conversation's events as server-sent events,
/// ending after it closes. A client that can send headers may use its key as a bearer
/// token instead.
async fn events(
    State(chat): State<Shared>,
    ConnectInfo(socket): ConnectInfo<SocketAddr>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(query): Query<StreamQuery>,
) -> Result<Response, ApiError> {
    chat.on().await?;
    query.refuse_token(&format!("/v1/chat/{id}/tickets"))?;
    match &query.ticket {
        Some(ticket) => {
            let holder = tickets::redeem(chat.store.db(), ticket, now_ms())
                .await
                .map_err(|e| failed(ChatError::from(e)))?;
            if holder != Some(tickets::Holder::Shopper(id.clone())) {
                return Err(stale_ticket());
            }
        }
        None => chat.authorize(&id, crate::access::bearer(&headers)).await?,
    }
    let admitted = chat
        .admit(Some(&id), Some(&chat.network(&headers, socket)))
        .await?;
    let after = resume_after(&headers, &query);
    Ok(stream::events(
        chat.store.clone(),
        Some(id),
        after,
        stream::Holds::Shopper(admitted),
        chat.streams.bounds(),
    ))
}

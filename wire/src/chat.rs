//! Live chat between a shopper (the widget) and a support agent (the agent page),
//! relayed by the server.
//!
//! A conversation starts with a [`Handoff`]: everything the widget knows about what the
//! shopper already tried, so the agent never asks again. After that both sides only see
//! [`ChatEvent`]s, numbered by the server (`seq`), which is what lets a reconnecting
//! client ask for "everything after 41" and miss nothing.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::check::{is_uuid, Invalid};

/// Longest chat message, in characters.
pub const MAX_MESSAGE: usize = 4000;
/// Most searches and articles a handoff carries (the newest).
pub const MAX_HISTORY: usize = 20;
/// Longest search or article title in a handoff, in characters.
pub const MAX_HISTORY_ITEM: usize = 200;

/// What the shopper did before asking for a person: sent once, when the chat starts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Handoff {
    /// The store page they were on, and its title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_title: Option<String>,
    /// Their language tag, as the widget resolved it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// What they searched for, oldest first.
    #[serde(default)]
    pub searched: Vec<String>,
    /// The help articles they read, oldest first.
    #[serde(default)]
    pub read: Vec<ArticleRef>,
    /// Who they are, from `shopdesk.identify` (the merchant's word, not verified here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<Value>,
    /// The merchant's `shopdesk.setContext` object (cart, order number, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor_id: Option<String>,
    /// The name the shopper gave in the pre-chat form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Where answers go when the shopper is not in the chat (the pre-chat form, "Leave
    /// a message", or the email `identify` gave).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The shopper's time zone (IANA name, from the browser): emails show times in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// The shopper asked for the conversation by email when it ends.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub transcript: bool,
    /// Articles the shopper opened from the suggestions while writing their first
    /// message (they read them, and still asked).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suggested: Vec<ArticleRef>,
    /// Made by the widget for each start: a start sent again after a network error
    /// (its answer lost) returns the same conversation instead of opening a second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_key: Option<String>,
    /// Set by the server, never by clients (what they send is replaced): whether
    /// `identity.id` was signed by the shop's backend (`identify({…, signature})`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
}

/// A verified shopper asks for their earlier conversations: the customer id and the
/// signature the shop's backend made for it (as given to `identify`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryRequest {
    pub id: String,
    pub signature: String,
}

impl HistoryRequest {
    pub fn from_json(body: &[u8]) -> Result<Self, Invalid> {
        let request: HistoryRequest = crate::check::parse(body)?;
        crate::check::text("id", Some(&request.id), crate::MAX_ID)?;
        crate::check::text("signature", Some(&request.signature), 128)?;
        Ok(request)
    }
}

/// A verified shopper's earlier conversations, newest first, each with a key to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    pub conversations: Vec<Earlier>,
}

/// One earlier conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Earlier {
    pub id: String,
    pub token: String,
    pub started_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<i64>,
    /// The shopper's first message, shortened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview: Option<String>,
}

/// Longest name in a pre-chat form, in characters.
pub const MAX_NAME: usize = 100;

/// A help article the shopper opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleRef {
    pub id: String,
    pub title: String,
}

/// Whether a person can answer now (`GET /v1/chat/availability`): read when the shopper
/// opens the chat, to offer "Talk to a person" or "Leave a message".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Availability {
    /// Within office hours (always, without them) and an agent is online: a person
    /// answers in the chat now.
    pub live: bool,
    /// Within the shop's office hours.
    pub in_hours: bool,
    /// Agents online and not away.
    pub agents_online: u32,
    /// When office hours begin next (milliseconds since the epoch), outside them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_open: Option<i64>,
    /// The merchant's words for when nobody is there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub away_message: Option<String>,
    /// Chat is off on this server (no agent accounts): nobody answers, not even later,
    /// so there is no message to leave either.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub off: bool,
}

/// `POST /v1/chat/resume`: the signed link from an email, exchanged for the
/// conversation (answered with [`Started`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resume {
    pub link: String,
}

impl Resume {
    pub fn from_json(body: &[u8]) -> Result<Self, Invalid> {
        let resume: Resume = crate::check::parse(body)?;
        crate::check::text("link", Some(&resume.link), 512)?;
        Ok(resume)
    }
}

/// The server's answer to a new conversation. `token` is the shopper's key to it (the
/// widget keeps it for the browser tab, so the chat follows them across pages).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Started {
    pub id: String,
    pub token: String,
    /// Agents connected right now; 0 means the shopper's message waits for one.
    pub agents_online: u32,
}

/// A single-use ticket that opens one event stream (`?ticket=`) within a minute:
/// `EventSource` sends no headers, and a conversation's key must not sit in a URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub ticket: String,
}

/// A message as a client posts it. `id` is made by the client and is the idempotency
/// key: a message sent again after a network error appears once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Say {
    pub id: String,
    pub body: String,
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Author {
    Shopper,
    Agent,
}

impl Author {
    pub fn as_str(self) -> &'static str {
        match self {
            Author::Shopper => "shopper",
            Author::Agent => "agent",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "shopper" => Some(Author::Shopper),
            "agent" => Some(Author::Agent),
            _ => None,
        }
    }
}

/// Something that happened in a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum What {
    /// The shopper asked for a person; agents get the handoff. `offline`: nobody could
    /// answer live when it started (outside office hours or no agent online), so it is
    /// a message left for later, answered by email when the shopper is gone.
    Started {
        handoff: Box<Handoff>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        offline: bool,
    },
    Message {
        author: Author,
        /// The sender's idempotency key.
        id: String,
        body: String,
        /// The display name of the agent who wrote it (signed in with an account), for
        /// the shopper to see who answers; set by the server, never by a client.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
    /// Someone ended the conversation; nothing more can be said in it. `idle`: the
    /// server closed it after a long silence from the shopper (`by` is then `agent`).
    Closed {
        by: Author,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        idle: bool,
    },
    /// Who handles the conversation changed: an agent (`to`), or nobody, back in the
    /// queue for whoever takes it.
    Assigned {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<Assignee>,
        why: Why,
    },
}

/// Something passing, never stored: sent on event streams as `event: signal`, without
/// an id (so it never moves where a stream resumes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Signal {
    /// `author` is typing in `conversation` (`name`: the agent's). Shown for a few
    /// seconds, or until their message arrives.
    Typing {
        conversation: String,
        author: Author,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
    /// `author`'s side has shown every event of `conversation` up to `seq`.
    Read {
        conversation: String,
        author: Author,
        seq: i64,
    },
}

/// `POST …/read`: every event up to `seq` is on the reader's screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadUpTo {
    pub seq: i64,
}

impl ReadUpTo {
    pub fn from_json(body: &[u8]) -> Result<Self, Invalid> {
        let read: ReadUpTo = crate::check::parse(body)?;
        if read.seq < 1 {
            return Err(Invalid::new(
                "seq",
                "must be the number of an event (1 or more)",
            ));
        }
        Ok(read)
    }
}

/// The agent who handles a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignee {
    /// The agent's account id.
    pub id: String,
    /// Their display name, as shoppers and colleagues see it.
    pub name: String,
}

/// Why a conversation changed hands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "lowercase")]
pub enum Why {
    /// The server gave it to the next available agent (round-robin).
    Routed,
    /// An agent took it ("Take it", or by replying to a waiting conversation).
    Taken,
    /// `by` handed it over (to a colleague, or back to the queue).
    Handed { by: String },
    /// Its agent went offline.
    Offline,
    /// Its agent did not answer the shopper in time.
    Unanswered,
}

/// What makes two messages the same one: who wrote it and the id its sender made.
///
/// Each sender makes its own ids (the shopper's widget, the agent's page), so an id
/// alone says nothing across authors: a shopper's message and an agent's with the same
/// id are two messages. Every side that de-duplicates (the server's store, the widget's
/// log, the agent page's desk) compares these keys, and nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MessageKey<'a> {
    pub author: Author,
    pub id: &'a str,
}

impl<'a> MessageKey<'a> {
    pub fn new(author: Author, id: &'a str) -> Self {
        Self { author, id }
    }

    /// The key as one string, `author:id` (what the server stores and indexes).
    pub fn stored(&self) -> String {
        format!("{}:{}", self.author.as_str(), self.id)
    }
}

impl What {
    /// The message's key; `None` for events that are not messages.
    pub fn message_key(&self) -> Option<MessageKey<'_>> {
        match self {
            What::Message { author, id, .. } => Some(MessageKey::new(*author, id)),
            _ => None,
        }
    }
}

/// One event, as the event streams deliver it (`id:` of a server-sent event is `seq`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatEvent {
    /// Increases with every event the server stores, across conversations.
    pub seq: i64,
    pub conversation: String,
    /// Milliseconds since the Unix epoch, server time.
    pub at: i64,
    #[serde(flatten)]
    pub what: What,
}

/// A conversation as the agent page lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub id: String,
    pub started_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<i64>,
    pub handoff: Handoff,
    /// Who handles it; none while it waits in the queue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned: Option<Assignee>,
    /// The newest event the shopper has seen (0: none yet).
    #[serde(default)]
    pub shopper_read: i64,
    /// The newest event an agent has seen.
    #[serde(default)]
    pub agent_read: i64,
    /// A message left while nobody could answer live (see [`What::Started`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub offline: bool,
}

/// An email to the shopper and where its delivery stands, for the agent page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailState {
    /// `reply` (an agent's answer while the shopper was away) or `transcript`.
    pub kind: String,
    /// The event it is about: the reply, or the event that ended the conversation.
    pub seq: i64,
    pub to: String,
    /// `pending` (queued or retrying), `sent`, `failed` (refused for good: see
    /// `error`), or `skipped` (the shopper read it in the chat first).
    pub status: String,
    pub attempts: u32,
    /// Why the last attempt failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// When it is tried (again), while pending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_attempt: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<i64>,
}

impl Handoff {
    /// Reads and checks a handoff, naming the first bad field.
    pub fn from_json(body: &[u8]) -> Result<Self, Invalid> {
        let handoff: Handoff = crate::check::parse(body)?;
        handoff.check()?;
        Ok(handoff)
    }

    pub fn check(&self) -> Result<(), Invalid> {
        crate::check::url("page_url", self.page_url.as_deref())?;
        crate::check::text("page_title", self.page_title.as_deref(), MAX_HISTORY_ITEM)?;
        crate::check::text("locale", self.locale.as_deref(), 35)?;
        crate::check::text("visitor_id", self.visitor_id.as_deref(), crate::MAX_ID)?;
        if self.searched.len() > MAX_HISTORY {
            return Err(Invalid::new(
                "searched",
                format!("may list at most {MAX_HISTORY} searches"),
            ));
        }
        for s in &self.searched {
            crate::check::text("searched", Some(s), MAX_HISTORY_ITEM)?;
        }
        if self.read.len() > MAX_HISTORY {
            return Err(Invalid::new(
                "read",
                format!("may list at most {MAX_HISTORY} articles"),
            ));
        }
        for a in &self.read {
            crate::check::text("read.id", Some(&a.id), crate::MAX_ID)?;
            crate::check::text("read.title", Some(&a.title), MAX_HISTORY_ITEM)?;
        }
        crate::check::object("identity", self.identity.as_ref())?;
        crate::check::object("context", self.context.as_ref())?;
        crate::check::text("name", self.name.as_deref(), MAX_NAME)?;
        crate::check::text("time_zone", self.time_zone.as_deref(), 64)?;
        crate::check::text("start_key", self.start_key.as_deref(), crate::MAX_ID)?;
        if let Some(email) = &self.email {
            if !crate::check::is_email(email) {
                return Err(Invalid::new(
                    "email",
                    "is not an email address; check it for typos (name@example.com)",
                ));
            }
        }
        if self.transcript && self.email.is_none() {
            return Err(Invalid::new(
                "email",
                "is required for a transcript: where should it go?",
            ));
        }
        if self.suggested.len() > MAX_HISTORY {
            return Err(Invalid::new(
                "suggested",
                format!("may list at most {MAX_HISTORY} articles"),
            ));
        }
        for a in &self.suggested {
            crate::check::text("suggested.id", Some(&a.id), crate::MAX_ID)?;
            crate::check::text("suggested.title", Some(&a.title), MAX_HISTORY_ITEM)?;
        }
        Ok(())
    }
}

impl Say {
    /// Reads and checks a message, naming the first bad field.
    pub fn from_json(body: &[u8]) -> Result<Self, Invalid> {
        let say: Say = crate::check::parse(body)?;
        if !is_uuid(&say.id) {
            return Err(Invalid::new(
                "id",
                "must be a UUID made by the client (the idempotency key)",
            ));
        }
        if say.body.trim().is_empty() {
            return Err(Invalid::new("body", "must not be empty"));
        }
        if say.body.chars().count() > MAX_MESSAGE {
            return Err(Invalid::new(
                "body",
                format!("is longer than {MAX_MESSAGE} characters; split the message"),
            ));
        }
        Ok(say)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_have_the_documented_shape() {
        let e = ChatEvent {
            seq: 7,
            conversation: "c1".into(),
            at: 1,
            what: What::Message {
                author: Author::Agent,
                id: "m".into(),
                body: "Hello".into(),
                name: Some("Ana".into()),
            },
        };
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["type"], "message");
        assert_eq!(v["author"], "agent");
        assert_eq!(v["name"], "Ana");
        assert_eq!(v["seq"], 7);
        assert_eq!(serde_json::from_value::<ChatEvent>(v).unwrap(), e);
        let closed = serde_json::to_value(What::Closed {
            by: Author::Shopper,
            idle: false,
        })
        .unwrap();
        assert_eq!(
            closed,
            serde_json::json!({"type": "closed", "by": "shopper"})
        );
        let idle = serde_json::json!({"type": "closed", "by": "agent", "idle": true});
        assert_eq!(
            serde_json::from_value::<What>(idle).unwrap(),
            What::Closed {
                by: Author::Agent,
                idle: true
            }
        );
    }

    #[test]
    fn a_message_is_known_by_its_author_and_id_together() {
        let shopper = MessageKey::new(Author::Shopper, "m1");
        let agent = MessageKey::new(Author::Agent, "m1");
        assert_ne!(
            shopper, agent,
            "the same id from two senders is two messages"
        );
        assert_eq!(shopper, MessageKey::new(Author::Shopper, "m1"));
        assert_ne!(shopper.stored(), agent.stored());
        assert_eq!(agent.stored(), "agent:m1");
        let said = What::Message {
            author: Author::Agent,
            id: "m1".into(),
            body: "Hello".into(),
            name: None,
        };
        assert_eq!(said.message_key(), Some(agent));
        let closed = What::Closed {
            by: Author::Agent,
            idle: false,
        };
        assert_eq!(closed.message_key(), None);
    }

    #[test]
    fn bad_handoffs_and_messages_name_the_field() {
        let long = "x".repeat(MAX_HISTORY_ITEM + 1);
        for (body, field) in [
            (
                r#"{"page_url": "javascript:alert(1)"}"#.to_string(),
                "page_url",
            ),
            (format!(r#"{{"searched": ["{long}"]}}"#), "searched"),
            (r#"{"read": [{"id": "a"}]}"#.to_string(), "read[0].title"),
            (r#"{"context": [1, 2]}"#.to_string(), "context"),
            (r#"{"email": "ana@example"}"#.to_string(), "email"),
            (r#"{"email": "ana example.com"}"#.to_string(), "email"),
            (r#"{"transcript": true}"#.to_string(), "email"),
            (
                format!(r#"{{"name": "{}"}}"#, "x".repeat(MAX_NAME + 1)),
                "name",
            ),
            ("[]".to_string(), "body"),
        ] {
            let e = Handoff::from_json(body.as_bytes()).unwrap_err();
            assert_eq!(e.field, field, "{body}: {e}");
        }
        assert!(Handoff::from_json(b"{}").is_ok());
        let contact = r#"{"name": "Ana", "email": "ana@example.com", "transcript": true}"#;
        assert!(Handoff::from_json(contact.as_bytes()).is_ok());
        let ok = r#"{"id": "0b9f2c1e-7d4a-4c3b-9a57-1f6e2d8c9b10", "body": "Where is my order?"}"#;
        assert!(Say::from_json(ok.as_bytes()).is_ok());
        for (body, field) in [
            (r#"{"id": "1", "body": "hi"}"#.to_string(), "id"),
            (
                r#"{"id": "0b9f2c1e-7d4a-4c3b-9a57-1f6e2d8c9b10", "body": "  "}"#.to_string(),
                "body",
            ),
            (
                format!(
                    r#"{{"id": "0b9f2c1e-7d4a-4c3b-9a57-1f6e2d8c9b10", "body": "{}"}}"#,
                    "x".repeat(MAX_MESSAGE + 1)
                ),
                "body",
            ),
            (r#"{"body": "hi"}"#.to_string(), "id"),
        ] {
            let e = Say::from_json(body.as_bytes()).unwrap_err();
            assert_eq!(e.field, field, "{body}: {e}");
        }
    }
}

//! Conversations and their events in the server's database (`crate::db`).
//!
//! The database is the only truth: an event is committed before anyone sees it, and
//! the event streams read from the database, not from memory. Wake-ups (`wake.rs`,
//! and between instances PostgreSQL's `NOTIFY`) only say "conversation C has events up
//! to N", so a slow or reconnecting client can never miss an event or see one twice.
//!
//! Writes go through one writer task per instance (`writer.rs`), which commits
//! together whatever is waiting and numbers events in commit order; reads come straight
//! from the database.

use shopdesk_wire::agents::Colleague;
use shopdesk_wire::chat::{Assignee, Author, ChatEvent, Earlier, Handoff, Say, Summary, What};
use sqlx::Row;
use thiserror::Error;
use tokio::sync::watch;

use super::routing::Routing;
use super::signals::Signals;
use super::wake::Open;
use super::wake::{Subscription, Wakeups};
use super::writer::{Actor, Admission, Counts, Done, Op, Target, Writer};
use crate::db::{Database, DbError, Notice};
use crate::mail::link::{Keys, LinkError};
use crate::mail::outbox::Queue;

/// The `NOTIFY` channel of chat events: payload `seq conversation`.
pub(super) const CHANNEL: &str = "shopdesk_chat";

#[derive(Debug, Error)]
pub enum ChatError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("there is no conversation {0}")]
    NotFound(String),
    #[error("this conversation has ended; start a new one")]
    Closed,
    #[error("{0} handles this conversation; ask them to hand it over")]
    AssignedTo(String),
    /// A change of hands that cannot happen, and why.
    #[error("{0}")]
    Handover(String),
    #[error("the chat database holds something unreadable: {0}")]
    Corrupt(String),
    #[error("the chat database could not store that: {0}")]
    Write(String),
    #[error(transparent)]
    Link(#[from] LinkError),
    /// A cap on open conversations (`writer::OpenCaps`) is reached.
    #[error("{0}; try again in a minute, or write to the shop by email")]
    Full(&'static str),
}

impl From<sqlx::Error> for ChatError {
    fn from(e: sqlx::Error) -> Self {
        ChatError::Db(DbError::Query(e))
    }
}

/// The chat tables and who waits on them. Cheap to clone.
#[derive(Debug, Clone)]
pub struct ChatStore {
    db: Database,
    wakeups: Wakeups,
    writer: Writer,
    counts: Counts,
    signals: Signals,
    /// Whether other instances' wake-ups reach this one (PostgreSQL's listener is
    /// connected); `None` on SQLite, which has no other instances.
    listening: Option<watch::Receiver<bool>>,
    /// The secret that signs links in emails (loaded from the database on first use).
    keys: std::sync::Arc<tokio::sync::OnceCell<Keys>>,
    /// Where mail is queued; `None`: none is sent.
    mail: Option<Queue>,
}

/// A new conversation: its id and the shopper's key to it.
#[derive(Debug, Clone)]
pub struct Opened {
    pub id: String,
    pub token: String,
    /// The `started` event; `None` when a retried start found its conversation.
    pub event: Option<ChatEvent>,
}

impl ChatStore {
    /// The chat on `db`, sending no mail; on PostgreSQL, also listens for other
    /// instances' events. Must run inside the tokio runtime.
    pub fn new(db: Database) -> Self {
        Self::mailing(db, None)
    }

    /// The same, queueing email in `mail` (see `crate::mail`).
    pub fn mailing(db: Database, mail: Option<Queue>) -> Self {
        let wakeups = Wakeups::default();
        let heard = wakeups.clone();
        let signals = Signals::default();
        let signalled = signals.clone();
        let listening = db.listen(CHANNEL, move |notice| match notice {
            Notice::Payload(text) if text.starts_with('{') => signalled.heard(&text),
            Notice::Payload(text) => match parse_notice(&text) {
                Some((seq, conversation)) => heard.wake(conversation, seq),
                None => tracing::warn!("ignored a chat notification {text:?}"),
            },
            Notice::Resumed => heard.nudge_all(),
        });
        let counts = Counts::default();
        let writer = Writer::start(db.clone(), wakeups.clone(), counts.clone(), mail.clone());
        Self {
            counts,
            db,
            wakeups,
            writer,
            signals,
            listening,
            keys: Default::default(),
            mail,
        }
    }

    /// Whether shoppers' emails are sent (answers while away, transcripts).
    pub fn mails(&self) -> bool {
        self.mail.is_some()
    }

    /// The link-signing secret, shared by every instance on this database.
    pub async fn keys(&self) -> Result<&Keys, ChatError> {
        Ok(self.keys.get_or_try_init(|| Keys::load(&self.db)).await?)
    }

    /// The conversation a link from an email opens, and the shopper's key to it.
    pub async fn resume(&self, link: &str, now: i64) -> Result<(String, String), ChatError> {
        let keys = self.keys().await?;
        let id = keys.open(link, now)?;
        let exists = sqlx::query("SELECT 1 FROM chat_conversations WHERE id = $1")
            .bind(&id)
            .fetch_optional(self.db.reader())
            .await?
            .is_some();
        if !exists {
            return Err(ChatError::NotFound(id));
        }
        let key = keys.shopper_key(&id);
        Ok((id, key))
    }

    /// Whether this instance hears the others' events now (always, on SQLite): until
    /// it does, it reports itself not ready.
    pub fn listening(&self) -> bool {
        self.listening.as_ref().is_none_or(|l| *l.borrow())
    }

    pub fn db(&self) -> &Database {
        &self.db
    }

    /// Wakes on new events of `conversation`, or of all with `None` (and on shutdown).
    pub fn subscribe(&self, conversation: Option<&str>) -> Subscription {
        self.wakeups.subscribe(conversation)
    }

    /// What this instance committed so far.
    pub fn counts(&self) -> &Counts {
        &self.counts
    }

    /// Event streams open on this instance now.
    pub fn open_streams(&self) -> Open {
        self.wakeups.open()
    }

    /// Writes waiting for the writer now.
    pub fn queued(&self) -> usize {
        self.writer.queued()
    }

    /// Ends every event stream (the server is stopping).
    pub fn stop(&self) {
        self.wakeups.stop();
    }

    /// Starts a conversation with what the shopper already tried; `offline`: nobody
    /// can answer live now.
    pub async fn start(
        &self,
        handoff: Handoff,
        offline: bool,
        now: i64,
    ) -> Result<Opened, ChatError> {
        self.start_within(handoff, offline, Admission::default(), now)
            .await
    }

    /// The same for a client (its network keyed, `Keys::client_key`) within `caps`,
    /// for a verified `customer`; a retried start (the same `start_key`) returns its
    /// conversation with a key to it.
    pub async fn start_within(
        &self,
        handoff: Handoff,
        offline: bool,
        admission: Admission,
        now: i64,
    ) -> Result<Opened, ChatError> {
        let op = Op::Start {
            handoff: Box::new(handoff),
            offline,
            admission,
            now,
        };
        let begun = match self.writer.write(op).await? {
            Done::Started(begun) => begun?,
            other => return Err(mixed_up(other)),
        };
        let token = match begun.token {
            Some(token) => token,
            None => self.keys().await?.shopper_key(&begun.id),
        };
        Ok(Opened {
            id: begun.id,
            token,
            event: begun.event,
        })
    }

    /// A verified customer's conversations, newest first (at most `limit`), each with
    /// a key to it and the start of their first message.
    pub async fn history(&self, customer: &str, limit: i64) -> Result<Vec<Earlier>, ChatError> {
        let rows = sqlx::query(
            "SELECT id, started_at, closed_at FROM chat_conversations
             WHERE customer_id = $1 ORDER BY started_at DESC LIMIT $2",
        )
        .bind(customer)
        .bind(limit)
        .fetch_all(self.db.reader())
        .await?;
        let keys = self.keys().await?;
        let mut earlier = Vec::with_capacity(rows.len());
        for row in rows {
            let id: String = row.try_get(0)?;
            let first: Option<String> = sqlx::query(
                "SELECT what FROM chat_events WHERE conversation = $1
                 AND client_id LIKE 'shopper:%' ORDER BY seq LIMIT 1",
            )
            .bind(&id)
            .fetch_optional(self.db.reader())
            .await?
            .map(|r| r.try_get(0))
            .transpose()?;
            let preview = first
                .and_then(|what| serde_json::from_str::<What>(&what).ok())
                .and_then(|what| match what {
                    What::Message { body, .. } => Some(body.chars().take(80).collect()),
                    _ => None,
                });
            earlier.push(Earlier {
                token: keys.shopper_key(&id),
                id,
                started_at: row.try_get(1)?,
                closed_at: row.try_get(2)?,
                preview,
            });
        }
        Ok(earlier)
    }

    /// Whether `token` opens conversation `id`: the key its start returned, or the
    /// one a link from an email gave (`resume`).
    pub async fn authorize(&self, id: &str, token: &str) -> Result<bool, ChatError> {
        let stored: Option<String> =
            sqlx::query("SELECT token_sha256 FROM chat_conversations WHERE id = $1")
                .bind(id)
                .fetch_optional(self.db.reader())
                .await?
                .map(|r| r.try_get(0))
                .transpose()?;
        let Some(stored) = stored else {
            return Ok(false);
        };
        Ok(
            crate::access::same_secret(&stored, &crate::access::digest(token))
                || self.keys().await?.is_shopper_key(id, token),
        )
    }

    /// Adds a message. A message this conversation already has (the same author and
    /// id, `shopdesk_wire::chat::MessageKey`) is not added again: the stored event comes back with `false`.
    pub async fn say(
        &self,
        id: &str,
        author: Author,
        say: Say,
        now: i64,
    ) -> Result<(ChatEvent, bool), ChatError> {
        self.say_as(id, author, None, say, now).await
    }

    /// The same by a signed-in agent: shown to the shopper with their name, refused
    /// when a colleague handles the conversation, and taking it when nobody does.
    pub async fn say_as(
        &self,
        id: &str,
        author: Author,
        agent: Option<Assignee>,
        say: Say,
        now: i64,
    ) -> Result<(ChatEvent, bool), ChatError> {
        let op = Op::Say {
            conversation: id.to_string(),
            author,
            agent,
            say,
            now,
        };
        match self.writer.write(op).await? {
            Done::Said(result) => result,
            other => Err(mixed_up(other)),
        }
    }

    /// Ends a conversation; ending an ended one changes nothing (`None`).
    pub async fn close(
        &self,
        id: &str,
        by: Author,
        now: i64,
    ) -> Result<Option<ChatEvent>, ChatError> {
        let op = Op::Close {
            conversation: id.to_string(),
            by,
            now,
        };
        match self.writer.write(op).await? {
            Done::Closed(result) => result,
            other => Err(mixed_up(other)),
        }
    }

    /// Moves conversation `id` to `to` as `actor` asks; `None` if it was there already.
    pub async fn assign(
        &self,
        id: &str,
        actor: Actor,
        to: Target,
        now: i64,
    ) -> Result<Option<ChatEvent>, ChatError> {
        let op = Op::Assign {
            conversation: id.to_string(),
            actor,
            to,
            now,
        };
        match self.writer.write(op).await? {
            Done::Assigned(result) => result,
            other => Err(mixed_up(other)),
        }
    }

    /// Applies `routing` now (see `routing.rs`); how many conversations changed hands.
    /// Asks first, with a read, whether anything could: most of the time nothing can,
    /// and the writer's lock is left to messages.
    pub async fn route(&self, routing: Routing, now: i64) -> Result<usize, ChatError> {
        let row = sqlx::query(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM chat_conversations c
             LEFT JOIN agents a ON a.id = c.assigned_to
             WHERE c.closed_at IS NULL AND (
                (c.assigned_to IS NULL AND EXISTS (
                    SELECT 1 FROM agents x JOIN agent_presence p ON p.agent = x.id
                    WHERE x.disabled = 0 AND x.away = 0 AND p.seen_ms > $4
                      AND (SELECT COUNT(*) FROM chat_conversations y
                           WHERE y.assigned_to = x.id AND y.closed_at IS NULL) < $1))
                OR a.disabled <> 0
                OR (a.seen_ms < $2 AND NOT EXISTS (
                    SELECT 1 FROM agent_presence q WHERE q.agent = a.id AND q.seen_ms > $4))
                OR (c.waiting_since < $3 AND c.assigned_at < $3)
                OR (c.waiting_since IS NULL AND c.answered_at < $5))",
        )
        .bind(i64::from(routing.cap))
        .bind(now - routing.offline_after_ms)
        .bind(now - routing.requeue_after_ms)
        .bind(now - super::presence::STALE_MS)
        .bind(if routing.idle_close_ms > 0 {
            now - routing.idle_close_ms
        } else {
            i64::MIN
        })
        .fetch_one(self.db.reader())
        .await?;
        if row.try_get::<i64, _>(0)? == 0 {
            return Ok(0);
        }
        match self.writer.write(Op::Route { routing, now }).await? {
            Done::Routed(moved) => Ok(moved),
            other => Err(mixed_up(other)),
        }
    }

    /// Every enabled agent, with whether they are online and how many open
    /// conversations they handle.
    pub async fn colleagues(&self, now: i64) -> Result<Vec<Colleague>, ChatError> {
        sqlx::query(
            "SELECT a.id, a.name, a.away,
                CAST(CASE WHEN EXISTS (SELECT 1 FROM agent_presence p
                                       WHERE p.agent = a.id AND p.seen_ms > $1)
                     THEN 1 ELSE 0 END AS BIGINT),
                (SELECT CAST(COUNT(*) AS BIGINT) FROM chat_conversations c
                 WHERE c.assigned_to = a.id AND c.closed_at IS NULL)
             FROM agents a WHERE a.disabled = 0 ORDER BY a.name, a.id",
        )
        .bind(now - super::presence::STALE_MS)
        .fetch_all(self.db.reader())
        .await?
        .iter()
        .map(|r| {
            Ok(Colleague {
                id: r.try_get(0)?,
                name: r.try_get(1)?,
                away: r.try_get::<i64, _>(2)? != 0,
                online: r.try_get::<i64, _>(3)? != 0,
                handling: u32::try_from(r.try_get::<i64, _>(4)?).unwrap_or(u32::MAX),
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(ChatError::from)
    }

    pub fn signals(&self) -> &Signals {
        &self.signals
    }

    /// `author`'s side has shown every event of `id` up to `seq`: stored as the
    /// side's high-water mark (never moved back, never past the conversation's last
    /// event) and passed on to the other side; `false` if it moved nothing.
    pub async fn mark_read(&self, id: &str, author: Author, seq: i64) -> Result<bool, ChatError> {
        let sql = match author {
            Author::Shopper => {
                "UPDATE chat_conversations SET shopper_read = $2
                 WHERE id = $1 AND shopper_read < $2
                   AND $2 <= (SELECT MAX(seq) FROM chat_events WHERE conversation = $1)"
            }
            Author::Agent => {
                "UPDATE chat_conversations SET agent_read = $2
                 WHERE id = $1 AND agent_read < $2
                   AND $2 <= (SELECT MAX(seq) FROM chat_events WHERE conversation = $1)"
            }
        };
        let moved = sqlx::query(sql)
            .bind(id)
            .bind(seq)
            .execute(self.db.writer())
            .await?
            .rows_affected()
            > 0;
        if moved {
            let signal = shopdesk_wire::chat::Signal::Read {
                conversation: id.to_string(),
                author,
                seq,
            };
            self.signals.send(&self.db, signal).await;
        }
        Ok(moved)
    }

    /// Both sides' read marks of `id`: (shopper's, agents').
    pub async fn read_marks(&self, id: &str) -> Result<(i64, i64), ChatError> {
        let row =
            sqlx::query("SELECT shopper_read, agent_read FROM chat_conversations WHERE id = $1")
                .bind(id)
                .fetch_optional(self.db.reader())
                .await?
                .ok_or_else(|| ChatError::NotFound(id.to_string()))?;
        Ok((row.try_get(0)?, row.try_get(1)?))
    }

    /// The server is stopping.
    pub fn stopping(&self) -> bool {
        self.wakeups.stopping()
    }

    /// Events after `after`, oldest first, at most `limit`: of one conversation, or of
    /// all (the agents' stream).
    pub async fn events_after(
        &self,
        conversation: Option<&str>,
        after: i64,
        limit: u32,
    ) -> Result<Vec<ChatEvent>, ChatError> {
        let rows = match conversation {
            Some(c) => {
                sqlx::query(
                    "SELECT conversation, seq, at, what FROM chat_events
                     WHERE conversation = $1 AND seq > $2 ORDER BY seq LIMIT $3",
                )
                .bind(c)
                .bind(after)
                .bind(i64::from(limit))
                .fetch_all(self.db.reader())
                .await?
            }
            None => {
                sqlx::query(
                    "SELECT conversation, seq, at, what FROM chat_events
                     WHERE seq > $1 ORDER BY seq LIMIT $2",
                )
                .bind(after)
                .bind(i64::from(limit))
                .fetch_all(self.db.reader())
                .await?
            }
        };
        rows.iter()
            .map(|r| event(r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?))
            .collect()
    }

    /// The open conversations (oldest first: they have waited longest) and the
    /// `recent` latest ended ones; with the event number to stream from.
    pub async fn list(&self, recent: u32) -> Result<(Vec<Summary>, i64), ChatError> {
        // The number first: a conversation that starts while the lists are read is then
        // both listed and streamed (the agent page applies events idempotently), never
        // neither.
        let seq = self.clock().await?;
        let mut list = self
            .summaries("WHERE closed_at IS NULL ORDER BY started_at", &[])
            .await?;
        list.extend(
            self.summaries(
                "WHERE closed_at IS NOT NULL ORDER BY closed_at DESC, id DESC LIMIT $1",
                &[i64::from(recent).into()],
            )
            .await?,
        );
        Ok((list, seq))
    }

    /// Ended conversations listed after the one closed at `before` with id `id` (the
    /// last the agent has), latest first, at most `limit`: the next page.
    pub async fn ended_before(
        &self,
        before: i64,
        id: &str,
        limit: u32,
    ) -> Result<Vec<Summary>, ChatError> {
        self.summaries(
            "WHERE closed_at IS NOT NULL AND (closed_at < $1 OR (closed_at = $1 AND id < $2))
             ORDER BY closed_at DESC, id DESC LIMIT $3",
            &[
                before.into(),
                id.to_string().into(),
                i64::from(limit).into(),
            ],
        )
        .await
    }

    /// Conversations, open or ended, whose handoff (the shopper's name, email, the
    /// order number the store passed, the page, their searches) or messages contain
    /// `text`, ignoring case; the latest first, at most `limit`.
    pub async fn search(&self, text: &str, limit: u32) -> Result<Vec<Summary>, ChatError> {
        let pattern = format!("%{}%", like_escape(&text.to_lowercase()));
        self.summaries(
            "WHERE LOWER(handoff) LIKE $1 ESCAPE '\\'
                OR id IN (SELECT conversation FROM chat_events
                          WHERE client_id IS NOT NULL AND LOWER(what) LIKE $1 ESCAPE '\\')
             ORDER BY started_at DESC, id DESC LIMIT $2",
            &[pattern.into(), i64::from(limit).into()],
        )
        .await
    }

    /// The event number where a stream should start to follow what was just read.
    pub async fn clock(&self) -> Result<i64, ChatError> {
        Ok(sqlx::query("SELECT seq FROM chat_clock")
            .fetch_one(self.db.reader())
            .await?
            .try_get(0)?)
    }

    /// Conversations as the agents' list shows them, `rest` being the query's
    /// `WHERE … ORDER BY … LIMIT` with its values.
    async fn summaries(&self, rest: &str, values: &[Value]) -> Result<Vec<Summary>, ChatError> {
        let sql = format!(
            "SELECT id, started_at, closed_at, handoff, assigned_to, assigned_name,
                    shopper_read, agent_read, offline
             FROM chat_conversations {rest}"
        );
        let mut query = sqlx::query(&sql);
        for v in values {
            query = match v {
                Value::Int(n) => query.bind(*n),
                Value::Text(t) => query.bind(t.clone()),
            };
        }
        let rows = query.fetch_all(self.db.reader()).await?;
        rows.iter()
            .map(|r| {
                Ok(Summary {
                    id: r.try_get(0)?,
                    started_at: r.try_get(1)?,
                    closed_at: r.try_get(2)?,
                    handoff: serde_json::from_str(&r.try_get::<String, _>(3)?).unwrap_or_default(),
                    assigned: match (r.try_get(4)?, r.try_get(5)?) {
                        (Some(id), Some(name)) => Some(Assignee { id, name }),
                        _ => None,
                    },
                    shopper_read: r.try_get(6)?,
                    agent_read: r.try_get(7)?,
                    offline: r.try_get::<i64, _>(8)? != 0,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(ChatError::from)
    }

    /// The number of the event that ended conversation `id`, if it has ended.
    pub async fn closing_seq(&self, id: &str) -> Result<Option<i64>, ChatError> {
        Ok(
            sqlx::query("SELECT closed_seq FROM chat_conversations WHERE id = $1")
                .bind(id)
                .fetch_optional(self.db.reader())
                .await?
                .map(|r| r.try_get::<Option<i64>, _>(0))
                .transpose()?
                .flatten(),
        )
    }
}

/// A value bound into a list query.
enum Value {
    Int(i64),
    Text(String),
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Int(n)
    }
}

impl From<String> for Value {
    fn from(t: String) -> Self {
        Value::Text(t)
    }
}

/// `text` with LIKE's wildcards taken literally (escaped with `\`).
fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The writer answered an op with another op's result: a bug, reported as a failure.
fn mixed_up(done: Done) -> ChatError {
    ChatError::Write(format!("internal error: unexpected answer {done:?}"))
}

/// `seq conversation`, as the writer sends it.
fn parse_notice(text: &str) -> Option<(i64, &str)> {
    let (seq, conversation) = text.split_once(' ')?;
    if conversation.is_empty() {
        return None;
    }
    Some((seq.parse().ok()?, conversation))
}

/// A stored event, from its columns.
pub(super) fn event(
    conversation: String,
    seq: i64,
    at: i64,
    what: String,
) -> Result<ChatEvent, ChatError> {
    let what = serde_json::from_str(&what).map_err(|e| {
        ChatError::Corrupt(format!(
            "event {seq} is unreadable ({e}); the database was changed by hand?"
        ))
    })?;
    Ok(ChatEvent {
        seq,
        conversation,
        at,
        what,
    })
}

#[cfg(test)]
mod tests {
    use super::parse_notice;

    #[test]
    fn search_text_matches_literally() {
        assert_eq!(super::like_escape("50%_off\\"), "50\\%\\_off\\\\");
    }

    #[test]
    fn a_notification_names_the_number_and_the_conversation() {
        assert_eq!(parse_notice("42 c-1"), Some((42, "c-1")));
        for bad in ["42", "x c-1", "42 ", ""] {
            assert_eq!(parse_notice(bad), None, "{bad:?}");
        }
    }
}

//! Conversations and their events in the server's database (`crate::db`).
//!
//! The database is the only truth: an event is committed before anyone sees it, and
//! the event streams read from the database, not from memory. Wake-ups (`wake.rs`,
//! and between instances PostgreSQL's `NOTIFY`) only say "conversation C has events up
//! to N", so a slow or reconnecting client can never miss an event or see one twice.
//!
//! Event numbers come from one counter row (`chat_clock`), taken first in every
//! transaction that adds an event: they follow commit order on both backends, so a
//! reader that has seen N has seen everything before N, and the checks that follow
//! (a message already stored, a conversation already ended) see every earlier commit,
//! whichever instance made it.

use sha2::{Digest, Sha256};
use shopdesk_wire::chat::{Author, ChatEvent, Handoff, MessageKey, Say, Summary, What};
use sqlx::any::AnyRow;
use sqlx::{Acquire, AnyConnection, Row};
use thiserror::Error;

use super::wake::{Subscription, Wakeups};
use crate::db::{Database, DbError, Notice};

/// The `NOTIFY` channel of chat events: payload `seq conversation`.
const CHANNEL: &str = "shopdesk_chat";

#[derive(Debug, Error)]
pub enum ChatError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("there is no conversation {0}")]
    NotFound(String),
    #[error("this conversation has ended; start a new one")]
    Closed,
    #[error("the chat database holds something unreadable: {0}")]
    Corrupt(String),
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
}

/// A new conversation: its id and the shopper's key to it.
#[derive(Debug, Clone)]
pub struct Opened {
    pub id: String,
    pub token: String,
    pub event: ChatEvent,
}

impl ChatStore {
    /// The chat on `db`; on PostgreSQL, also listens for other instances' events.
    /// Must run inside the tokio runtime.
    pub fn new(db: Database) -> Self {
        let wakeups = Wakeups::default();
        let heard = wakeups.clone();
        db.listen(CHANNEL, move |notice| match notice {
            Notice::Payload(text) => match parse_notice(&text) {
                Some((seq, conversation)) => heard.wake(conversation, seq),
                None => tracing::warn!("ignored a chat notification {text:?}"),
            },
            Notice::Resumed => heard.nudge_all(),
        });
        Self { db, wakeups }
    }

    pub fn db(&self) -> &Database {
        &self.db
    }

    /// Wakes on new events of `conversation`, or of all with `None` (and on shutdown).
    pub fn subscribe(&self, conversation: Option<&str>) -> Subscription {
        self.wakeups.subscribe(conversation)
    }

    /// Ends every event stream (the server is stopping).
    pub fn stop(&self) {
        self.wakeups.stop();
    }

    /// Conversations someone follows on this instance (for the benchmark).
    pub fn followed(&self) -> usize {
        self.wakeups.followed()
    }

    /// Starts a conversation with what the shopper already tried.
    pub async fn start(&self, handoff: Handoff, now: i64) -> Result<Opened, ChatError> {
        let id = uuid::Uuid::new_v4().to_string();
        let token =
            uuid::Uuid::new_v4().simple().to_string() + &uuid::Uuid::new_v4().simple().to_string();
        let mut conn = self.db.writer().acquire().await?;
        let mut tx = conn.begin().await?;
        let seq = tick(&mut tx).await?;
        sqlx::query(
            "INSERT INTO chat_conversations (id, token_sha256, started_at, handoff)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(&id)
        .bind(digest(&token))
        .bind(now)
        .bind(serde_json::to_string(&handoff).unwrap_or_default())
        .execute(&mut *tx)
        .await?;
        let event = self
            .append(&mut tx, seq, &id, now, None, What::Started { handoff })
            .await?;
        tx.commit().await?;
        self.wakeups.wake(&id, seq);
        Ok(Opened { id, token, event })
    }

    /// Whether `token` opens conversation `id` (the shopper's key).
    pub async fn authorize(&self, id: &str, token: &str) -> Result<bool, ChatError> {
        let stored: Option<String> =
            sqlx::query("SELECT token_sha256 FROM chat_conversations WHERE id = $1")
                .bind(id)
                .fetch_optional(self.db.reader())
                .await?
                .map(|r| r.try_get(0))
                .transpose()?;
        Ok(stored.is_some_and(|s| s == digest(token)))
    }

    /// Adds a message. A message this conversation already has (the same author and
    /// id, [`MessageKey`]) is not added again: the stored event comes back with `false`.
    pub async fn say(
        &self,
        id: &str,
        author: Author,
        say: Say,
        now: i64,
    ) -> Result<(ChatEvent, bool), ChatError> {
        let key = MessageKey::new(author, &say.id).stored();
        let mut conn = self.db.writer().acquire().await?;
        let mut tx = conn.begin().await?;
        let seq = tick(&mut tx).await?;
        if let Some(existing) = sqlx::query(
            "SELECT conversation, seq, at, what FROM chat_events
             WHERE conversation = $1 AND client_id = $2",
        )
        .bind(id)
        .bind(&key)
        .fetch_optional(&mut *tx)
        .await?
        {
            // Dropping the transaction rolls the clock back.
            return Ok((event(&existing)?, false));
        }
        if closed_at(&mut tx, id).await?.is_some() {
            return Err(ChatError::Closed);
        }
        let what = What::Message {
            author,
            id: say.id,
            body: say.body,
        };
        let event = self.append(&mut tx, seq, id, now, Some(&key), what).await?;
        tx.commit().await?;
        self.wakeups.wake(id, seq);
        Ok((event, true))
    }

    /// Ends a conversation; ending an ended one changes nothing (`None`).
    pub async fn close(
        &self,
        id: &str,
        by: Author,
        now: i64,
    ) -> Result<Option<ChatEvent>, ChatError> {
        let mut conn = self.db.writer().acquire().await?;
        let mut tx = conn.begin().await?;
        let seq = tick(&mut tx).await?;
        if closed_at(&mut tx, id).await?.is_some() {
            return Ok(None);
        }
        sqlx::query("UPDATE chat_conversations SET closed_at = $2, closed_seq = $3 WHERE id = $1")
            .bind(id)
            .bind(now)
            .bind(seq)
            .execute(&mut *tx)
            .await?;
        let event = self
            .append(&mut tx, seq, id, now, None, What::Closed { by })
            .await?;
        tx.commit().await?;
        self.wakeups.wake(id, seq);
        Ok(Some(event))
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
        rows.iter().map(event).collect()
    }

    /// The open conversations (oldest first: they have waited longest) and the
    /// `recent` latest ended ones; with the event number to stream from.
    pub async fn list(&self, recent: u32) -> Result<(Vec<Summary>, i64), ChatError> {
        // The number first: a conversation that starts while the lists are read is then
        // both listed and streamed (the agent page applies events idempotently), never
        // neither.
        let seq: i64 = sqlx::query("SELECT seq FROM chat_clock")
            .fetch_one(self.db.reader())
            .await?
            .try_get(0)?;
        let summary = |r: &AnyRow| -> Result<Summary, sqlx::Error> {
            Ok(Summary {
                id: r.try_get(0)?,
                started_at: r.try_get(1)?,
                closed_at: r.try_get(2)?,
                handoff: serde_json::from_str(&r.try_get::<String, _>(3)?).unwrap_or_default(),
            })
        };
        let mut list = sqlx::query(
            "SELECT id, started_at, closed_at, handoff FROM chat_conversations
             WHERE closed_at IS NULL ORDER BY started_at",
        )
        .fetch_all(self.db.reader())
        .await?
        .iter()
        .map(summary)
        .collect::<Result<Vec<_>, _>>()?;
        let ended = sqlx::query(
            "SELECT id, started_at, closed_at, handoff FROM chat_conversations
             WHERE closed_at IS NOT NULL ORDER BY closed_at DESC LIMIT $1",
        )
        .bind(i64::from(recent))
        .fetch_all(self.db.reader())
        .await?;
        for r in &ended {
            list.push(summary(r)?);
        }
        Ok((list, seq))
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

    /// Stores event `seq` (from [`tick`]) and tells the other instances at commit.
    async fn append(
        &self,
        conn: &mut AnyConnection,
        seq: i64,
        conversation: &str,
        at: i64,
        client_id: Option<&str>,
        what: What,
    ) -> Result<ChatEvent, ChatError> {
        let text = serde_json::to_string(&what).map_err(|e| ChatError::Corrupt(e.to_string()))?;
        sqlx::query(
            "INSERT INTO chat_events (seq, conversation, at, client_id, what)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(seq)
        .bind(conversation)
        .bind(at)
        .bind(client_id)
        .bind(text)
        .execute(&mut *conn)
        .await?;
        self.db
            .notify(conn, CHANNEL, &format!("{seq} {conversation}"))
            .await?;
        Ok(ChatEvent {
            seq,
            conversation: conversation.to_string(),
            at,
            what,
        })
    }
}

/// The next event number. Its row stays locked until the transaction ends, which is
/// what orders events by commit (see the module's doc).
async fn tick(conn: &mut AnyConnection) -> Result<i64, ChatError> {
    Ok(
        sqlx::query("UPDATE chat_clock SET seq = seq + 1 RETURNING seq")
            .fetch_one(conn)
            .await?
            .try_get(0)?,
    )
}

/// `seq conversation`, as [`ChatStore::append`] sends it.
fn parse_notice(text: &str) -> Option<(i64, &str)> {
    let (seq, conversation) = text.split_once(' ')?;
    if conversation.is_empty() {
        return None;
    }
    Some((seq.parse().ok()?, conversation))
}

fn event(row: &AnyRow) -> Result<ChatEvent, ChatError> {
    let seq: i64 = row.try_get(1)?;
    let what: String = row.try_get(3)?;
    let what = serde_json::from_str(&what).map_err(|e| {
        ChatError::Corrupt(format!(
            "event {seq} is unreadable ({e}); the database was changed by hand?"
        ))
    })?;
    Ok(ChatEvent {
        seq,
        conversation: row.try_get(0)?,
        at: row.try_get(2)?,
        what,
    })
}

async fn closed_at(conn: &mut AnyConnection, id: &str) -> Result<Option<i64>, ChatError> {
    sqlx::query("SELECT closed_at FROM chat_conversations WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| ChatError::NotFound(id.to_string()))?
        .try_get::<Option<i64>, _>(0)
        .map_err(ChatError::from)
}

/// Tokens are kept hashed: a copy of the database does not open anyone's chat.
fn digest(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::parse_notice;

    #[test]
    fn a_notification_names_the_number_and_the_conversation() {
        assert_eq!(parse_notice("42 c-1"), Some((42, "c-1")));
        for bad in ["42", "x c-1", "42 ", ""] {
            assert_eq!(parse_notice(bad), None, "{bad:?}");
        }
    }
}

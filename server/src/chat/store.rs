//! Conversations and their events in the server's SQLite file.
//!
//! The database is the only truth: an event is committed before anyone sees it, and
//! the event streams read from the database, not from memory. The `changes` channel
//! only wakes the streams ("something after seq N exists"), so a slow or reconnecting
//! client can never miss an event or see one twice.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use sha2::{Digest, Sha256};
use shopdesk_wire::chat::{Author, ChatEvent, Handoff, MessageKey, Say, Summary, What};
use thiserror::Error;
use tokio::sync::watch;

use crate::db::{connect, migrate, DbError};

#[derive(Debug, Error)]
pub enum ChatError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("the chat database failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("there is no conversation {0}")]
    NotFound(String),
    #[error("this conversation has ended; start a new one")]
    Closed,
    #[error("the chat database is unavailable: {0}")]
    Task(String),
}

/// What the event streams wait on: the newest event number, and whether the server is
/// stopping (streams end so a graceful shutdown does not wait for them forever).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Latest {
    pub seq: i64,
    pub stopping: bool,
}

/// The chat database. Cheap to clone.
#[derive(Debug, Clone)]
pub struct ChatStore {
    conn: Arc<Mutex<Connection>>,
    changes: Arc<watch::Sender<Latest>>,
    /// The newest event of each open conversation: a conversation's stream woken by
    /// someone else's event goes back to sleep without a query.
    newest: Arc<Mutex<HashMap<String, i64>>>,
}

/// A new conversation: its id and the shopper's key to it.
#[derive(Debug, Clone)]
pub struct Opened {
    pub id: String,
    pub token: String,
    pub event: ChatEvent,
}

impl ChatStore {
    pub fn open(path: &Path) -> Result<Self, ChatError> {
        let conn = connect(path)?;
        migrate(&conn, path)?;
        let seq: i64 =
            conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM chat_events", [], |r| {
                r.get(0)
            })?;
        let mut newest = HashMap::new();
        {
            let mut q = conn.prepare(
                "SELECT e.conversation, MAX(e.seq) FROM chat_events e
                 JOIN chat_conversations c ON c.id = e.conversation
                 WHERE c.closed_at IS NULL GROUP BY e.conversation",
            )?;
            let rows = q.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
            for row in rows {
                let (id, seq) = row?;
                newest.insert(id, seq);
            }
        }
        let (changes, _) = watch::channel(Latest {
            seq,
            stopping: false,
        });
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
            changes: Arc::new(changes),
            newest: Arc::new(Mutex::new(newest)),
        })
    }

    /// Wakes on every new event (and on shutdown).
    pub fn subscribe(&self) -> watch::Receiver<Latest> {
        self.changes.subscribe()
    }

    /// Ends every event stream (the server is stopping).
    pub fn stop(&self) {
        self.changes.send_modify(|l| l.stopping = true);
    }

    /// Runs `f` with the connection on a blocking thread: SQLite calls block, and a
    /// commit waits for the disk.
    async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, ChatError> + Send + 'static,
    ) -> Result<T, ChatError> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard: MutexGuard<'_, Connection> =
                conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(|e| ChatError::Task(e.to_string()))?
    }

    /// Whether conversation `id` may have events after `after` (unknown: maybe).
    pub fn may_have_after(&self, id: &str, after: i64) -> bool {
        let newest = self.newest.lock().unwrap_or_else(|p| p.into_inner());
        newest.get(id).is_none_or(|&seq| seq > after)
    }

    /// Notes the conversation's newest event (`None`: it ended, forget it) and wakes
    /// the streams.
    fn announce_in(&self, conversation: &str, seq: i64, open: bool) {
        {
            let mut newest = self.newest.lock().unwrap_or_else(|p| p.into_inner());
            if open {
                newest.insert(conversation.to_string(), seq);
            } else {
                newest.remove(conversation);
            }
        }
        self.announce(seq);
    }

    fn announce(&self, seq: i64) {
        self.changes.send_if_modified(|l| {
            let newer = seq > l.seq;
            if newer {
                l.seq = seq;
            }
            newer
        });
    }

    /// Starts a conversation with what the shopper already tried.
    pub async fn start(&self, handoff: Handoff, now: i64) -> Result<Opened, ChatError> {
        let id = uuid::Uuid::new_v4().to_string();
        let token =
            uuid::Uuid::new_v4().simple().to_string() + &uuid::Uuid::new_v4().simple().to_string();
        let (conv, hash) = (id.clone(), digest(&token));
        let event = self
            .with(move |conn| {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                tx.execute(
                    "INSERT INTO chat_conversations (id, token_sha256, started_at, handoff)
                     VALUES (?1, ?2, ?3, ?4)",
                    params![
                        conv,
                        hash,
                        now,
                        serde_json::to_string(&handoff).unwrap_or_default()
                    ],
                )?;
                let event = append(&tx, &conv, now, None, What::Started { handoff })?;
                tx.commit()?;
                Ok(event)
            })
            .await?;
        self.announce_in(&id, event.seq, true);
        Ok(Opened { id, token, event })
    }

    /// Whether `token` opens conversation `id` (the shopper's key).
    pub async fn authorize(&self, id: &str, token: &str) -> Result<bool, ChatError> {
        let (id, hash) = (id.to_string(), digest(token));
        self.with(move |conn| {
            let stored: Option<String> = conn
                .query_row(
                    "SELECT token_sha256 FROM chat_conversations WHERE id = ?1",
                    [&id],
                    |r| r.get(0),
                )
                .optional()?;
            Ok(stored.is_some_and(|s| s == hash))
        })
        .await
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
        let conv = id.to_string();
        let (event, added) = self
            .with(move |conn| {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let key = MessageKey::new(author, &say.id).stored();
                if let Some(existing) = tx
                    .query_row(
                        "SELECT seq, at, what FROM chat_events WHERE conversation = ?1 AND client_id = ?2",
                        params![conv, key],
                        |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?)),
                    )
                    .optional()?
                {
                    return Ok((event(conv, existing)?, false));
                }
                if closed_at(&tx, &conv)?.is_some() {
                    return Err(ChatError::Closed);
                }
                let event = append(
                    &tx,
                    &conv,
                    now,
                    Some(&key),
                    What::Message {
                        author,
                        id: say.id,
                        body: say.body,
                    },
                )?;
                tx.commit()?;
                Ok((event, true))
            })
            .await?;
        if added {
            self.announce_in(id, event.seq, true);
        }
        Ok((event, added))
    }

    /// Ends a conversation; ending an ended one changes nothing (`None`).
    pub async fn close(
        &self,
        id: &str,
        by: Author,
        now: i64,
    ) -> Result<Option<ChatEvent>, ChatError> {
        let conv = id.to_string();
        let event = self
            .with(move |conn| {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                if closed_at(&tx, &conv)?.is_some() {
                    return Ok(None);
                }
                tx.execute(
                    "UPDATE chat_conversations SET closed_at = ?2 WHERE id = ?1",
                    params![conv, now],
                )?;
                let event = append(&tx, &conv, now, None, What::Closed { by })?;
                tx.commit()?;
                Ok(Some(event))
            })
            .await?;
        if let Some(e) = &event {
            self.announce_in(id, e.seq, false);
        }
        Ok(event)
    }

    /// Events after `after`, oldest first, at most `limit`: of one conversation, or of
    /// all (the agents' stream).
    pub async fn events_after(
        &self,
        conversation: Option<String>,
        after: i64,
        limit: u32,
    ) -> Result<Vec<ChatEvent>, ChatError> {
        self.with(move |conn| {
            let rows = match &conversation {
                Some(c) => {
                    let mut q = conn.prepare_cached(
                        "SELECT conversation, seq, at, what FROM chat_events
                         WHERE conversation = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
                    )?;
                    let rows = q.query_map(params![c, after, limit], row)?;
                    rows.collect::<Result<Vec<_>, _>>()?
                }
                None => {
                    let mut q = conn.prepare_cached(
                        "SELECT conversation, seq, at, what FROM chat_events
                         WHERE seq > ?1 ORDER BY seq LIMIT ?2",
                    )?;
                    let rows = q.query_map(params![after, limit], row)?;
                    rows.collect::<Result<Vec<_>, _>>()?
                }
            };
            rows.into_iter().map(|(c, rest)| event(c, rest)).collect()
        })
        .await
    }

    /// The open conversations (oldest first: they have waited longest) and the
    /// `recent` latest ended ones; with the newest event number, to stream from.
    pub async fn list(&self, recent: u32) -> Result<(Vec<Summary>, i64), ChatError> {
        self.with(move |conn| {
            let tx = conn.transaction()?;
            let seq: i64 =
                tx.query_row("SELECT COALESCE(MAX(seq), 0) FROM chat_events", [], |r| {
                    r.get(0)
                })?;
            let mut list = Vec::new();
            for sql in [
                "SELECT id, started_at, closed_at, handoff FROM chat_conversations
                 WHERE closed_at IS NULL ORDER BY started_at",
                "SELECT id, started_at, closed_at, handoff FROM chat_conversations
                 WHERE closed_at IS NOT NULL ORDER BY closed_at DESC LIMIT ?1",
            ] {
                let mut q = tx.prepare(sql)?;
                let bind: &[&dyn rusqlite::ToSql] =
                    if sql.contains("?1") { &[&recent] } else { &[] };
                let rows = q.query_map(bind, |r| {
                    Ok(Summary {
                        id: r.get(0)?,
                        started_at: r.get(1)?,
                        closed_at: r.get(2)?,
                        handoff: serde_json::from_str(&r.get::<_, String>(3)?).unwrap_or_default(),
                    })
                })?;
                for s in rows {
                    list.push(s?);
                }
            }
            Ok((list, seq))
        })
        .await
    }

    /// The number of the event that ended conversation `id`, if it has ended.
    pub async fn closing_seq(&self, id: &str) -> Result<Option<i64>, ChatError> {
        let id = id.to_string();
        self.with(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT seq FROM chat_events
                     WHERE conversation = ?1 AND json_extract(what, '$.type') = 'closed'",
                    [&id],
                    |r| r.get(0),
                )
                .optional()?)
        })
        .await
    }
}

type Row = (String, (i64, i64, String));

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?)))
}

fn event(
    conversation: String,
    (seq, at, what): (i64, i64, String),
) -> Result<ChatEvent, ChatError> {
    let what = serde_json::from_str(&what).map_err(|e| {
        ChatError::Task(format!(
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

fn append(
    tx: &rusqlite::Transaction<'_>,
    conversation: &str,
    at: i64,
    client_id: Option<&str>,
    what: What,
) -> Result<ChatEvent, ChatError> {
    let text = serde_json::to_string(&what).map_err(|e| ChatError::Task(e.to_string()))?;
    tx.execute(
        "INSERT INTO chat_events (conversation, at, client_id, what) VALUES (?1, ?2, ?3, ?4)",
        params![conversation, at, client_id, text],
    )?;
    Ok(ChatEvent {
        seq: tx.last_insert_rowid(),
        conversation: conversation.to_string(),
        at,
        what,
    })
}

fn closed_at(tx: &rusqlite::Transaction<'_>, id: &str) -> Result<Option<i64>, ChatError> {
    tx.query_row(
        "SELECT closed_at FROM chat_conversations WHERE id = ?1",
        [id],
        |r| r.get::<_, Option<i64>>(0),
    )
    .optional()?
    .ok_or_else(|| ChatError::NotFound(id.to_string()))
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
    use super::*;

    fn say(id: u8, body: &str) -> Say {
        Say {
            id: format!("0b9f2c1e-7d4a-4c3b-9a57-1f6e2d8c9b{id:02x}"),
            body: body.into(),
        }
    }

    #[tokio::test]
    async fn streams_of_other_conversations_are_not_woken_into_a_query() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("chat.db");
        let store = ChatStore::open(&path).unwrap();
        let a = store.start(Handoff::default(), 1).await.unwrap();
        let b = store.start(Handoff::default(), 1).await.unwrap();
        let (said, _) = store
            .say(&a.id, Author::Shopper, say(1, "hi"), 2)
            .await
            .unwrap();
        assert!(store.may_have_after(&a.id, a.event.seq));
        assert!(!store.may_have_after(&a.id, said.seq));
        assert!(
            !store.may_have_after(&b.id, b.event.seq),
            "b has nothing new"
        );
        // A restarted server knows the open conversations' newest events.
        let reopened = ChatStore::open(&path).unwrap();
        assert!(!reopened.may_have_after(&b.id, b.event.seq));
        assert!(reopened.may_have_after(&a.id, a.event.seq));
        // An ended conversation is forgotten: its streams always look.
        store.close(&b.id, Author::Agent, 3).await.unwrap();
        assert!(store.may_have_after(&b.id, i64::MAX - 1));
    }

    #[tokio::test]
    async fn a_conversation_is_kept_in_order_once_and_ends_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = ChatStore::open(&dir.path().join("chat.db")).unwrap();
        let wake = store.subscribe();
        let opened = store.start(Handoff::default(), 1).await.unwrap();
        assert!(store.authorize(&opened.id, &opened.token).await.unwrap());
        assert!(!store.authorize(&opened.id, "guess").await.unwrap());
        assert!(wake.has_changed().unwrap());
        let (first, added) = store
            .say(&opened.id, Author::Shopper, say(1, "hi"), 2)
            .await
            .unwrap();
        assert!(added);
        let (again, added) = store
            .say(&opened.id, Author::Shopper, say(1, "hi"), 3)
            .await
            .unwrap();
        assert!(!added);
        assert_eq!(again, first);
        store
            .say(&opened.id, Author::Agent, say(2, "hello"), 4)
            .await
            .unwrap();
        assert!(store
            .close(&opened.id, Author::Agent, 5)
            .await
            .unwrap()
            .is_some());
        assert!(store
            .close(&opened.id, Author::Shopper, 6)
            .await
            .unwrap()
            .is_none());
        assert!(matches!(
            store
                .say(&opened.id, Author::Shopper, say(3, "late"), 7)
                .await,
            Err(ChatError::Closed)
        ));
        let all = store
            .events_after(Some(opened.id.clone()), 0, 100)
            .await
            .unwrap();
        let kinds: Vec<_> = all
            .iter()
            .map(|e| match &e.what {
                What::Started { .. } => "started".to_string(),
                What::Message { author, body, .. } => format!("{}: {body}", author.as_str()),
                What::Closed { by } => format!("closed by {}", by.as_str()),
            })
            .collect();
        assert_eq!(
            kinds,
            ["started", "shopper: hi", "agent: hello", "closed by agent"]
        );
        let later = store.events_after(None, all[1].seq, 100).await.unwrap();
        assert_eq!(later.len(), 2);
        assert!(matches!(
            store.say("nope", Author::Agent, say(4, "x"), 8).await,
            Err(ChatError::NotFound(_))
        ));
        // Reopening finds where numbering stopped.
        let reopened = ChatStore::open(&dir.path().join("chat.db")).unwrap();
        assert_eq!(reopened.subscribe().borrow().seq, all[3].seq);
        let (list, seq) = reopened.list(10).await.unwrap();
        assert_eq!((list.len(), seq), (1, all[3].seq));
        assert_eq!(list[0].closed_at, Some(5));
    }
}

//! The chat's writes, committed together: one task per instance takes whatever
//! starts, messages and closes are waiting and applies them in order in one
//! transaction, so twenty replies in flight cost one commit (one disk flush), not
//! twenty in a row. A write is acknowledged only after its transaction committed.
//!
//! Each transaction first locks the event counter (`chat_clock`), then checks and
//! appends: event numbers follow commit order across instances, and a check (a
//! message already stored? a conversation already ended?) sees every earlier commit,
//! whichever instance made it. A write refused by its check (`NotFound`, `Closed`)
//! changes nothing and does not hold up the others; a database failure fails the batch.

use std::collections::HashMap;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use shopdesk_wire::chat::{Author, ChatEvent, Handoff, MessageKey, Say, What};
use sqlx::any::AnyRow;
use sqlx::{Acquire, AnyConnection, Row};
use tokio::sync::{mpsc, oneshot};

use super::store::{event, ChatError, Opened, CHANNEL};
use super::wake::Wakeups;
use crate::db::{batch, Database};

/// Most writes committed in one transaction.
const MAX_BATCH: usize = 256;

/// One write, as asked.
#[derive(Debug)]
pub(super) enum Op {
    Start {
        handoff: Handoff,
        now: i64,
    },
    Say {
        conversation: String,
        author: Author,
        /// The signed-in agent's display name.
        name: Option<String>,
        say: Say,
        now: i64,
    },
    Close {
        conversation: String,
        by: Author,
        now: i64,
    },
}

/// What a write did, matching its [`Op`].
#[derive(Debug)]
pub(super) enum Done {
    Started(Opened),
    /// The event, and whether it was added (else: stored before, by a retry).
    Said(Result<(ChatEvent, bool), ChatError>),
    /// `None`: it had ended already.
    Closed(Result<Option<ChatEvent>, ChatError>),
}

/// What this instance's writer committed (registered by `crate::ops` for
/// `/metrics`). Cheap to clone: clones count together.
#[derive(Debug, Clone, Default)]
pub struct Counts {
    pub started: Counter,
    pub messages: Family<AuthorLabel, Counter>,
    pub closed: Counter,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct AuthorLabel {
    pub author: &'static str,
}

impl Counts {
    /// Counts what a committed write added (not what a retry found stored).
    fn record(&self, done: &Done) {
        match done {
            Done::Started(_) => {
                self.started.inc();
            }
            Done::Said(Ok((event, true))) => {
                if let What::Message { author, .. } = &event.what {
                    let author = author.as_str();
                    self.messages.get_or_create(&AuthorLabel { author }).inc();
                }
            }
            Done::Closed(Ok(Some(_))) => {
                self.closed.inc();
            }
            _ => {}
        }
    }
}

struct Job {
    op: Op,
    reply: oneshot::Sender<Result<Done, String>>,
}

/// The queue into the writer task. Cheap to clone.
#[derive(Debug, Clone)]
pub(super) struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writer task on `db`; it wakes `wakeups` after each commit. Must run
    /// inside the tokio runtime.
    pub(super) fn start(db: Database, wakeups: Wakeups, counts: Counts) -> Self {
        // Bounded: under overload, handlers wait here instead of growing memory.
        let (jobs, queue) = mpsc::channel(MAX_BATCH * 8);
        tokio::spawn(write_loop(db, wakeups, counts, queue));
        Writer { jobs }
    }

    /// Writes waiting for the writer now.
    pub(super) fn queued(&self) -> usize {
        self.jobs.max_capacity() - self.jobs.capacity()
    }

    /// Applies `op`; resolves once it is committed (or refused).
    pub(super) async fn write(&self, op: Op) -> Result<Done, ChatError> {
        let (reply, answer) = oneshot::channel();
        self.jobs.send(Job { op, reply }).await.map_err(|_| {
            ChatError::Write("the chat writer has stopped; restart the server".into())
        })?;
        match answer.await {
            Ok(Ok(done)) => Ok(done),
            Ok(Err(message)) => Err(ChatError::Write(message)),
            Err(_) => Err(ChatError::Write(
                "the chat writer has stopped; restart the server".into(),
            )),
        }
    }
}

async fn write_loop(
    db: Database,
    wakeups: Wakeups,
    counts: Counts,
    mut queue: mpsc::Receiver<Job>,
) {
    while let Some(jobs) = batch::next(&mut queue, MAX_BATCH).await {
        let (ops, replies): (Vec<Op>, Vec<_>) = jobs.into_iter().map(|j| (j.op, j.reply)).unzip();
        match apply(&db, ops).await {
            Ok((done, newest)) => {
                for (conversation, seq) in newest {
                    wakeups.wake(&conversation, seq);
                }
                for (reply, done) in replies.into_iter().zip(done) {
                    counts.record(&done);
                    let _ = reply.send(Ok(done));
                }
            }
            Err(e) => {
                tracing::error!("chat batch of {} not stored: {e}", replies.len());
                for reply in replies {
                    let _ = reply.send(Err(e.to_string()));
                }
            }
        }
    }
}

/// Applies `ops` in order in one transaction; what each did, and each touched
/// conversation's newest event (to wake its streams once committed).
async fn apply(db: &Database, ops: Vec<Op>) -> Result<(Vec<Done>, Vec<(String, i64)>), ChatError> {
    let mut conn = db.writer().acquire().await?;
    let mut tx = conn.begin().await?;
    // The lock first (see the module's doc); the number where it stands.
    let first: i64 = sqlx::query("UPDATE chat_clock SET seq = seq RETURNING seq")
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
    let mut batch = Batch {
        seq: first,
        newest: HashMap::new(),
    };
    let mut done = Vec::with_capacity(ops.len());
    for op in ops {
        done.push(match op {
            Op::Start { handoff, now } => Done::Started(batch.start(&mut tx, handoff, now).await?),
            Op::Say {
                conversation,
                author,
                name,
                say,
                now,
            } => Done::Said(
                batch
                    .say(&mut tx, &conversation, author, name, say, now)
                    .await?,
            ),
            Op::Close {
                conversation,
                by,
                now,
            } => Done::Closed(batch.close(&mut tx, &conversation, by, now).await?),
        });
    }
    if batch.seq != first {
        sqlx::query("UPDATE chat_clock SET seq = $1")
            .bind(batch.seq)
            .execute(&mut *tx)
            .await?;
        for (conversation, seq) in &batch.newest {
            db.notify(&mut tx, CHANNEL, &format!("{seq} {conversation}"))
                .await?;
        }
    }
    tx.commit().await?;
    Ok((done, batch.newest.into_iter().collect()))
}

/// The transaction's running state: the last number given, the newest event of each
/// conversation it touched.
struct Batch {
    seq: i64,
    newest: HashMap<String, i64>,
}

/// A write's own outcome inside a batch that goes on: `Err` only for the database.
type Outcome<T> = Result<Result<T, ChatError>, ChatError>;

impl Batch {
    async fn start(
        &mut self,
        conn: &mut AnyConnection,
        handoff: Handoff,
        now: i64,
    ) -> Result<Opened, ChatError> {
        let id = uuid::Uuid::new_v4().to_string();
        let token = crate::access::new_secret();
        sqlx::query(
            "INSERT INTO chat_conversations (id, token_sha256, started_at, handoff)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(&id)
        .bind(crate::access::digest(&token))
        .bind(now)
        .bind(serde_json::to_string(&handoff).unwrap_or_default())
        .execute(&mut *conn)
        .await?;
        let event = self
            .append(conn, &id, now, None, What::Started { handoff })
            .await?;
        Ok(Opened { id, token, event })
    }

    async fn say(
        &mut self,
        conn: &mut AnyConnection,
        conversation: &str,
        author: Author,
        name: Option<String>,
        say: Say,
        now: i64,
    ) -> Outcome<(ChatEvent, bool)> {
        let key = MessageKey::new(author, &say.id).stored();
        // The conversation, and this message if it is stored already: one round trip.
        let found: Option<AnyRow> = sqlx::query(
            "SELECT c.closed_at, e.conversation, e.seq, e.at, e.what
             FROM chat_conversations c
             LEFT JOIN chat_events e ON e.conversation = c.id AND e.client_id = $2
             WHERE c.id = $1",
        )
        .bind(conversation)
        .bind(&key)
        .fetch_optional(&mut *conn)
        .await?;
        let Some(row) = found else {
            return Ok(Err(ChatError::NotFound(conversation.to_string())));
        };
        if row.try_get::<Option<i64>, _>(2)?.is_some() {
            return Ok(Ok((event_at(&row, 1)?, false)));
        }
        if row.try_get::<Option<i64>, _>(0)?.is_some() {
            return Ok(Err(ChatError::Closed));
        }
        let what = What::Message {
            author,
            id: say.id,
            body: say.body,
            name,
        };
        let event = self
            .append(conn, conversation, now, Some(&key), what)
            .await?;
        Ok(Ok((event, true)))
    }

    async fn close(
        &mut self,
        conn: &mut AnyConnection,
        conversation: &str,
        by: Author,
        now: i64,
    ) -> Outcome<Option<ChatEvent>> {
        let closed: Option<Option<i64>> =
            sqlx::query("SELECT closed_at FROM chat_conversations WHERE id = $1")
                .bind(conversation)
                .fetch_optional(&mut *conn)
                .await?
                .map(|r| r.try_get(0))
                .transpose()?;
        match closed {
            None => return Ok(Err(ChatError::NotFound(conversation.to_string()))),
            Some(Some(_)) => return Ok(Ok(None)),
            Some(None) => {}
        }
        let event = self
            .append(conn, conversation, now, None, What::Closed { by })
            .await?;
        sqlx::query("UPDATE chat_conversations SET closed_at = $2, closed_seq = $3 WHERE id = $1")
            .bind(conversation)
            .bind(now)
            .bind(event.seq)
            .execute(&mut *conn)
            .await?;
        Ok(Ok(Some(event)))
    }

    /// Stores the next event of `conversation`.
    async fn append(
        &mut self,
        conn: &mut AnyConnection,
        conversation: &str,
        at: i64,
        client_id: Option<&str>,
        what: What,
    ) -> Result<ChatEvent, ChatError> {
        let seq = self.seq + 1;
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
        self.seq = seq;
        self.newest.insert(conversation.to_string(), seq);
        Ok(ChatEvent {
            seq,
            conversation: conversation.to_string(),
            at,
            what,
        })
    }
}

/// The event in `row`'s columns from `first` on: conversation, seq, at, what.
fn event_at(row: &AnyRow, first: usize) -> Result<ChatEvent, ChatError> {
    event(
        row.try_get(first)?,
        row.try_get(first + 1)?,
        row.try_get(first + 2)?,
        row.try_get(first + 3)?,
    )
}

//! Where feedback responses are kept: a SQLite file in WAL mode, written by one thread.
//!
//! Every insert waits for the transaction that holds it to commit before it is
//! acknowledged, so a response the widget saw accepted is on disk. Requests arriving
//! together share one transaction (group commit): one `fsync` for many responses is
//! what lets a single SQLite file take tens of thousands of responses a second.
//!
//! A repeated `id` (the widget's idempotency key) is stored once and reported as a
//! duplicate, so retries from the widget's outbox are harmless.

use std::path::{Path, PathBuf};
use std::thread;

use rusqlite::{params, Connection, OptionalExtension};
use shopdesk_wire::FeedbackEvent;
use thiserror::Error;
use tokio::sync::{mpsc, oneshot};

use crate::db::{connect, migrate, DbError};

/// Most responses committed in one transaction.
const MAX_BATCH: usize = 1024;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("the feedback database failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the feedback database could not store the response: {0}")]
    Write(String),
    #[error("cannot start the feedback writer thread: {0}")]
    Thread(std::io::Error),
    #[error("the feedback writer has stopped; restart the server")]
    Stopped,
}

/// What happened to one response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Stored,
    /// A response with this id was already stored; nothing changed.
    Duplicate,
}

struct Job {
    event: FeedbackEvent,
    received_ms: i64,
    reply: oneshot::Sender<Result<Outcome, String>>,
}

/// The feedback database. Cheap to clone; all clones share the writer thread.
#[derive(Clone, Debug)]
pub struct Store {
    path: PathBuf,
    jobs: mpsc::Sender<Job>,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and starts its writer.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = connect(path)?;
        migrate(&conn, path)?;
        // Bounded: under overload, handlers wait here instead of growing memory.
        let (jobs, queue) = mpsc::channel::<Job>(MAX_BATCH * 8);
        thread::Builder::new()
            .name("feedback-writer".into())
            .spawn(move || write_loop(conn, queue))
            .map_err(StoreError::Thread)?;
        Ok(Self {
            path: path.to_path_buf(),
            jobs,
        })
    }

    /// Stores one checked response; resolves once it is committed.
    pub async fn insert(
        &self,
        event: FeedbackEvent,
        received_ms: i64,
    ) -> Result<Outcome, StoreError> {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            event,
            received_ms,
            reply,
        };
        self.jobs.send(job).await.map_err(|_| StoreError::Stopped)?;
        match answer.await {
            Ok(Ok(outcome)) => Ok(outcome),
            Ok(Err(message)) => Err(StoreError::Write(message)),
            Err(_) => Err(StoreError::Stopped),
        }
    }

    /// A read-only connection for reports (WAL lets readers run beside the writer).
    pub fn reader(&self) -> Result<Connection, StoreError> {
        let conn = connect(&self.path)?;
        conn.execute_batch("PRAGMA query_only = ON;")?;
        Ok(conn)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn write_loop(mut conn: Connection, mut queue: mpsc::Receiver<Job>) {
    while let Some(first) = queue.blocking_recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        match write_batch(&mut conn, &batch) {
            Ok(outcomes) => {
                for (job, outcome) in batch.into_iter().zip(outcomes) {
                    let _ = job.reply.send(Ok(outcome));
                }
            }
            Err(e) => {
                tracing::error!("feedback batch of {} not stored: {e}", batch.len());
                for job in batch {
                    let _ = job.reply.send(Err(e.to_string()));
                }
            }
        }
    }
}

fn write_batch(conn: &mut Connection, batch: &[Job]) -> rusqlite::Result<Vec<Outcome>> {
    let tx = conn.transaction()?;
    let mut outcomes = Vec::with_capacity(batch.len());
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO feedback (id, kind, score, comment, survey_id, article_id,
                conversation_id, page_url, locale, visitor_id, context, created_at,
                created_ms, received_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
             ON CONFLICT (id) DO NOTHING",
        )?;
        for job in batch {
            let e = &job.event;
            let changed = insert.execute(params![
                e.id,
                e.kind.as_str(),
                e.score,
                e.comment,
                e.survey_id,
                e.article_id,
                e.conversation_id,
                e.page_url,
                e.locale,
                e.visitor_id,
                e.context.as_ref().map(|c| c.to_string()),
                e.created_at,
                e.created_millis().unwrap_or(job.received_ms),
                job.received_ms,
            ])?;
            outcomes.push(if changed == 1 {
                Outcome::Stored
            } else {
                Outcome::Duplicate
            });
        }
    }
    tx.commit()?;
    Ok(outcomes)
}

/// How many responses the database holds (for tests and the load benchmark's check
/// that none was lost).
pub fn count(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row("SELECT COUNT(*) FROM feedback", [], |r| r.get(0))?)
}

/// Whether a response with `id` is stored.
pub fn exists(conn: &Connection, id: &str) -> Result<bool, StoreError> {
    Ok(conn
        .query_row("SELECT 1 FROM feedback WHERE id = ?1", [id], |_| Ok(()))
        .optional()?
        .is_some())
}

//! Where feedback responses are kept: the server's database (`crate::db`), written by
//! one task per instance.
//!
//! Every insert waits for the transaction that holds it to commit before it is
//! acknowledged, so a response the widget saw accepted is stored. Requests arriving
//! together share one transaction (group commit): one disk flush for many responses is
//! what lets one SQLite file take tens of thousands of responses a second.
//!
//! A repeated `id` (the widget's idempotency key) is stored once and reported as a
//! duplicate, so retries from the widget's outbox are harmless, also when they reach
//! another instance (`ON CONFLICT DO NOTHING` waits for, then sees, the other's row).

use shopdesk_wire::FeedbackEvent;
use sqlx::{Acquire, Row};
use thiserror::Error;
use tokio::sync::{mpsc, oneshot};

use crate::db::{Database, DbError};

/// Most responses committed in one transaction.
const MAX_BATCH: usize = 1024;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("the feedback database could not store the response: {0}")]
    Write(String),
    #[error("the feedback writer has stopped; restart the server")]
    Stopped,
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Db(DbError::Query(e))
    }
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

/// The feedback table. Cheap to clone; all clones share the writer task.
#[derive(Clone, Debug)]
pub struct Store {
    db: Database,
    jobs: mpsc::Sender<Job>,
}

impl Store {
    /// Starts the writer on `db` (opened and migrated by [`Database::open`]).
    pub fn new(db: Database) -> Self {
        // Bounded: under overload, handlers wait here instead of growing memory.
        let (jobs, queue) = mpsc::channel::<Job>(MAX_BATCH * 8);
        tokio::spawn(write_loop(db.clone(), queue));
        Self { db, jobs }
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

    pub fn db(&self) -> &Database {
        &self.db
    }

    /// How many responses the database holds (for tests and the load benchmark's check
    /// that none was lost).
    pub async fn count(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query("SELECT COUNT(*) FROM feedback")
            .fetch_one(self.db.reader())
            .await?
            .try_get(0)?)
    }

    /// Whether a response with `id` is stored.
    pub async fn exists(&self, id: &str) -> Result<bool, StoreError> {
        Ok(sqlx::query("SELECT 1 FROM feedback WHERE id = $1")
            .bind(id)
            .fetch_optional(self.db.reader())
            .await?
            .is_some())
    }
}

async fn write_loop(db: Database, mut queue: mpsc::Receiver<Job>) {
    while let Some(batch) = crate::db::batch::next(&mut queue, MAX_BATCH).await {
        match write_batch(&db, &batch).await {
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

/// Rows per `INSERT`, largest first (14 parameters each: far under SQLite's 32,766
/// and PostgreSQL's 65,535). A batch is cut greedily into these sizes: few statements
/// per batch (on PostgreSQL each is a network round trip), and few statement shapes,
/// so each stays prepared in the connection's cache instead of being parsed again.
const ROWS_PER_INSERT: [usize; 4] = [64, 16, 4, 1];

/// The columns of one response, in `INSERT` order.
const COLUMNS: usize = 14;

async fn write_batch(db: &Database, batch: &[Job]) -> Result<Vec<Outcome>, sqlx::Error> {
    let mut conn = db.writer().acquire().await?;
    let mut tx = conn.begin().await?;
    // In id order: two instances inserting overlapping batches take row locks in the
    // same order, so PostgreSQL never has to break a deadlock between them.
    let mut order: Vec<usize> = (0..batch.len()).collect();
    order.sort_by(|&a, &b| batch[a].event.id.cmp(&batch[b].event.id));
    let mut outcomes = vec![Outcome::Duplicate; batch.len()];
    let mut rest = &order[..];
    while !rest.is_empty() {
        let size = ROWS_PER_INSERT
            .into_iter()
            .find(|&size| size <= rest.len())
            .unwrap_or(1);
        let (chunk, after) = rest.split_at(size);
        rest = after;
        let sql = insert_sql(chunk.len());
        let mut insert = sqlx::query(&sql);
        for &i in chunk {
            let (job, e) = (&batch[i], &batch[i].event);
            insert = insert
                .bind(&e.id)
                .bind(e.kind.as_str())
                .bind(e.score)
                .bind(&e.comment)
                .bind(&e.survey_id)
                .bind(&e.article_id)
                .bind(&e.conversation_id)
                .bind(&e.page_url)
                .bind(&e.locale)
                .bind(&e.visitor_id)
                .bind(e.context.as_ref().map(|c| c.to_string()))
                .bind(&e.created_at)
                .bind(e.created_millis().unwrap_or(job.received_ms))
                .bind(job.received_ms);
        }
        // The ids this statement stored; the others were there already (or twice in
        // this batch: the first copy is stored, the next ones are duplicates).
        let mut stored = std::collections::HashSet::new();
        for row in insert.fetch_all(&mut *tx).await? {
            stored.insert(row.try_get::<String, _>(0)?);
        }
        for &i in chunk {
            if stored.remove(&batch[i].event.id) {
                outcomes[i] = Outcome::Stored;
            }
        }
    }
    tx.commit().await?;
    Ok(outcomes)
}

/// `INSERT … VALUES ($1, …, $14), ($15, …), … ON CONFLICT (id) DO NOTHING RETURNING id`
/// for `rows` responses.
fn insert_sql(rows: usize) -> String {
    let mut sql = String::from(
        "INSERT INTO feedback (id, kind, score, comment, survey_id, article_id, \
         conversation_id, page_url, locale, visitor_id, context, created_at, \
         created_ms, received_ms) VALUES ",
    );
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..COLUMNS {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${}", r * COLUMNS + c + 1));
        }
        sql.push(')');
    }
    sql.push_str(" ON CONFLICT (id) DO NOTHING RETURNING id");
    sql
}

#[cfg(test)]
mod tests {
    use super::insert_sql;

    #[test]
    fn each_row_gets_its_own_numbered_parameters() {
        let sql = insert_sql(2);
        assert!(sql.contains(
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14), ($15,"
        ));
        assert!(sql.ends_with("$28) ON CONFLICT (id) DO NOTHING RETURNING id"));
    }
}

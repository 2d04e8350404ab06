//! Where feedback responses are kept: the server's database (`crate::db`), written by
//! one writer per instance.
//!
//! Every insert waits for the transaction that holds it to commit before it is
//! acknowledged, so a response the widget saw accepted is stored. Requests arriving
//! together share one transaction (group commit): one disk flush for many responses is
//! what lets one SQLite file take tens of thousands of responses a second.
//!
//! On SQLite the writer is a thread with a synchronous connection of its own
//! ([`Database::sqlite_connection`]); on PostgreSQL it is a task on the pool. Both run
//! the same `INSERT` text.
//!
//! A repeated `id` (the widget's idempotency key) is stored once and reported as a
//! duplicate, so retries from the widget's outbox are harmless, also when they reach
//! another instance (`ON CONFLICT DO NOTHING` waits for, then sees, the other's row).

use std::collections::HashSet;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use shopdesk_wire::FeedbackEvent;
use sqlx::{Acquire, Row};
use thiserror::Error;
use tokio::sync::{mpsc, oneshot};

use crate::db::{batch, Database, DbError};

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

/// One response on its way to the writer, its derived columns computed by the request
/// (on any core) rather than by the one writer.
struct Job {
    event: FeedbackEvent,
    context: Option<String>,
    created_ms: i64,
    received_ms: i64,
    reply: oneshot::Sender<Result<Outcome, String>>,
}

/// Responses this instance's writer answered, by kind and outcome (registered by
/// `crate::ops` for `/metrics`).
pub type Counts = Family<CountLabels, Counter>;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CountLabels {
    pub kind: &'static str,
    /// `stored` or `duplicate`.
    pub outcome: &'static str,
}

/// The feedback table. Cheap to clone; all clones share the writer.
#[derive(Clone, Debug)]
pub struct Store {
    db: Database,
    jobs: mpsc::Sender<Job>,
    counts: Counts,
}

impl Store {
    /// Starts the writer on `db` (opened and migrated by [`Database::open`]).
    pub fn new(db: Database) -> Result<Self, StoreError> {
        // Bounded: under overload, handlers wait here instead of growing memory.
        let (jobs, queue) = mpsc::channel::<Job>(MAX_BATCH * 8);
        let counts = Counts::default();
        let counted = counts.clone();
        match db.sqlite_connection()? {
            Some(conn) => {
                std::thread::Builder::new()
                    .name("feedback-writer".into())
                    .spawn(move || sqlite_write_loop(conn, queue, counted))
                    .map_err(|e| StoreError::Write(format!("no thread for the writer: {e}")))?;
            }
            None => {
                tokio::spawn(postgres_write_loop(db.clone(), queue, counted));
            }
        }
        Ok(Self { db, jobs, counts })
    }

    /// What this instance's writer answered so far.
    pub fn counts(&self) -> &Counts {
        &self.counts
    }

    /// Responses waiting for the writer now.
    pub fn queued(&self) -> usize {
        self.jobs.max_capacity() - self.jobs.capacity()
    }

    /// Stores one checked response; resolves once it is committed.
    pub async fn insert(
        &self,
        event: FeedbackEvent,
        received_ms: i64,
    ) -> Result<Outcome, StoreError> {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            context: event.context.as_ref().map(|c| c.to_string()),
            created_ms: event.created_millis().unwrap_or(received_ms),
            event,
            received_ms,
            reply,
        };
        committed(&self.jobs, job, answer).await
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

/// Queues `job` for its writer and waits for `answer`: what became of it once its
/// transaction committed (or why it could not be stored).
pub(crate) async fn committed<J>(
    jobs: &mpsc::Sender<J>,
    job: J,
    answer: oneshot::Receiver<Result<Outcome, String>>,
) -> Result<Outcome, StoreError> {
    jobs.send(job).await.map_err(|_| StoreError::Stopped)?;
    match answer.await {
        Ok(Ok(outcome)) => Ok(outcome),
        Ok(Err(message)) => Err(StoreError::Write(message)),
        Err(_) => Err(StoreError::Stopped),
    }
}

/// Tells each request what became of its response.
fn answer(batch: Vec<Job>, result: Result<Vec<Outcome>, String>, counts: &Counts) {
    match result {
        Ok(outcomes) => {
            for (job, outcome) in batch.into_iter().zip(outcomes) {
                let outcome_name = match outcome {
                    Outcome::Stored => "stored",
                    Outcome::Duplicate => "duplicate",
                };
                counts
                    .get_or_create(&CountLabels {
                        kind: job.event.kind.as_str(),
                        outcome: outcome_name,
                    })
                    .inc();
                let _ = job.reply.send(Ok(outcome));
            }
        }
        Err(e) => {
            tracing::error!("feedback batch of {} not stored: {e}", batch.len());
            for job in batch {
                let _ = job.reply.send(Err(e.clone()));
            }
        }
    }
}

fn sqlite_write_loop(
    mut conn: rusqlite::Connection,
    mut queue: mpsc::Receiver<Job>,
    counts: Counts,
) {
    while let Some(first) = queue.blocking_recv() {
        let batch = batch::fill(first, &mut queue, MAX_BATCH);
        let result = sqlite_write_batch(&mut conn, &batch).map_err(|e| e.to_string());
        answer(batch, result, &counts);
    }
}

async fn postgres_write_loop(db: Database, mut queue: mpsc::Receiver<Job>, counts: Counts) {
    while let Some(batch) = batch::next(&mut queue, MAX_BATCH).await {
        let result = postgres_write_batch(&db, &batch)
            .await
            .map_err(|e| e.to_string());
        answer(batch, result, &counts);
    }
}

/// One column value, for either driver.
enum Cell<'a> {
    Text(Option<&'a str>),
    Int(i64),
}

impl Job {
    /// The columns of [`insert_sql`], in order.
    fn cells(&self) -> [Cell<'_>; COLUMNS] {
        let e = &self.event;
        [
            Cell::Text(Some(&e.id)),
            Cell::Text(Some(e.kind.as_str())),
            Cell::Int(e.score),
            Cell::Text(Option::as_deref(&e.comment)),
            Cell::Text(Option::as_deref(&e.survey_id)),
            Cell::Text(Option::as_deref(&e.article_id)),
            Cell::Text(Option::as_deref(&e.conversation_id)),
            Cell::Text(Option::as_deref(&e.page_url)),
            Cell::Text(Option::as_deref(&e.locale)),
            Cell::Text(Option::as_deref(&e.visitor_id)),
            Cell::Text(Option::as_deref(&self.context)),
            Cell::Text(Some(&e.created_at)),
            Cell::Int(self.created_ms),
            Cell::Int(self.received_ms),
        ]
    }
}

/// Rows per `INSERT` on PostgreSQL, largest first (14 parameters each, far under its
/// 65,535). A batch is cut greedily into these sizes: few statements per batch (each is
/// a network round trip), and few statement shapes, so each stays prepared in the
/// connection's cache instead of being parsed again. (On SQLite a statement is a
/// function call, not a round trip, and one prepared single-row `INSERT` per response
/// measured 45% faster than multi-row ones: `BENCHMARKS.md`, "Feedback ingest".)
const POSTGRES_ROWS_PER_INSERT: &[usize] = &[64, 16, 4, 1];

/// The columns of one response, in `INSERT` order.
const COLUMNS: usize = 14;

/// The batch's positions cut into `INSERT`s, in id order: two instances inserting
/// overlapping batches take row locks in the same order, so PostgreSQL never has to
/// break a deadlock between them.
fn statements(batch: &[Job], sizes: &[usize]) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..batch.len()).collect();
    order.sort_by(|&a, &b| batch[a].event.id.cmp(&batch[b].event.id));
    let mut cut = Vec::new();
    let mut rest = &order[..];
    while !rest.is_empty() {
        let size = sizes
            .iter()
            .copied()
            .find(|&size| size <= rest.len())
            .unwrap_or(1);
        let (chunk, after) = rest.split_at(size);
        cut.push(chunk.to_vec());
        rest = after;
    }
    cut
}

/// Marks the chunk's responses whose ids the `INSERT` returned as stored; the others
/// were there already (or twice in this batch: the first copy is stored, the next ones
/// are duplicates).
fn mark_stored(
    batch: &[Job],
    chunk: &[usize],
    mut stored: HashSet<String>,
    outcomes: &mut [Outcome],
) {
    for &i in chunk {
        if stored.remove(&batch[i].event.id) {
            outcomes[i] = Outcome::Stored;
        }
    }
}

fn sqlite_write_batch(
    conn: &mut rusqlite::Connection,
    batch: &[Job],
) -> rusqlite::Result<Vec<Outcome>> {
    // IMMEDIATE: the write lock first, waiting (busy timeout) while the chat writer
    // holds it, instead of failing on a snapshot that went stale.
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let mut outcomes = Vec::with_capacity(batch.len());
    {
        // One prepared single-row statement, in arrival order: SQLite's one writer
        // takes no row locks, so the id order PostgreSQL needs buys nothing here.
        let mut insert = tx.prepare_cached(&insert_sql(1))?;
        for job in batch {
            for (index, cell) in job.cells().into_iter().enumerate() {
                match cell {
                    Cell::Text(t) => insert.raw_bind_parameter(index + 1, t)?,
                    Cell::Int(n) => insert.raw_bind_parameter(index + 1, n)?,
                }
            }
            // A row back (its id) means stored; none, that the id was there already.
            let stored = insert.raw_query().next()?.is_some();
            outcomes.push(if stored {
                Outcome::Stored
            } else {
                Outcome::Duplicate
            });
        }
    }
    tx.commit()?;
    Ok(outcomes)
}

async fn postgres_write_batch(db: &Database, batch: &[Job]) -> Result<Vec<Outcome>, sqlx::Error> {
    let mut conn = db.writer().acquire().await?;
    let mut tx = conn.begin().await?;
    let mut outcomes = vec![Outcome::Duplicate; batch.len()];
    for chunk in statements(batch, POSTGRES_ROWS_PER_INSERT) {
        let sql = insert_sql(chunk.len());
        let mut insert = sqlx::query(&sql);
        for &i in &chunk {
            for cell in batch[i].cells() {
                insert = match cell {
                    Cell::Text(t) => insert.bind(t),
                    Cell::Int(n) => insert.bind(n),
                };
            }
        }
        let mut stored = HashSet::new();
        for row in insert.fetch_all(&mut *tx).await? {
            stored.insert(row.try_get::<String, _>(0)?);
        }
        mark_stored(batch, &chunk, stored, &mut outcomes);
    }
    tx.commit().await?;
    Ok(outcomes)
}

/// `INSERT … VALUES ($1, …, $14), ($15, …), … ON CONFLICT (id) DO NOTHING RETURNING id`
/// for `rows` responses. SQLite reads `$n` as the n-th parameter too, so both drivers
/// bind by position.
fn insert_sql(rows: usize) -> String {
    format!(
        "INSERT INTO feedback (id, kind, score, comment, survey_id, article_id, \
         conversation_id, page_url, locale, visitor_id, context, created_at, \
         created_ms, received_ms) VALUES {} ON CONFLICT (id) DO NOTHING RETURNING id",
        batch::values(rows, COLUMNS)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(id: &str) -> Job {
        let event = FeedbackEvent {
            id: id.to_string(),
            kind: shopdesk_wire::FeedbackKind::Nps,
            score: 9,
            comment: None,
            survey_id: None,
            article_id: None,
            conversation_id: None,
            page_url: None,
            locale: None,
            visitor_id: None,
            context: None,
            created_at: "2026-11-30T00:00:00Z".to_string(),
        };
        Job {
            event,
            context: None,
            created_ms: 0,
            received_ms: 0,
            reply: oneshot::channel().0,
        }
    }

    #[test]
    fn a_batch_is_cut_into_the_given_sizes_in_id_order() {
        let ids = ["e", "b", "a", "d", "c", "f"];
        let batch: Vec<Job> = ids.iter().map(|id| job(id)).collect();
        let cut = statements(&batch, &[4, 1]);
        let named: Vec<Vec<&str>> = cut
            .iter()
            .map(|chunk| chunk.iter().map(|&i| ids[i]).collect())
            .collect();
        assert_eq!(named, [vec!["a", "b", "c", "d"], vec!["e"], vec!["f"]]);
    }

    #[test]
    fn each_row_gets_its_own_numbered_parameters() {
        let sql = insert_sql(2);
        assert!(sql.contains(
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14), ($15,"
        ));
        assert!(sql.ends_with("$28) ON CONFLICT (id) DO NOTHING RETURNING id"));
    }
}

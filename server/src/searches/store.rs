//! Where search sessions are kept: `search_sessions`, one row per session, and
//! `searches`, one row per search, with the session's language, start and ending copied
//! on (so the report reads one table per question).
//!
//! One writer task per instance commits whatever sessions are waiting in one
//! transaction (group commit, as the feedback writer does), through the database's
//! write pool on either backend. A session's `id` is the widget's idempotency key: the
//! outbox's retries store it once, also when they reach another instance.

use shopdesk_wire::searches::SearchSession;
use sqlx::{Acquire, Row};
use tokio::sync::{mpsc, oneshot};

use crate::db::{batch, Database};
use crate::feedback::store::{committed, Outcome, StoreError};

/// Most sessions committed in one transaction.
const MAX_BATCH: usize = 256;
/// The columns of one `searches` row.
const SEARCH_COLUMNS: usize = 9;

struct Job {
    session: SearchSession,
    started_ms: i64,
    received_ms: i64,
    reply: oneshot::Sender<Result<Outcome, String>>,
}

/// The search tables. Cheap to clone; all clones share the writer.
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

    pub fn db(&self) -> &Database {
        &self.db
    }

    /// Stores one checked session (its queries already in their kept form); resolves
    /// once it is committed.
    pub async fn insert(
        &self,
        session: SearchSession,
        received_ms: i64,
    ) -> Result<Outcome, StoreError> {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            started_ms: session.started_millis().unwrap_or(received_ms),
            session,
            received_ms,
            reply,
        };
        committed(&self.jobs, job, answer).await
    }

    /// How many sessions the database holds (tests and the ingest benchmark's check
    /// that none was lost).
    pub async fn count(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query("SELECT COUNT(*) FROM search_sessions")
            .fetch_one(self.db.reader())
            .await?
            .try_get(0)?)
    }
}

async fn write_loop(db: Database, mut queue: mpsc::Receiver<Job>) {
    while let Some(batch) = batch::next(&mut queue, MAX_BATCH).await {
        let result = write_batch(&db, &batch).await.map_err(|e| e.to_string());
        match result {
            Ok(outcomes) => {
                for (job, outcome) in batch.into_iter().zip(outcomes) {
                    let _ = job.reply.send(Ok(outcome));
                }
            }
            Err(e) => {
                tracing::error!("search sessions ({}) not stored: {e}", batch.len());
                for job in batch {
                    let _ = job.reply.send(Err(e.clone()));
                }
            }
        }
    }
}

/// The day (UTC) of a time, `2026-12-07`: the report's unit.
pub(crate) fn day_of(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let d = t.date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

async fn write_batch(db: &Database, batch: &[Job]) -> Result<Vec<Outcome>, sqlx::Error> {
    let mut conn = db.writer().acquire().await?;
    let mut tx = conn.begin().await?;
    // In id order: two instances writing overlapping batches lock rows in one order.
    let mut order: Vec<usize> = (0..batch.len()).collect();
    order.sort_by(|&a, &b| batch[a].session.id.cmp(&batch[b].session.id));
    let mut outcomes = vec![Outcome::Duplicate; batch.len()];
    for i in order {
        let job = &batch[i];
        let s = &job.session;
        let served = s.searches.iter().any(|x| x.opened.is_some()) && !s.escalated;
        let stored = sqlx::query(
            "INSERT INTO search_sessions (id, locale, day, started_ms, received_ms, searches, \
             served, escalated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (id) DO NOTHING RETURNING id",
        )
        .bind(&s.id)
        .bind(&s.locale)
        .bind(day_of(job.started_ms))
        .bind(job.started_ms)
        .bind(job.received_ms)
        .bind(s.searches.len() as i64)
        .bind(i64::from(served))
        .bind(i64::from(s.escalated))
        .fetch_optional(&mut *tx)
        .await?
        .is_some();
        // Twice in this batch, or stored before: its searches are there already.
        if !stored {
            continue;
        }
        outcomes[i] = Outcome::Stored;
        let sql = searches_sql(s.searches.len());
        let mut insert = sqlx::query(&sql);
        for (position, search) in s.searches.iter().enumerate() {
            insert = insert
                .bind(&s.id)
                .bind(position as i64)
                .bind(&s.locale)
                .bind(job.started_ms)
                .bind(&search.query)
                .bind(i64::from(search.results))
                .bind(search.opened.as_deref())
                .bind(search.helpful.map(i64::from))
                .bind(i64::from(s.escalated));
        }
        insert.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(outcomes)
}

/// `INSERT INTO searches … VALUES ($1, …, $9), ($10, …), …` for `rows` searches (at most
/// `MAX_SEARCHES`, so far under either backend's parameter limit).
fn searches_sql(rows: usize) -> String {
    format!(
        "INSERT INTO searches (session, position, locale, started_ms, query, results, opened, \
         helpful, escalated) VALUES {}",
        batch::values(rows, SEARCH_COLUMNS)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_utc_dates() {
        assert_eq!(day_of(0), "1970-01-01");
        assert_eq!(day_of(1_795_428_000_123), "2026-11-23");
        assert_eq!(day_of(1_795_478_399_999), "2026-11-23");
        assert_eq!(day_of(1_795_478_400_000), "2026-11-24");
    }

    #[test]
    fn a_sessions_searches_are_one_insert() {
        let sql = searches_sql(2);
        assert!(sql.contains("VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9), ($10,"));
        assert!(sql.ends_with("$18)"));
    }
}

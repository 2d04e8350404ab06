//! Deleting what is older than the shop keeps: feedback by when the shopper answered
//! (and search analytics by when the session started, with it),
//! conversations by when they ended (open ones are never deleted). Every instance runs
//! it hourly; the deletes are idempotent, so several instances at once only repeat
//! each other's empty work. Large backlogs go in slices, so no transaction holds the
//! chat's lock for long.

use std::time::Duration;

use serde::Serialize;
use sqlx::Acquire;

use crate::db::{Database, DbError};

/// How long what is kept, in days; `None`: for ever.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Retention {
    pub feedback_days: Option<u32>,
    pub chats_days: Option<u32>,
}

/// Conversations deleted per transaction.
const SLICE: i64 = 500;
const DAY_MS: i64 = 86_400_000;

/// What one pass deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Swept {
    pub feedback: u64,
    /// Search sessions (search analytics go with feedback's retention).
    pub searches: u64,
    pub conversations: u64,
}

/// Deletes what `retention` no longer keeps at `now`.
pub async fn sweep(db: &Database, retention: Retention, now: i64) -> Result<Swept, DbError> {
    let mut swept = Swept::default();
    if let Some(days) = retention.feedback_days {
        let cutoff = now - i64::from(days) * DAY_MS;
        swept.feedback = sqlx::query("DELETE FROM feedback WHERE created_ms < $1")
            .bind(cutoff)
            .execute(db.writer())
            .await?
            .rows_affected();
        sqlx::query("DELETE FROM searches WHERE started_ms < $1")
            .bind(cutoff)
            .execute(db.writer())
            .await?;
        swept.searches = sqlx::query("DELETE FROM search_sessions WHERE started_ms < $1")
            .bind(cutoff)
            .execute(db.writer())
            .await?
            .rows_affected();
    }
    if let Some(days) = retention.chats_days {
        let cutoff = now - i64::from(days) * DAY_MS;
        loop {
            let deleted = sweep_slice(db, cutoff).await?;
            swept.conversations += deleted;
            if deleted < SLICE as u64 {
                break;
            }
        }
    }
    Ok(swept)
}

/// Deletes up to [`SLICE`] conversations that ended before `cutoff`, with what hangs
/// on them.
async fn sweep_slice(db: &Database, cutoff: i64) -> Result<u64, DbError> {
    let mut conn = db.writer().acquire().await?;
    let mut tx = conn.begin().await?;
    sqlx::query("UPDATE chat_clock SET seq = seq")
        .execute(&mut *tx)
        .await?;
    let old = format!(
        "SELECT id FROM chat_conversations WHERE closed_at IS NOT NULL AND closed_at < $1 \
         ORDER BY closed_at LIMIT {SLICE}"
    );
    for table in ["chat_events", "mail_outbox", "stream_tickets"] {
        sqlx::query(&format!(
            "DELETE FROM {table} WHERE conversation IN ({old})"
        ))
        .bind(cutoff)
        .execute(&mut *tx)
        .await?;
    }
    let deleted = sqlx::query(&format!(
        "DELETE FROM chat_conversations WHERE id IN ({old})"
    ))
    .bind(cutoff)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(deleted)
}

/// Sweeps a minute after start, then hourly, for as long as the process runs.
pub fn start(db: Database, retention: Retention) {
    if retention == Retention::default() {
        return;
    }
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(60)).await;
        let mut every = tokio::time::interval(Duration::from_secs(3600));
        loop {
            every.tick().await;
            match sweep(&db, retention, crate::now_ms()).await {
                Ok(s) if s != Swept::default() => tracing::info!(
                    "retention: deleted {} feedback response(s), {} search session(s) and {} ended conversation(s)",
                    s.feedback,
                    s.searches,
                    s.conversations
                ),
                Ok(_) => {}
                Err(e) => tracing::error!("retention: {e}; trying again in an hour"),
            }
        }
    });
}

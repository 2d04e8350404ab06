//! How many agent pages are connected, across every instance: a shopper's instance
//! must know that an agent is there even when the agent's stream is held by another.
//!
//! Each instance counts its own open agent streams and keeps that count in its row of
//! `chat_presence`, written when it changes and refreshed every [`HEARTBEAT`]; rows
//! not refreshed within [`STALE_MS`] (an instance that died) count for nothing.
//! (The staffing issue replaces this count of streams with agents and their states.)

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sqlx::Row;
use tokio::sync::{Mutex, Notify};

use crate::db::Database;
use crate::now_ms;

/// How often an instance refreshes its row.
pub const HEARTBEAT: Duration = Duration::from_secs(10);
/// How old a row may be and still count.
pub const STALE_MS: i64 = 30_000;

/// This instance's side of presence. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Presence {
    db: Database,
    instance: Arc<str>,
    local: Arc<AtomicI64>,
    /// Tells the writer task the count changed.
    changed: Arc<Notify>,
    /// Held while writing: each write reads the count under it, so writes land in
    /// order and the last one written is the latest count.
    writing: Arc<Mutex<()>>,
}

/// An agent counted as online for as long as this lives (their event stream).
#[derive(Debug)]
pub struct Online(Presence);

impl Presence {
    /// Presence for this instance on `db`; refreshes its row from a task of its own.
    /// Must run inside the tokio runtime.
    pub fn new(db: Database) -> Self {
        let presence = Presence {
            db,
            instance: uuid::Uuid::new_v4().to_string().into(),
            local: Arc::new(AtomicI64::new(0)),
            changed: Arc::new(Notify::new()),
            writing: Arc::new(Mutex::new(())),
        };
        let writer = presence.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(HEARTBEAT);
            loop {
                tokio::select! {
                    _ = every.tick() => {}
                    () = writer.changed.notified() => {}
                }
                writer.write().await;
            }
        });
        presence
    }

    /// Counts one more agent page until the guard drops; written before it returns,
    /// so a shopper starting a chat right after sees the agent.
    pub async fn online(&self) -> Online {
        self.local.fetch_add(1, Ordering::SeqCst);
        let online = Online(self.clone());
        self.write().await;
        online
    }

    /// Agent pages connected to any live instance.
    pub async fn agents_online(&self) -> Result<i64, sqlx::Error> {
        let row = sqlx::query(
            "SELECT CAST(COALESCE(SUM(agents), 0) AS BIGINT) FROM chat_presence WHERE seen_ms > $1",
        )
        .bind(now_ms() - STALE_MS)
        .fetch_one(self.db.reader())
        .await?;
        row.try_get(0)
    }

    /// Writes this instance's count as it is now.
    async fn write(&self) {
        let _writing = self.writing.lock().await;
        let agents = self.local.load(Ordering::SeqCst);
        let written = sqlx::query(
            "INSERT INTO chat_presence (instance, agents, seen_ms) VALUES ($1, $2, $3)
             ON CONFLICT (instance) DO UPDATE SET agents = excluded.agents, seen_ms = excluded.seen_ms",
        )
        .bind(&*self.instance)
        .bind(agents)
        .bind(now_ms())
        .execute(self.db.writer())
        .await;
        if let Err(e) = written {
            tracing::warn!("agent presence not recorded: {e}");
        }
    }

    /// The server is stopping: its agents no longer count.
    pub async fn leave(&self) {
        let _ = sqlx::query("DELETE FROM chat_presence WHERE instance = $1")
            .bind(&*self.instance)
            .execute(self.db.writer())
            .await;
    }
}

impl Drop for Online {
    fn drop(&mut self) {
        self.0.local.fetch_sub(1, Ordering::SeqCst);
        self.0.changed.notify_one();
    }
}

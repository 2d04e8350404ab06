//! Which agents are connected, across every instance: a shopper's instance must know
//! that an agent is there even when the agent's stream is held by another.
//!
//! Each instance keeps a row in `agent_presence` for every agent with at least one
//! open event stream on it (several tabs of one agent are one agent), written when the
//! set changes and refreshed every [`HEARTBEAT`]; rows not refreshed within
//! [`STALE_MS`] (an instance that died) count for nothing. The automation token's
//! streams count as one agent, `automation`.

use std::collections::HashMap;
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
    /// Open streams per agent on this instance.
    local: Arc<std::sync::Mutex<HashMap<String, usize>>>,
    /// Tells the writer task the count changed.
    changed: Arc<Notify>,
    /// Held while writing: each write reads the count under it, so writes land in
    /// order and the last one written is the latest count.
    writing: Arc<Mutex<()>>,
    /// Wakes routing after a write: an agent who arrives takes waiting shoppers.
    route_now: Arc<Notify>,
}

/// An agent counted as online for as long as this lives (their event stream).
#[derive(Debug)]
pub struct Online {
    presence: Presence,
    agent: String,
}

impl Presence {
    /// Presence for this instance on `db`; refreshes its row from a task of its own.
    /// Must run inside the tokio runtime.
    pub fn new(db: Database, route_now: Arc<Notify>) -> Self {
        let presence = Presence {
            route_now,
            db,
            instance: uuid::Uuid::new_v4().to_string().into(),
            local: Arc::default(),
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

    /// Counts `agent` (an account id) online until the guard drops; written before it
    /// returns, so a shopper starting a chat right after sees the agent.
    pub async fn online(&self, agent: &str) -> Online {
        *lock(&self.local).entry(agent.to_string()).or_default() += 1;
        let online = Online {
            presence: self.clone(),
            agent: agent.to_string(),
        };
        self.write().await;
        online
    }

    /// Agents connected to any live instance and not away, each once.
    pub async fn agents_online(&self) -> Result<i64, sqlx::Error> {
        let row = sqlx::query(
            "SELECT CAST(COUNT(DISTINCT p.agent) AS BIGINT)
             FROM agent_presence p LEFT JOIN agents a ON a.id = p.agent
             WHERE p.seen_ms > $1 AND COALESCE(a.away, 0) = 0",
        )
        .bind(now_ms() - STALE_MS)
        .fetch_one(self.db.reader())
        .await?;
        row.try_get(0)
    }

    /// Writes this instance's agents as they are now.
    async fn write(&self) {
        let _writing = self.writing.lock().await;
        let agents: Vec<String> = lock(&self.local).keys().cloned().collect();
        if let Err(e) = self.replace_rows(&agents).await {
            tracing::warn!("agent presence not recorded: {e}");
        }
        self.route_now.notify_one();
    }

    async fn replace_rows(&self, agents: &[String]) -> Result<(), sqlx::Error> {
        let now = now_ms();
        let mut tx = self.db.writer().begin().await?;
        sqlx::query("DELETE FROM agent_presence WHERE instance = $1")
            .bind(&*self.instance)
            .execute(&mut *tx)
            .await?;
        for agent in agents {
            sqlx::query(
                "INSERT INTO agent_presence (instance, agent, seen_ms) VALUES ($1, $2, $3)",
            )
            .bind(&*self.instance)
            .bind(agent)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            // Outlives the row: routing tells a reload from leaving by it.
            sqlx::query("UPDATE agents SET seen_ms = $2 WHERE id = $1")
                .bind(agent)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await
    }

    /// The server is stopping: its agents no longer count.
    pub async fn leave(&self) {
        let _ = sqlx::query("DELETE FROM agent_presence WHERE instance = $1")
            .bind(&*self.instance)
            .execute(self.db.writer())
            .await;
    }
}

impl Drop for Online {
    fn drop(&mut self) {
        let mut local = lock(&self.presence.local);
        if let Some(streams) = local.get_mut(&self.agent) {
            *streams -= 1;
            if *streams == 0 {
                local.remove(&self.agent);
            }
        }
        drop(local);
        self.presence.changed.notify_one();
    }
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

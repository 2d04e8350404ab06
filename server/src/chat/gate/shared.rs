//! The caps per conversation and per client network across instances (PostgreSQL).
//!
//! Every open shopper stream is a row in `stream_slots`, written when it is admitted
//! and deleted when it ends. Admission counts the rows of live instances under
//! advisory locks on the conversation and on the network, so two instances admitting
//! at once cannot both take the last place. Instances say they are alive in
//! `server_instances` every [`HEARTBEAT`]; the rows of one killed without a goodbye
//! stop counting after [`STALE_MS`] and are deleted later.
//!
//! Opening a stream already costs database work (its ticket is redeemed by a
//! `DELETE`), so one more short transaction adds little; on SQLite there is one
//! instance and memory is enough.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::Row;

use super::{Bounds, Refused};
use crate::db::{Backend, Database};
use crate::now_ms;

/// How often an instance says it is alive.
pub const HEARTBEAT: Duration = Duration::from_secs(10);
/// How long an instance's streams count after its last heartbeat.
pub const STALE_MS: i64 = 30_000;
/// How long after its last heartbeat an instance's rows are deleted.
const GONE_MS: i64 = 10 * 60_000;

/// This instance's streams in the shared count. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Slots {
    db: Database,
    instance: Arc<str>,
    /// The rows this instance holds. A row of its own not in here is a leftover of a
    /// delete that failed; the heartbeat removes it.
    held: Arc<Mutex<HashSet<String>>>,
    /// A delete failed since the last heartbeat.
    leftovers: Arc<AtomicBool>,
}

/// An admitted stream's row, deleted when this drops.
#[derive(Debug)]
pub struct Slot {
    slots: Slots,
    id: String,
}

impl Slots {
    /// The shared count on `db`, with a heartbeat from a task of its own; `None` on
    /// SQLite. Must run inside the tokio runtime.
    pub fn new(db: &Database) -> Option<Self> {
        if db.backend() != Backend::Postgres {
            return None;
        }
        let slots = Slots {
            db: db.clone(),
            instance: uuid::Uuid::new_v4().to_string().into(),
            held: Arc::default(),
            leftovers: Arc::default(),
        };
        let beating = slots.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(HEARTBEAT);
            loop {
                every.tick().await;
                if let Err(e) = beating.heartbeat(now_ms()).await {
                    tracing::warn!("open event streams not recorded as alive: {e}");
                }
            }
        });
        Some(slots)
    }

    /// A row for a stream of `conversation` from `network`, if the streams open on
    /// every live instance leave room under `bounds`.
    pub async fn claim(
        &self,
        conversation: Option<&str>,
        network: Option<&str>,
        bounds: &Bounds,
        now: i64,
    ) -> Result<Result<Slot, Refused>, sqlx::Error> {
        let id = uuid::Uuid::new_v4().to_string();
        // Held before it is written: a row of ours is always held or a leftover.
        lock(&self.held).insert(id.clone());
        let claimed = self.insert(&id, conversation, network, bounds, now).await;
        if !matches!(claimed, Ok(Ok(()))) {
            lock(&self.held).remove(&id);
        }
        Ok(claimed?.map(|()| Slot {
            slots: self.clone(),
            id,
        }))
    }

    async fn insert(
        &self,
        id: &str,
        conversation: Option<&str>,
        network: Option<&str>,
        bounds: &Bounds,
        now: i64,
    ) -> Result<Result<(), Refused>, sqlx::Error> {
        let mut tx = self.db.writer().begin().await?;
        self.alive(&mut tx, now).await?;
        // Always the conversation's lock before the network's: no two transactions
        // wait for each other.
        let checks = [
            (
                conversation,
                "conversation",
                bounds.per_conversation,
                Refused::Conversation,
            ),
            (network, "network", bounds.per_client, Refused::Client),
        ];
        for (key, column, cap, refused) in checks {
            let Some(key) = key else { continue };
            sqlx::query("SELECT 1 FROM pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind(format!("shopdesk stream {column} {key}"))
                .execute(&mut *tx)
                .await?;
            let open: i64 = sqlx::query(&format!(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM stream_slots s
                 JOIN server_instances i ON i.instance = s.instance
                 WHERE s.{column} = $1 AND i.seen_ms > $2"
            ))
            .bind(key)
            .bind(now - STALE_MS)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
            if open >= i64::try_from(cap).unwrap_or(i64::MAX) {
                return Ok(Err(refused));
            }
        }
        sqlx::query(
            "INSERT INTO stream_slots (id, instance, conversation, network, opened_ms)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(&*self.instance)
        .bind(conversation)
        .bind(network)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    async fn alive(&self, conn: &mut sqlx::AnyConnection, now: i64) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO server_instances (instance, seen_ms) VALUES ($1, $2)
             ON CONFLICT (instance) DO UPDATE SET seen_ms = excluded.seen_ms",
        )
        .bind(&*self.instance)
        .bind(now)
        .execute(conn)
        .await?;
        Ok(())
    }

    /// Says this instance is alive, removes its leftovers, and deletes what instances
    /// long gone left behind.
    async fn heartbeat(&self, now: i64) -> Result<(), sqlx::Error> {
        let mut conn = self.db.writer().acquire().await?;
        self.alive(&mut conn, now).await?;
        if self.leftovers.swap(false, Ordering::Relaxed) {
            let ours = sqlx::query("SELECT id FROM stream_slots WHERE instance = $1")
                .bind(&*self.instance)
                .fetch_all(&mut *conn)
                .await;
            let ours: Vec<String> = match ours {
                Ok(rows) => rows.iter().filter_map(|r| r.try_get(0).ok()).collect(),
                Err(e) => {
                    self.leftovers.store(true, Ordering::Relaxed);
                    return Err(e);
                }
            };
            let left: Vec<String> = {
                let held = lock(&self.held);
                ours.into_iter().filter(|id| !held.contains(id)).collect()
            };
            for id in left {
                if let Err(e) = delete(&mut conn, &id).await {
                    self.leftovers.store(true, Ordering::Relaxed);
                    return Err(e);
                }
            }
        }
        sqlx::query(
            "DELETE FROM stream_slots WHERE instance IN
             (SELECT instance FROM server_instances WHERE seen_ms < $1)",
        )
        .bind(now - GONE_MS)
        .execute(&mut *conn)
        .await?;
        sqlx::query("DELETE FROM server_instances WHERE seen_ms < $1")
            .bind(now - GONE_MS)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    /// The server is stopping: its streams no longer count.
    pub async fn leave(&self) {
        for sql in [
            "DELETE FROM stream_slots WHERE instance = $1",
            "DELETE FROM server_instances WHERE instance = $1",
        ] {
            let _ = sqlx::query(sql)
                .bind(&*self.instance)
                .execute(self.db.writer())
                .await;
        }
    }
}

async fn delete(conn: &mut sqlx::AnyConnection, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM stream_slots WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

impl Drop for Slot {
    fn drop(&mut self) {
        lock(&self.slots.held).remove(&self.id);
        let (db, id, leftovers) = (
            self.slots.db.clone(),
            std::mem::take(&mut self.id),
            self.slots.leftovers.clone(),
        );
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            leftovers.store(true, Ordering::Relaxed);
            return;
        };
        runtime.spawn(async move {
            let deleted = match db.writer().acquire().await {
                Ok(mut conn) => delete(&mut conn, &id).await,
                Err(e) => Err(e),
            };
            if deleted.is_err() {
                leftovers.store(true, Ordering::Relaxed);
            }
        });
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

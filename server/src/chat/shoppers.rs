//! Which shoppers have a stream open, on every instance: a row per open shopper stream
//! in `shopper_streams`, written when the stream is admitted and deleted when it ends.
//!
//! Two things read it:
//! - The mail (`crate::mail`): an agent's reply to a shopper with no stream open is
//!   emailed at once; to one whose chat is open, only if they have not read it after
//!   a while.
//! - On PostgreSQL, the caps per conversation and per network (`gate.rs`) across
//!   instances: admission counts the rows of live instances under advisory locks on the
//!   conversation and on the network, so two instances admitting at once cannot both
//!   take the last place. On SQLite there is one instance, whose memory counts exactly.
//!
//! Instances say they are alive in `server_instances` every [`HEARTBEAT`]; the rows of
//! one killed without a goodbye stop counting after [`STALE_MS`] and are deleted later.
//! A row per stream costs a write when it opens and one when it closes, and nothing
//! while it stays open: with thousands of streams open, refreshing a stamp on each
//! conversation would be thousands of row updates every few seconds.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::{AnyConnection, Row};

use super::gate::{Bounds, Refused};
use crate::db::{Backend, Database};

/// How often an instance says it is alive.
pub(super) const HEARTBEAT: Duration = Duration::from_secs(10);
/// How long an instance's streams count after its last heartbeat.
pub(super) const STALE_MS: i64 = 30_000;
/// How long after its last heartbeat an instance's rows are deleted.
const GONE_MS: i64 = 10 * 60_000;

/// SQL for 1 if `conversation` (the SQL expression of its id) has a shopper stream open
/// on a live instance, else 0 (a number: the Any driver reads SQLite's booleans as
/// integers); its one parameter, `$n`, is `now - STALE_MS`.
pub(super) fn connected_sql(conversation: &str, n: usize) -> String {
    format!(
        "CAST(CASE WHEN EXISTS (SELECT 1 FROM shopper_streams s
                 JOIN server_instances i ON i.instance = s.instance
                 WHERE s.conversation = {conversation} AND i.seen_ms > ${n})
              THEN 1 ELSE 0 END AS BIGINT)"
    )
}

/// This instance's shopper streams. Cheap to clone.
#[derive(Debug, Clone)]
pub(super) struct Shoppers {
    db: Database,
    instance: Arc<str>,
    /// The rows this instance holds. A row of its own not in here is a leftover of a
    /// delete that failed; the heartbeat removes it.
    held: Arc<Mutex<HashSet<String>>>,
    /// A delete failed since the last heartbeat.
    leftovers: Arc<AtomicBool>,
}

/// A shopper's open stream, counted until this drops.
#[derive(Debug)]
pub(super) struct Here {
    shoppers: Shoppers,
    id: String,
}

impl Shoppers {
    /// The shopper streams on `db`, with a heartbeat from a task of its own. Must run
    /// inside the tokio runtime.
    pub(super) fn new(db: &Database) -> Self {
        let shoppers = Shoppers {
            db: db.clone(),
            instance: uuid::Uuid::new_v4().to_string().into(),
            held: Arc::default(),
            leftovers: Arc::default(),
        };
        let beating = shoppers.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(HEARTBEAT);
            loop {
                every.tick().await;
                if let Err(e) = beating.heartbeat(crate::now_ms()).await {
                    tracing::warn!("open shopper streams not recorded as alive: {e}");
                }
            }
        });
        shoppers
    }

    /// Records a stream of `conversation` from `network`; on PostgreSQL only if the
    /// streams open on every live instance leave room under `bounds` (on SQLite the
    /// gate's memory has counted already).
    pub(super) async fn here(
        &self,
        conversation: &str,
        network: &str,
        bounds: &Bounds,
        now: i64,
    ) -> Result<Result<Here, Refused>, sqlx::Error> {
        let id = uuid::Uuid::new_v4().to_string();
        // Held before it is written: a row of ours is always held or a leftover.
        lock(&self.held).insert(id.clone());
        let inserted = self.insert(&id, conversation, network, bounds, now).await;
        if !matches!(inserted, Ok(Ok(()))) {
            lock(&self.held).remove(&id);
        }
        Ok(inserted?.map(|()| Here {
            shoppers: self.clone(),
            id,
        }))
    }

    async fn insert(
        &self,
        id: &str,
        conversation: &str,
        network: &str,
        bounds: &Bounds,
        now: i64,
    ) -> Result<Result<(), Refused>, sqlx::Error> {
        let mut tx = self.db.writer().begin().await?;
        self.alive(&mut tx, now).await?;
        if self.db.backend() == Backend::Postgres {
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
                sqlx::query("SELECT 1 FROM pg_advisory_xact_lock(hashtextextended($1, 0))")
                    .bind(format!("shopdesk stream {column} {key}"))
                    .execute(&mut *tx)
                    .await?;
                let open: i64 = sqlx::query(&format!(
                    "SELECT CAST(COUNT(*) AS BIGINT) FROM shopper_streams s
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
        }
        sqlx::query(
            "INSERT INTO shopper_streams (id, instance, conversation, network, opened_ms)
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

    async fn alive(&self, conn: &mut AnyConnection, now: i64) -> Result<(), sqlx::Error> {
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
            if let Err(e) = self.remove_leftovers(&mut conn).await {
                self.leftovers.store(true, Ordering::Relaxed);
                return Err(e);
            }
        }
        for sql in [
            "DELETE FROM shopper_streams WHERE instance IN
             (SELECT instance FROM server_instances WHERE seen_ms < $1)",
            "DELETE FROM server_instances WHERE seen_ms < $1",
        ] {
            sqlx::query(sql)
                .bind(now - GONE_MS)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }

    async fn remove_leftovers(&self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        let ours: Vec<String> = sqlx::query("SELECT id FROM shopper_streams WHERE instance = $1")
            .bind(&*self.instance)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .filter_map(|r| r.try_get(0).ok())
            .collect();
        let left: Vec<String> = {
            let held = lock(&self.held);
            ours.into_iter().filter(|id| !held.contains(id)).collect()
        };
        for id in left {
            delete(&mut *conn, &id).await?;
        }
        Ok(())
    }

    /// The server is stopping: its streams no longer count.
    pub(super) async fn leave(&self) {
        for sql in [
            "DELETE FROM shopper_streams WHERE instance = $1",
            "DELETE FROM server_instances WHERE instance = $1",
        ] {
            let _ = sqlx::query(sql)
                .bind(&*self.instance)
                .execute(self.db.writer())
                .await;
        }
    }
}

async fn delete(conn: &mut AnyConnection, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM shopper_streams WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

impl Drop for Here {
    fn drop(&mut self) {
        lock(&self.shoppers.held).remove(&self.id);
        let shoppers = self.shoppers.clone();
        let id = std::mem::take(&mut self.id);
        // A runtime is gone only when the server is; then its heartbeat goes stale.
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        runtime.spawn(async move {
            let deleted = match shoppers.db.writer().acquire().await {
                Ok(mut conn) => delete(&mut conn, &id).await,
                Err(e) => Err(e),
            };
            if deleted.is_err() {
                shoppers.leftovers.store(true, Ordering::Relaxed);
            }
        });
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Location;

    async fn connected(db: &Database, conversation: &str, now: i64) -> bool {
        let sql = format!("SELECT {}", connected_sql("$1", 2));
        sqlx::query(&sql)
            .bind(conversation)
            .bind(now - STALE_MS)
            .fetch_one(db.reader())
            .await
            .unwrap()
            .try_get::<i64, _>(0)
            .unwrap()
            == 1
    }

    /// A new SQLite database in a folder that lives as long as the first value.
    async fn fresh() -> (tempfile::TempDir, Database, Shoppers) {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(&Location::Sqlite(dir.path().join("s.db")))
            .await
            .unwrap();
        let shoppers = Shoppers::new(&db);
        (dir, db, shoppers)
    }

    #[tokio::test]
    async fn a_shopper_counts_while_a_stream_is_open_on_a_live_instance() {
        let (_dir, db, shoppers) = fresh().await;
        let now = crate::now_ms();
        let bounds = Bounds::default();
        let one = shoppers
            .here("c", "n", &bounds, now)
            .await
            .unwrap()
            .unwrap();
        let two = shoppers
            .here("c", "n", &bounds, now)
            .await
            .unwrap()
            .unwrap();
        assert!(connected(&db, "c", now).await);
        assert!(!connected(&db, "other", now).await);
        // Its instance silent for longer than STALE_MS: gone, whatever the rows say (a
        // minute past it: the heartbeat task may have said "alive" after `now`).
        assert!(!connected(&db, "c", now + STALE_MS + 60_000).await);
        // One tab closed: still there; both: gone.
        drop(one);
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(connected(&db, "c", now).await);
        drop(two);
        let mut waited = 0;
        while connected(&db, "c", now).await {
            assert!(waited < 100, "the closed stream's row stayed");
            tokio::time::sleep(Duration::from_millis(10)).await;
            waited += 1;
        }
        db.close().await;
    }

    #[tokio::test]
    async fn leftovers_and_gone_instances_are_swept_by_the_heartbeat() {
        let (_dir, db, shoppers) = fresh().await;
        let now = crate::now_ms();
        let kept = shoppers
            .here("kept", "n", &Bounds::default(), now)
            .await
            .unwrap()
            .unwrap();
        // A row whose delete failed, and an instance long gone with a row.
        sqlx::query(
            "INSERT INTO shopper_streams (id, instance, conversation, network, opened_ms)
             VALUES ('left', $1, 'left', 'n', 0), ('old', 'gone', 'old', 'n', 0)",
        )
        .bind(&*shoppers.instance)
        .execute(db.writer())
        .await
        .unwrap();
        sqlx::query("INSERT INTO server_instances (instance, seen_ms) VALUES ('gone', $1)")
            .bind(now - GONE_MS - 1)
            .execute(db.writer())
            .await
            .unwrap();
        shoppers.leftovers.store(true, Ordering::Relaxed);
        shoppers.heartbeat(now).await.unwrap();
        let left: Vec<String> = sqlx::query("SELECT id FROM shopper_streams ORDER BY id")
            .fetch_all(db.reader())
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get(0).unwrap())
            .collect();
        assert_eq!(left, std::slice::from_ref(&kept.id));
        drop(kept);
        db.close().await;
    }
}

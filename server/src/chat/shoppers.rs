//! Which shoppers have their chat open, across instances: an agent's reply to a
//! shopper who is gone is emailed at once; to one whose chat is open, only if they
//! have not read it after a while (`crate::mail`).
//!
//! Each instance stamps `chat_conversations.shopper_seen_ms` for the conversations
//! with an open shopper stream on it: when the first opens, then every [`HEARTBEAT`];
//! when the last closes it clears the stamp. A stamp older than [`STALE_MS`] (an
//! instance that died) means gone.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::db::Database;
use crate::now_ms;

pub(super) const HEARTBEAT: Duration = Duration::from_secs(15);
pub(super) const STALE_MS: i64 = 40_000;
/// Conversations stamped per statement by the heartbeat.
const STAMPS_PER_STATEMENT: usize = 500;

/// This instance's open shopper streams. Cheap to clone.
#[derive(Debug, Clone)]
pub(super) struct Shoppers {
    db: Database,
    /// Open streams per conversation.
    local: Arc<Mutex<HashMap<String, usize>>>,
}

/// The shopper of a conversation counts as connected while this lives.
#[derive(Debug)]
pub(super) struct Here {
    shoppers: Shoppers,
    conversation: String,
}

impl Shoppers {
    /// Must run inside the tokio runtime (a task refreshes the stamps).
    pub(super) fn new(db: Database) -> Self {
        let shoppers = Shoppers {
            db,
            local: Arc::default(),
        };
        let refresher = shoppers.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(HEARTBEAT);
            every.tick().await;
            loop {
                every.tick().await;
                let open: Vec<String> = lock(&refresher.local).keys().cloned().collect();
                // A few statements for thousands of open chats, not one each.
                for ids in open.chunks(STAMPS_PER_STATEMENT) {
                    refresher.stamp_all(ids, now_ms()).await;
                }
            }
        });
        shoppers
    }

    /// Counts `conversation`'s shopper connected until the guard drops; stamped before
    /// it returns.
    pub(super) async fn here(&self, conversation: &str) -> Here {
        let first = {
            let mut local = lock(&self.local);
            let n = local.entry(conversation.to_string()).or_default();
            *n += 1;
            *n == 1
        };
        if first {
            self.stamp_all(&[conversation.to_string()], now_ms()).await;
        }
        Here {
            shoppers: self.clone(),
            conversation: conversation.to_string(),
        }
    }

    /// Stamps `conversations` at `ms` in one statement.
    async fn stamp_all(&self, conversations: &[String], ms: i64) {
        let marks: Vec<String> = (0..conversations.len())
            .map(|i| format!("${}", i + 2))
            .collect();
        let sql = format!(
            "UPDATE chat_conversations SET shopper_seen_ms = $1 WHERE id IN ({})",
            marks.join(", ")
        );
        let mut query = sqlx::query(&sql).bind(ms);
        for id in conversations {
            query = query.bind(id);
        }
        if let Err(e) = query.execute(self.db.writer()).await {
            tracing::warn!("could not record that shoppers are in the chat: {e}");
        }
    }
}

impl Drop for Here {
    fn drop(&mut self) {
        let last = {
            let mut local = lock(&self.shoppers.local);
            match local.get_mut(&self.conversation) {
                Some(n) if *n > 1 => {
                    *n -= 1;
                    false
                }
                _ => {
                    local.remove(&self.conversation);
                    true
                }
            }
        };
        if last {
            let shoppers = self.shoppers.clone();
            let conversation = std::mem::take(&mut self.conversation);
            // A runtime is gone only when the server is; then the stamp goes stale.
            if let Ok(rt) = tokio::runtime::Handle::try_current() {
                rt.spawn(async move { shoppers.stamp_all(&[conversation], 0).await });
            }
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use sqlx::Row;

    use super::*;
    use crate::db::Location;

    #[tokio::test]
    async fn the_heartbeat_stamps_every_open_chat_in_one_statement_and_a_closed_one_clears() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(&Location::Sqlite(dir.path().join("s.db")))
            .await
            .unwrap();
        for id in ["a", "b", "c"] {
            sqlx::query(
                "INSERT INTO chat_conversations (id, token_sha256, started_at, handoff)
                 VALUES ($1, 'h', 0, '{}')",
            )
            .bind(id)
            .execute(db.writer())
            .await
            .unwrap();
        }
        let seen = |id: &'static str| {
            let db = db.clone();
            async move {
                sqlx::query("SELECT shopper_seen_ms FROM chat_conversations WHERE id = $1")
                    .bind(id)
                    .fetch_one(db.reader())
                    .await
                    .unwrap()
                    .try_get::<i64, _>(0)
                    .unwrap()
            }
        };
        let shoppers = Shoppers::new(db.clone());
        shoppers.stamp_all(&["a".into(), "c".into()], 42).await;
        assert_eq!(
            (seen("a").await, seen("b").await, seen("c").await),
            (42, 0, 42)
        );
        // Opened: stamped now; the last stream of it gone: cleared.
        let here = shoppers.here("b").await;
        assert!(seen("b").await > 42);
        drop(here);
        for _ in 0..100 {
            if seen("b").await == 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert_eq!(seen("b").await, 0);
        db.close().await;
    }
}

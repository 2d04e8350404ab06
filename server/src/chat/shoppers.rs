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
                for id in open {
                    refresher.stamp(&id, now_ms()).await;
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
            self.stamp(conversation, now_ms()).await;
        }
        Here {
            shoppers: self.clone(),
            conversation: conversation.to_string(),
        }
    }

    async fn stamp(&self, conversation: &str, ms: i64) {
        let result =
            sqlx::query("UPDATE chat_conversations SET shopper_seen_ms = $2 WHERE id = $1")
                .bind(conversation)
                .bind(ms)
                .execute(self.db.writer())
                .await;
        if let Err(e) = result {
            tracing::warn!("could not record that a shopper is in the chat: {e}");
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
                rt.spawn(async move { shoppers.stamp(&conversation, 0).await });
            }
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

//! The mail outbox: rows in `mail_outbox`, queued by the chat's writer in the same
//! transaction as the message or the close they are about, sent by a worker on every
//! instance.
//!
//! One row per (conversation, kind, event): a message stored once queues one email,
//! however often it is retried. A worker claims a due row with a lease (an `UPDATE`
//! that only one instance can win), so two instances never send the same row at
//! once; the row is marked sent right after the relay accepted it. A crash between the
//! two repeats that one email when the lease runs out: the only way a shopper can get
//! an email twice (its `Message-ID` is the row's, so their mail program can tell).
//! Failures are kept on the row for the agents to see and retried with exponential
//! backoff; a relay's permanent refusal of the email (5xx) or too many attempts stop
//! it as `failed`.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use lettre::message::{Mailbox, MultiPart};
use lettre::Message;
use shopdesk_wire::chat::{Handoff, MailState, What};
use sqlx::{AnyConnection, Row};
use tokio::sync::Notify;

use super::compose::{compose, Kind, Letter, Line};
use super::link::{Keys, FRAGMENT};
use super::{Mailer, SendError};
use crate::db::Database;
use crate::now_ms;

/// How the worker paces itself; the defaults are for production.
#[derive(Debug, Clone)]
pub struct Tuning {
    /// The wait after the first failure; doubled after each next one.
    pub first_retry: Duration,
    pub max_retry: Duration,
    /// After this many failed attempts an email is `failed`.
    pub max_attempts: u32,
    /// How long a claimed email is this worker's (longer than one SMTP exchange).
    pub lease: Duration,
    /// How often the worker looks for due mail it was not woken for (retries, other
    /// instances' mail).
    pub poll: Duration,
    /// Emails in flight at once.
    pub parallel: usize,
}

impl Default for Tuning {
    fn default() -> Self {
        Self {
            first_retry: Duration::from_secs(30),
            max_retry: Duration::from_secs(3600),
            max_attempts: 12,
            lease: Duration::from_secs(120),
            poll: Duration::from_secs(1),
            parallel: 8,
        }
    }
}

impl Tuning {
    /// The wait before attempt `attempts + 1`.
    pub fn backoff(&self, attempts: u32) -> Duration {
        let doubled = self.first_retry.saturating_mul(
            1u32.checked_shl(attempts.saturating_sub(1))
                .unwrap_or(u32::MAX),
        );
        doubled.min(self.max_retry)
    }
}

/// What the chat's writer needs to queue mail. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Queue {
    /// A reply to a shopper whose chat is open waits this long for them to read it.
    pub unread_grace_ms: i64,
    wake: Arc<Notify>,
}

impl Queue {
    pub fn new(unread_grace: Duration) -> Self {
        Self {
            unread_grace_ms: i64::try_from(unread_grace.as_millis()).unwrap_or(i64::MAX),
            wake: Arc::new(Notify::new()),
        }
    }

    /// Queues the email of agent reply `seq`: due now if the shopper is gone, after
    /// the grace period if their chat is open (it is skipped if they read it by then).
    pub(crate) async fn reply(
        &self,
        conn: &mut AnyConnection,
        conversation: &str,
        seq: i64,
        to: &str,
        connected: bool,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        let due = if connected {
            now.saturating_add(self.unread_grace_ms)
        } else {
            now
        };
        insert(conn, conversation, Kind::Reply, seq, to, due, now).await
    }

    /// Queues the transcript of a conversation that ended with event `seq`.
    pub(crate) async fn transcript(
        &self,
        conn: &mut AnyConnection,
        conversation: &str,
        seq: i64,
        to: &str,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        insert(conn, conversation, Kind::Transcript, seq, to, now, now).await
    }

    /// Something was queued and committed: the worker looks now.
    pub(crate) fn wake(&self) {
        self.wake.notify_one();
    }
}

async fn insert(
    conn: &mut AnyConnection,
    conversation: &str,
    kind: Kind,
    seq: i64,
    to: &str,
    due: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO mail_outbox (id, conversation, kind, seq, recipient, status, due_ms, created_ms)
         VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7)
         ON CONFLICT (conversation, kind, seq) DO NOTHING",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(conversation)
    .bind(kind.as_str())
    .bind(seq)
    .bind(to)
    .bind(due)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The sending side.
#[derive(Debug, Clone)]
pub struct Outbox {
    pub db: Database,
    pub mailer: Mailer,
    pub keys: Keys,
    /// The sender; its name is the shop's name in the emails.
    pub from: Mailbox,
    /// How long the link in an email opens the conversation.
    pub link_valid: Duration,
    pub tuning: Tuning,
}

/// How a delivery ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    /// The shopper read it in the chat before it was due.
    Skipped,
    /// Will be tried again.
    Retry,
    Failed,
    /// Another worker had it, or it was not due.
    NotMine,
}

impl Outbox {
    /// Sends due mail until the process ends, woken by `queue` (this instance's
    /// writes) and every `tuning.poll` (retries and other instances' writes). Must
    /// run inside the tokio runtime.
    pub fn start(self, queue: &Queue) -> tokio::task::JoinHandle<()> {
        let wake = queue.wake.clone();
        tokio::spawn(async move {
            loop {
                while self.round().await > 0 {}
                tokio::select! {
                    () = wake.notified() => {}
                    () = tokio::time::sleep(self.tuning.poll) => {}
                }
            }
        })
    }

    /// Delivers what is due now, a batch at a time; how many it handled.
    pub async fn round(&self) -> usize {
        let now = now_ms();
        let due: Vec<String> = match sqlx::query(
            "SELECT id FROM mail_outbox WHERE status = 'pending' AND due_ms <= $1 AND lease_until < $1
             ORDER BY due_ms LIMIT 64",
        )
        .bind(now)
        .fetch_all(self.db.reader())
        .await
        .and_then(|rows| rows.iter().map(|r| r.try_get(0)).collect())
        {
            Ok(ids) => ids,
            Err(e) => {
                tracing::warn!("the mail outbox could not be read: {e}");
                return 0;
            }
        };
        futures_util::stream::iter(due)
            .map(|id| async move { self.deliver(&id).await })
            .buffer_unordered(self.tuning.parallel.max(1))
            .filter(|o| std::future::ready(*o != Outcome::NotMine))
            .count()
            .await
    }

    /// Claims, composes and sends one email, and records how it went.
    pub async fn deliver(&self, id: &str) -> Outcome {
        match self.try_deliver(id).await {
            Ok(outcome) => outcome,
            Err(e) => {
                // The lease runs out and another round takes it again.
                tracing::warn!("mail {id}: the outbox could not be updated: {e}");
                Outcome::Retry
            }
        }
    }

    async fn try_deliver(&self, id: &str) -> Result<Outcome, sqlx::Error> {
        let now = now_ms();
        let lease = i64::try_from(self.tuning.lease.as_millis()).unwrap_or(i64::MAX);
        let claimed = sqlx::query(
            "UPDATE mail_outbox SET lease_until = $2, attempts = attempts + 1
             WHERE id = $1 AND status = 'pending' AND due_ms <= $3 AND lease_until < $3",
        )
        .bind(id)
        .bind(now.saturating_add(lease))
        .bind(now)
        .execute(self.db.writer())
        .await?
        .rows_affected();
        if claimed != 1 {
            return Ok(Outcome::NotMine);
        }
        let row = sqlx::query(
            "SELECT o.conversation, o.kind, o.seq, o.recipient, o.attempts, c.handoff, c.shopper_read
             FROM mail_outbox o JOIN chat_conversations c ON c.id = o.conversation
             WHERE o.id = $1",
        )
        .bind(id)
        .fetch_one(self.db.reader())
        .await?;
        let conversation: String = row.try_get(0)?;
        let kind = Kind::parse(&row.try_get::<String, _>(1)?).unwrap_or(Kind::Reply);
        let seq: i64 = row.try_get(2)?;
        let to: String = row.try_get(3)?;
        let attempts = u32::try_from(row.try_get::<i64, _>(4)?).unwrap_or(u32::MAX);
        let handoff: Handoff =
            serde_json::from_str(&row.try_get::<String, _>(5)?).unwrap_or_default();
        if kind == Kind::Reply && row.try_get::<i64, _>(6)? >= seq {
            self.finish(id, "skipped", None, None).await?;
            return Ok(Outcome::Skipped);
        }
        let lines = self.lines(&conversation, seq).await?;
        let message = match self.message(id, kind, &conversation, &to, &handoff, &lines, now) {
            Ok(m) => m,
            Err(problem) => {
                tracing::warn!("mail {id} to {to}: {problem}");
                self.finish(id, "failed", Some(&problem), None).await?;
                return Ok(Outcome::Failed);
            }
        };
        match self.mailer.send(message).await {
            Ok(()) => {
                self.finish(id, "sent", None, Some(now_ms())).await?;
                tracing::info!(
                    "mail {id}: the {} of {conversation} went to {to}",
                    kind.as_str()
                );
                Ok(Outcome::Sent)
            }
            Err(SendError { permanent, message }) => {
                let give_up = permanent || attempts >= self.tuning.max_attempts;
                if give_up {
                    let message = if permanent {
                        message
                    } else {
                        format!("gave up after {attempts} attempts; the last: {message}")
                    };
                    tracing::warn!("mail {id} to {to} failed: {message}");
                    self.finish(id, "failed", Some(&message), None).await?;
                    return Ok(Outcome::Failed);
                }
                let wait =
                    i64::try_from(self.tuning.backoff(attempts).as_millis()).unwrap_or(i64::MAX);
                tracing::info!(
                    "mail {id} to {to}: {message}; trying again in {} s",
                    wait / 1000
                );
                sqlx::query(
                    "UPDATE mail_outbox SET due_ms = $2, lease_until = 0, error = $3 WHERE id = $1",
                )
                .bind(id)
                .bind(now_ms().saturating_add(wait))
                .bind(&message)
                .execute(self.db.writer())
                .await?;
                Ok(Outcome::Retry)
            }
        }
    }

    async fn finish(
        &self,
        id: &str,
        status: &str,
        error: Option<&str>,
        sent: Option<i64>,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE mail_outbox SET status = $2, error = $3, sent_ms = $4, lease_until = 0 WHERE id = $1",
        )
        .bind(id)
        .bind(status)
        .bind(error)
        .bind(sent)
        .execute(self.db.writer())
        .await?;
        Ok(())
    }

    /// The messages of `conversation` up to event `seq`.
    async fn lines(&self, conversation: &str, seq: i64) -> Result<Vec<Line>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT at, what FROM chat_events
             WHERE conversation = $1 AND seq <= $2 AND client_id IS NOT NULL ORDER BY seq",
        )
        .bind(conversation)
        .bind(seq)
        .fetch_all(self.db.reader())
        .await?;
        let mut lines = Vec::with_capacity(rows.len());
        for r in rows {
            if let Ok(What::Message {
                author, body, name, ..
            }) = serde_json::from_str(&r.try_get::<String, _>(1)?)
            {
                lines.push(Line {
                    author,
                    name,
                    body,
                    at: r.try_get(0)?,
                });
            }
        }
        Ok(lines)
    }

    /// The email itself; `Err` says why it can never be sent.
    #[allow(clippy::too_many_arguments)]
    fn message(
        &self,
        id: &str,
        kind: Kind,
        conversation: &str,
        to: &str,
        handoff: &Handoff,
        lines: &[Line],
        now: i64,
    ) -> Result<Message, String> {
        let to: Mailbox = to
            .parse()
            .map_err(|e| format!("{to:?} is not an email address ({e})"))?;
        let expires =
            now.saturating_add(i64::try_from(self.link_valid.as_millis()).unwrap_or(i64::MAX));
        let link = handoff.page_url.as_deref().map(|page| {
            let page = page.split('#').next().unwrap_or(page);
            let token = self.keys.link(conversation, expires);
            (format!("{page}#{FRAGMENT}={token}"), expires)
        });
        let shop = self
            .from
            .name
            .clone()
            .unwrap_or_else(|| self.from.email.domain().to_string());
        let composed = compose(&Letter {
            kind,
            shop: &shop,
            handoff,
            lines,
            link,
        });
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(composed.subject)
            .message_id(Some(format!("<{id}@{}>", self.from.email.domain())))
            .multipart(MultiPart::alternative_plain_html(
                composed.text,
                composed.html,
            ))
            .map_err(|e| format!("the email could not be put together: {e}"))
    }
}

/// The emails of `conversation` and where each stands, oldest first.
pub async fn states(db: &Database, conversation: &str) -> Result<Vec<MailState>, sqlx::Error> {
    sqlx::query(
        "SELECT kind, seq, recipient, status, attempts, error, due_ms, sent_ms
         FROM mail_outbox WHERE conversation = $1 ORDER BY seq, kind",
    )
    .bind(conversation)
    .fetch_all(db.reader())
    .await?
    .iter()
    .map(|r| {
        let status: String = r.try_get(3)?;
        Ok(MailState {
            kind: r.try_get(0)?,
            seq: r.try_get(1)?,
            to: r.try_get(2)?,
            attempts: u32::try_from(r.try_get::<i64, _>(4)?).unwrap_or(u32::MAX),
            error: r.try_get(5)?,
            next_attempt: (status == "pending").then(|| r.try_get(6)).transpose()?,
            sent_at: r.try_get(7)?,
            status,
        })
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_up_to_its_cap() {
        let t = Tuning::default();
        assert_eq!(t.backoff(1), Duration::from_secs(30));
        assert_eq!(t.backoff(2), Duration::from_secs(60));
        assert_eq!(t.backoff(4), Duration::from_secs(240));
        assert_eq!(t.backoff(8), Duration::from_secs(3600));
        assert_eq!(t.backoff(40), Duration::from_secs(3600));
    }
}

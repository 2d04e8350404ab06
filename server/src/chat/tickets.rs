//! Single-use tickets for event streams.
//!
//! `EventSource` cannot send an `Authorization` header, so a stream's credential would
//! have to ride in its URL, where proxies and access logs keep it. Instead the client
//! asks for a ticket with its real credential (the conversation's key, or the agent's
//! cookie or token) and opens the stream with `?ticket=`: it works once, within
//! [`VALID_FOR`], so a logged URL opens nothing.
//!
//! Tickets are rows (their SHA-256), so one issued by one instance is redeemed by
//! whichever instance the stream reaches, and `DELETE … RETURNING` redeems each once
//! even when two instances try at the same moment.

use sqlx::Row;

use crate::access::{digest, new_secret};
use crate::db::{Database, DbError};

/// How long a ticket waits to be used: long enough for a slow phone to open the
/// stream right after asking, short enough that a leaked one is stale.
pub const VALID_FOR_MS: i64 = 60_000;

/// Whose stream a ticket opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holder {
    /// The shopper of this conversation.
    Shopper(String),
    /// A signed-in agent (their account id), or the automation token (`None`).
    Agent(Option<String>),
}

/// Issues a ticket for `holder`, valid until `now + VALID_FOR_MS`; expired ones are
/// swept on the way.
pub async fn issue(db: &Database, holder: &Holder, now: i64) -> Result<String, DbError> {
    let ticket = new_secret();
    let (conversation, agent) = match holder {
        Holder::Shopper(id) => (Some(id.as_str()), None),
        Holder::Agent(agent) => (None, Some(agent.as_deref().unwrap_or(""))),
    };
    sqlx::query("DELETE FROM stream_tickets WHERE expires_ms < $1")
        .bind(now)
        .execute(db.writer())
        .await?;
    sqlx::query(
        "INSERT INTO stream_tickets (ticket, conversation, agent, expires_ms)
         VALUES ($1, $2, $3, $4)",
    )
    .bind(digest(&ticket))
    .bind(conversation)
    .bind(agent)
    .bind(now + VALID_FOR_MS)
    .execute(db.writer())
    .await?;
    Ok(ticket)
}

/// Whose stream `ticket` opens, once; `None` if it was never issued, was used, or
/// expired.
pub async fn redeem(db: &Database, ticket: &str, now: i64) -> Result<Option<Holder>, DbError> {
    let row = sqlx::query(
        "DELETE FROM stream_tickets WHERE ticket = $1 RETURNING conversation, agent, expires_ms",
    )
    .bind(digest(ticket))
    .fetch_optional(db.writer())
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let expires: i64 = row.try_get(2)?;
    if expires < now {
        return Ok(None);
    }
    let conversation: Option<String> = row.try_get(0)?;
    let agent: Option<String> = row.try_get(1)?;
    Ok(match (conversation, agent) {
        (Some(id), _) => Some(Holder::Shopper(id)),
        (None, Some(agent)) => Some(Holder::Agent((!agent.is_empty()).then_some(agent))),
        (None, None) => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Location;

    #[tokio::test]
    async fn a_ticket_opens_its_stream_once_and_only_in_time() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(&Location::Sqlite(dir.path().join("t.db")))
            .await
            .unwrap();
        let shopper = Holder::Shopper("c-1".into());
        let t = issue(&db, &shopper, 1_000).await.unwrap();
        assert_eq!(redeem(&db, &t, 2_000).await.unwrap(), Some(shopper));
        assert_eq!(redeem(&db, &t, 2_000).await.unwrap(), None, "used twice");

        let automation = Holder::Agent(None);
        let late = issue(&db, &automation, 1_000).await.unwrap();
        assert_eq!(
            redeem(&db, &late, 1_000 + VALID_FOR_MS + 1).await.unwrap(),
            None
        );
        let agent = Holder::Agent(Some("a-7".into()));
        let t = issue(&db, &agent, 1_000).await.unwrap();
        assert_eq!(redeem(&db, &t, 1_500).await.unwrap(), Some(agent));
        assert_eq!(redeem(&db, "made-up", 1_500).await.unwrap(), None);
        // Expired tickets are swept when the next is issued.
        let _ = issue(&db, &automation, 10_000_000).await.unwrap();
        let left: i64 = sqlx::query("SELECT COUNT(*) FROM stream_tickets")
            .fetch_one(db.reader())
            .await
            .unwrap()
            .try_get(0)
            .unwrap();
        assert_eq!(left, 1);
        db.close().await;
    }
}

//! One rate-limit budget per client across instances (PostgreSQL).
//!
//! Every [`ROUND`], each instance tells the others on [`CHANNEL`] how many requests
//! each client made on it since the last round, and each takes them from its own
//! buckets (`RateLimiter::spent_elsewhere`). A client spread over several instances
//! behind a load balancer thus spends one budget: within a round it can take at most
//! one burst more from each instance, and then waits until its average is back within
//! the rate.
//!
//! Why not a counter in the database: that is a round trip on every request, feedback
//! ingest included (tens of thousands a second). A report is one `NOTIFY` per round,
//! only while clients are making requests, and costs nothing per request. A lost
//! report (a listener reconnecting) is a round of requests not shared, never a
//! refusal; on SQLite there is one instance and nothing to share.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{Client, RateLimiter};
use crate::db::{Database, Notice};

/// The channel instances report on.
pub const CHANNEL: &str = "shopdesk_rate";
/// How often an instance reports: the longest a request made on one instance goes
/// unseen by the others.
pub const ROUND: Duration = Duration::from_millis(250);
/// Clients reported per round at most, heaviest first.
const MAX_CLIENTS_PER_ROUND: usize = 4_096;
/// PostgreSQL refuses payloads of 8,000 bytes or more.
const MAX_PAYLOAD: usize = 7_900;

/// Shares `limiter`'s budget with the other instances on `db`, from tasks of their own.
/// Nothing on SQLite. Must run inside the tokio runtime.
pub fn share(limiter: Arc<RateLimiter>, db: Database) {
    let me = uuid::Uuid::new_v4().simple().to_string();
    let heard = limiter.clone();
    let mine = me.clone();
    let listening = db.listen(CHANNEL, move |notice| {
        let Notice::Payload(payload) = notice else {
            return;
        };
        let Some(report) = Report::decode(&payload) else {
            tracing::debug!("ignored a rate report that is not one: {payload:?}");
            return;
        };
        if report.from != mine {
            let now = Instant::now();
            for (client, requests) in report.spent {
                heard.spent_elsewhere(client, requests, now);
            }
        }
    });
    if listening.is_none() {
        return;
    }
    tokio::spawn(async move {
        let mut every = tokio::time::interval(ROUND);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut failing = false;
        loop {
            every.tick().await;
            let spent = limiter.take_unreported(MAX_CLIENTS_PER_ROUND);
            if spent.is_empty() {
                continue;
            }
            let mut sent = Ok(());
            for payload in Report::encode(&me, &spent) {
                sent = send(&db, &payload).await;
                if sent.is_err() {
                    break;
                }
            }
            // Logged once per outage: the budget is per instance until it ends.
            match sent {
                Err(e) if !failing => {
                    tracing::warn!("cannot share the rate limit with other instances: {e}");
                    failing = true;
                }
                Ok(()) if failing => {
                    tracing::info!("sharing the rate limit with other instances again");
                    failing = false;
                }
                _ => {}
            }
        }
    });
}

async fn send(db: &Database, payload: &str) -> Result<(), sqlx::Error> {
    let mut conn = db.writer().acquire().await?;
    db.notify(&mut conn, CHANNEL, payload).await
}

/// One instance's report: who sent it, then how many requests each client made.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Report {
    from: String,
    spent: Vec<(Client, u32)>,
}

impl Report {
    /// Payloads of at most [`MAX_PAYLOAD`] bytes: the sender's id on the first line,
    /// then `requests client` per line.
    fn encode(from: &str, spent: &[(Client, u32)]) -> Vec<String> {
        let mut payloads = Vec::new();
        let mut payload = from.to_string();
        for (client, requests) in spent {
            let line = format!("\n{requests} {client}");
            if payload.len() + line.len() > MAX_PAYLOAD {
                payloads.push(std::mem::replace(&mut payload, from.to_string()));
            }
            payload.push_str(&line);
        }
        if payload.len() > from.len() {
            payloads.push(payload);
        }
        payloads
    }

    /// A report, or `None` for a payload that is not one. Lines that do not read
    /// (another version's) are skipped.
    fn decode(payload: &str) -> Option<Report> {
        let mut lines = payload.lines();
        let from = lines.next().filter(|f| !f.is_empty())?.to_string();
        let spent = lines
            .filter_map(|line| {
                let (requests, client) = line.split_once(' ')?;
                Some((client.parse().ok()?, requests.parse().ok()?))
            })
            .collect();
        Some(Report { from, spent })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_read_back_split_under_postgres_payload_limit() {
        let spent: Vec<(Client, u32)> = (0..3_000u32)
            .map(|i| {
                let client = if i % 2 == 0 {
                    Client::V4(i.to_be_bytes())
                } else {
                    Client::V6Net([0x20, 0x01, 0x0d, 0xb8, 0, 0, (i >> 8) as u8, i as u8])
                };
                (client, i + 1)
            })
            .collect();
        let payloads = Report::encode("me", &spent);
        assert!(payloads.len() > 1);
        let mut read = Vec::new();
        for payload in &payloads {
            assert!(payload.len() <= MAX_PAYLOAD, "{}", payload.len());
            let report = Report::decode(payload).unwrap();
            assert_eq!(report.from, "me");
            read.extend(report.spent);
        }
        assert_eq!(read, spent);
        assert!(Report::encode("me", &[]).is_empty());
    }

    #[test]
    fn what_does_not_read_is_skipped() {
        assert_eq!(Report::decode(""), None);
        let report = Report::decode("them\n3 192.0.2.1\nnonsense\n-1 192.0.2.2\n4 x\n\n").unwrap();
        assert_eq!(report.from, "them");
        assert_eq!(report.spent, [("192.0.2.1".parse().unwrap(), 3)]);
    }
}

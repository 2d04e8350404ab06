//! The chat's writes, committed together: one task per instance takes whatever
//! starts, messages and closes are waiting and applies them in order in one
//! transaction, so twenty replies in flight cost one commit (one disk flush), not
//! twenty in a row. A write is acknowledged only after its transaction committed.
//!
//! Each transaction first locks the event counter (`chat_clock`), then checks and
//! appends: event numbers follow commit order across instances, and a check (a
//! message already stored? a conversation already ended?) sees every earlier commit,
//! whichever instance made it. A write refused by its check (`NotFound`, `Closed`)
//! changes nothing and does not hold up the others; a database failure fails the batch.

use std::collections::HashMap;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use shopdesk_wire::chat::{Assignee, Author, ChatEvent, Handoff, MessageKey, Say, What, Why};
use sqlx::any::AnyRow;
use sqlx::{Acquire, AnyConnection, Row};
use tokio::sync::{mpsc, oneshot};

use super::routing::{self, Candidate, Routing, Waiting};
use super::store::{event, ChatError, CHANNEL};
use super::wake::Wakeups;
use crate::db::{batch, Database};
use crate::mail::outbox::Queue;

/// Most writes committed in one transaction.
const MAX_BATCH: usize = 256;

/// One write, as asked.
#[derive(Debug)]
pub(super) enum Op {
    Start {
        handoff: Box<Handoff>,
        /// Nobody could answer live (`What::Started`).
        offline: bool,
        admission: Admission,
        now: i64,
    },
    Say {
        conversation: String,
        author: Author,
        /// The signed-in agent who wrote it (none: the shopper, or automation).
        agent: Option<Assignee>,
        say: Say,
        now: i64,
    },
    Close {
        conversation: String,
        by: Author,
        now: i64,
    },
    /// Someone changes who handles a conversation.
    Assign {
        conversation: String,
        actor: Actor,
        to: Target,
        now: i64,
    },
    /// Closes conversations the shopper left, routes the queue, and takes
    /// conversations back from agents who left or are silent (`routing.rs`).
    Route { routing: Routing, now: i64 },
}

/// A conversation the writer opened (or found opened by the same start key).
#[derive(Debug)]
pub(super) struct Begun {
    pub id: String,
    /// The shopper's key; `None` for a retried start (only its hash is stored: the
    /// store hands out a derived key instead).
    pub token: Option<String>,
    /// The `started` event; `None` for a retried start.
    pub event: Option<ChatEvent>,
}

/// Who starts a conversation, and within which caps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Admission {
    /// The client's network, keyed (`Keys::client_key`), for the per-client cap.
    pub client: Option<String>,
    pub caps: OpenCaps,
    /// A verified customer id (`identity.rs`): their history on any device.
    pub customer: Option<String>,
}

/// How many conversations may be open at once, per client network and in total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenCaps {
    pub per_client: i64,
    pub total: i64,
}

impl OpenCaps {
    pub const NONE: OpenCaps = OpenCaps {
        per_client: i64::MAX,
        total: i64::MAX,
    };
}

impl Default for OpenCaps {
    fn default() -> Self {
        Self::NONE
    }
}

/// Who asks for a change of hands.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The signed-in agent; none for the automation token.
    pub agent: Option<Assignee>,
    /// Admins may take over a colleague's conversation.
    pub admin: bool,
}

impl Actor {
    fn name(&self) -> String {
        self.agent
            .as_ref()
            .map_or_else(|| "automation".to_string(), |a| a.name.clone())
    }

    /// Whether this actor may move a conversation `current` handles.
    fn may_move(&self, current: Option<&str>) -> bool {
        match (&self.agent, current) {
            (_, None) => true,
            (None, Some(_)) => true,
            (Some(me), Some(current)) => self.admin || me.id == current,
        }
    }
}

/// Where a conversation goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// To the actor ("Take it").
    Me,
    /// To the colleague with this account id.
    Colleague(String),
    /// Back to the queue.
    Queue,
}

/// What a write did, matching its [`Op`].
#[derive(Debug)]
pub(super) enum Done {
    Started(Result<Begun, ChatError>),
    /// The event, and whether it was added (else: stored before, by a retry).
    Said(Result<(ChatEvent, bool), ChatError>),
    /// `None`: it had ended already.
    Closed(Result<Option<ChatEvent>, ChatError>),
    /// `None`: it was there already.
    Assigned(Result<Option<ChatEvent>, ChatError>),
    /// How many conversations changed hands.
    Routed(usize),
}

/// What this instance's writer committed (registered by `crate::ops` for
/// `/metrics`). Cheap to clone: clones count together.
#[derive(Debug, Clone, Default)]
pub struct Counts {
    pub started: Counter,
    pub messages: Family<AuthorLabel, Counter>,
    pub closed: Counter,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct AuthorLabel {
    pub author: &'static str,
}

impl Counts {
    /// Counts what a committed write added (not what a retry found stored).
    fn record(&self, done: &Done) {
        match done {
            Done::Started(Ok(Begun { event: Some(_), .. })) => {
                self.started.inc();
            }
            Done::Said(Ok((event, true))) => {
                if let What::Message { author, .. } = &event.what {
                    let author = author.as_str();
                    self.messages.get_or_create(&AuthorLabel { author }).inc();
                }
            }
            Done::Closed(Ok(Some(_))) => {
                self.closed.inc();
            }
            _ => {}
        }
    }
}

struct Job {
    op: Op,
    reply: oneshot::Sender<Result<Done, String>>,
}

/// The queue into the writer task. Cheap to clone.
#[derive(Debug, Clone)]
pub(super) struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writer task on `db`; it wakes `wakeups` after each commit. Must run
    /// inside the tokio runtime.
    /// With `mail`, agents' replies to shoppers who left an email address and the
    /// transcripts they asked for are queued as email in the same transaction.
    pub(super) fn start(
        db: Database,
        wakeups: Wakeups,
        counts: Counts,
        mail: Option<Queue>,
    ) -> Self {
        // Bounded: under overload, handlers wait here instead of growing memory.
        let (jobs, queue) = mpsc::channel(MAX_BATCH * 8);
        tokio::spawn(write_loop(db, wakeups, counts, mail, queue));
        Writer { jobs }
    }

    /// Writes waiting for the writer now.
    pub(super) fn queued(&self) -> usize {
        self.jobs.max_capacity() - self.jobs.capacity()
    }

    /// Applies `op`; resolves once it is committed (or refused).
    pub(super) async fn write(&self, op: Op) -> Result<Done, ChatError> {
        let (reply, answer) = oneshot::channel();
        self.jobs.send(Job { op, reply }).await.map_err(|_| {
            ChatError::Write("the chat writer has stopped; restart the server".into())
        })?;
        match answer.await {
            Ok(Ok(done)) => Ok(done),
            Ok(Err(message)) => Err(ChatError::Write(message)),
            Err(_) => Err(ChatError::Write(
                "the chat writer has stopped; restart the server".into(),
            )),
        }
    }
}

async fn write_loop(
    db: Database,
    wakeups: Wakeups,
    counts: Counts,
    mail: Option<Queue>,
    mut queue: mpsc::Receiver<Job>,
) {
    while let Some(jobs) = batch::next(&mut queue, MAX_BATCH).await {
        let (ops, replies): (Vec<Op>, Vec<_>) = jobs.into_iter().map(|j| (j.op, j.reply)).unzip();
        match apply(&db, mail.as_ref(), ops).await {
            Ok((done, newest, mailed)) => {
                if mailed {
                    if let Some(mail) = &mail {
                        mail.wake();
                    }
                }
                for (conversation, seq) in newest {
                    wakeups.wake(&conversation, seq);
                }
                for (reply, done) in replies.into_iter().zip(done) {
                    counts.record(&done);
                    let _ = reply.send(Ok(done));
                }
            }
            Err(e) => {
                tracing::error!("chat batch of {} not stored: {e}", replies.len());
                for reply in replies {
                    let _ = reply.send(Err(e.to_string()));
                }
            }
        }
    }
}

/// What a committed batch did, each touched conversation's newest event (to wake its
/// streams), and whether it queued mail.
type Applied = (Vec<Done>, Vec<(String, i64)>, bool);

/// Applies `ops` in order in one transaction.
async fn apply(db: &Database, mail: Option<&Queue>, ops: Vec<Op>) -> Result<Applied, ChatError> {
    let mut conn = db.writer().acquire().await?;
    let mut tx = conn.begin().await?;
    // The lock first (see the module's doc); the number where it stands.
    let first: i64 = sqlx::query("UPDATE chat_clock SET seq = seq RETURNING seq")
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
    let mut batch = Batch {
        seq: first,
        newest: HashMap::new(),
        mail,
        mailed: false,
    };
    let mut done = Vec::with_capacity(ops.len());
    for op in ops {
        done.push(match op {
            Op::Start {
                handoff,
                offline,
                admission,
                now,
            } => Done::Started(
                batch
                    .start(&mut tx, *handoff, offline, admission, now)
                    .await?,
            ),
            Op::Say {
                conversation,
                author,
                agent,
                say,
                now,
            } => Done::Said(
                batch
                    .say(&mut tx, &conversation, author, agent, say, now)
                    .await?,
            ),
            Op::Close {
                conversation,
                by,
                now,
            } => Done::Closed(batch.close(&mut tx, &conversation, by, false, now).await?),
            Op::Assign {
                conversation,
                actor,
                to,
                now,
            } => Done::Assigned(
                batch
                    .assign(&mut tx, &conversation, &actor, to, now)
                    .await?,
            ),
            Op::Route { routing, now } => Done::Routed(batch.route(&mut tx, routing, now).await?),
        });
    }
    if batch.seq != first {
        sqlx::query("UPDATE chat_clock SET seq = $1")
            .bind(batch.seq)
            .execute(&mut *tx)
            .await?;
        for (conversation, seq) in &batch.newest {
            db.notify(&mut tx, CHANNEL, &format!("{seq} {conversation}"))
                .await?;
        }
    }
    tx.commit().await?;
    let mailed = batch.mailed;
    Ok((done, batch.newest.into_iter().collect(), mailed))
}

/// The transaction's running state: the last number given, the newest event of each
/// conversation it touched, whether it queued mail.
struct Batch<'m> {
    seq: i64,
    newest: HashMap<String, i64>,
    mail: Option<&'m Queue>,
    mailed: bool,
}

/// A write's own outcome inside a batch that goes on: `Err` only for the database.
type Outcome<T> = Result<Result<T, ChatError>, ChatError>;

impl Batch<'_> {
    /// Opens a conversation, unless `handoff.start_key` opened one already (a retried
    /// start: that one comes back, without a key, which the store derives) or the caps
    /// are reached. Runs under the chat clock's lock, so the counts hold across
    /// instances.
    async fn start(
        &mut self,
        conn: &mut AnyConnection,
        handoff: Handoff,
        offline: bool,
        admission: Admission,
        now: i64,
    ) -> Outcome<Begun> {
        let Admission {
            client,
            caps,
            customer,
        } = admission;
        if let Some(key) = &handoff.start_key {
            let found: Option<String> =
                sqlx::query("SELECT id FROM chat_conversations WHERE start_key = $1")
                    .bind(key)
                    .fetch_optional(&mut *conn)
                    .await?
                    .map(|r| r.try_get(0))
                    .transpose()?;
            if let Some(id) = found {
                return Ok(Ok(Begun {
                    id,
                    token: None,
                    event: None,
                }));
            }
        }
        let open: i64 =
            sqlx::query("SELECT COUNT(*) FROM chat_conversations WHERE closed_at IS NULL")
                .fetch_one(&mut *conn)
                .await?
                .try_get(0)?;
        if open >= caps.total {
            return Ok(Err(ChatError::Full(
                "the shop has as many open conversations as it can take",
            )));
        }
        if let Some(client) = &client {
            let theirs: i64 = sqlx::query(
                "SELECT COUNT(*) FROM chat_conversations WHERE client_key = $1 AND closed_at IS NULL",
            )
            .bind(client)
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
            if theirs >= caps.per_client {
                return Ok(Err(ChatError::Full(
                    "this network has as many open conversations as one may have",
                )));
            }
        }
        let id = uuid::Uuid::new_v4().to_string();
        let token = crate::access::new_secret();
        sqlx::query(
            "INSERT INTO chat_conversations
                (id, token_sha256, started_at, handoff, offline, email, transcript, start_key,
                 client_key, visitor_id, customer_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&id)
        .bind(crate::access::digest(&token))
        .bind(now)
        .bind(serde_json::to_string(&handoff).unwrap_or_default())
        .bind(i64::from(offline))
        .bind(handoff.email.as_deref())
        .bind(i64::from(handoff.transcript))
        .bind(handoff.start_key.as_deref())
        .bind(client.as_deref())
        .bind(handoff.visitor_id.as_deref())
        .bind(customer.as_deref())
        .execute(&mut *conn)
        .await?;
        let event = self
            .append(
                conn,
                &id,
                now,
                None,
                What::Started {
                    handoff: Box::new(handoff),
                    offline,
                },
            )
            .await?;
        Ok(Ok(Begun {
            id,
            token: Some(token),
            event: Some(event),
        }))
    }

    async fn say(
        &mut self,
        conn: &mut AnyConnection,
        conversation: &str,
        author: Author,
        agent: Option<Assignee>,
        say: Say,
        now: i64,
    ) -> Outcome<(ChatEvent, bool)> {
        let key = MessageKey::new(author, &say.id).stored();
        // The conversation, and this message if it is stored already: one round trip.
        let found: Option<AnyRow> = sqlx::query(
            "SELECT c.closed_at, e.conversation, e.seq, e.at, e.what, c.assigned_to,
                    c.assigned_name, c.email
             FROM chat_conversations c
             LEFT JOIN chat_events e ON e.conversation = c.id AND e.client_id = $2
             WHERE c.id = $1",
        )
        .bind(conversation)
        .bind(&key)
        .fetch_optional(&mut *conn)
        .await?;
        let Some(row) = found else {
            return Ok(Err(ChatError::NotFound(conversation.to_string())));
        };
        if row.try_get::<Option<i64>, _>(2)?.is_some() {
            return Ok(Ok((event_at(&row, 1)?, false)));
        }
        if row.try_get::<Option<i64>, _>(0)?.is_some() {
            return Ok(Err(ChatError::Closed));
        }
        let assigned: Option<String> = row.try_get(5)?;
        if let Some(me) = &agent {
            match assigned {
                // A reply to a waiting conversation takes it: the shopper has an agent.
                None => {
                    let why = Why::Taken;
                    self.hand(conn, conversation, Some(me), why, None, now)
                        .await?;
                }
                Some(other) if other != me.id => {
                    return Ok(Err(ChatError::AssignedTo(row.try_get(6)?)));
                }
                Some(_) => {}
            }
        }
        // Since when the shopper waits for an answer: what requeues a silent agent's
        // conversations.
        let waiting = match author {
            Author::Shopper => sqlx::query(
                "UPDATE chat_conversations SET waiting_since = $2
                 WHERE id = $1 AND waiting_since IS NULL",
            )
            .bind(conversation)
            .bind(now),
            Author::Agent => sqlx::query(
                "UPDATE chat_conversations SET waiting_since = NULL, answered_at = $2 WHERE id = $1",
            )
            .bind(conversation)
            .bind(now),
        };
        waiting.execute(&mut *conn).await?;
        let what = What::Message {
            author,
            id: say.id,
            body: say.body,
            name: agent.map(|a| a.name),
        };
        let event = self
            .append(conn, conversation, now, Some(&key), what)
            .await?;
        let email: Option<String> = row.try_get(7)?;
        if let (Author::Agent, Some(mail), Some(to)) = (author, self.mail, email) {
            // Asked only here: most replies go to shoppers who left no address.
            let connected: i64 = sqlx::query(&format!(
                "SELECT {}",
                super::shoppers::connected_sql("$1", 2)
            ))
            .bind(conversation)
            .bind(now - super::shoppers::STALE_MS)
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
            let connected = connected == 1;
            mail.reply(conn, conversation, event.seq, &to, connected, now)
                .await?;
            self.mailed = true;
        }
        Ok(Ok((event, true)))
    }

    /// Moves a conversation as `actor` asks, when they may.
    async fn assign(
        &mut self,
        conn: &mut AnyConnection,
        conversation: &str,
        actor: &Actor,
        to: Target,
        now: i64,
    ) -> Outcome<Option<ChatEvent>> {
        let found: Option<AnyRow> = sqlx::query(
            "SELECT closed_at, assigned_to, assigned_name FROM chat_conversations WHERE id = $1",
        )
        .bind(conversation)
        .fetch_optional(&mut *conn)
        .await?;
        let Some(row) = found else {
            return Ok(Err(ChatError::NotFound(conversation.to_string())));
        };
        if row.try_get::<Option<i64>, _>(0)?.is_some() {
            return Ok(Err(ChatError::Closed));
        }
        let current: Option<String> = row.try_get(1)?;
        if !actor.may_move(current.as_deref()) {
            return Ok(Err(ChatError::AssignedTo(row.try_get(2)?)));
        }
        let (next, why) = match to {
            Target::Me => {
                let Some(me) = actor.agent.clone() else {
                    return Ok(Err(ChatError::Handover(
                        "the automation token is nobody: hand the conversation to an agent by id instead".into(),
                    )));
                };
                (Some(me), Why::Taken)
            }
            Target::Colleague(id) => match colleague(conn, &id, now).await? {
                Ok(colleague) => (Some(colleague), Why::Handed { by: actor.name() }),
                Err(refusal) => return Ok(Err(refusal)),
            },
            Target::Queue => (None, Why::Handed { by: actor.name() }),
        };
        if current.as_deref() == next.as_ref().map(|a| a.id.as_str()) {
            return Ok(Ok(None));
        }
        // Put back by its agent: routing gives it to someone else, not straight back.
        let passed_over = match (&next, &current) {
            (None, Some(current)) => Some(current.as_str()),
            _ => None,
        };
        let event = self
            .hand(conn, conversation, next.as_ref(), why, passed_over, now)
            .await?;
        Ok(Ok(Some(event)))
    }

    /// Takes conversations back from agents who left or stayed silent, then gives
    /// the queue to available agents in turn; how many changed hands.
    async fn route(
        &mut self,
        conn: &mut AnyConnection,
        routing: Routing,
        now: i64,
    ) -> Result<usize, ChatError> {
        let mut moved = 0;
        if routing.idle_close_ms > 0 {
            // Answered, and the shopper said nothing since: the conversation is over.
            let idle: Vec<String> = sqlx::query(
                "SELECT id FROM chat_conversations
                 WHERE closed_at IS NULL AND waiting_since IS NULL AND answered_at < $1",
            )
            .bind(now - routing.idle_close_ms)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?;
            for id in idle {
                if let Ok(Some(_)) = self.close(conn, &id, Author::Agent, true, now).await? {
                    moved += 1;
                }
            }
        }
        let gone: Vec<String> = sqlx::query(
            "SELECT c.id FROM chat_conversations c JOIN agents a ON a.id = c.assigned_to
             WHERE c.closed_at IS NULL AND (a.disabled <> 0 OR (a.seen_ms < $1 AND NOT EXISTS (
                SELECT 1 FROM agent_presence p WHERE p.agent = a.id AND p.seen_ms > $2)))
             ORDER BY c.started_at",
        )
        .bind(now - routing.offline_after_ms)
        .bind(now - super::presence::STALE_MS)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
        for id in gone {
            self.hand(conn, &id, None, Why::Offline, None, now).await?;
            moved += 1;
        }
        let deadline = now - routing.requeue_after_ms;
        let silent: Vec<(String, String)> = sqlx::query(
            "SELECT id, assigned_to FROM chat_conversations
             WHERE closed_at IS NULL AND assigned_to IS NOT NULL
               AND waiting_since < $1 AND assigned_at < $1
             ORDER BY started_at",
        )
        .bind(deadline)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<_, sqlx::Error>>()?;
        for (id, agent) in silent {
            self.hand(conn, &id, None, Why::Unanswered, Some(&agent), now)
                .await?;
            moved += 1;
        }
        if routing.cap == 0 {
            return Ok(moved);
        }
        let agents: Vec<Candidate> = sqlx::query(
            "SELECT a.id, a.name, a.last_assigned_ms,
                    (SELECT CAST(COUNT(*) AS BIGINT) FROM chat_conversations c
                     WHERE c.assigned_to = a.id AND c.closed_at IS NULL)
             FROM agents a
             WHERE a.disabled = 0 AND a.away = 0 AND EXISTS (
                SELECT 1 FROM agent_presence p WHERE p.agent = a.id AND p.seen_ms > $1)",
        )
        .bind(now - super::presence::STALE_MS)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(Candidate {
                id: r.try_get(0)?,
                name: r.try_get(1)?,
                last_assigned_ms: r.try_get(2)?,
                handling: u32::try_from(r.try_get::<i64, _>(3)?).unwrap_or(u32::MAX),
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
        if agents.is_empty() {
            return Ok(moved);
        }
        let waiting: Vec<Waiting> = sqlx::query(
            "SELECT id, passed_over FROM chat_conversations
             WHERE closed_at IS NULL AND assigned_to IS NULL ORDER BY started_at LIMIT $1",
        )
        .bind(i64::from(routing.cap) * agents.len() as i64 + 50)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(Waiting {
                id: r.try_get(0)?,
                passed_over: r.try_get(1)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
        for (conversation, i) in routing::plan(&waiting, agents.clone(), routing.cap) {
            let a = &agents[i];
            let to = Assignee {
                id: a.id.clone(),
                name: a.name.clone(),
            };
            self.hand(conn, &conversation, Some(&to), Why::Routed, None, now)
                .await?;
            moved += 1;
        }
        Ok(moved)
    }

    /// Records who handles `conversation` now, and says so in its events.
    async fn hand(
        &mut self,
        conn: &mut AnyConnection,
        conversation: &str,
        to: Option<&Assignee>,
        why: Why,
        passed_over: Option<&str>,
        now: i64,
    ) -> Result<ChatEvent, ChatError> {
        sqlx::query(
            "UPDATE chat_conversations
             SET assigned_to = $2, assigned_name = $3, assigned_at = $4, passed_over = $5
             WHERE id = $1",
        )
        .bind(conversation)
        .bind(to.map(|a| a.id.as_str()))
        .bind(to.map(|a| a.name.as_str()))
        .bind(to.map(|_| now))
        .bind(passed_over)
        .execute(&mut *conn)
        .await?;
        if let Some(a) = to {
            sqlx::query("UPDATE agents SET last_assigned_ms = $2 WHERE id = $1")
                .bind(&a.id)
                .bind(now)
                .execute(&mut *conn)
                .await?;
        }
        let what = What::Assigned {
            to: to.cloned(),
            why,
        };
        self.append(conn, conversation, now, None, what).await
    }

    async fn close(
        &mut self,
        conn: &mut AnyConnection,
        conversation: &str,
        by: Author,
        idle: bool,
        now: i64,
    ) -> Outcome<Option<ChatEvent>> {
        let found: Option<AnyRow> = sqlx::query(
            "SELECT closed_at, email, transcript FROM chat_conversations WHERE id = $1",
        )
        .bind(conversation)
        .fetch_optional(&mut *conn)
        .await?;
        let Some(row) = found else {
            return Ok(Err(ChatError::NotFound(conversation.to_string())));
        };
        if row.try_get::<Option<i64>, _>(0)?.is_some() {
            return Ok(Ok(None));
        }
        let event = self
            .append(conn, conversation, now, None, What::Closed { by, idle })
            .await?;
        let email: Option<String> = row.try_get(1)?;
        let transcript = row.try_get::<i64, _>(2)? != 0;
        if let (true, Some(mail), Some(to)) = (transcript, self.mail, email) {
            mail.transcript(conn, conversation, event.seq, &to, now)
                .await?;
            self.mailed = true;
        }
        sqlx::query("UPDATE chat_conversations SET closed_at = $2, closed_seq = $3 WHERE id = $1")
            .bind(conversation)
            .bind(now)
            .bind(event.seq)
            .execute(&mut *conn)
            .await?;
        Ok(Ok(Some(event)))
    }

    /// Stores the next event of `conversation`.
    async fn append(
        &mut self,
        conn: &mut AnyConnection,
        conversation: &str,
        at: i64,
        client_id: Option<&str>,
        what: What,
    ) -> Result<ChatEvent, ChatError> {
        let seq = self.seq + 1;
        let text = serde_json::to_string(&what).map_err(|e| ChatError::Corrupt(e.to_string()))?;
        sqlx::query(
            "INSERT INTO chat_events (seq, conversation, at, client_id, what)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(seq)
        .bind(conversation)
        .bind(at)
        .bind(client_id)
        .bind(text)
        .execute(&mut *conn)
        .await?;
        self.seq = seq;
        self.newest.insert(conversation.to_string(), seq);
        Ok(ChatEvent {
            seq,
            conversation: conversation.to_string(),
            at,
            what,
        })
    }
}

/// The colleague with account `id`, if a conversation can be handed to them now.
async fn colleague(
    conn: &mut AnyConnection,
    id: &str,
    now: i64,
) -> Result<Result<Assignee, ChatError>, ChatError> {
    let found: Option<AnyRow> = sqlx::query(
        "SELECT a.name, a.disabled, CAST(CASE WHEN EXISTS (
            SELECT 1 FROM agent_presence p WHERE p.agent = a.id AND p.seen_ms > $2)
            THEN 1 ELSE 0 END AS BIGINT)
         FROM agents a WHERE a.id = $1",
    )
    .bind(id)
    .bind(now - super::presence::STALE_MS)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = found else {
        return Ok(Err(ChatError::Handover(format!(
            "there is no agent {id}; pick a colleague from the list"
        ))));
    };
    let name: String = row.try_get(0)?;
    if row.try_get::<i64, _>(1)? != 0 {
        return Ok(Err(ChatError::Handover(format!(
            "{name}'s account is disabled; pick another colleague"
        ))));
    }
    if row.try_get::<i64, _>(2)? == 0 {
        return Ok(Err(ChatError::Handover(format!(
            "{name} is offline; hand it to a colleague who is online, or back to the queue"
        ))));
    }
    Ok(Ok(Assignee {
        id: id.to_string(),
        name,
    }))
}

/// The event in `row`'s columns from `first` on: conversation, seq, at, what.
fn event_at(row: &AnyRow, first: usize) -> Result<ChatEvent, ChatError> {
    event(
        row.try_get(first)?,
        row.try_get(first + 1)?,
        row.try_get(first + 2)?,
        row.try_get(first + 3)?,
    )
}

//! The schema, in versions, for both backends.
//!
//! One version number describes both: step N brings either backend from N−1 to N.
//! SQLite keeps the version in `PRAGMA user_version` (as every earlier server did, so
//! their files upgrade in place); PostgreSQL in `shopdesk_schema`, and its upgrade runs
//! under an advisory lock, so instances starting together upgrade once. Each step runs
//! in one transaction with its version: an upgrade that fails leaves the database as it
//! was.

use sqlx::{Acquire, Executor, Row};

use super::{Backend, Database, DbError};

/// The schema this code writes: 1 feedback, 2 chat, 3 chat messages keyed by author
/// and id, 4 a commit-ordered event clock, the ending event per conversation and agent
/// presence per instance (several instances on PostgreSQL), 5 agent accounts, their
/// sessions, failed sign-ins, and presence per agent (not per page), 6 an agent's
/// "away", 7 routing, read marks and canned replies, 8 messages left while nobody was
/// there (the shopper's email, transcript wish, when their chat was last connected),
/// the mail outbox, and the server's own secrets (shared by its instances), 9 single-use
/// tickets for event streams, and per conversation the client's start key and (keyed)
/// network, for idempotent starts and caps per client, its visitor id (erasure), and
/// the customer id a verified identity gave (their history on any device), 10 a row
/// per open shopper stream and the instances' heartbeats (stream caps across instances,
/// and who has their chat open, instead of a stamp refreshed on every open one), 11
/// search analytics (sessions and their searches, for the content-gaps report).
pub const SCHEMA_VERSION: i64 = 11;

/// Step 11, the same on both backends. A session's language, day, start and ending
/// are copied onto its searches, so every report query reads one table.
const SEARCHES: &str = "CREATE TABLE search_sessions (
        id TEXT PRIMARY KEY,
        locale TEXT NOT NULL,
        day TEXT NOT NULL,
        started_ms BIGINT NOT NULL,
        received_ms BIGINT NOT NULL,
        searches BIGINT NOT NULL,
        served BIGINT NOT NULL,
        escalated BIGINT NOT NULL
    );
    CREATE INDEX search_sessions_by_time ON search_sessions (started_ms);
    CREATE TABLE searches (
        session TEXT NOT NULL,
        position BIGINT NOT NULL,
        locale TEXT NOT NULL,
        started_ms BIGINT NOT NULL,
        query TEXT NOT NULL,
        results BIGINT NOT NULL,
        opened TEXT,
        helpful BIGINT,
        escalated BIGINT NOT NULL,
        PRIMARY KEY (session, position)
    );
    CREATE INDEX searches_by_time ON searches (started_ms);";

/// `pg_advisory_xact_lock` key of the upgrade ("shopdesk" in ASCII, truncated).
const UPGRADE_LOCK: i64 = 0x73686f70_6465736b;

const SQLITE: [&str; 11] = [
    "CREATE TABLE IF NOT EXISTS feedback (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        score INTEGER NOT NULL,
        comment TEXT,
        survey_id TEXT,
        article_id TEXT,
        conversation_id TEXT,
        page_url TEXT,
        locale TEXT,
        visitor_id TEXT,
        context TEXT,
        created_at TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        received_ms INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS feedback_by_time ON feedback (created_ms);",
    // Events are numbered across conversations (`seq`): a client that reconnects asks
    // for everything after the last number it saw. `client_id` makes a message sent
    // twice (a retry) appear once.
    "CREATE TABLE IF NOT EXISTS chat_conversations (
        id TEXT PRIMARY KEY,
        token_sha256 TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        closed_at INTEGER,
        handoff TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS chat_open ON chat_conversations (closed_at, started_at);
    CREATE TABLE IF NOT EXISTS chat_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation TEXT NOT NULL REFERENCES chat_conversations (id),
        at INTEGER NOT NULL,
        client_id TEXT,
        what TEXT NOT NULL,
        UNIQUE (conversation, client_id)
    );
    CREATE INDEX IF NOT EXISTS chat_events_by_conversation ON chat_events (conversation, seq);",
    // A message is known by its author and its id together (`MessageKey`): each side
    // makes its own ids. Version 2 stored the bare id; every stored message says who
    // wrote it.
    "UPDATE chat_events SET client_id = json_extract(what, '$.author') || ':' || client_id
        WHERE client_id IS NOT NULL;",
    // Numbers come from one counter row, taken as the last step before commit: its
    // lock makes numbers follow commit order, so a reader that saw N has seen every
    // event before N (on PostgreSQL, a sequence would let N+1 commit before N).
    "CREATE TABLE chat_clock (one INTEGER PRIMARY KEY CHECK (one = 1), seq INTEGER NOT NULL);
    INSERT INTO chat_clock (one, seq) SELECT 1, COALESCE(MAX(seq), 0) FROM chat_events;
    ALTER TABLE chat_conversations ADD COLUMN closed_seq INTEGER;
    UPDATE chat_conversations SET closed_seq = (
        SELECT MAX(e.seq) FROM chat_events e
        WHERE e.conversation = chat_conversations.id AND json_extract(e.what, '$.type') = 'closed'
    ) WHERE closed_at IS NOT NULL;
    CREATE TABLE chat_presence (
        instance TEXT PRIMARY KEY,
        agents INTEGER NOT NULL,
        seen_ms INTEGER NOT NULL
    );",
    "CREATE TABLE agents (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('admin', 'agent')),
        password_hash TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0,
        created_ms INTEGER NOT NULL
    );
    CREATE TABLE agent_sessions (
        token_sha256 TEXT PRIMARY KEY,
        agent TEXT NOT NULL REFERENCES agents (id),
        csrf TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        seen_ms INTEGER NOT NULL
    );
    CREATE INDEX agent_sessions_by_agent ON agent_sessions (agent);
    CREATE TABLE sign_in_failures (
        key TEXT PRIMARY KEY,
        failures INTEGER NOT NULL,
        since_ms INTEGER NOT NULL
    );
    CREATE INDEX sign_in_failures_by_age ON sign_in_failures (since_ms);
    DROP TABLE chat_presence;
    CREATE TABLE agent_presence (
        instance TEXT NOT NULL,
        agent TEXT NOT NULL,
        seen_ms INTEGER NOT NULL,
        PRIMARY KEY (instance, agent)
    );",
    "ALTER TABLE agents ADD COLUMN away INTEGER NOT NULL DEFAULT 0;",
    "ALTER TABLE chat_conversations ADD COLUMN assigned_to TEXT;
    ALTER TABLE chat_conversations ADD COLUMN assigned_name TEXT;
    ALTER TABLE chat_conversations ADD COLUMN assigned_at INTEGER;
    ALTER TABLE chat_conversations ADD COLUMN passed_over TEXT;
    ALTER TABLE chat_conversations ADD COLUMN waiting_since INTEGER;
    ALTER TABLE chat_conversations ADD COLUMN shopper_read INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE chat_conversations ADD COLUMN agent_read INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE chat_conversations ADD COLUMN answered_at INTEGER;
    UPDATE chat_conversations SET answered_at = (
        SELECT MAX(a.at) FROM chat_events a
        WHERE a.conversation = chat_conversations.id AND a.client_id LIKE 'agent:%')
        WHERE closed_at IS NULL;
    UPDATE chat_conversations SET waiting_since = (
        SELECT MIN(s.at) FROM chat_events s
        WHERE s.conversation = chat_conversations.id AND s.client_id LIKE 'shopper:%'
          AND s.seq > COALESCE((SELECT MAX(a.seq) FROM chat_events a
                                WHERE a.conversation = chat_conversations.id
                                  AND a.client_id LIKE 'agent:%'), 0))
        WHERE closed_at IS NULL;
    CREATE INDEX chat_assigned ON chat_conversations (assigned_to, closed_at);
    ALTER TABLE agents ADD COLUMN last_assigned_ms INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE agents ADD COLUMN seen_ms INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE canned_replies (
        id TEXT PRIMARY KEY,
        shortcut TEXT NOT NULL UNIQUE,
        body TEXT NOT NULL,
        updated_ms INTEGER NOT NULL,
        updated_by TEXT
    );",
    "ALTER TABLE chat_conversations ADD COLUMN offline INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE chat_conversations ADD COLUMN email TEXT;
    ALTER TABLE chat_conversations ADD COLUMN transcript INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE chat_conversations ADD COLUMN shopper_seen_ms INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE mail_outbox (
        id TEXT PRIMARY KEY,
        conversation TEXT NOT NULL REFERENCES chat_conversations (id),
        kind TEXT NOT NULL CHECK (kind IN ('reply', 'transcript')),
        seq INTEGER NOT NULL,
        recipient TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
        attempts INTEGER NOT NULL DEFAULT 0,
        due_ms INTEGER NOT NULL,
        lease_until INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        created_ms INTEGER NOT NULL,
        sent_ms INTEGER,
        UNIQUE (conversation, kind, seq)
    );
    CREATE INDEX mail_outbox_due ON mail_outbox (status, due_ms);
    CREATE TABLE server_secrets (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );",
    "CREATE TABLE stream_tickets (
        ticket TEXT PRIMARY KEY,
        conversation TEXT,
        agent TEXT,
        expires_ms BIGINT NOT NULL
    );
    CREATE INDEX stream_tickets_expiry ON stream_tickets (expires_ms);
    ALTER TABLE chat_conversations ADD COLUMN start_key TEXT;
    ALTER TABLE chat_conversations ADD COLUMN client_key TEXT;
    CREATE UNIQUE INDEX chat_start_key ON chat_conversations (start_key);
    CREATE INDEX chat_open_by_client ON chat_conversations (client_key, closed_at);
    ALTER TABLE chat_conversations ADD COLUMN visitor_id TEXT;
    UPDATE chat_conversations SET visitor_id = json_extract(handoff, '$.visitor_id')
        WHERE json_valid(handoff);
    CREATE INDEX chat_by_visitor ON chat_conversations (visitor_id);
    CREATE INDEX chat_by_email ON chat_conversations (email);
    CREATE INDEX feedback_by_visitor ON feedback (visitor_id);
    ALTER TABLE chat_conversations ADD COLUMN customer_id TEXT;
    CREATE INDEX chat_by_customer ON chat_conversations (customer_id, started_at);",
    "CREATE TABLE server_instances (
        instance TEXT PRIMARY KEY,
        seen_ms BIGINT NOT NULL
    );
    CREATE TABLE shopper_streams (
        id TEXT PRIMARY KEY,
        instance TEXT NOT NULL,
        conversation TEXT,
        network TEXT,
        opened_ms BIGINT NOT NULL
    );
    CREATE INDEX shopper_streams_by_instance ON shopper_streams (instance);
    CREATE INDEX shopper_streams_by_conversation ON shopper_streams (conversation);
    CREATE INDEX shopper_streams_by_network ON shopper_streams (network);
    ALTER TABLE chat_conversations DROP COLUMN shopper_seen_ms;",
    SEARCHES,
];

/// PostgreSQL came with version 4: its steps create each version's tables directly.
const POSTGRES: [&str; 11] = [
    "CREATE TABLE IF NOT EXISTS feedback (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        score INTEGER NOT NULL,
        comment TEXT,
        survey_id TEXT,
        article_id TEXT,
        conversation_id TEXT,
        page_url TEXT,
        locale TEXT,
        visitor_id TEXT,
        context TEXT,
        created_at TEXT NOT NULL,
        created_ms BIGINT NOT NULL,
        received_ms BIGINT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS feedback_by_time ON feedback (created_ms);",
    "CREATE TABLE IF NOT EXISTS chat_conversations (
        id TEXT PRIMARY KEY,
        token_sha256 TEXT NOT NULL,
        started_at BIGINT NOT NULL,
        closed_at BIGINT,
        handoff TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS chat_open ON chat_conversations (closed_at, started_at);
    CREATE TABLE IF NOT EXISTS chat_events (
        seq BIGINT PRIMARY KEY,
        conversation TEXT NOT NULL REFERENCES chat_conversations (id),
        at BIGINT NOT NULL,
        client_id TEXT,
        what TEXT NOT NULL,
        UNIQUE (conversation, client_id)
    );
    CREATE INDEX IF NOT EXISTS chat_events_by_conversation ON chat_events (conversation, seq);",
    "UPDATE chat_events SET client_id = (what::json ->> 'author') || ':' || client_id
        WHERE client_id IS NOT NULL AND client_id NOT LIKE '%:%';",
    "CREATE TABLE chat_clock (one INTEGER PRIMARY KEY CHECK (one = 1), seq BIGINT NOT NULL);
    INSERT INTO chat_clock (one, seq) SELECT 1, COALESCE(MAX(seq), 0) FROM chat_events;
    ALTER TABLE chat_conversations ADD COLUMN closed_seq BIGINT;
    CREATE TABLE chat_presence (
        instance TEXT PRIMARY KEY,
        agents BIGINT NOT NULL,
        seen_ms BIGINT NOT NULL
    );",
    "CREATE TABLE agents (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('admin', 'agent')),
        password_hash TEXT NOT NULL,
        disabled BIGINT NOT NULL DEFAULT 0,
        created_ms BIGINT NOT NULL
    );
    CREATE TABLE agent_sessions (
        token_sha256 TEXT PRIMARY KEY,
        agent TEXT NOT NULL REFERENCES agents (id),
        csrf TEXT NOT NULL,
        created_ms BIGINT NOT NULL,
        seen_ms BIGINT NOT NULL
    );
    CREATE INDEX agent_sessions_by_agent ON agent_sessions (agent);
    CREATE TABLE sign_in_failures (
        key TEXT PRIMARY KEY,
        failures BIGINT NOT NULL,
        since_ms BIGINT NOT NULL
    );
    CREATE INDEX sign_in_failures_by_age ON sign_in_failures (since_ms);
    DROP TABLE chat_presence;
    CREATE TABLE agent_presence (
        instance TEXT NOT NULL,
        agent TEXT NOT NULL,
        seen_ms BIGINT NOT NULL,
        PRIMARY KEY (instance, agent)
    );",
    "ALTER TABLE agents ADD COLUMN away BIGINT NOT NULL DEFAULT 0;",
    "ALTER TABLE chat_conversations ADD COLUMN assigned_to TEXT;
    ALTER TABLE chat_conversations ADD COLUMN assigned_name TEXT;
    ALTER TABLE chat_conversations ADD COLUMN assigned_at BIGINT;
    ALTER TABLE chat_conversations ADD COLUMN passed_over TEXT;
    ALTER TABLE chat_conversations ADD COLUMN waiting_since BIGINT;
    ALTER TABLE chat_conversations ADD COLUMN shopper_read BIGINT NOT NULL DEFAULT 0;
    ALTER TABLE chat_conversations ADD COLUMN agent_read BIGINT NOT NULL DEFAULT 0;
    ALTER TABLE chat_conversations ADD COLUMN answered_at BIGINT;
    UPDATE chat_conversations SET answered_at = (
        SELECT MAX(a.at) FROM chat_events a
        WHERE a.conversation = chat_conversations.id AND a.client_id LIKE 'agent:%')
        WHERE closed_at IS NULL;
    UPDATE chat_conversations SET waiting_since = (
        SELECT MIN(s.at) FROM chat_events s
        WHERE s.conversation = chat_conversations.id AND s.client_id LIKE 'shopper:%'
          AND s.seq > COALESCE((SELECT MAX(a.seq) FROM chat_events a
                                WHERE a.conversation = chat_conversations.id
                                  AND a.client_id LIKE 'agent:%'), 0))
        WHERE closed_at IS NULL;
    CREATE INDEX chat_assigned ON chat_conversations (assigned_to, closed_at);
    ALTER TABLE agents ADD COLUMN last_assigned_ms BIGINT NOT NULL DEFAULT 0;
    ALTER TABLE agents ADD COLUMN seen_ms BIGINT NOT NULL DEFAULT 0;
    CREATE TABLE canned_replies (
        id TEXT PRIMARY KEY,
        shortcut TEXT NOT NULL UNIQUE,
        body TEXT NOT NULL,
        updated_ms BIGINT NOT NULL,
        updated_by TEXT
    );",
    "ALTER TABLE chat_conversations ADD COLUMN offline BIGINT NOT NULL DEFAULT 0;
    ALTER TABLE chat_conversations ADD COLUMN email TEXT;
    ALTER TABLE chat_conversations ADD COLUMN transcript BIGINT NOT NULL DEFAULT 0;
    ALTER TABLE chat_conversations ADD COLUMN shopper_seen_ms BIGINT NOT NULL DEFAULT 0;
    CREATE TABLE mail_outbox (
        id TEXT PRIMARY KEY,
        conversation TEXT NOT NULL REFERENCES chat_conversations (id),
        kind TEXT NOT NULL CHECK (kind IN ('reply', 'transcript')),
        seq BIGINT NOT NULL,
        recipient TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
        attempts BIGINT NOT NULL DEFAULT 0,
        due_ms BIGINT NOT NULL,
        lease_until BIGINT NOT NULL DEFAULT 0,
        error TEXT,
        created_ms BIGINT NOT NULL,
        sent_ms BIGINT,
        UNIQUE (conversation, kind, seq)
    );
    CREATE INDEX mail_outbox_due ON mail_outbox (status, due_ms);
    CREATE TABLE server_secrets (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );",
    "CREATE TABLE stream_tickets (
        ticket TEXT PRIMARY KEY,
        conversation TEXT,
        agent TEXT,
        expires_ms BIGINT NOT NULL
    );
    CREATE INDEX stream_tickets_expiry ON stream_tickets (expires_ms);
    ALTER TABLE chat_conversations ADD COLUMN start_key TEXT;
    ALTER TABLE chat_conversations ADD COLUMN client_key TEXT;
    CREATE UNIQUE INDEX chat_start_key ON chat_conversations (start_key);
    CREATE INDEX chat_open_by_client ON chat_conversations (client_key, closed_at);
    ALTER TABLE chat_conversations ADD COLUMN visitor_id TEXT;
    UPDATE chat_conversations SET visitor_id = handoff::json->>'visitor_id'
        WHERE handoff LIKE '{%';
    CREATE INDEX chat_by_visitor ON chat_conversations (visitor_id);
    CREATE INDEX chat_by_email ON chat_conversations (email);
    CREATE INDEX feedback_by_visitor ON feedback (visitor_id);
    ALTER TABLE chat_conversations ADD COLUMN customer_id TEXT;
    CREATE INDEX chat_by_customer ON chat_conversations (customer_id, started_at);",
    "CREATE TABLE server_instances (
        instance TEXT PRIMARY KEY,
        seen_ms BIGINT NOT NULL
    );
    CREATE TABLE shopper_streams (
        id TEXT PRIMARY KEY,
        instance TEXT NOT NULL,
        conversation TEXT,
        network TEXT,
        opened_ms BIGINT NOT NULL
    );
    CREATE INDEX shopper_streams_by_instance ON shopper_streams (instance);
    CREATE INDEX shopper_streams_by_conversation ON shopper_streams (conversation);
    CREATE INDEX shopper_streams_by_network ON shopper_streams (network);
    ALTER TABLE chat_conversations DROP COLUMN shopper_seen_ms;",
    SEARCHES,
];

/// The version the database holds now (a query, so also whether it answers).
pub(super) async fn version(db: &Database) -> Result<i64, DbError> {
    let sql = match db.backend() {
        Backend::Sqlite => "PRAGMA user_version",
        Backend::Postgres => "SELECT MAX(version) FROM shopdesk_schema",
    };
    let found: Option<i64> = sqlx::query(sql).fetch_one(db.reader()).await?.try_get(0)?;
    Ok(found.unwrap_or(0))
}

/// Brings `db` up to [`SCHEMA_VERSION`].
pub(super) async fn migrate(db: &Database) -> Result<(), DbError> {
    let at = db.location().to_string();
    let mut conn = db.writer().acquire().await?;
    let mut tx = conn.begin().await?;
    let (steps, found) = match db.backend() {
        Backend::Sqlite => {
            let found: i64 = sqlx::query("PRAGMA user_version")
                .fetch_one(&mut *tx)
                .await?
                .try_get(0)?;
            (&SQLITE, found)
        }
        Backend::Postgres => {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(UPGRADE_LOCK)
                .execute(&mut *tx)
                .await?;
            tx.execute("CREATE TABLE IF NOT EXISTS shopdesk_schema (version BIGINT NOT NULL)")
                .await?;
            let found: Option<i64> = sqlx::query("SELECT MAX(version) FROM shopdesk_schema")
                .fetch_one(&mut *tx)
                .await?
                .try_get(0)?;
            (&POSTGRES, found.unwrap_or(0))
        }
    };
    if found > SCHEMA_VERSION {
        return Err(DbError::TooNew { at, found });
    }
    for version in found + 1..=SCHEMA_VERSION {
        let step = steps[(version - 1) as usize];
        let record = match db.backend() {
            Backend::Sqlite => format!("PRAGMA user_version = {version}"),
            Backend::Postgres => format!(
                "DELETE FROM shopdesk_schema; INSERT INTO shopdesk_schema (version) VALUES ({version})"
            ),
        };
        let applied = async {
            tx.execute(step).await?;
            tx.execute(record.as_str()).await?;
            Ok::<_, sqlx::Error>(())
        };
        applied.await.map_err(|source| DbError::Migrate {
            at: at.clone(),
            version,
            source,
        })?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::{Database, Location};
    use super::*;

    async fn sqlite_at(version: i64, path: &std::path::Path) {
        // A file as the server of `version` left it.
        let db = sqlx::AnyPool::connect(&format!("sqlite://{}?mode=rwc", path.display()))
            .await
            .unwrap();
        for step in &SQLITE[..version as usize] {
            db.execute(*step).await.unwrap();
        }
        db.execute(format!("PRAGMA user_version = {version}").as_str())
            .await
            .unwrap();
        db.close().await;
    }

    async fn scalar(db: &Database, sql: &str) -> Option<String> {
        sqlx::query(sql)
            .fetch_optional(db.reader())
            .await
            .unwrap()
            .and_then(|r| r.try_get::<Option<String>, _>(0).unwrap())
    }

    #[tokio::test]
    async fn a_version_2_file_keys_its_messages_by_author_and_id_and_gains_the_clock() {
        sqlx::any::install_default_drivers();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v2.db");
        sqlite_at(2, &path).await;
        let old = sqlx::AnyPool::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        old.execute(
            r#"INSERT INTO chat_conversations VALUES ('c1', 'h', 0, 5, '{}');
            INSERT INTO chat_events (conversation, at, client_id, what) VALUES
                ('c1', 0, NULL, '{"type":"started","handoff":{}}'),
                ('c1', 1, 'm1', '{"type":"message","author":"shopper","id":"m1","body":"hi"}'),
                ('c1', 5, NULL, '{"type":"closed","by":"agent"}');"#,
        )
        .await
        .unwrap();
        old.close().await;
        let db = Database::open(&Location::Sqlite(path)).await.unwrap();
        assert_eq!(
            scalar(&db, "SELECT client_id FROM chat_events WHERE seq = 2").await,
            Some("shopper:m1".into())
        );
        assert_eq!(
            scalar(&db, "SELECT CAST(seq AS TEXT) FROM chat_clock").await,
            Some("3".into()),
            "numbering goes on where version 2 stopped"
        );
        assert_eq!(
            scalar(
                &db,
                "SELECT CAST(closed_seq AS TEXT) FROM chat_conversations"
            )
            .await,
            Some("3".into()),
            "an ended conversation knows its ending event"
        );
        assert_eq!(
            scalar(&db, "SELECT CAST(COUNT(*) AS TEXT) FROM agents").await,
            Some("0".into()),
            "version 5 adds agent accounts, none yet"
        );
        assert_eq!(
            scalar(&db, "SELECT CAST(COUNT(*) AS TEXT) FROM chat_events").await,
            Some("3".into()),
            "and keeps every event"
        );
    }

    #[tokio::test]
    async fn a_version_1_file_gains_chat_keeps_its_feedback_and_a_newer_one_is_refused() {
        sqlx::any::install_default_drivers();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v1.db");
        sqlite_at(1, &path).await;
        let old = sqlx::AnyPool::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        old.execute(
            "INSERT INTO feedback VALUES ('a', 'nps', 9, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                NULL, '2026-11-01T00:00:00Z', 0, 0)",
        )
        .await
        .unwrap();
        old.close().await;
        let location = Location::Sqlite(path.clone());
        let db = Database::open(&location).await.unwrap();
        assert_eq!(
            scalar(&db, "SELECT CAST(COUNT(*) AS TEXT) FROM feedback").await,
            Some("1".into())
        );
        assert_eq!(
            scalar(&db, "SELECT CAST(COUNT(*) AS TEXT) FROM chat_events").await,
            Some("0".into())
        );
        db.writer()
            .execute("PRAGMA user_version = 99")
            .await
            .unwrap();
        db.close().await;
        assert!(matches!(
            Database::open(&location).await,
            Err(DbError::TooNew { found: 99, .. })
        ));
    }

    #[tokio::test]
    async fn a_version_6_file_knows_which_open_conversations_wait_for_an_answer() {
        sqlx::any::install_default_drivers();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v6.db");
        sqlite_at(6, &path).await;
        let old = sqlx::AnyPool::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        // `waiting`: the shopper wrote again after the agent's answer (at 30 and 40);
        // `answered`: the agent had the last word; `ended`: closed, waits for nothing.
        old.execute(
            r#"INSERT INTO chat_conversations (id, token_sha256, started_at, handoff) VALUES
                ('waiting', 'h', 0, '{}'), ('answered', 'h', 0, '{}'), ('ended', 'h', 0, '{}');
            UPDATE chat_conversations SET closed_at = 60, closed_seq = 9 WHERE id = 'ended';
            INSERT INTO chat_events (seq, conversation, at, client_id, what) VALUES
                (1, 'waiting', 10, 'shopper:a', '{}'), (2, 'waiting', 20, 'agent:b', '{}'),
                (3, 'waiting', 30, 'shopper:c', '{}'), (4, 'waiting', 40, 'shopper:d', '{}'),
                (5, 'answered', 10, 'shopper:a', '{}'), (6, 'answered', 20, 'agent:b', '{}'),
                (7, 'ended', 10, 'shopper:a', '{}'), (9, 'ended', 60, NULL, '{}');
            UPDATE chat_clock SET seq = 9;"#,
        )
        .await
        .unwrap();
        old.close().await;
        let db = Database::open(&Location::Sqlite(path)).await.unwrap();
        let waiting = |id: &'static str| {
            let db = db.clone();
            async move {
                scalar(
                    &db,
                    &format!(
                        "SELECT CAST(waiting_since AS TEXT) FROM chat_conversations WHERE id = '{id}'"
                    ),
                )
                .await
            }
        };
        assert_eq!(waiting("waiting").await, Some("30".into()));
        assert_eq!(
            scalar(
                &db,
                "SELECT CAST(answered_at AS TEXT) FROM chat_conversations WHERE id = 'answered'"
            )
            .await,
            Some("20".into()),
            "an answered conversation can close for silence"
        );
        assert_eq!(waiting("answered").await, None);
        assert_eq!(waiting("ended").await, None);
        assert_eq!(
            scalar(
                &db,
                "SELECT CAST(COUNT(*) AS TEXT) FROM chat_conversations WHERE assigned_to IS NULL"
            )
            .await,
            Some("3".into()),
            "everything starts in the queue"
        );
        assert_eq!(
            scalar(&db, "SELECT CAST(COUNT(*) AS TEXT) FROM chat_events").await,
            Some("8".into())
        );
    }
}

//! The one SQLite file the server keeps (feedback responses and chat conversations):
//! opening it the same way everywhere, and its schema.

use std::path::{Path, PathBuf};

use rusqlite::Connection;
use thiserror::Error;

/// The schema this code writes (`PRAGMA user_version`): 1 feedback, 2 adds chat, 3
/// keys chat messages by author and id.
pub const SCHEMA_VERSION: i32 = 3;

#[derive(Debug, Error)]
pub enum DbError {
    #[error("cannot open the database {path}: {source}; check the path and its permissions (--database)")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("the database {path} has schema version {found}, newer than this server's {SCHEMA_VERSION}; upgrade shopdesk-server")]
    TooNew { path: PathBuf, found: i32 },
    #[error("the database {path} could not be upgraded: {source}")]
    Migrate {
        path: PathBuf,
        source: rusqlite::Error,
    },
}

/// Opens (creating if needed) the database at `path`, in WAL mode with full
/// durability: a commit is on disk before anyone is told it happened.
pub fn connect(path: &Path) -> Result<Connection, DbError> {
    let open = |source| DbError::Open {
        path: path.to_path_buf(),
        source,
    };
    let conn = Connection::open(path).map_err(open)?;
    // WAL keeps FULL to one sequential write per transaction, and lets readers (reports,
    // event streams) run beside the writers.
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;",
    )
    .map_err(open)?;
    Ok(conn)
}

/// Brings the schema up to [`SCHEMA_VERSION`]; refuses a database from a newer server.
pub fn migrate(conn: &Connection, path: &Path) -> Result<(), DbError> {
    let failed = |source| DbError::Migrate {
        path: path.to_path_buf(),
        source,
    };
    let version: i32 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(failed)?;
    if version > SCHEMA_VERSION {
        return Err(DbError::TooNew {
            path: path.to_path_buf(),
            found: version,
        });
    }
    if version < 1 {
        conn.execute_batch(
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
            CREATE INDEX IF NOT EXISTS feedback_by_time ON feedback (created_ms);
            PRAGMA user_version = 1;",
        )
        .map_err(failed)?;
    }
    if version < 2 {
        // Events are numbered across conversations (`seq`): a client that reconnects
        // asks for everything after the last number it saw. `client_id` makes a message
        // sent twice (a retry) appear once.
        conn.execute_batch(
            "BEGIN;
            CREATE TABLE IF NOT EXISTS chat_conversations (
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
            CREATE INDEX IF NOT EXISTS chat_events_by_conversation ON chat_events (conversation, seq);
            PRAGMA user_version = 2;
            COMMIT;",
        )
        .map_err(failed)?;
    }
    if version < 3 {
        // A message is known by its author and its id together (`MessageKey`): each
        // side makes its own ids, so an agent's id equal to a shopper's is another
        // message. Version 2 stored the bare id; every stored message says who wrote it.
        conn.execute_batch(
            "BEGIN;
            UPDATE chat_events SET client_id = json_extract(what, '$.author') || ':' || client_id
                WHERE client_id IS NOT NULL;
            PRAGMA user_version = 3;
            COMMIT;",
        )
        .map_err(failed)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_2_database_keys_its_messages_by_author_and_id() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v2.db");
        let conn = connect(&path).unwrap();
        migrate(&conn, &path).unwrap();
        conn.execute_batch(
            r#"PRAGMA user_version = 2;
            INSERT INTO chat_conversations VALUES ('c1', 'h', 0, NULL, '{}');
            INSERT INTO chat_events (conversation, at, client_id, what) VALUES
                ('c1', 0, NULL, '{"type":"started","handoff":{}}'),
                ('c1', 1, 'm1', '{"type":"message","author":"shopper","id":"m1","body":"hi"}');"#,
        )
        .unwrap();
        migrate(&conn, &path).unwrap();
        let keys: Vec<Option<String>> = conn
            .prepare("SELECT client_id FROM chat_events ORDER BY seq")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(keys, [None, Some("shopper:m1".to_string())]);
        // The agent may now use the same id: another message.
        conn.execute(
            "INSERT INTO chat_events (conversation, at, client_id, what) VALUES ('c1', 2, 'agent:m1', '{}')",
            [],
        )
        .unwrap();
    }

    #[test]
    fn a_version_1_database_gains_chat_and_keeps_its_feedback() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        let conn = connect(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE feedback (id TEXT PRIMARY KEY, kind TEXT NOT NULL, score INTEGER NOT NULL,
                comment TEXT, survey_id TEXT, article_id TEXT, conversation_id TEXT, page_url TEXT,
                locale TEXT, visitor_id TEXT, context TEXT, created_at TEXT NOT NULL,
                created_ms INTEGER NOT NULL, received_ms INTEGER NOT NULL) WITHOUT ROWID;
             INSERT INTO feedback VALUES ('a', 'nps', 9, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                NULL, '2026-11-01T00:00:00Z', 0, 0);
             PRAGMA user_version = 1;",
        )
        .unwrap();
        migrate(&conn, &path).unwrap();
        let version: i32 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        let kept: i64 = conn
            .query_row("SELECT COUNT(*) FROM feedback", [], |r| r.get(0))
            .unwrap();
        assert_eq!(kept, 1);
        conn.execute_batch("SELECT seq FROM chat_events").unwrap();
        conn.execute_batch("PRAGMA user_version = 99").unwrap();
        assert!(matches!(
            migrate(&conn, &path),
            Err(DbError::TooNew { found: 99, .. })
        ));
    }
}

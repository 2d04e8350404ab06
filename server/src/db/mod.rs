//! The server's one database: an embedded SQLite file by default, or PostgreSQL when
//! one machine is not enough (several `shopdesk-server` instances on one database).
//!
//! Every query is written once, in the SQL both speak, through sqlx's `Any` driver
//! (`$1` placeholders, `ON CONFLICT`, `RETURNING`, no backend-only functions). What
//! differs lives here and in `schema.rs`: how a connection is opened, how the schema
//! version is kept, and the DDL. See `README.md` beside this file for why sqlx.

pub(crate) mod batch;
mod notify;
mod schema;

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use thiserror::Error;

pub use notify::Notice;
pub use schema::SCHEMA_VERSION;

/// Connections a PostgreSQL instance keeps at most (reads and writes share them).
const POSTGRES_POOL: u32 = 16;
/// SQLite readers beside the one writer (WAL lets them run at once).
const SQLITE_READERS: u32 = 8;
/// How long a request waits for a connection before it is answered 503.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);
/// Every SQLite connection's settings. WAL keeps FULL to one sequential write per
/// transaction and lets readers run beside the writer; a commit is on disk before
/// anyone is told it happened. Two writers (the pool's and the feedback writer's) take
/// turns through the busy timeout.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
     PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;";

#[derive(Debug, Error)]
pub enum DbError {
    #[error("`{0}` is not a database: give a SQLite file (shopdesk.db, sqlite:shopdesk.db) or a postgres:// URL")]
    Location(String),
    #[error("cannot open the database {at}: {source}; check --database and that the database is running")]
    Open { at: String, source: sqlx::Error },
    #[error("the database {at} has schema version {found}, newer than this server's {SCHEMA_VERSION}; upgrade shopdesk-server")]
    TooNew { at: String, found: i64 },
    #[error("the database {at} could not be upgraded to schema version {version}: {source}")]
    Migrate {
        at: String,
        version: i64,
        source: sqlx::Error,
    },
    #[error("the database failed: {0}")]
    Query(#[from] sqlx::Error),
    #[error("cannot open the database {at} for writing: {source}; check that the file and its folder are writable")]
    OpenWriter { at: String, source: rusqlite::Error },
}

/// Which database a `--database` value names.
#[derive(Clone, PartialEq, Eq)]
pub enum Location {
    /// A file, created if missing: `shopdesk.db`, `sqlite:shopdesk.db`, `sqlite://…`.
    Sqlite(PathBuf),
    /// `postgres://user:password@host:port/database?sslmode=…`
    Postgres(String),
}

impl FromStr for Location {
    type Err = DbError;

    fn from_str(text: &str) -> Result<Self, DbError> {
        let text = text.trim();
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Ok(Location::Postgres(text.to_string()));
        }
        let path = match text.strip_prefix("sqlite:") {
            Some(rest) => rest.strip_prefix("//").unwrap_or(rest),
            None if text.contains("://") => return Err(DbError::Location(text.to_string())),
            None => text,
        };
        if path.is_empty() || path == ":memory:" {
            return Err(DbError::Location(text.to_string()));
        }
        Ok(Location::Sqlite(PathBuf::from(path)))
    }
}

/// Shown in logs and errors: never the password.
impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Sqlite(path) => write!(f, "{}", path.display()),
            Location::Postgres(url) => match url::Url::parse(url) {
                Ok(mut u) => {
                    if u.password().is_some() {
                        let _ = u.set_password(Some("***"));
                    }
                    write!(f, "{u}")
                }
                Err(_) => f.write_str("postgres://(unreadable URL)"),
            },
        }
    }
}

impl fmt::Debug for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Location({self})")
    }
}

/// Which SQL dialect a backend needs where the two differ (schema only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The open database. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Database {
    location: Location,
    /// Writes. SQLite: one connection, because SQLite has one writer anyway and a lone
    /// writer never meets the lock-upgrade deadlock of two deferred transactions.
    /// PostgreSQL: the pool.
    write: AnyPool,
    /// Reads (event streams, reports); the same pool as `write` on PostgreSQL.
    read: AnyPool,
}

impl Database {
    /// Opens (creating a SQLite file if needed) and brings the schema up to
    /// [`SCHEMA_VERSION`]; refuses a database written by a newer server.
    pub async fn open(location: &Location) -> Result<Self, DbError> {
        sqlx::any::install_default_drivers();
        let at = location.to_string();
        let failed = |source| DbError::Open {
            at: at.clone(),
            source,
        };
        let db = match location {
            Location::Sqlite(path) => {
                let options = sqlite_options(path).map_err(failed)?;
                let write = sqlite_pool(1)
                    .connect_with(options.clone())
                    .await
                    .map_err(failed)?;
                let read = sqlite_pool(SQLITE_READERS)
                    .connect_with(options)
                    .await
                    .map_err(failed)?;
                Database {
                    location: location.clone(),
                    write,
                    read,
                }
            }
            Location::Postgres(url) => {
                let options = AnyConnectOptions::from_str(url).map_err(failed)?;
                let pool = AnyPoolOptions::new()
                    .max_connections(POSTGRES_POOL)
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    .connect_with(options)
                    .await
                    .map_err(failed)?;
                Database {
                    location: location.clone(),
                    write: pool.clone(),
                    read: pool,
                }
            }
        };
        schema::migrate(&db).await?;
        Ok(db)
    }

    pub fn backend(&self) -> Backend {
        match self.location {
            Location::Sqlite(_) => Backend::Sqlite,
            Location::Postgres(_) => Backend::Postgres,
        }
    }

    /// Whether instances hear each other through `NOTIFY` (PostgreSQL).
    pub fn listens(&self) -> bool {
        matches!(self.location, Location::Postgres(_))
    }

    pub fn location(&self) -> &Location {
        &self.location
    }

    /// For transactions and single writes.
    pub fn writer(&self) -> &AnyPool {
        &self.write
    }

    /// For reads that need no transaction with a write.
    pub fn reader(&self) -> &AnyPool {
        &self.read
    }

    /// A synchronous connection of its own to the SQLite file, for a writer that runs
    /// on its own thread (`None` on PostgreSQL). The feedback writer uses it: sqlx runs
    /// SQLite on a worker thread and hands every statement and row across threads,
    /// which cost more than half of feedback ingest (see `README.md`).
    pub fn sqlite_connection(&self) -> Result<Option<rusqlite::Connection>, DbError> {
        let Location::Sqlite(path) = &self.location else {
            return Ok(None);
        };
        let failed = |source| DbError::OpenWriter {
            at: self.location.to_string(),
            source,
        };
        let conn = rusqlite::Connection::open(path).map_err(failed)?;
        conn.execute_batch(SQLITE_PRAGMAS).map_err(failed)?;
        Ok(Some(conn))
    }

    /// The schema version the database holds now: it answers, and its migrations are
    /// applied when this is at least [`SCHEMA_VERSION`] (the readiness probe).
    pub async fn schema_version(&self) -> Result<i64, DbError> {
        schema::version(self).await
    }

    /// Connections of each pool now, for `/metrics`: (pool, open, idle).
    pub fn pools(&self) -> Vec<(&'static str, u32, usize)> {
        let pool = |name, p: &AnyPool| (name, p.size(), p.num_idle());
        match self.backend() {
            Backend::Sqlite => vec![pool("write", &self.write), pool("read", &self.read)],
            Backend::Postgres => vec![pool("shared", &self.write)],
        }
    }

    /// Closes every connection (a test restarting "the server" on the same file).
    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }
}

fn sqlite_pool(connections: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(connections)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        // A file does not go away under an open connection: no round trip to check it
        // before every use (PostgreSQL's pool keeps the check; a server restarts).
        .test_before_acquire(false)
        .after_connect(|conn, _| {
            Box::pin(async move {
                conn.execute(SQLITE_PRAGMAS).await?;
                Ok(())
            })
        })
}

/// The file as a URL sqlx reads, created if missing. Characters a URL would misread
/// in a file name are escaped.
fn sqlite_options(path: &Path) -> Result<AnyConnectOptions, sqlx::Error> {
    let mut escaped = String::new();
    for c in path.to_string_lossy().chars() {
        match c {
            '%' | '?' | '#' => escaped.push_str(&format!("%{:02X}", c as u32)),
            c => escaped.push(c),
        }
    }
    AnyConnectOptions::from_str(&format!("sqlite://{escaped}?mode=rwc"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_path_still_means_sqlite_and_urls_pick_the_backend() {
        let sqlite = |p: &str| Location::Sqlite(PathBuf::from(p));
        assert_eq!(
            "shopdesk.db".parse::<Location>().unwrap(),
            sqlite("shopdesk.db")
        );
        assert_eq!(
            "/var/lib/s.db".parse::<Location>().unwrap(),
            sqlite("/var/lib/s.db")
        );
        assert_eq!(
            "sqlite:data/s.db".parse::<Location>().unwrap(),
            sqlite("data/s.db")
        );
        assert_eq!(
            "sqlite:///abs/s.db".parse::<Location>().unwrap(),
            sqlite("/abs/s.db")
        );
        let pg = "postgres://shop:secret@db.internal:5432/shopdesk";
        assert_eq!(
            pg.parse::<Location>().unwrap(),
            Location::Postgres(pg.to_string())
        );
        assert!(matches!(
            "postgresql://h/db".parse::<Location>(),
            Ok(Location::Postgres(_))
        ));
        for bad in ["mysql://h/db", "", "sqlite:", "sqlite::memory:"] {
            assert!(
                matches!(bad.parse::<Location>(), Err(DbError::Location(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_location_never_shows_its_password() {
        let pg: Location = "postgres://shop:secret@db.internal:5432/shopdesk"
            .parse()
            .unwrap();
        let shown = pg.to_string();
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("db.internal:5432/shopdesk"), "{shown}");
        assert!(!format!("{pg:?}").contains("secret"));
    }

    #[tokio::test]
    async fn a_file_name_with_url_characters_is_opened_as_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shop #1 ?100%.db");
        let db = Database::open(&Location::Sqlite(path.clone()))
            .await
            .unwrap();
        assert_eq!(db.schema_version().await.unwrap(), SCHEMA_VERSION);
        db.close().await;
        assert!(path.is_file());
    }
}

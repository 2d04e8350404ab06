//! Shared by the integration tests: the real application on a real listener, on a
//! fresh database of either backend.

#![allow(dead_code)] // each test file uses part of this

pub(crate) mod client;
pub(crate) mod instance;
pub(crate) mod staff;

use std::sync::Arc;

use shopdesk_server::agents::Staff;
use shopdesk_server::chat::gate::Bounds;
use shopdesk_server::chat::routing::Routing;
use shopdesk_server::chat::store::ChatStore;
use shopdesk_server::chat::{Away, Chat, OpenCaps};
use shopdesk_server::db::{Database, Location};
use shopdesk_server::edge::Shopfront;
use shopdesk_server::feedback::store::Store;
use shopdesk_server::feedback::Feedback;
use shopdesk_server::limit::RateLimiter;
use shopdesk_server::mail::outbox::{Outbox, Queue, Tuning};
use shopdesk_server::mail::{Mailer, Transport};
use shopdesk_server::ops::Metrics;
use shopdesk_server::{app, Config};

/// Which database a test runs on; [`on_both!`] runs it on each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    Sqlite,
    Postgres,
}

/// Declares, for each named `fn(Backend)`, one test on SQLite and one on PostgreSQL.
#[allow(unused_macros)] // not every test file has database tests
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { super::$name(crate::common::Backend::Sqlite) } )*
        }
        mod postgres {
            $( #[test] fn $name() { super::$name(crate::common::Backend::Postgres) } )*
        }
    };
}
#[allow(unused_imports)]
pub(crate) use on_both;

/// A new, empty database for one test; gone with it.
#[derive(Debug)]
pub(crate) struct TestDb {
    pub location: Location,
    /// The folder of the SQLite file, and of the test's site.
    pub dir: tempfile::TempDir,
    _postgres: Option<pg_temp::FreshDatabase>,
}

impl TestDb {
    pub(crate) fn new(backend: Backend) -> Self {
        let dir = tempfile::tempdir().unwrap();
        match backend {
            Backend::Sqlite => TestDb {
                location: Location::Sqlite(dir.path().join("shopdesk.db")),
                dir,
                _postgres: None,
            },
            Backend::Postgres => {
                let fresh = pg_temp::fresh_database().unwrap_or_else(|e| {
                    panic!("PostgreSQL for the tests: {e} (scripts/test.sh runs them beside one)")
                });
                TestDb {
                    location: Location::Postgres(fresh.url.clone()),
                    dir,
                    _postgres: Some(fresh),
                }
            }
        }
    }

    /// The `--database` value of this database, for the real binary.
    pub(crate) fn arg(&self) -> String {
        match &self.location {
            Location::Sqlite(path) => path.to_string_lossy().into_owned(),
            Location::Postgres(url) => url.clone(),
        }
    }
}

/// Runs `f` on a runtime of its own (tests are synchronous; the stores are not).
pub(crate) fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// The feedback table of `location`, counted, through a connection of its own.
pub(crate) fn stored(location: &Location) -> i64 {
    block_on(async {
        let db = Database::open(location).await.unwrap();
        let n = Store::new(db.clone()).unwrap().count().await.unwrap();
        db.close().await;
        n
    })
}

/// Tokens of the services a test turns on.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tokens {
    pub admin: Option<String>,
    pub agent: Option<String>,
}

/// Serves `config` with feedback and chat on the database at `location`, on
/// 127.0.0.1:0 from a thread of its own (for the test's lifetime), and returns the
/// base URL, `http://127.0.0.1:PORT`.
pub(crate) fn listen(
    config: Config,
    shopfront: Shopfront,
    location: &Location,
    tokens: Tokens,
) -> String {
    listen_routing(config, shopfront, location, tokens, Routing::default())
}

/// The same, routing conversations by `routing`.
pub(crate) fn listen_routing(
    config: Config,
    shopfront: Shopfront,
    location: &Location,
    tokens: Tokens,
    routing: Routing,
) -> String {
    listen_full(
        config,
        shopfront,
        location,
        tokens,
        routing,
        Extras::default(),
    )
}

/// Mail and office hours of a test server.
#[derive(Debug, Default)]
pub(crate) struct Extras {
    pub mail: Option<Mail>,
    pub away: Away,
    /// Caps on open conversations and streams other than the defaults.
    pub bounds: Option<(OpenCaps, Bounds)>,
    /// Client addresses from `X-Forwarded-For` (the shopfront's own flag is separate).
    pub trust_proxy: bool,
    /// Page addresses stored whole.
    pub keep_url_query: bool,
    /// Which identities are believed.
    pub identities: shopdesk_server::chat::identity::Verifier,
}

/// How a test server sends mail.
#[derive(Debug)]
pub(crate) struct Mail {
    pub transport: Transport,
    pub tuning: Tuning,
    pub unread_grace: std::time::Duration,
}

/// The same, with `extras`.
pub(crate) fn listen_full(
    config: Config,
    shopfront: Shopfront,
    location: &Location,
    tokens: Tokens,
    routing: Routing,
    extras: Extras,
) -> String {
    let location = location.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let db = Database::open(&location).await.unwrap();
            let store = Store::new(db.clone()).unwrap();
            let queue = extras.mail.as_ref().map(|m| Queue::new(m.unread_grace));
            let chat_store = ChatStore::mailing(db.clone(), queue.clone());
            if let (Some(mail), Some(queue)) = (extras.mail, &queue) {
                let outbox = Outbox {
                    db: db.clone(),
                    mailer: Mailer::new(&mail.transport).unwrap(),
                    keys: chat_store.keys().await.unwrap().clone(),
                    from: "Acme Shop <help@acme.example>".parse().unwrap(),
                    link_valid: std::time::Duration::from_secs(30 * 86_400),
                    tuning: mail.tuning,
                };
                outbox.start(queue);
            }
            let metrics = Arc::new(Metrics::new(&db, &store, &chat_store));
            let staff =
                Arc::new(Staff::new(db.clone(), tokens.agent).trusting_proxy(extras.trust_proxy));
            let feedback = Feedback {
                store,
                admin_token: tokens.admin,
                staff: staff.clone(),
                keep_url_query: extras.keep_url_query,
            };
            let mut chat = Chat::new(chat_store, staff, routing)
                .with_away(extras.away)
                .keeping_url_query(extras.keep_url_query)
                .with_identities(extras.identities);
            if let Some((open, streams)) = extras.bounds {
                chat = chat.with_bounds(open, streams);
            }
            let feedback = Arc::new(feedback);
            let searches = Arc::new(shopdesk_server::searches::Searches {
                store: shopdesk_server::searches::store::Store::new(db.clone()),
                feedback: feedback.clone(),
            });
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            shopdesk_server::serve(
                listener,
                app(
                    &config,
                    Arc::new(shopfront),
                    feedback,
                    searches,
                    Arc::new(chat),
                    metrics,
                ),
                std::future::pending(),
            )
            .await
            .unwrap();
        });
    });
    format!("http://{}", rx.recv().unwrap())
}

/// The usual configuration: the served folder `site/` in `dir` holding a one-line
/// store page, the default body limit, no CSP.
pub(crate) fn config(dir: &std::path::Path) -> Config {
    Config {
        root: store_site(dir),
        content_security_policy: None,
        body_limit: 16 * 1024,
    }
}

/// A served folder `site/` in `dir` holding a one-line store page.
pub(crate) fn store_site(dir: &std::path::Path) -> std::path::PathBuf {
    let site = dir.join("site");
    if !site.is_dir() {
        std::fs::create_dir(&site).unwrap();
        std::fs::write(
            site.join("index.html"),
            "<!doctype html><title>store</title>",
        )
        .unwrap();
    }
    site
}

/// The shopfront for store pages on `origins`, rate limited by `limiter`.
pub(crate) fn shopfront(origins: &[&str], limiter: Option<RateLimiter>) -> Shopfront {
    Shopfront {
        origins: origins.iter().map(|o| o.to_string()).collect(),
        limiter: limiter.map(std::sync::Arc::new),
        trust_proxy: false,
    }
}

/// The default caps on open conversations.
pub(crate) const OPEN: shopdesk_server::chat::OpenCaps = shopdesk_server::chat::OPEN_CAPS;

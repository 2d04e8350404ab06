//! `shopdesk-server`: receives feedback and serves the demo store with the widget and
//! FAQ index; `shopdesk-server report` prints the feedback report.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use axum::http::HeaderValue;
use clap::{Args, Parser, Subcommand};
use shopdesk_server::agents::accounts::{self, Accounts, Role};
use shopdesk_server::agents::Staff;
use shopdesk_server::chat::store::ChatStore;
use shopdesk_server::chat::Chat;
use shopdesk_server::config::{File, LogFormat, Settings};
use shopdesk_server::db::{Database, Location};
use shopdesk_server::edge::connections::{serve, Limits};
use shopdesk_server::edge::Shopfront;
use shopdesk_server::feedback::report;
use shopdesk_server::feedback::store::Store;
use shopdesk_server::feedback::Feedback;
use shopdesk_server::limit::{self, RateLimiter};
use shopdesk_server::mail::outbox::{Outbox, Queue, Tuning};
use shopdesk_server::mail::{Mailer, Security, Transport};
use shopdesk_server::ops::{self, Metrics};
use shopdesk_server::privacy::{self, erase::Shopper};
use shopdesk_server::searches;
use shopdesk_server::{app, now_ms, Config};

#[derive(Debug, Parser)]
#[command(
    name = "shopdesk-server",
    version,
    about = "Receive Shopdesk feedback, relay live chat, and serve the demo store, widget and FAQ index",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the feedback report (NPS, CSAT, CES, articles, comments) or a CSV export.
    Report(ReportArgs),
    /// Manage the agents who answer shoppers (accounts for the agent page).
    Agent(AgentArgs),
    /// Delete everything about one shopper (a GDPR erasure request): their
    /// conversations, the emails queued for them, and their feedback.
    Forget(ForgetArgs),
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("shopper").required(true).args(["visitor", "email"])))]
struct ForgetArgs {
    #[command(flatten)]
    database: DatabaseArg,
    /// The widget's visitor id (`shopdesk.visitorId()` in their browser, or `visitor_id`
    /// in an export).
    #[arg(long)]
    visitor: Option<String>,
    /// The email address they gave (any case).
    #[arg(long)]
    email: Option<String>,
    /// What was deleted, as JSON.
    #[arg(long)]
    json: bool,
}

/// `--database` of the commands that work on the server's data.
#[derive(Debug, Args)]
struct DatabaseArg {
    /// The server's database: a SQLite file or a `postgres://` URL.
    #[arg(
        long,
        env = "SHOPDESK_DATABASE",
        default_value = "shopdesk.db",
        hide_env_values = true,
        global = true
    )]
    database: String,
}

impl DatabaseArg {
    fn location(&self) -> Result<Location> {
        Ok(self.database.parse()?)
    }

    /// The database, which must exist already: reading or erasing what is not there
    /// is a mistyped path, not an empty database to create.
    fn existing(&self) -> Result<Location> {
        let location = self.location()?;
        if let Location::Sqlite(path) = &location {
            anyhow::ensure!(
                path.is_file(),
                "{} does not exist; pass the server's database with --database",
                path.display()
            );
        }
        Ok(location)
    }
}

#[derive(Debug, Args)]
struct AgentArgs {
    #[command(flatten)]
    database: DatabaseArg,
    #[command(subcommand)]
    action: AgentAction,
}

/// Passwords come from a prompt (typed twice) or, when standard input is not a
/// terminal, from its first line; never from a flag, which other users could see.
#[derive(Debug, Subcommand)]
enum AgentAction {
    /// Add an agent; asks for their password.
    Add {
        /// The name shoppers and colleagues see.
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: String,
        /// `admin` may also manage agents and read reports.
        #[arg(long, default_value = "agent", value_parser = ["agent", "admin"])]
        role: String,
    },
    /// List the agents.
    List {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Disable an agent: they can no longer sign in, and their sessions end.
    Disable {
        #[arg(long)]
        email: String,
    },
    /// Enable a disabled agent again.
    Enable {
        #[arg(long)]
        email: String,
    },
    /// Set a new password (asked for); the agent's sessions end.
    ResetPassword {
        #[arg(long)]
        email: String,
    },
}

/// Every option can also come from the environment and from the `--config` file (same
/// names in snake case); flags and variables win over the file.
#[derive(Debug, Args)]
struct ServeArgs {
    /// TOML configuration file.
    #[arg(long, env = "SHOPDESK_CONFIG")]
    config: Option<PathBuf>,
    /// Address to listen on; port 0 picks a free port [default: 127.0.0.1:8080].
    #[arg(long, env = "SHOPDESK_ADDR")]
    addr: Option<SocketAddr>,
    /// Folder with the assembled site [default: dist].
    #[arg(long, env = "SHOPDESK_ROOT")]
    root: Option<PathBuf>,
    /// Where feedback and chats are kept: a SQLite file, created if missing
    /// (`shopdesk.db`, `sqlite:path`), or PostgreSQL (`postgres://user:pass@host/db`),
    /// which several instances can share [default: shopdesk.db].
    #[arg(long, env = "SHOPDESK_DATABASE", hide_env_values = true)]
    database: Option<String>,
    /// A store origin whose pages may post feedback (`https://shop.example`); repeat
    /// or separate with commas. The server's own origin is always allowed.
    #[arg(
        long = "allow-origin",
        env = "SHOPDESK_ALLOW_ORIGINS",
        value_delimiter = ','
    )]
    allow_origins: Option<Vec<String>>,
    /// Bearer token for `/v1/reports/feedback` (at least 16 characters); reports are
    /// off without one.
    #[arg(long, env = "SHOPDESK_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: Option<String>,
    /// Bearer token for scripts and integrations that use the agent API (at least 16
    /// characters); people sign in on the agent page with accounts (`agent add`).
    #[arg(long, env = "SHOPDESK_AGENT_TOKEN", hide_env_values = true)]
    agent_token: Option<String>,
    /// Feedback and chat requests per second per client address; 0 for no limit [default: 10].
    #[arg(long, env = "SHOPDESK_RATE_LIMIT")]
    rate_limit: Option<f64>,
    /// Requests a client may make at once before the rate applies [default: 30].
    #[arg(long, env = "SHOPDESK_RATE_BURST")]
    rate_burst: Option<u32>,
    /// Largest feedback request, in bytes [default: 16384].
    #[arg(long, env = "SHOPDESK_BODY_LIMIT")]
    body_limit: Option<usize>,
    /// Open connections at most; each event stream holds one [default: 20000].
    #[arg(long, env = "SHOPDESK_MAX_CONNECTIONS")]
    max_connections: Option<usize>,
    /// Send this Content-Security-Policy header with every response, e.g. to check the
    /// widget under a merchant's strict policy.
    #[arg(long, env = "SHOPDESK_CSP", value_name = "POLICY")]
    content_security_policy: Option<String>,
    /// Behind a reverse proxy: rate-limit by the `X-Forwarded-For` address it adds
    /// (only set this when a proxy you run is in front: clients can send the header).
    #[arg(long, env = "SHOPDESK_TRUST_PROXY", num_args = 0..=1, default_missing_value = "true")]
    trust_proxy: Option<bool>,
    /// Serve Prometheus metrics at `http://ADDR/metrics`, apart from the public address
    /// (bind it to a private interface or loopback); off without one.
    #[arg(long, env = "SHOPDESK_METRICS_ADDR")]
    metrics_addr: Option<SocketAddr>,
    /// Minutes an agent's session lasts without a request [default: 480].
    #[arg(long, env = "SHOPDESK_SESSION_IDLE_MINUTES")]
    session_idle_minutes: Option<u64>,
    /// Open conversations the server routes to each available agent, in turn; 0 lets
    /// agents take conversations themselves [default: 5].
    #[arg(long, env = "SHOPDESK_CHATS_PER_AGENT")]
    chats_per_agent: Option<u32>,
    /// Minutes a shopper waits for an answer from their agent before the conversation
    /// goes back to the queue [default: 5].
    #[arg(long, env = "SHOPDESK_REQUEUE_AFTER_MINUTES")]
    requeue_after_minutes: Option<u64>,
    /// Minutes after an agent's reply without a word from the shopper before the
    /// conversation closes (both sides are told); 0 never [default: 30].
    #[arg(long, env = "SHOPDESK_IDLE_CLOSE_MINUTES")]
    idle_close_minutes: Option<u64>,
    /// What the widget says when nobody can answer live (office hours are set in the
    /// configuration file's `[office_hours]`).
    #[arg(long, env = "SHOPDESK_AWAY_MESSAGE")]
    away_message: Option<String>,
    /// The sender of emails to shoppers, e.g. "Acme Shop <help@acme.example>".
    #[arg(long, env = "SHOPDESK_MAIL_FROM")]
    mail_from: Option<String>,
    /// The merchant's SMTP relay; without one, emails are written to --mail-folder.
    /// Its password comes from SHOPDESK_SMTP_PASSWORD or --smtp-password-file.
    #[arg(long, env = "SHOPDESK_SMTP_HOST")]
    smtp_host: Option<String>,
    /// [default: 587 with STARTTLS, 465 with TLS, 25 without]
    #[arg(long, env = "SHOPDESK_SMTP_PORT")]
    smtp_port: Option<u16>,
    /// How the connection to the relay is protected [default: starttls].
    #[arg(long, env = "SHOPDESK_SMTP_SECURITY", value_enum)]
    smtp_security: Option<Security>,
    #[arg(long, env = "SHOPDESK_SMTP_USER")]
    smtp_user: Option<String>,
    /// A file holding the SMTP password (its first line).
    #[arg(long, env = "SHOPDESK_SMTP_PASSWORD_FILE")]
    smtp_password_file: Option<PathBuf>,
    /// Without an SMTP relay, each email is written here as an .eml file [default: mail].
    #[arg(long, env = "SHOPDESK_MAIL_FOLDER")]
    mail_folder: Option<PathBuf>,
    /// Days the link in an email reopens the conversation [default: 30].
    #[arg(long, env = "SHOPDESK_MAIL_LINK_DAYS")]
    mail_link_days: Option<u32>,
    /// Minutes an answer to a shopper whose chat is open waits to be read there before
    /// it is emailed; to a shopper who left, it goes at once [default: 2].
    #[arg(long, env = "SHOPDESK_MAIL_UNREAD_MINUTES")]
    mail_unread_minutes: Option<u64>,
    /// Open conversations at most, on every instance together; more starts get 503
    /// [default: 5000].
    #[arg(long, env = "SHOPDESK_MAX_OPEN_CHATS")]
    max_open_chats: Option<i64>,
    /// Open conversations at most from one client network (an IPv4 address or IPv6
    /// /64) [default: 20].
    #[arg(long, env = "SHOPDESK_MAX_OPEN_CHATS_PER_CLIENT")]
    max_open_chats_per_client: Option<i64>,
    /// Event streams at most on this instance; below --max-connections [default: 19000].
    #[arg(long, env = "SHOPDESK_MAX_STREAMS")]
    max_streams: Option<usize>,
    /// Event streams at most from one client network [default: 200].
    #[arg(long, env = "SHOPDESK_MAX_STREAMS_PER_CLIENT")]
    max_streams_per_client: Option<usize>,
    /// Event streams at most on one conversation (a shopper's tabs) [default: 8].
    #[arg(long, env = "SHOPDESK_MAX_STREAMS_PER_CHAT")]
    max_streams_per_chat: Option<usize>,
    /// Minutes an event stream with nothing to send stays open [default: 30].
    #[arg(long, env = "SHOPDESK_STREAM_IDLE_MINUTES")]
    stream_idle_minutes: Option<u64>,
    /// Minutes an event stream stays open at most; clients resume where they were
    /// [default: 240].
    #[arg(long, env = "SHOPDESK_STREAM_LIFETIME_MINUTES")]
    stream_lifetime_minutes: Option<u64>,
    /// Keep store page addresses whole; by default they are stored without their query
    /// string and fragment, which may hold emails, order numbers or tokens.
    #[arg(long, env = "SHOPDESK_KEEP_URL_QUERY", num_args = 0..=1, default_missing_value = "true")]
    keep_url_query: Option<bool>,
    /// Days feedback is kept (by when the shopper answered); 0 keeps it [default: 0].
    #[arg(long, env = "SHOPDESK_RETAIN_FEEDBACK_DAYS")]
    retain_feedback_days: Option<u32>,
    /// Days an ended conversation is kept; 0 keeps them [default: 0].
    #[arg(long, env = "SHOPDESK_RETAIN_CHATS_DAYS")]
    retain_chats_days: Option<u32>,
    /// A file holding the secret the shop's server signs customer ids with
    /// (`identify({id, signature})`); or set SHOPDESK_IDENTITY_SECRET.
    #[arg(long, env = "SHOPDESK_IDENTITY_SECRET_FILE")]
    identity_secret_file: Option<PathBuf>,
    /// Refuse chats whose identity is not signed with the identity secret.
    #[arg(long, env = "SHOPDESK_REQUIRE_VERIFIED_IDENTITY", num_args = 0..=1, default_missing_value = "true")]
    require_verified_identity: Option<bool>,
    /// How log lines are written to standard error [default: text]; which lines, with
    /// `RUST_LOG` (default `shopdesk_server=info`).
    #[arg(long, env = "SHOPDESK_LOG_FORMAT", value_enum)]
    log_format: Option<LogFormat>,
}

#[derive(Debug, Args)]
struct ReportArgs {
    #[command(flatten)]
    database: DatabaseArg,
    /// Start of the period (inclusive): a date such as 2026-11-01 or an RFC 3339 time.
    #[arg(long)]
    from: Option<String>,
    /// End of the period (exclusive).
    #[arg(long)]
    to: Option<String>,
    /// Every response of the period as CSV instead of the summary.
    #[arg(long)]
    csv: bool,
    /// The summary as JSON (the same as the HTTP report).
    #[arg(long, conflicts_with = "csv")]
    json: bool,
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Report(args)) => {
            start_logs(LogFormat::Text);
            print_report(args).await
        }
        Some(Command::Agent(args)) => {
            start_logs(LogFormat::Text);
            manage_agents(args).await
        }
        Some(Command::Forget(args)) => {
            start_logs(LogFormat::Text);
            forget(args).await
        }
        None => run(cli.serve).await,
    }
}

/// Log lines on standard error, as text or one JSON object per line.
fn start_logs(format: LogFormat) {
    let logs = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "shopdesk_server=info".into()),
        )
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().flatten_event(true).init(),
    }
}

async fn run(args: ServeArgs) -> Result<()> {
    let file = match &args.config {
        Some(path) => File::read(path)?,
        None => File::default(),
    };
    let given = File {
        addr: args.addr,
        root: args.root,
        database: args.database,
        allow_origins: args.allow_origins,
        admin_token: args.admin_token,
        agent_token: args.agent_token,
        rate_limit: args.rate_limit,
        rate_burst: args.rate_burst,
        body_limit: args.body_limit,
        max_connections: args.max_connections,
        content_security_policy: args.content_security_policy,
        trust_proxy: args.trust_proxy,
        metrics_addr: args.metrics_addr,
        log_format: args.log_format,
        session_idle_minutes: args.session_idle_minutes,
        chats_per_agent: args.chats_per_agent,
        requeue_after_minutes: args.requeue_after_minutes,
        idle_close_minutes: args.idle_close_minutes,
        office_hours: None,
        away_message: args.away_message,
        mail_from: args.mail_from,
        smtp_host: args.smtp_host,
        smtp_port: args.smtp_port,
        smtp_security: args.smtp_security,
        smtp_user: args.smtp_user,
        smtp_password_file: args.smtp_password_file,
        // Never a flag: other users of the machine could read it.
        smtp_password: std::env::var("SHOPDESK_SMTP_PASSWORD").ok(),
        mail_folder: args.mail_folder,
        mail_link_days: args.mail_link_days,
        mail_unread_minutes: args.mail_unread_minutes,
        max_open_chats: args.max_open_chats,
        max_open_chats_per_client: args.max_open_chats_per_client,
        max_streams: args.max_streams,
        max_streams_per_client: args.max_streams_per_client,
        max_streams_per_chat: args.max_streams_per_chat,
        stream_idle_minutes: args.stream_idle_minutes,
        stream_lifetime_minutes: args.stream_lifetime_minutes,
        keep_url_query: args.keep_url_query,
        retain_feedback_days: args.retain_feedback_days,
        retain_chats_days: args.retain_chats_days,
        // Never a flag: other users of the machine could read it.
        identity_secret: std::env::var("SHOPDESK_IDENTITY_SECRET").ok(),
        identity_secret_file: args.identity_secret_file,
        require_verified_identity: args.require_verified_identity,
    };
    let settings = Settings::merge(given, file)?;
    start_logs(settings.log_format);
    anyhow::ensure!(
        settings.root.join("index.html").is_file(),
        "{} has no index.html; build the site first with `scripts/build-demo.sh`",
        settings.root.display()
    );
    let served = settings.root.canonicalize()?;
    if let Location::Sqlite(path) = &settings.database {
        refuse_served(path, &served)?;
    }
    let mailer = Mailer::new(&settings.mail.transport).map_err(anyhow::Error::msg)?;
    if let Transport::Folder(dir) = &settings.mail.transport {
        anyhow::ensure!(
            !dir.canonicalize()?.starts_with(&served),
            "the mail folder {} is inside the served folder {}, where anyone could read shoppers' emails; \
             pass another --mail-folder",
            dir.display(),
            served.display()
        );
    }
    let db = Database::open(&settings.database).await?;
    let store = Store::new(db.clone())?;
    let mail_queue = Queue::new(settings.mail.unread_grace);
    let chat_store = ChatStore::mailing(db.clone(), Some(mail_queue.clone()));
    let outbox = Outbox {
        db: db.clone(),
        mailer,
        keys: chat_store.keys().await?.clone(),
        from: settings.mail.from.clone(),
        link_valid: settings.mail.link_valid,
        tuning: Tuning::default(),
    };
    outbox.start(&mail_queue);
    let listener = tokio::net::TcpListener::bind(settings.addr)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {}; is another server using it? pass --addr",
                settings.addr
            )
        })?;
    let addr = listener.local_addr()?;
    let content_security_policy = settings
        .content_security_policy
        .as_deref()
        .map(|p| {
            HeaderValue::from_str(p).with_context(|| {
                format!("--content-security-policy {p:?} is not a valid header value")
            })
        })
        .transpose()?;
    let metrics = Arc::new(Metrics::new(&db, &store, &chat_store));
    let metrics_listener = match settings.metrics_addr {
        Some(at) => Some(tokio::net::TcpListener::bind(at).await.with_context(|| {
            format!("cannot listen on {at} for metrics; is another server using it? pass another --metrics-addr")
        })?),
        None => None,
    };
    let config = Config {
        root: settings.root,
        content_security_policy,
        body_limit: settings.body_limit,
    };
    // One rate-limit budget per client across every store route (feedback and chat).
    let limiter = (settings.rate_limit > 0.0)
        .then(|| Arc::new(RateLimiter::new(settings.rate_limit, settings.rate_burst)));
    if let Some(limiter) = &limiter {
        limit::shared::share(limiter.clone(), db.clone());
    }
    let shopfront = Arc::new(Shopfront {
        origins: settings.allow_origins,
        limiter,
        trust_proxy: settings.trust_proxy,
    });
    let staff = Staff::new(db.clone(), settings.agent_token.clone())
        .with_session_idle(settings.session_idle)
        .trusting_proxy(settings.trust_proxy);
    let staff = Arc::new(staff);
    let feedback = Arc::new(Feedback {
        store,
        admin_token: settings.admin_token,
        staff: staff.clone(),
        keep_url_query: settings.keep_url_query,
    });
    let searches = Arc::new(searches::Searches {
        store: searches::store::Store::new(db.clone()),
        feedback: feedback.clone(),
    });
    let chat = Arc::new(
        Chat::new(chat_store.clone(), staff, settings.routing)
            .with_away(settings.away)
            .with_bounds(settings.open_chats, settings.streams)
            .keeping_url_query(settings.keep_url_query)
            .with_identities(settings.identities),
    );
    privacy::retention::start(db.clone(), settings.retention);
    tracing::info!("feedback and chats are stored in {}", settings.database);
    if let Some(listener) = metrics_listener {
        let at = listener.local_addr()?;
        let scraped = metrics.clone();
        // Test scripts read this line to find the port.
        println!("Metrics: http://{at}/metrics");
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, ops::metrics(scraped)).await {
                tracing::error!("metrics listener stopped: {e}");
            }
        });
    }
    // Test scripts read this line to find the port.
    println!("Shopdesk demo store: http://{addr}/");
    println!("Agent page: http://{addr}/agent/");
    // Test scripts read this line to find the emails.
    let mail_to = match &settings.mail.transport {
        Transport::Folder(dir) => Transport::Folder(dir.canonicalize()?).describe(),
        smtp => smtp.describe(),
    };
    println!("Emails: {mail_to}");
    if !chat.staff.can_answer().await {
        tracing::info!(
            "live chat is off until an agent exists: shopdesk-server agent add --name … --email … (or start with --agent-token)"
        );
    }
    let presence = chat.presence.clone();
    let streams = chat.streams.clone();
    let limits = Limits {
        connections: settings.max_connections,
        ..Limits::default()
    };
    serve(
        listener,
        app(
            &config,
            shopfront,
            feedback,
            searches,
            chat,
            metrics.clone(),
        ),
        limits,
        async move {
            stop_signal().await;
            // Open event streams would hold the graceful shutdown forever.
            chat_store.stop();
        },
    )
    .await?;
    presence.leave().await;
    streams.leave().await;
    db.close().await;
    Ok(())
}

/// Ctrl-C, or SIGTERM (what service managers send).
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// A SQLite file inside the served folder could be downloaded by anyone; resolving
/// symlinks (of the file and of its folder) keeps a link from hiding it there.
fn refuse_served(database: &Path, served: &Path) -> Result<()> {
    if let Ok(real) = database.canonicalize() {
        anyhow::ensure!(
            !real.starts_with(served),
            "the database {} is {} inside the served folder {}, where anyone could download it; \
             put it elsewhere (--database)",
            database.display(),
            real.display(),
            served.display()
        );
    }
    let folder = database
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .canonicalize()
        .with_context(|| {
            format!(
                "the folder of the database {} does not exist; create it or pass another --database",
                database.display()
            )
        })?;
    anyhow::ensure!(
        !folder.starts_with(served),
        "the database {} is inside the served folder {}, where anyone could download it; \
         put it elsewhere (--database)",
        database.display(),
        served.display()
    );
    Ok(())
}

async fn print_report(args: ReportArgs) -> Result<()> {
    let location = args.database.existing()?;
    let bound = |value: &Option<String>, flag: &str, default: i64| -> Result<i64> {
        match value {
            None => Ok(default),
            Some(text) => report::parse_time(text).with_context(|| {
                format!("--{flag} {text:?} must be a date (2026-11-01) or an RFC 3339 time")
            }),
        }
    };
    let from = bound(&args.from, "from", 0)?;
    let to = bound(&args.to, "to", i64::MAX)?;
    let db = Database::open(&location).await?;
    if args.csv {
        use std::io::Write;
        std::io::stdout().write_all(&report::csv(&db, from, to).await?)?;
    } else {
        let r = report::build(&db, from, to).await?;
        if args.json {
            println!("{}", serde_json::to_string_pretty(&r)?);
        } else {
            print!("{}", report::text(&r));
        }
    }
    db.close().await;
    Ok(())
}

async fn forget(args: ForgetArgs) -> Result<()> {
    let location = args.database.existing()?;
    let shopper = match (args.visitor, args.email) {
        (Some(v), _) if !v.trim().is_empty() => Shopper::Visitor(v),
        (_, Some(e)) if !e.trim().is_empty() => Shopper::Email(e),
        _ => anyhow::bail!("name the shopper with a non-empty --visitor or --email"),
    };
    let db = Database::open(&location).await?;
    let erased = privacy::erase::erase(&db, &shopper).await;
    db.close().await;
    let erased = erased.context("nothing was deleted")?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&erased)?);
    } else {
        println!("{erased}");
    }
    Ok(())
}

async fn manage_agents(args: AgentArgs) -> Result<()> {
    let location = args.database.location()?;
    let db = Database::open(&location).await?;
    let accounts = Accounts::new(db.clone());
    let result = run_agent_action(&accounts, args.action).await;
    db.close().await;
    result
}

async fn run_agent_action(accounts: &Accounts, action: AgentAction) -> Result<()> {
    match action {
        AgentAction::Add { name, email, role } => {
            let role = Role::parse(&role).context("--role is agent or admin")?;
            // Checked before asking for a password the command would then refuse.
            accounts::normalize_email(&email)?;
            let password = new_password(&email)?;
            let added = accounts
                .add(&name, &email, role, &password, now_ms())
                .await?;
            println!("added {} <{}> ({})", added.name, added.email, role.as_str());
        }
        AgentAction::List { json } => {
            let all = accounts.list().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&all)?);
            } else if all.is_empty() {
                println!("no agents yet; add one with `shopdesk-server agent add`");
            } else {
                for a in all {
                    let state = if a.disabled { " (disabled)" } else { "" };
                    println!("{} <{}> {}{state}", a.name, a.email, a.role.as_str());
                }
            }
        }
        AgentAction::Disable { email } => {
            let a = accounts.set_disabled(&email, true).await?;
            println!(
                "disabled {} <{}>; their sessions have ended",
                a.name, a.email
            );
        }
        AgentAction::Enable { email } => {
            let a = accounts.set_disabled(&email, false).await?;
            println!("enabled {} <{}>", a.name, a.email);
        }
        AgentAction::ResetPassword { email } => {
            accounts.by_email(&email).await?;
            let password = new_password(&email)?;
            let a = accounts.reset_password(&email, &password).await?;
            println!(
                "new password set for {} <{}>; their sessions have ended",
                a.name, a.email
            );
        }
    }
    Ok(())
}

/// A new password: prompted twice on a terminal, else the first line of standard input.
fn new_password(email: &str) -> Result<String> {
    use std::io::{BufRead, IsTerminal};
    let password = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(format!("Password for {email}: "))?;
        let again = rpassword::prompt_password("Again: ")?;
        anyhow::ensure!(first == again, "the two passwords differ; nothing changed");
        first
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\n', '\r']).to_string()
    };
    accounts::check_password_strength(&password)?;
    Ok(password)
}

//! The server's settings, from a TOML file (`--config`), the environment
//! (`SHOPDESK_*`) and flags; a flag or variable wins over the file, the file over the
//! defaults. Every key is documented in the README.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::chat::hours::OfficeHours;
use crate::chat::Away;
use crate::db::Location;
use crate::mail::{Security, Smtp, Transport};
use thiserror::Error;

/// The configuration file's keys; all optional.
#[derive(Debug, Default, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct File {
    pub addr: Option<SocketAddr>,
    pub root: Option<PathBuf>,
    /// A SQLite file (`shopdesk.db`, `sqlite:…`) or a `postgres://` URL.
    pub database: Option<String>,
    pub allow_origins: Option<Vec<String>>,
    pub admin_token: Option<String>,
    pub agent_token: Option<String>,
    pub rate_limit: Option<f64>,
    pub rate_burst: Option<u32>,
    pub body_limit: Option<usize>,
    pub max_connections: Option<usize>,
    pub content_security_policy: Option<String>,
    pub trust_proxy: Option<bool>,
    pub metrics_addr: Option<SocketAddr>,
    pub log_format: Option<LogFormat>,
    pub session_idle_minutes: Option<u64>,
    pub chats_per_agent: Option<u32>,
    pub requeue_after_minutes: Option<u64>,
    pub idle_close_minutes: Option<u64>,
    /// `[office_hours]`: only in the file.
    pub office_hours: Option<crate::chat::hours::HoursFile>,
    pub away_message: Option<String>,
    /// The sender of emails to shoppers: `"Acme Shop <help@acme.example>"`.
    pub mail_from: Option<String>,
    pub smtp_host: Option<String>,
    pub smtp_port: Option<u16>,
    pub smtp_security: Option<Security>,
    pub smtp_user: Option<String>,
    pub smtp_password_file: Option<PathBuf>,
    /// Only from the environment (`SHOPDESK_SMTP_PASSWORD`), never the file.
    pub smtp_password: Option<String>,
    /// Without an SMTP server, emails are written here as `.eml` files.
    pub mail_folder: Option<PathBuf>,
    pub mail_link_days: Option<u32>,
    pub mail_unread_minutes: Option<u64>,
    pub max_open_chats: Option<i64>,
    pub max_open_chats_per_client: Option<i64>,
    pub max_streams: Option<usize>,
    pub max_streams_per_client: Option<usize>,
    pub max_streams_per_chat: Option<usize>,
    pub stream_idle_minutes: Option<u64>,
    pub stream_lifetime_minutes: Option<u64>,
    pub keep_url_query: Option<bool>,
    pub retain_feedback_days: Option<u32>,
    pub retain_chats_days: Option<u32>,
    /// Only from the environment (`SHOPDESK_IDENTITY_SECRET`), never the file.
    pub identity_secret: Option<String>,
    pub identity_secret_file: Option<PathBuf>,
    pub require_verified_identity: Option<bool>,
}

/// How log lines are written to standard error.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One readable line per event.
    #[default]
    Text,
    /// One JSON object per line, for a log collector.
    Json,
}

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the configuration file {path} is not valid: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("`{key}` {problem}")]
    Value { key: &'static str, problem: String },
    /// Office hours name their own key (`office_hours.monday`).
    #[error("{0}")]
    Hours(String),
}

impl File {
    pub fn read(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
    }
}

/// Settings after merging, with defaults applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub addr: SocketAddr,
    pub root: PathBuf,
    pub database: Location,
    pub allow_origins: Vec<String>,
    pub admin_token: Option<String>,
    /// Bearer token of the agent page and `/v1/agent/*`; live chat is off without one.
    pub agent_token: Option<String>,
    /// Feedback requests per second per client address; 0 turns the limit off.
    pub rate_limit: f64,
    pub rate_burst: u32,
    pub body_limit: usize,
    /// Open connections at most (each event stream holds one over HTTP/1.1).
    pub max_connections: usize,
    pub content_security_policy: Option<String>,
    /// Rate-limit by the `X-Forwarded-For` address a reverse proxy adds.
    pub trust_proxy: bool,
    /// Where `/metrics` is served, apart from the public address; off without one.
    pub metrics_addr: Option<SocketAddr>,
    pub log_format: LogFormat,
    /// An agent's session ends after this long without a request.
    pub session_idle: std::time::Duration,
    /// Who is given which conversation.
    pub routing: crate::chat::routing::Routing,
    /// Office hours and the away message.
    pub away: Away,
    pub mail: MailSettings,
    /// Open conversations at most, per client network and in total (all instances).
    pub open_chats: crate::chat::OpenCaps,
    /// Event streams at most on this instance, and how long each lives.
    pub streams: crate::chat::gate::Bounds,
    /// Store page addresses kept whole (else without query and fragment).
    pub keep_url_query: bool,
    /// How long feedback and ended conversations are kept.
    pub retention: crate::privacy::retention::Retention,
    /// Which shopper identities are believed.
    pub identities: crate::chat::identity::Verifier,
}

/// How email reaches shoppers.
#[derive(Debug, Clone, PartialEq)]
pub struct MailSettings {
    pub transport: Transport,
    pub from: lettre::message::Mailbox,
    /// How long the link in an email reopens the conversation.
    pub link_valid: std::time::Duration,
    /// How long a reply to a shopper whose chat is open waits to be read there before
    /// it is emailed.
    pub unread_grace: std::time::Duration,
}

impl Settings {
    /// `given` (flags and environment) over `file` over the defaults.
    pub fn merge(given: File, file: File) -> Result<Self, ConfigError> {
        if file.identity_secret.is_some() {
            return Err(ConfigError::Value {
                key: "identity_secret",
                problem: "does not belong in the configuration file: set SHOPDESK_IDENTITY_SECRET or point identity_secret_file at a file holding it".into(),
            });
        }
        let identities = identity_settings(&given, &file)?;
        if file.smtp_password.is_some() {
            return Err(ConfigError::Value {
                key: "smtp_password",
                problem: "does not belong in the configuration file: set SHOPDESK_SMTP_PASSWORD or point smtp_password_file at a file holding it".into(),
            });
        }
        let away = Away {
            hours: file
                .office_hours
                .as_ref()
                .map(OfficeHours::parse)
                .transpose()
                .map_err(|e| ConfigError::Hours(e.to_string()))?,
            message: given.away_message.clone().or(file.away_message.clone()),
        };
        let database: Location = given
            .database
            .clone()
            .or(file.database.clone())
            .as_deref()
            .unwrap_or("shopdesk.db")
            .parse()
            .map_err(|e: crate::db::DbError| ConfigError::Value {
                key: "database",
                problem: e.to_string(),
            })?;
        let mail = mail_settings(&given, &file, &database)?;
        let defaults = crate::chat::routing::Routing::default();
        let s = Settings {
            addr: given
                .addr
                .or(file.addr)
                .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080))),
            root: given.root.or(file.root).unwrap_or_else(|| "dist".into()),
            database,
            allow_origins: given
                .allow_origins
                .or(file.allow_origins)
                .unwrap_or_default(),
            admin_token: given.admin_token.or(file.admin_token),
            agent_token: given.agent_token.or(file.agent_token),
            rate_limit: given.rate_limit.or(file.rate_limit).unwrap_or(10.0),
            rate_burst: given.rate_burst.or(file.rate_burst).unwrap_or(30),
            body_limit: given.body_limit.or(file.body_limit).unwrap_or(16 * 1024),
            max_connections: given
                .max_connections
                .or(file.max_connections)
                .unwrap_or(crate::edge::connections::Limits::default().connections),
            content_security_policy: given
                .content_security_policy
                .or(file.content_security_policy),
            trust_proxy: given.trust_proxy.or(file.trust_proxy).unwrap_or(false),
            metrics_addr: given.metrics_addr.or(file.metrics_addr),
            log_format: given.log_format.or(file.log_format).unwrap_or_default(),
            session_idle: std::time::Duration::from_secs(
                given
                    .session_idle_minutes
                    .or(file.session_idle_minutes)
                    .unwrap_or(480)
                    .saturating_mul(60),
            ),
            routing: crate::chat::routing::Routing {
                cap: given
                    .chats_per_agent
                    .or(file.chats_per_agent)
                    .unwrap_or(defaults.cap),
                requeue_after_ms: given
                    .requeue_after_minutes
                    .or(file.requeue_after_minutes)
                    .map_or(defaults.requeue_after_ms, |m| {
                        i64::try_from(m).unwrap_or(i64::MAX).saturating_mul(60_000)
                    }),
                idle_close_ms: given
                    .idle_close_minutes
                    .or(file.idle_close_minutes)
                    .map_or(defaults.idle_close_ms, |m| {
                        i64::try_from(m).unwrap_or(i64::MAX).saturating_mul(60_000)
                    }),
                ..defaults
            },
            away,
            mail,
            open_chats: crate::chat::OpenCaps {
                per_client: given
                    .max_open_chats_per_client
                    .or(file.max_open_chats_per_client)
                    .unwrap_or(crate::chat::OPEN_CAPS.per_client),
                total: given
                    .max_open_chats
                    .or(file.max_open_chats)
                    .unwrap_or(crate::chat::OPEN_CAPS.total),
            },
            streams: {
                let d = crate::chat::gate::Bounds::default();
                let minutes = |m: Option<u64>, d: std::time::Duration| {
                    m.map_or(d, |m| std::time::Duration::from_secs(m.saturating_mul(60)))
                };
                crate::chat::gate::Bounds {
                    per_conversation: given
                        .max_streams_per_chat
                        .or(file.max_streams_per_chat)
                        .unwrap_or(d.per_conversation),
                    per_client: given
                        .max_streams_per_client
                        .or(file.max_streams_per_client)
                        .unwrap_or(d.per_client),
                    total: given.max_streams.or(file.max_streams).unwrap_or(d.total),
                    idle: minutes(
                        given.stream_idle_minutes.or(file.stream_idle_minutes),
                        d.idle,
                    ),
                    lifetime: minutes(
                        given
                            .stream_lifetime_minutes
                            .or(file.stream_lifetime_minutes),
                        d.lifetime,
                    ),
                }
            },
            keep_url_query: given
                .keep_url_query
                .or(file.keep_url_query)
                .unwrap_or(false),
            retention: crate::privacy::retention::Retention {
                feedback_days: given
                    .retain_feedback_days
                    .or(file.retain_feedback_days)
                    .filter(|d| *d > 0),
                chats_days: given
                    .retain_chats_days
                    .or(file.retain_chats_days)
                    .filter(|d| *d > 0),
            },
            identities,
        };
        for (key, days) in [
            ("retain_feedback_days", s.retention.feedback_days),
            ("retain_chats_days", s.retention.chats_days),
        ] {
            if days.is_some_and(|d| d > 36_500) {
                return Err(ConfigError::Value {
                    key,
                    problem: "must be a number of days up to 36500 (0 keeps everything)".into(),
                });
            }
        }
        if s.routing.idle_close_ms / 60_000 > 7 * 24 * 60 {
            return Err(ConfigError::Value {
                key: "idle_close_minutes",
                problem:
                    "must be at most a week (10080); 0 never closes a conversation for silence"
                        .into(),
            });
        }
        if s.routing.cap > 100 {
            return Err(ConfigError::Value {
                key: "chats_per_agent",
                problem: "must be between 0 (agents take conversations themselves) and 100".into(),
            });
        }
        if !(1..=24 * 60).contains(&(s.routing.requeue_after_ms / 60_000)) {
            return Err(ConfigError::Value {
                key: "requeue_after_minutes",
                problem: "must be between 1 minute and 1 day (1440)".into(),
            });
        }
        if !(5..=30 * 24 * 60).contains(&(s.session_idle.as_secs() / 60)) {
            return Err(ConfigError::Value {
                key: "session_idle_minutes",
                problem: "must be between 5 minutes and 30 days (43200)".into(),
            });
        }
        if !(s.rate_limit == 0.0 || crate::limit::RATE_RANGE.contains(&s.rate_limit)) {
            return Err(ConfigError::Value {
                key: "rate_limit",
                problem: format!(
                    "must be requests per second per client between {} and {} (0 for no limit)",
                    crate::limit::RATE_RANGE.start(),
                    crate::limit::RATE_RANGE.end()
                ),
            });
        }
        if !(1..=crate::limit::MAX_BURST).contains(&s.rate_burst) {
            return Err(ConfigError::Value {
                key: "rate_burst",
                problem: format!("must be between 1 and {} requests", crate::limit::MAX_BURST),
            });
        }
        if s.metrics_addr.is_some_and(|m| m == s.addr && m.port() != 0) {
            return Err(ConfigError::Value {
                key: "metrics_addr",
                problem: "must differ from addr: metrics stay off the public address".into(),
            });
        }
        if s.body_limit < 1024 {
            return Err(ConfigError::Value {
                key: "body_limit",
                problem: "must be at least 1024 bytes".into(),
            });
        }
        if !(16..=1_000_000).contains(&s.max_connections) {
            return Err(ConfigError::Value {
                key: "max_connections",
                problem:
                    "must be between 16 and 1000000 (each needs an open file: check `ulimit -n`)"
                        .into(),
            });
        }
        for (key, value, max) in [
            ("max_open_chats", s.open_chats.total, 10_000_000),
            (
                "max_open_chats_per_client",
                s.open_chats.per_client,
                10_000_000,
            ),
        ] {
            if !(1..=max).contains(&value) {
                return Err(ConfigError::Value {
                    key,
                    problem: format!("must be between 1 and {max}"),
                });
            }
        }
        if !(1..s.max_connections).contains(&s.streams.total) {
            return Err(ConfigError::Value {
                key: "max_streams",
                problem: format!(
                    "must be at least 1 and below max_connections ({}): each stream holds a connection, and other calls need some",
                    s.max_connections
                ),
            });
        }
        for (key, value) in [
            ("max_streams_per_client", s.streams.per_client),
            ("max_streams_per_chat", s.streams.per_conversation),
        ] {
            if value == 0 {
                return Err(ConfigError::Value {
                    key,
                    problem: "must be at least 1 (max_streams bounds them all)".into(),
                });
            }
        }
        for (key, value) in [
            ("stream_idle_minutes", s.streams.idle),
            ("stream_lifetime_minutes", s.streams.lifetime),
        ] {
            if !(60..=7 * 24 * 3600).contains(&value.as_secs()) {
                return Err(ConfigError::Value {
                    key,
                    problem: "must be between 1 minute and a week (10080)".into(),
                });
            }
        }
        if let Some(origin) = s.allow_origins.iter().find(|o| !is_origin(o)) {
            return Err(ConfigError::Value {
                key: "allow_origins",
                problem: format!(
                    "{origin:?} is not an origin; write scheme and host, e.g. \"https://shop.example\""
                ),
            });
        }
        for (key, token) in [
            ("admin_token", &s.admin_token),
            ("agent_token", &s.agent_token),
        ] {
            if token.as_deref().is_some_and(|t| t.len() < 16) {
                return Err(ConfigError::Value {
                    key,
                    problem: "must be at least 16 characters".into(),
                });
            }
        }
        Ok(s)
    }
}

/// The identity secret (from the environment or a file, at least 16 characters) and
/// whether unverified identities are refused (which needs the secret).
fn identity_settings(
    given: &File,
    file: &File,
) -> Result<crate::chat::identity::Verifier, ConfigError> {
    let bad = |key: &'static str, problem: String| ConfigError::Value { key, problem };
    let secret = match (
        given.identity_secret.clone(),
        given
            .identity_secret_file
            .clone()
            .or(file.identity_secret_file.clone()),
    ) {
        (Some(secret), _) => Some(secret),
        (None, Some(path)) => Some(
            std::fs::read_to_string(&path)
                .map_err(|e| {
                    bad(
                        "identity_secret_file",
                        format!("cannot be read ({}: {e})", path.display()),
                    )
                })?
                .trim_end_matches(['\n', '\r'])
                .to_string(),
        ),
        (None, None) => None,
    };
    if secret.as_deref().is_some_and(|s| s.len() < 16) {
        return Err(bad(
            "identity_secret",
            "must be at least 16 characters (a random string your shop's server keeps)".into(),
        ));
    }
    let required = given
        .require_verified_identity
        .or(file.require_verified_identity)
        .unwrap_or(false);
    if required && secret.is_none() {
        return Err(bad(
            "require_verified_identity",
            "needs the secret identities are signed with: SHOPDESK_IDENTITY_SECRET or identity_secret_file".into(),
        ));
    }
    Ok(crate::chat::identity::Verifier { secret, required })
}

/// The mail settings: SMTP when `smtp_host` is set, else `.eml` files in a folder
/// (by default `mail/` beside a SQLite database, where the demo's data is).
fn mail_settings(
    given: &File,
    file: &File,
    database: &Location,
) -> Result<MailSettings, ConfigError> {
    macro_rules! pick {
        ($key:ident) => {
            given.$key.clone().or(file.$key.clone())
        };
    }
    let bad = |key: &'static str, problem: String| ConfigError::Value { key, problem };
    let transport = match pick!(smtp_host) {
        Some(host) => {
            let security = pick!(smtp_security).unwrap_or(Security::Starttls);
            let password = match (pick!(smtp_password), pick!(smtp_password_file)) {
                (Some(p), _) => Some(p),
                (None, Some(path)) => Some(
                    std::fs::read_to_string(&path)
                        .map_err(|e| {
                            bad(
                                "smtp_password_file",
                                format!("cannot be read ({}: {e})", path.display()),
                            )
                        })?
                        .trim_end_matches(['\n', '\r'])
                        .to_string(),
                ),
                (None, None) => None,
            };
            let user = pick!(smtp_user);
            if user.is_some() && password.is_none() {
                return Err(bad(
                    "smtp_user",
                    "needs a password: set SHOPDESK_SMTP_PASSWORD or smtp_password_file".into(),
                ));
            }
            if pick!(mail_from).is_none() {
                return Err(bad(
                    "mail_from",
                    "is required with smtp_host: the sender shoppers see, e.g. \"Acme Shop <help@acme.example>\"".into(),
                ));
            }
            Transport::Smtp(Smtp {
                host,
                port: pick!(smtp_port).unwrap_or(security.default_port()),
                security,
                user,
                password,
            })
        }
        None => Transport::Folder(pick!(mail_folder).unwrap_or_else(|| {
            match database {
                Location::Sqlite(path) => path
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .unwrap_or(Path::new("."))
                    .join("mail"),
                Location::Postgres(_) => "mail".into(),
            }
        })),
    };
    let from_text =
        pick!(mail_from).unwrap_or_else(|| "Shopdesk demo store <shop@shopdesk.localhost>".into());
    let from = from_text.parse().map_err(|e| {
        bad(
            "mail_from",
            format!("{from_text:?} is not a sender address ({e}); write it as \"Acme Shop <help@acme.example>\""),
        )
    })?;
    let days = pick!(mail_link_days).unwrap_or(30);
    if !(1..=365).contains(&days) {
        return Err(bad(
            "mail_link_days",
            "must be between 1 and 365 days".into(),
        ));
    }
    let unread = pick!(mail_unread_minutes).unwrap_or(2);
    if unread > 24 * 60 {
        return Err(bad(
            "mail_unread_minutes",
            "must be at most a day (1440); 0 emails every answer at once".into(),
        ));
    }
    Ok(MailSettings {
        transport,
        from,
        link_valid: std::time::Duration::from_secs(u64::from(days) * 86_400),
        unread_grace: std::time::Duration::from_secs(unread * 60),
    })
}

/// `https://host[:port]` (no path), or `*` for any.
fn is_origin(o: &str) -> bool {
    if o == "*" {
        return true;
    }
    let host = o
        .strip_prefix("https://")
        .or_else(|| o.strip_prefix("http://"));
    host.is_some_and(|h| !h.is_empty() && !h.contains(['/', ' ', '?', '#']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_the_file_and_the_file_over_defaults() {
        let file: File = toml::from_str(
            "database = \"/var/lib/shopdesk/feedback.db\"\nrate_limit = 5.0\nallow_origins = [\"https://shop.example\"]",
        )
        .unwrap();
        let given = File {
            rate_limit: Some(0.0),
            ..File::default()
        };
        let s = Settings::merge(given, file).unwrap();
        assert_eq!(
            s.database,
            Location::Sqlite(PathBuf::from("/var/lib/shopdesk/feedback.db"))
        );
        assert_eq!(s.rate_limit, 0.0);
        assert_eq!(s.allow_origins, ["https://shop.example"]);
        assert_eq!(s.addr, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(s.body_limit, 16 * 1024);
        assert_eq!(s.metrics_addr, None);
        assert_eq!(s.log_format, LogFormat::Text);
    }

    #[test]
    fn mail_goes_to_a_folder_without_smtp_and_to_the_relay_with_it() {
        let s = Settings::merge(File::default(), File::default()).unwrap();
        assert_eq!(s.mail.transport, Transport::Folder("./mail".into()));
        let beside: File = toml::from_str("database = \"/var/lib/shopdesk/shop.db\"").unwrap();
        let s = Settings::merge(File::default(), beside).unwrap();
        assert_eq!(
            s.mail.transport,
            Transport::Folder("/var/lib/shopdesk/mail".into())
        );
        assert_eq!(s.mail.unread_grace, std::time::Duration::from_secs(120));
        let dir = tempfile::tempdir().unwrap();
        let pw = dir.path().join("pw");
        std::fs::write(&pw, "s3cret\n").unwrap();
        let file: File = toml::from_str(&format!(
            "smtp_host = \"smtp.example\"\nsmtp_security = \"tls\"\nsmtp_user = \"shop\"\nsmtp_password_file = {:?}\nmail_from = \"Acme <help@acme.example>\"\naway_message = \"Back soon\"\n[office_hours]\ntime_zone = \"Europe/Berlin\"\nmonday = [\"09:00-17:00\"]",
            pw.display().to_string()
        ))
        .unwrap();
        let s = Settings::merge(File::default(), file).unwrap();
        let Transport::Smtp(smtp) = &s.mail.transport else {
            panic!("{:?}", s.mail.transport)
        };
        assert_eq!((smtp.port, smtp.password.as_deref()), (465, Some("s3cret")));
        assert_eq!(s.mail.from.name.as_deref(), Some("Acme"));
        assert_eq!(s.away.message.as_deref(), Some("Back soon"));
        assert!(s.away.hours.is_some());
        assert!(!format!("{smtp:?}").contains("s3cret"), "never logged");
    }

    #[test]
    fn metrics_and_json_logs_come_from_the_file_too() {
        let file: File =
            toml::from_str("metrics_addr = \"10.0.0.5:9464\"\nlog_format = \"json\"").unwrap();
        let s = Settings::merge(File::default(), file).unwrap();
        assert_eq!(s.metrics_addr, Some("10.0.0.5:9464".parse().unwrap()));
        assert_eq!(s.log_format, LogFormat::Json);
        let bad = toml::from_str::<File>("log_format = \"xml\"").unwrap_err();
        assert!(bad.to_string().contains("xml"), "{bad}");
    }

    #[test]
    fn bad_values_name_their_key() {
        for (file, key) in [
            ("allow_origins = [\"shop.example\"]", "allow_origins"),
            (
                "allow_origins = [\"https://shop.example/\"]",
                "allow_origins",
            ),
            ("rate_limit = -1.0", "rate_limit"),
            ("rate_limit = 1e-20", "rate_limit"),
            ("rate_limit = 1e300", "rate_limit"),
            ("rate_limit = nan", "rate_limit"),
            ("rate_burst = 0", "rate_burst"),
            ("body_limit = 10", "body_limit"),
            ("max_connections = 2", "max_connections"),
            ("max_open_chats = 0", "max_open_chats"),
            ("max_open_chats_per_client = -1", "max_open_chats_per_client"),
            ("max_streams = 50000", "max_streams"),
            ("max_streams_per_client = 0", "max_streams_per_client"),
            ("max_streams_per_chat = 0", "max_streams_per_chat"),
            ("stream_idle_minutes = 0", "stream_idle_minutes"),
            ("stream_lifetime_minutes = 20000", "stream_lifetime_minutes"),
            ("retain_feedback_days = 40000", "retain_feedback_days"),
            ("retain_chats_days = 99999", "retain_chats_days"),
            ("identity_secret = \"abcdefghijklmnopq\"", "identity_secret"),
            ("require_verified_identity = true", "require_verified_identity"),
            ("identity_secret_file = \"/nonexistent/secret\"", "identity_secret_file"),
            ("admin_token = \"short\"", "admin_token"),
            ("agent_token = \"short\"", "agent_token"),
            ("database = \"mysql://db/shop\"", "database"),
            ("session_idle_minutes = 1", "session_idle_minutes"),
            ("chats_per_agent = 101", "chats_per_agent"),
            ("requeue_after_minutes = 0", "requeue_after_minutes"),
            ("idle_close_minutes = 20000", "idle_close_minutes"),
            ("smtp_password = \"hunter2\"", "smtp_password"),
            ("smtp_host = \"smtp.example\"", "mail_from"),
            (
                "smtp_host = \"smtp.example\"\nmail_from = \"a@b.example\"\nsmtp_user = \"u\"",
                "smtp_user",
            ),
            (
                "smtp_host = \"smtp.example\"\nmail_from = \"a@b.example\"\nsmtp_password_file = \"/nonexistent/pw\"",
                "smtp_password_file",
            ),
            ("mail_from = \"not an address\"", "mail_from"),
            ("mail_link_days = 0", "mail_link_days"),
            ("mail_unread_minutes = 5000", "mail_unread_minutes"),
            (
                "addr = \"127.0.0.1:8080\"\nmetrics_addr = \"127.0.0.1:8080\"",
                "metrics_addr",
            ),
        ] {
            let f: File = toml::from_str(file).unwrap();
            match Settings::merge(File::default(), f) {
                Err(ConfigError::Value { key: k, .. }) => assert_eq!(k, key, "{file}"),
                other => panic!("{file}: {other:?}"),
            }
        }
        let hours: File =
            toml::from_str("[office_hours]\ntime_zone = \"Europe/Berlin\"\nmonday = [\"09:00-12:00\", \"11:00-17:00\"]").unwrap();
        let e = Settings::merge(File::default(), hours).unwrap_err();
        assert!(e.to_string().contains("office_hours.monday"), "{e}");
        let unknown = toml::from_str::<File>("databse = \"x\"").unwrap_err();
        assert!(unknown.to_string().contains("databse"), "{unknown}");
    }
}

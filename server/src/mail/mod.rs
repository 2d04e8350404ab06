//! Email to shoppers: an agent's answer while the shopper is away, and the transcript
//! they asked for when a conversation ends.
//!
//! Mail is queued in the database (`outbox.rs`) in the same transaction as the message
//! it is about, so an acknowledged reply always has its email, and a restart loses
//! nothing; a worker on each instance sends what is due with retries and backoff. It
//! goes out through the merchant's SMTP relay (`lettre`, STARTTLS or TLS over rustls),
//! or, without one, into a folder as `.eml` files (the demo's default).

pub mod compose;
pub mod link;
pub mod outbox;
mod words;

use std::path::PathBuf;
use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use thiserror::Error;

/// How mail leaves the server.
#[derive(Clone, PartialEq)]
pub enum Transport {
    Smtp(Smtp),
    /// Each email as an `.eml` file in this folder.
    Folder(PathBuf),
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl Transport {
    /// Where mail goes, for the log.
    pub fn describe(&self) -> String {
        match self {
            Transport::Smtp(s) => format!(
                "the SMTP server {}:{} ({}{})",
                s.host,
                s.port,
                s.security.as_str(),
                s.user
                    .as_ref()
                    .map(|u| format!(", as {u}"))
                    .unwrap_or_default()
            ),
            Transport::Folder(dir) => format!(
                "{} as .eml files (no SMTP server configured)",
                dir.display()
            ),
        }
    }
}

/// The merchant's SMTP relay.
#[derive(Clone, PartialEq)]
pub struct Smtp {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub user: Option<String>,
    pub password: Option<String>,
}

impl std::fmt::Debug for Smtp {
    /// Never the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Smtp")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "…"))
            .finish()
    }
}

/// How the connection to the relay is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain connection upgraded with STARTTLS, required (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on the same machine or network.
    None,
}

impl Security {
    pub fn as_str(self) -> &'static str {
        match self {
            Security::Starttls => "STARTTLS",
            Security::Tls => "TLS",
            Security::None => "unencrypted",
        }
    }

    /// The usual port for this kind of connection.
    pub fn default_port(self) -> u16 {
        match self {
            Security::Starttls => 587,
            Security::Tls => 465,
            Security::None => 25,
        }
    }
}

/// Why an email did not go.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{message}")]
pub struct SendError {
    /// The relay refused this email for good (a 5xx answer about it): retrying cannot
    /// help. Everything else (down, timeouts, 4xx, a refused login) is retried.
    pub permanent: bool,
    pub message: String,
}

/// Sends composed messages.
#[derive(Clone)]
pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>, String),
    Folder(AsyncFileTransport<Tokio1Executor>, PathBuf),
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mailer::Smtp(_, at) => write!(f, "Mailer(SMTP {at})"),
            Mailer::Folder(_, dir) => write!(f, "Mailer({})", dir.display()),
        }
    }
}

/// How long one SMTP exchange may take before it counts as failed (and is retried).
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

impl Mailer {
    /// A mailer for `transport`; a folder is created if missing.
    pub fn new(transport: &Transport) -> Result<Self, String> {
        match transport {
            Transport::Folder(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create the mail folder {}: {e}", dir.display()))?;
                Ok(Mailer::Folder(AsyncFileTransport::new(dir), dir.clone()))
            }
            Transport::Smtp(s) => {
                let builder = match s.security {
                    Security::Starttls => {
                        AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&s.host)
                    }
                    Security::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&s.host),
                    Security::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
                        s.host.clone(),
                    )),
                }
                .map_err(|e| format!("cannot use the SMTP server {}: {e}", s.host))?;
                let mut builder = builder.port(s.port).timeout(Some(SMTP_TIMEOUT));
                if let Some(user) = &s.user {
                    let password = s.password.clone().unwrap_or_default();
                    builder = builder.credentials(Credentials::new(user.clone(), password));
                }
                Ok(Mailer::Smtp(
                    builder.build(),
                    format!("{}:{}", s.host, s.port),
                ))
            }
        }
    }

    pub async fn send(&self, message: Message) -> Result<(), SendError> {
        match self {
            Mailer::Folder(t, dir) => t.send(message).await.map(|_| ()).map_err(|e| SendError {
                permanent: false,
                message: format!("cannot write to the mail folder {}: {e}", dir.display()),
            }),
            Mailer::Smtp(t, at) => t.send(message).await.map(|_| ()).map_err(|e| {
                let code = e.status().map(|c| c.to_string());
                // 530/534/535/538: the login, not this email; fixed in the settings.
                let login = code.as_deref().is_some_and(|c| {
                    matches!(c, "530" | "534" | "535" | "538")
                });
                let message = if login {
                    format!("the SMTP server {at} refused the login ({e}); check smtp_user and the password")
                } else if e.is_permanent() {
                    format!("the SMTP server {at} refused this email for good: {e}")
                } else if e.is_response() {
                    format!("the SMTP server {at} asked to try later: {e}")
                } else {
                    format!("cannot reach the SMTP server {at}: {e}")
                };
                SendError {
                    permanent: e.is_permanent() && !login,
                    message,
                }
            }),
        }
    }
}

//! Signed-in agents: a server-side session per sign-in, kept in the database (so any
//! instance knows it) behind an `HttpOnly`, `SameSite=Strict` cookie.
//!
//! The cookie holds a random secret; the database keeps only its SHA-256, so a copy of
//! the database signs nobody in. A session ends on sign-out, after `idle` without a
//! request, or when its account is disabled or its password reset. State-changing
//! requests must also send the session's CSRF token in a header, which a page on
//! another site cannot read.

use std::time::Duration;

use axum::http::HeaderValue;
use sqlx::Row;

use super::accounts::{account, Account};
use crate::access::{digest, new_secret};
use crate::db::{Database, DbError};

/// The cookie's name.
pub const COOKIE: &str = "shopdesk_agent";
/// The header state-changing requests carry the CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// How long a session lives without a request, unless configured.
pub const DEFAULT_IDLE: Duration = Duration::from_secs(8 * 60 * 60);
/// A session's last use is written at most this often (not on every request).
const TOUCH_EVERY_MS: i64 = 60_000;

/// A live session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub account: Account,
    pub csrf: String,
}

/// The sessions table. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Sessions {
    db: Database,
    idle: Duration,
}

impl Sessions {
    pub fn new(db: Database, idle: Duration) -> Self {
        Self { db, idle }
    }

    /// A new session for `account`: the cookie's secret and the CSRF token.
    pub async fn open(&self, account: &Account, now_ms: i64) -> Result<(String, Session), DbError> {
        let (secret, csrf) = (new_secret(), new_secret());
        sqlx::query(
            "INSERT INTO agent_sessions (token_sha256, agent, csrf, created_ms, seen_ms)
             VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(digest(&secret))
        .bind(&account.id)
        .bind(&csrf)
        .bind(now_ms)
        .execute(self.db.writer())
        .await?;
        let session = Session {
            account: account.clone(),
            csrf,
        };
        Ok((secret, session))
    }

    /// The live session of cookie `secret`, if any; an expired one is removed.
    pub async fn find(&self, secret: &str, now_ms: i64) -> Result<Option<Session>, DbError> {
        let key = digest(secret);
        let row = sqlx::query(
            "SELECT a.id, a.email, a.name, a.role, a.disabled, a.created_ms, a.away, s.csrf,
                    s.seen_ms
             FROM agent_sessions s JOIN agents a ON a.id = s.agent
             WHERE s.token_sha256 = $1",
        )
        .bind(&key)
        .fetch_optional(self.db.reader())
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let account = account(&row)?;
        let seen_ms: i64 = row.try_get(8)?;
        if account.disabled || now_ms - seen_ms >= self.idle.as_millis() as i64 {
            self.end(secret).await?;
            return Ok(None);
        }
        if now_ms - seen_ms >= TOUCH_EVERY_MS {
            sqlx::query("UPDATE agent_sessions SET seen_ms = $1 WHERE token_sha256 = $2")
                .bind(now_ms)
                .bind(&key)
                .execute(self.db.writer())
                .await?;
        }
        Ok(Some(Session {
            account,
            csrf: row.try_get(7)?,
        }))
    }

    /// Ends the session of cookie `secret` (sign-out).
    pub async fn end(&self, secret: &str) -> Result<(), DbError> {
        sqlx::query("DELETE FROM agent_sessions WHERE token_sha256 = $1")
            .bind(digest(secret))
            .execute(self.db.writer())
            .await?;
        Ok(())
    }
}

/// `Set-Cookie` for a new session. `Secure` when the page was reached over https;
/// no `Max-Age`: the browser forgets it when it closes, the server after `idle`.
pub fn set_cookie(secret: &str, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE}={secret}; Path=/; HttpOnly; SameSite=Strict{secure}"
    ))
    .expect("hex secrets make a valid header")
}

/// `Set-Cookie` that removes the session cookie (sign-out).
pub fn clear_cookie(secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}"
    ))
    .expect("a fixed header")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_http_only_strict_and_secure_over_https() {
        let plain = set_cookie("abc", false);
        let plain = plain.to_str().unwrap();
        assert!(plain.starts_with("shopdesk_agent=abc;"), "{plain}");
        assert!(plain.contains("HttpOnly") && plain.contains("SameSite=Strict"));
        assert!(!plain.contains("Secure"));
        assert!(set_cookie("abc", true)
            .to_str()
            .unwrap()
            .ends_with("; Secure"));
        assert!(clear_cookie(false).to_str().unwrap().contains("Max-Age=0"));
    }
}

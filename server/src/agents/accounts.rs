//! Agent accounts: who may answer shoppers, under which name, with which role.
//!
//! Passwords are kept as argon2id hashes (the PHC string, parameters included, so a
//! later change of parameters still verifies old hashes). Hashing is deliberately
//! slow, so it runs on the blocking pool, never on the async workers.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;
use thiserror::Error;

use crate::db::{Database, DbError};

/// Shortest password accepted (long enough to resist guessing within the sign-in
/// throttle, short enough for a passphrase people remember) and longest (nobody makes
/// the server hash megabytes): the wire's, so the agent page says so before sending.
pub use shopdesk_wire::agents::{MAX_PASSWORD, MIN_PASSWORD};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Manages agents and reads reports, besides answering.
    Admin,
    Agent,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Agent => "agent",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "admin" => Some(Role::Admin),
            "agent" => Some(Role::Agent),
            _ => None,
        }
    }
}

/// One account as everyone may see it (never the hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub disabled: bool,
    /// Signed in but not taking chats: does not count as online.
    pub away: bool,
    pub created_ms: i64,
}

#[derive(Debug, Error)]
pub enum AccountError {
    #[error("{0:?} is not an email address; write it as name@shop.example")]
    BadEmail(String),
    #[error("the name must have 1 to 80 characters")]
    BadName,
    #[error("the password must have at least {MIN_PASSWORD} characters (and at most {MAX_PASSWORD} bytes)")]
    WeakPassword,
    #[error(
        "an agent with the email {0} exists already; use `agent reset-password` or another email"
    )]
    Exists(String),
    #[error("there is no agent with the email {0}; `shopdesk-server agent list` shows them")]
    NotFound(String),
    #[error("the password could not be hashed: {0}")]
    Hash(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for AccountError {
    fn from(e: sqlx::Error) -> Self {
        AccountError::Db(DbError::Query(e))
    }
}

/// The accounts table. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Accounts {
    db: Database,
}

const COLUMNS: &str = "id, email, name, role, disabled, created_ms, away";

impl Accounts {
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    /// Adds an account; the email must be new.
    pub async fn add(
        &self,
        name: &str,
        email: &str,
        role: Role,
        password: &str,
        now_ms: i64,
    ) -> Result<Account, AccountError> {
        let email = normalize_email(email)?;
        let name = check_name(name)?;
        let hash = hash(password.to_string()).await?;
        let account = Account {
            id: uuid::Uuid::new_v4().to_string(),
            email,
            name,
            role,
            disabled: false,
            away: false,
            created_ms: now_ms,
        };
        let added = sqlx::query(
            "INSERT INTO agents (id, email, name, role, password_hash, disabled, created_ms)
             VALUES ($1, $2, $3, $4, $5, 0, $6) ON CONFLICT (email) DO NOTHING",
        )
        .bind(&account.id)
        .bind(&account.email)
        .bind(&account.name)
        .bind(role.as_str())
        .bind(&hash)
        .bind(now_ms)
        .execute(self.db.writer())
        .await?;
        if added.rows_affected() == 0 {
            return Err(AccountError::Exists(account.email));
        }
        Ok(account)
    }

    /// Every account, by name.
    pub async fn list(&self) -> Result<Vec<Account>, AccountError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM agents ORDER BY name, email"
        ))
        .fetch_all(self.db.reader())
        .await?;
        Ok(rows.iter().map(account).collect::<Result<_, _>>()?)
    }

    pub async fn by_email(&self, email: &str) -> Result<Account, AccountError> {
        let email = normalize_email(email)?;
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM agents WHERE email = $1"))
            .bind(&email)
            .fetch_optional(self.db.reader())
            .await?;
        match row {
            Some(row) => Ok(account(&row)?),
            None => Err(AccountError::NotFound(email)),
        }
    }

    /// Whether anyone can answer shoppers: an account that is not disabled.
    pub async fn any_enabled(&self) -> Result<bool, AccountError> {
        Ok(
            sqlx::query("SELECT 1 FROM agents WHERE disabled = 0 LIMIT 1")
                .fetch_optional(self.db.reader())
                .await?
                .is_some(),
        )
    }

    /// Disables (or enables again) an account; disabling ends its sessions.
    pub async fn set_disabled(&self, email: &str, disabled: bool) -> Result<Account, AccountError> {
        let found = self.by_email(email).await?;
        let mut tx = self.db.writer().begin().await?;
        sqlx::query("UPDATE agents SET disabled = $1 WHERE id = $2")
            .bind(i64::from(disabled))
            .bind(&found.id)
            .execute(&mut *tx)
            .await?;
        if disabled {
            end_sessions(&mut tx, &found.id).await?;
        }
        tx.commit().await?;
        Ok(Account { disabled, ..found })
    }

    /// Away (not taking chats) or back; counted by presence on every instance at once.
    pub async fn set_away(&self, id: &str, away: bool) -> Result<(), AccountError> {
        sqlx::query("UPDATE agents SET away = $1 WHERE id = $2")
            .bind(i64::from(away))
            .bind(id)
            .execute(self.db.writer())
            .await?;
        Ok(())
    }

    /// Sets a new password and ends the account's sessions (a reset is what one does
    /// when a password may be known to someone else).
    pub async fn reset_password(
        &self,
        email: &str,
        password: &str,
    ) -> Result<Account, AccountError> {
        let found = self.by_email(email).await?;
        let hash = hash(password.to_string()).await?;
        let mut tx = self.db.writer().begin().await?;
        sqlx::query("UPDATE agents SET password_hash = $1 WHERE id = $2")
            .bind(&hash)
            .bind(&found.id)
            .execute(&mut *tx)
            .await?;
        end_sessions(&mut tx, &found.id).await?;
        tx.commit().await?;
        Ok(found)
    }

    /// The account whose email and password these are, or `None`. An unknown email
    /// costs the same hashing as a known one, so timing does not tell which emails have
    /// accounts. A disabled account is returned (the caller says so): its password was
    /// right.
    pub async fn check_password(
        &self,
        email: &str,
        password: &str,
    ) -> Result<Option<Account>, AccountError> {
        let Ok(email) = normalize_email(email) else {
            return Ok(None);
        };
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS}, password_hash FROM agents WHERE email = $1"
        ))
        .bind(&email)
        .fetch_optional(self.db.reader())
        .await?;
        let (found, stored) = match &row {
            Some(row) => (Some(account(row)?), row.try_get::<String, _>(7)?),
            None => (None, dummy_hash().to_string()),
        };
        let password = password.to_string();
        let matches = tokio::task::spawn_blocking(move || verify(&password, &stored))
            .await
            .map_err(|e| AccountError::Hash(e.to_string()))?;
        Ok(found.filter(|_| matches))
    }
}

async fn end_sessions(conn: &mut sqlx::AnyConnection, agent: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM agent_sessions WHERE agent = $1")
        .bind(agent)
        .execute(conn)
        .await?;
    Ok(())
}

pub(super) fn account(row: &AnyRow) -> Result<Account, sqlx::Error> {
    let role: String = row.try_get(3)?;
    Ok(Account {
        id: row.try_get(0)?,
        email: row.try_get(1)?,
        name: row.try_get(2)?,
        role: Role::parse(&role).unwrap_or(Role::Agent),
        disabled: row.try_get::<i64, _>(4)? != 0,
        created_ms: row.try_get(5)?,
        away: row.try_get::<i64, _>(6)? != 0,
    })
}

/// Trimmed and lower-cased (emails are matched whatever the case they are typed in),
/// with one `@` between a local part and a dotted domain.
pub fn normalize_email(text: &str) -> Result<String, AccountError> {
    let email = text.trim().to_lowercase();
    let valid = email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }
            None => false,
        };
    if valid {
        Ok(email)
    } else {
        Err(AccountError::BadEmail(text.to_string()))
    }
}

fn check_name(name: &str) -> Result<String, AccountError> {
    let name = name.trim();
    let chars = name.chars().count();
    if (1..=80).contains(&chars) && !name.chars().any(char::is_control) {
        Ok(name.to_string())
    } else {
        Err(AccountError::BadName)
    }
}

pub fn check_password_strength(password: &str) -> Result<(), AccountError> {
    if password.chars().count() < MIN_PASSWORD || password.len() > MAX_PASSWORD {
        return Err(AccountError::WeakPassword);
    }
    Ok(())
}

async fn hash(password: String) -> Result<String, AccountError> {
    check_password_strength(&password)?;
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::encode_b64(uuid::Uuid::new_v4().as_bytes())
            .map_err(|e| AccountError::Hash(e.to_string()))?;
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AccountError::Hash(e.to_string()))
    })
    .await
    .map_err(|e| AccountError::Hash(e.to_string()))?
}

fn verify(password: &str, stored: &str) -> bool {
    if password.len() > MAX_PASSWORD {
        return false;
    }
    PasswordHash::new(stored).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A hash no password matches (of a random one), verified for unknown emails.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::encode_b64(uuid::Uuid::new_v4().as_bytes()).expect("16-byte salt");
        Argon2::default()
            .hash_password(crate::access::new_secret().as_bytes(), &salt)
            .expect("argon2 with default parameters")
            .to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_matched_whatever_their_case_and_must_look_like_emails() {
        assert_eq!(
            normalize_email("  Ana@Shop.Example ").unwrap(),
            "ana@shop.example"
        );
        for bad in [
            "",
            "ana",
            "ana@",
            "@shop.example",
            "ana@shop",
            "a b@shop.example",
            "a@b@c.de",
            "ana@.example",
            "ana@shop.",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_hash_verifies_its_password_only() {
        let salt = SaltString::encode_b64(&[7; 16]).unwrap();
        let stored = Argon2::default()
            .hash_password(b"correct horse battery", &salt)
            .unwrap()
            .to_string();
        assert!(stored.starts_with("$argon2id$"), "{stored}");
        assert!(verify("correct horse battery", &stored));
        assert!(!verify("correct horse batterY", &stored));
        assert!(!verify("correct horse battery", "not a hash"));
        assert!(!verify("anything", dummy_hash()));
    }

    #[test]
    fn passwords_and_names_have_bounds() {
        assert!(check_password_strength("short").is_err());
        assert!(check_password_strength("ten chars!").is_ok());
        assert!(check_password_strength(&"x".repeat(2000)).is_err());
        assert!(check_name("  Ana  ").is_ok_and(|n| n == "Ana"));
        assert!(check_name(" ").is_err());
        assert!(check_name(&"n".repeat(81)).is_err());
    }
}

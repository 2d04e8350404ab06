//! The agent page's sign-in: what it sends and what it learns about who signed in.

use serde::{Deserialize, Serialize};

use crate::Invalid;

/// Longest email (RFC 5321's path limit).
pub const MAX_EMAIL: usize = 254;
/// Longest password the server hashes.
pub const MAX_PASSWORD: usize = 1024;

/// `POST /v1/agent/session`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignIn {
    pub email: String,
    pub password: String,
}

impl SignIn {
    /// Reads and checks a sign-in, naming the first bad field. Whether the email has
    /// an account is the server's to say, after the password is checked.
    pub fn from_json(body: &[u8]) -> Result<Self, Invalid> {
        let sign_in: SignIn = crate::check::parse(body)?;
        if sign_in.email.trim().is_empty() {
            return Err(Invalid::new("email", "must not be empty"));
        }
        if sign_in.email.len() > MAX_EMAIL {
            return Err(Invalid::new(
                "email",
                format!("is longer than {MAX_EMAIL} characters"),
            ));
        }
        if sign_in.password.is_empty() {
            return Err(Invalid::new("password", "must not be empty"));
        }
        if sign_in.password.len() > MAX_PASSWORD {
            return Err(Invalid::new(
                "password",
                format!("is longer than {MAX_PASSWORD} bytes"),
            ));
        }
        Ok(sign_in)
    }
}

/// Who is signed in, and the token state-changing requests carry in `X-CSRF-Token`
/// (answer to sign-in and to `GET /v1/agent/session`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedIn {
    pub agent: AgentInfo,
    pub csrf: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentInfo {
    pub id: String,
    pub name: String,
    pub email: String,
    /// `admin` or `agent`.
    pub role: String,
    /// Away: signed in, but not taking chats (set by hand, or by the page after a
    /// while without activity).
    #[serde(default)]
    pub away: bool,
}

/// `PUT /v1/agent/presence`: away or back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presence {
    pub away: bool,
}

impl Presence {
    pub fn from_json(body: &[u8]) -> Result<Self, Invalid> {
        crate::check::parse(body)
    }
}

/// A colleague as the agent page shows them: who can take a conversation handed over,
/// and how busy each is (`GET /v1/agent/agents`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Colleague {
    pub id: String,
    pub name: String,
    /// An agent page of theirs is connected.
    pub online: bool,
    pub away: bool,
    /// Open conversations they handle.
    pub handling: u32,
}

/// `POST /v1/agent/conversations/{id}/assign`: hand the conversation to the colleague
/// `to` (an account id), or back to the queue without one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handover {
    #[serde(default)]
    pub to: Option<String>,
}

impl Handover {
    pub fn from_json(body: &[u8]) -> Result<Self, Invalid> {
        let handover: Handover = crate::check::parse(body)?;
        crate::check::text("to", handover.to.as_deref(), crate::MAX_ID)?;
        Ok(handover)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sign_in_needs_both_fields_within_bounds() {
        let ok = br#"{"email":"ana@shop.example","password":"correct horse"}"#;
        assert!(SignIn::from_json(ok).is_ok());
        for (body, field) in [
            (r#"{"email":" ","password":"x"}"#.to_string(), "email"),
            (r#"{"email":"a@b.c","password":""}"#.to_string(), "password"),
            (
                format!(r#"{{"email":"a@b.c","password":"{}"}}"#, "x".repeat(2000)),
                "password",
            ),
        ] {
            assert_eq!(
                SignIn::from_json(body.as_bytes()).unwrap_err().field,
                field,
                "{body}"
            );
        }
        assert!(SignIn::from_json(br#"{"email":"a@b.c"}"#).is_err());
    }
}

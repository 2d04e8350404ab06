//! Erasing one shopper: every conversation they had (its messages, queued emails and
//! stream tickets, the feedback given about it) and every feedback response from their
//! browser, in one transaction.
//!
//! A shopper is found by the widget's visitor id (their browser) or by the email they
//! gave (the pre-chat form, "Leave a message", or `identify`). The chat clock's lock is
//! taken first, as every chat write does (`chat/writer.rs`), so nothing is added to a
//! conversation while it is being erased.

use axum::extract::{FromRequest, State};
use axum::Json;
use serde::Serialize;
use shopdesk_wire::Invalid;
use sqlx::{Acquire, AnyConnection};

use crate::db::{Database, DbError};
use crate::edge::{ApiError, Checked, Contract};

/// Whom to erase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shopper {
    /// The widget's `visitor_id`.
    Visitor(String),
    /// An email address, compared without regard to case.
    Email(String),
}

/// What was erased.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Erased {
    pub conversations: u64,
    pub messages: u64,
    pub emails: u64,
    pub feedback: u64,
}

impl std::fmt::Display for Erased {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "deleted {} conversation(s) with {} event(s), {} queued or sent email(s), {} feedback response(s)",
            self.conversations, self.messages, self.emails, self.feedback
        )
    }
}

/// Erases everything about `shopper`.
pub async fn erase(db: &Database, shopper: &Shopper) -> Result<Erased, DbError> {
    let (condition, value) = match shopper {
        Shopper::Visitor(id) => ("visitor_id = $1", id.trim().to_string()),
        Shopper::Email(email) => ("LOWER(email) = $1", email.trim().to_lowercase()),
    };
    let theirs = format!("SELECT id FROM chat_conversations WHERE {condition}");
    let mut conn = db.writer().acquire().await?;
    let mut tx = conn.begin().await?;
    sqlx::query("UPDATE chat_clock SET seq = seq")
        .execute(&mut *tx)
        .await?;
    let mut erased = Erased::default();
    let of_theirs =
        |table: &str, column: &str| format!("DELETE FROM {table} WHERE {column} IN ({theirs})");
    erased.messages = delete(&mut tx, &of_theirs("chat_events", "conversation"), &value).await?;
    erased.emails = delete(&mut tx, &of_theirs("mail_outbox", "conversation"), &value).await?;
    delete(
        &mut tx,
        &of_theirs("stream_tickets", "conversation"),
        &value,
    )
    .await?;
    erased.feedback = delete(&mut tx, &of_theirs("feedback", "conversation_id"), &value).await?;
    erased.conversations = delete(
        &mut tx,
        &format!("DELETE FROM chat_conversations WHERE {condition}"),
        &value,
    )
    .await?;
    if let Shopper::Visitor(_) = shopper {
        erased.feedback += delete(
            &mut tx,
            "DELETE FROM feedback WHERE visitor_id = $1",
            &value,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(erased)
}

async fn delete(conn: &mut AnyConnection, sql: &str, value: &str) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(sql)
        .bind(value)
        .execute(conn)
        .await?
        .rows_affected())
}

/// `POST /v1/admin/forget`'s body: exactly one of the two.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    #[serde(default)]
    pub visitor_id: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

impl Request {
    /// The shopper asked for, or why the body names none (or two).
    pub fn shopper(self) -> Result<Shopper, Invalid> {
        let blank = |v: &Option<String>| v.as_deref().is_none_or(|v| v.trim().is_empty());
        match (self.visitor_id, self.email) {
            (Some(_), Some(_)) => Err(invalid(
                "email",
                "send either visitor_id or email, not both",
            )),
            (Some(v), None) if !blank(&Some(v.clone())) => Ok(Shopper::Visitor(v)),
            (None, Some(e)) if !blank(&Some(e.clone())) => Ok(Shopper::Email(e)),
            _ => Err(invalid(
                "visitor_id",
                "name the shopper: {\"visitor_id\": …} (the widget's) or {\"email\": …}",
            )),
        }
    }
}

fn invalid(field: &str, problem: &str) -> Invalid {
    Invalid {
        field: field.into(),
        problem: problem.into(),
    }
}

impl Contract for Request {
    const TOO_LARGE: &'static str = "send only {\"visitor_id\": …} or {\"email\": …}";
    fn read(body: &[u8]) -> Result<Self, Invalid> {
        serde_json::from_slice(body).map_err(|e| invalid("body", &e.to_string()))
    }
}

/// `POST /v1/admin/forget` with `{"visitor_id": …}` or `{"email": …}`, for admins (the
/// admin token, or a signed-in admin with the CSRF header): 200 with what was deleted.
pub async fn serve(
    State(feedback): State<crate::feedback::Shared>,
    request: axum::extract::Request,
) -> Result<Json<Erased>, ApiError> {
    crate::feedback::report::allowed(&feedback, request.method(), request.headers()).await?;
    let Checked(asked) = Checked::<Request>::from_request(request, &()).await?;
    let shopper = asked.shopper()?;
    let erased = erase(feedback.store.db(), &shopper)
        .await
        .map_err(|e| ApiError::unavailable("nothing was deleted", e))?;
    tracing::info!("erasure on request: {erased}");
    Ok(Json(erased))
}

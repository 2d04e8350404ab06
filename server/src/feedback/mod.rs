//! The feedback endpoint: `POST /v1/feedback` stores one response (a
//! `shopdesk_wire::FeedbackEvent`), once, however often the widget retries it.
//!
//! Refusals are JSON naming what to fix: `{"error": "...", "field": "score"}`. Browsers
//! may post only from the configured store origins (and the server's own); other
//! clients (without `Origin`) are rate limited like everyone else.

pub mod report;
pub mod store;

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};
use shopdesk_wire::FeedbackEvent;

use self::store::{Outcome, Store};
use crate::edge::{ApiError, Checked};
use crate::now_ms;

/// What the feedback endpoint needs (origins and the rate limit are the shopfront's,
/// `crate::edge::shopfront`).
#[derive(Debug)]
pub struct Feedback {
    pub store: Store,
    /// Bearer token for `/v1/reports/*` (automation); signed-in admins may read them
    /// too, through `staff`.
    pub admin_token: Option<String>,
    pub staff: crate::agents::SharedStaff,
    /// Store page addresses whole; by default without query and fragment
    /// (`crate::privacy::urls`).
    pub keep_url_query: bool,
}

pub type Shared = Arc<Feedback>;

/// `POST /v1/feedback`: 201 when stored, 200 when this id was stored before.
pub async fn submit(
    State(feedback): State<Shared>,
    Checked(mut event): Checked<FeedbackEvent>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    event.page_url = crate::privacy::urls::kept(event.page_url, feedback.keep_url_query);
    let id = event.id.clone();
    let outcome = feedback.store.insert(event, now_ms()).await.map_err(|e| {
        ApiError::unavailable(
            "the response could not be stored",
            format!("feedback {id}: {e}"),
        )
    })?;
    let (status, duplicate) = match outcome {
        Outcome::Stored => (StatusCode::CREATED, false),
        Outcome::Duplicate => (StatusCode::OK, true),
    };
    Ok((status, Json(json!({ "id": id, "duplicate": duplicate }))))
}

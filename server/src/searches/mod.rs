//! Search analytics: `POST /v1/searches` stores one search session from the widget
//! (`shopdesk_wire::searches::SearchSession`), once, however often its outbox retries;
//! `report` turns the sessions into the content-gaps report.
//!
//! The widget already leaves out queries that look like personal data; the server
//! drops any that still arrive (another client, an older widget) before storing, so
//! none is ever kept.

pub mod charts;
pub mod report;
pub mod store;

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};
use shopdesk_wire::searches::SearchSession;

use self::store::Store;
use crate::edge::{ApiError, Checked};
use crate::feedback::store::Outcome;
use crate::now_ms;

/// What the search endpoints need.
#[derive(Debug)]
pub struct Searches {
    pub store: Store,
    /// Who may read reports (the admin token, signed-in admins) is the feedback
    /// reports' rule; its unhelpful votes are in the same report.
    pub feedback: crate::feedback::Shared,
}

pub type Shared = Arc<Searches>;

/// `POST /v1/searches`: 201 when stored, 200 when this session was stored before (or
/// had nothing left to store once personal-looking queries were dropped).
pub async fn submit(
    State(searches): State<Shared>,
    Checked(session): Checked<SearchSession>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let (session, dropped) = session.without_personal_queries();
    let id = session.id.clone();
    if session.searches.is_empty() {
        return Ok((
            StatusCode::OK,
            Json(json!({ "id": id, "duplicate": false, "dropped": dropped })),
        ));
    }
    let outcome = searches
        .store
        .insert(session, now_ms())
        .await
        .map_err(|e| {
            ApiError::unavailable(
                "the search session could not be stored",
                format!("search session {id}: {e}"),
            )
        })?;
    let (status, duplicate) = match outcome {
        Outcome::Stored => (StatusCode::CREATED, false),
        Outcome::Duplicate => (StatusCode::OK, true),
    };
    Ok((
        status,
        Json(json!({ "id": id, "duplicate": duplicate, "dropped": dropped })),
    ))
}

//! The feedback endpoint: `POST /v1/feedback` stores one response (a
//! `shopdesk_wire::FeedbackEvent`), once, however often the widget retries it.
//!
//! Refusals are JSON naming what to fix: `{"error": "...", "field": "score"}`. Browsers
//! may post only from the configured store origins (and the server's own); other
//! clients (without `Origin`) are rate limited like everyone else.

pub mod report;
pub mod store;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use shopdesk_wire::FeedbackEvent;

use self::store::{Outcome, Store};
use crate::limit::RateLimiter;
use crate::reply::{forbidden_origin, now_ms, preflight as cors_preflight, refuse, with_cors};

/// What the feedback endpoint needs.
#[derive(Debug)]
pub struct Feedback {
    pub store: Store,
    /// Store origins allowed to post from a browser (`https://shop.example`).
    pub origins: Vec<String>,
    pub limiter: Option<RateLimiter>,
    /// Bearer token for `/v1/reports/*`; without one, reports are off.
    pub admin_token: Option<String>,
    /// Behind a reverse proxy: take the client address from the last `X-Forwarded-For`
    /// entry (the one the proxy added), so the rate limit is per shopper, not per proxy.
    pub trust_proxy: bool,
}

pub type Shared = Arc<Feedback>;

/// `POST /v1/feedback`.
pub async fn submit(
    State(feedback): State<Shared>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let cors = match crate::access::allowed_origin(&feedback.origins, &headers) {
        Ok(cors) => cors,
        Err(origin) => return forbidden_origin(&origin, "post feedback"),
    };
    with_cors(answer(&feedback, client, &headers, body).await, cors)
}

async fn answer(
    feedback: &Feedback,
    client: SocketAddr,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if let Some(limiter) = &feedback.limiter {
        if let Some(r) = limiter.refusal(headers, client, feedback.trust_proxy) {
            return r;
        }
    }
    let json_like = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|t| {
            t.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .is_some_and(|t| t == "application/json" || t == "text/plain");
    if !json_like {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the response as JSON (Content-Type: application/json)",
            None,
        );
    }
    let body = match body {
        Ok(body) => body,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return refuse(
                StatusCode::PAYLOAD_TOO_LARGE,
                "the response is too large; comments are limited to 2000 characters and context to 8 KB",
                None,
            )
        }
        Err(rejection) => return refuse(rejection.status(), &rejection.body_text(), None),
    };
    let event = match FeedbackEvent::from_json(&body) {
        Ok(event) => event,
        Err(invalid) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                &invalid.to_string(),
                Some(&invalid.field),
            )
        }
    };
    let id = event.id.clone();
    match feedback.store.insert(event, now_ms()).await {
        Ok(Outcome::Stored) => (
            StatusCode::CREATED,
            Json(json!({ "id": id, "duplicate": false })),
        )
            .into_response(),
        Ok(Outcome::Duplicate) => {
            (StatusCode::OK, Json(json!({ "id": id, "duplicate": true }))).into_response()
        }
        Err(e) => {
            tracing::error!("feedback {id} not stored: {e}");
            refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "the response could not be stored right now; retry later",
                None,
            )
        }
    }
}

/// `OPTIONS /v1/feedback`: the CORS preflight for store pages on other origins.
pub async fn preflight(State(feedback): State<Shared>, headers: HeaderMap) -> Response {
    cors_preflight(&feedback.origins, &headers, "content-type", "post feedback")
}

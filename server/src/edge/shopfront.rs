//! The guard of every route store pages call (`/v1/feedback`, the shopper's
//! `/v1/chat/…`): one place for the origin allow-list, CORS and the rate limit.
//!
//! Requests without `Origin` are not browsers' and are not restricted by it; pages on
//! the server's own origin need no CORS. Every answer to an allowed other origin —
//! refusals included, so the widget can read them — carries the CORS headers. The
//! rate limit is one budget per client address across all store routes, as the README
//! promises, event streams included (opening one costs one request, like any call).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::ApiError;
use crate::limit::RateLimiter;

/// Who may call the store routes, and how often.
#[derive(Debug)]
pub struct Shopfront {
    /// Store origins whose pages may call (`https://shop.example`, or `*`).
    pub origins: Vec<String>,
    /// Shared with the task that reports to other instances (`limit::shared`).
    pub limiter: Option<Arc<RateLimiter>>,
    /// Behind a reverse proxy: the client address is the last `X-Forwarded-For` entry
    /// (the one the proxy added), so the rate limit is per shopper, not per proxy.
    pub trust_proxy: bool,
}

/// Headers store pages send on their calls.
const ALLOW_HEADERS: &str = "content-type, authorization";

/// Origin, preflight, rate limit, then the handler; CORS on whatever comes back.
pub async fn guard(
    State(front): State<Arc<Shopfront>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    let origin = match crate::access::allowed_origin(&front.origins, request.headers()) {
        Ok(origin) => origin,
        Err(origin) => return ApiError::forbidden_origin(&origin).into_response(),
    };
    if request.method() == Method::OPTIONS {
        return preflight(origin);
    }
    let limited = front
        .limiter
        .as_ref()
        .and_then(|l| l.refusal(request.headers(), client, front.trust_proxy));
    let response = match limited {
        Some(refusal) => refusal.into_response(),
        None => next.run(request).await,
    };
    with_cors(response, origin)
}

/// CORS headers on an answer to a page on an allowed other origin (`None`: same origin
/// or no browser, nothing to add). `Retry-After` is readable, for the widget's backoff.
fn with_cors(mut response: Response, origin: Option<HeaderValue>) -> Response {
    if let Some(origin) = origin {
        let h = response.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("Retry-After"),
        );
    }
    response
}

/// The answer to a CORS preflight (`OPTIONS`) for POSTs.
fn preflight(origin: Option<HeaderValue>) -> Response {
    let mut r = StatusCode::NO_CONTENT.into_response();
    if let Some(origin) = origin {
        let h = r.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("POST"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static(ALLOW_HEADERS),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("86400"),
        );
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    r
}

//! The feedback endpoint: `POST /v1/feedback` stores one response (a
//! `shopdesk_wire::FeedbackEvent`), once, however often the widget retries it.
//!
//! Refusals are JSON naming what to fix: `{"error": "...", "field": "score"}`. Browsers
//! may post only from the configured store origins (and the server's own); other
//! clients (without `Origin`) are rate limited like everyone else.

pub mod limit;
pub mod report;
pub mod store;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use shopdesk_wire::FeedbackEvent;

use self::limit::RateLimiter;
use self::store::{Outcome, Store};

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

/// A refusal: status and a JSON body naming the problem (and the field, if one).
pub(crate) fn refuse(status: StatusCode, error: &str, field: Option<&str>) -> Response {
    let body = match field {
        Some(field) => json!({ "error": error, "field": field }),
        None => json!({ "error": error }),
    };
    (status, Json(body)).into_response()
}

/// `POST /v1/feedback`.
pub async fn submit(
    State(feedback): State<Shared>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let cors = match crate::access::allowed_origin(&feedback.origins, &headers) {
        Ok(cors) => cors,
        Err(origin) => {
            return refuse(
                StatusCode::FORBIDDEN,
                &format!("origin {origin} may not post feedback; add it to the server's allowed origins (--allow-origin)"),
                None,
            )
        }
    };
    let mut response = answer(&feedback, client, &headers, body).await;
    if let Some(origin) = cors {
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

async fn answer(
    feedback: &Feedback,
    client: SocketAddr,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if let Some(limiter) = &feedback.limiter {
        let ip = client_ip(headers, client.ip(), feedback.trust_proxy);
        if let Err(wait) = limiter.check(ip, Instant::now()) {
            let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
            let mut r = refuse(
                StatusCode::TOO_MANY_REQUESTS,
                &format!("too many requests from this address; retry in {seconds} s"),
                None,
            );
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
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
    match crate::access::allowed_origin(&feedback.origins, &headers) {
        Ok(Some(origin)) => {
            let mut r = StatusCode::NO_CONTENT.into_response();
            let h = r.headers_mut();
            h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            h.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("POST"),
            );
            h.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static("content-type"),
            );
            h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("86400"));
            h.insert(header::VARY, HeaderValue::from_static("Origin"));
            r
        }
        Ok(None) => StatusCode::NO_CONTENT.into_response(),
        Err(origin) => refuse(
            StatusCode::FORBIDDEN,
            &format!("origin {origin} may not post feedback; add it to the server's allowed origins (--allow-origin)"),
            None,
        ),
    }
}

/// The address to rate-limit: the socket's, or behind a trusted proxy the last
/// `X-Forwarded-For` entry (earlier entries are whatever the client claimed).
pub(crate) fn client_ip(headers: &HeaderMap, socket: IpAddr, trust_proxy: bool) -> IpAddr {
    if !trust_proxy {
        return socket;
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .next_back()
        .and_then(|last| last.trim().parse().ok())
        .unwrap_or(socket)
}

pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_proxy_added_address_is_used_only_behind_a_trusted_proxy() {
        let socket: IpAddr = "10.0.0.1".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.append(
            "x-forwarded-for",
            HeaderValue::from_static("1.2.3.4, 198.51.100.7"),
        );
        assert_eq!(client_ip(&headers, socket, false), socket);
        assert_eq!(
            client_ip(&headers, socket, true),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        headers.append("x-forwarded-for", HeaderValue::from_static("203.0.113.9"));
        assert_eq!(
            client_ip(&headers, socket, true),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
        let garbage: HeaderMap = [(
            axum::http::header::HeaderName::from_static("x-forwarded-for"),
            HeaderValue::from_static("unknown"),
        )]
        .into_iter()
        .collect();
        assert_eq!(client_ip(&garbage, socket, true), socket);
    }
}

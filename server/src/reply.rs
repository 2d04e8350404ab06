//! How the API answers: refusals as JSON naming what to fix, CORS headers for store
//! pages on allowed origins and their preflights, and the server's clock. One shape for
//! every endpoint, so a merchant's integration reads every refusal the same way.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// A refusal: status and a JSON body naming the problem (and the field, if one).
pub fn refuse(status: StatusCode, error: &str, field: Option<&str>) -> Response {
    let body = match field {
        Some(field) => json!({ "error": error, "field": field }),
        None => json!({ "error": error }),
    };
    (status, Json(body)).into_response()
}

/// 403 for a page on an origin that is not allowed to use `what`.
pub fn forbidden_origin(origin: &str, what: &str) -> Response {
    refuse(
        StatusCode::FORBIDDEN,
        &format!("origin {origin} may not {what}; add it to the server's allowed origins (--allow-origin)"),
        None,
    )
}

/// CORS headers on an answer to a page on an allowed other origin (`None`: same origin
/// or no browser, nothing to add). `Retry-After` is readable, for the widget's backoff.
pub fn with_cors(mut response: Response, origin: Option<HeaderValue>) -> Response {
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

/// The answer to a CORS preflight (`OPTIONS`) for POSTs with `allow_headers`.
pub fn preflight(
    origins: &[String],
    headers: &HeaderMap,
    allow_headers: &'static str,
    what: &str,
) -> Response {
    match crate::access::allowed_origin(origins, headers) {
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
                HeaderValue::from_static(allow_headers),
            );
            h.insert(
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static("86400"),
            );
            h.insert(header::VARY, HeaderValue::from_static("Origin"));
            r
        }
        Ok(None) => StatusCode::NO_CONTENT.into_response(),
        Err(origin) => forbidden_origin(&origin, what),
    }
}

/// Milliseconds since the Unix epoch, server time.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

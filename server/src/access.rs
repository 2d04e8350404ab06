//! Who may call what: browser pages by origin (the configured store origins and the
//! server's own pages; requests without `Origin` are not browsers' and are not
//! restricted by it), and bearer tokens (reports, agents, a shopper's conversation).

use axum::http::{header, HeaderMap, HeaderValue};

/// `Ok(Some(origin))`: a browser on an allowed other origin (send CORS headers);
/// `Ok(None)`: no `Origin`, or the server's own; `Err(origin)`: not allowed.
pub fn allowed_origin(
    origins: &[String],
    headers: &HeaderMap,
) -> Result<Option<HeaderValue>, String> {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(None);
    };
    let text = origin.to_str().unwrap_or("");
    let own = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|host| {
            text.strip_prefix("http://")
                .or_else(|| text.strip_prefix("https://"))
                == Some(host)
        });
    if own {
        return Ok(None);
    }
    if origins
        .iter()
        .any(|o| o == "*" || o.eq_ignore_ascii_case(text))
    {
        return Ok(Some(origin.clone()));
    }
    Err(text.to_string())
}

/// The token of `Authorization: Bearer <token>`.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
}

/// Compares secrets without stopping at the first difference (no timing hint).
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

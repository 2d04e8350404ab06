//! Who may call what: browser pages by origin (the configured store origins and the
//! server's own pages; requests without `Origin` are not browsers' and are not
//! restricted by it), and bearer tokens (reports, agents, a shopper's conversation).

use axum::http::{header, HeaderMap, HeaderValue};
use sha2::{Digest, Sha256};

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

/// A new random secret (244 random bits as 64 hex digits): conversation tokens, agent
/// sessions.
pub fn new_secret() -> String {
    uuid::Uuid::new_v4().simple().to_string() + &uuid::Uuid::new_v4().simple().to_string()
}

/// What the database keeps of a secret: its SHA-256 in hex, so a copy of the database
/// opens no conversation and no session.
pub fn digest(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// `bytes` in lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cookie_is_found_among_others_and_in_any_header() {
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            "theme=dark; shopdesk_agent=abc".parse().unwrap(),
        );
        headers.append(header::COOKIE, "other=1".parse().unwrap());
        assert_eq!(cookie(&headers, "shopdesk_agent"), Some("abc"));
        assert_eq!(cookie(&headers, "other"), Some("1"));
        assert_eq!(cookie(&headers, "shopdesk"), None);
    }

    #[test]
    fn secrets_are_long_random_and_kept_as_digests() {
        let (a, b) = (new_secret(), new_secret());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(digest(&a).len(), 64);
        assert_ne!(digest(&a), a);
        assert!(same_secret(&digest(&a), &digest(&a)));
    }
}

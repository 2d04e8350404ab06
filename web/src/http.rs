//! Calls from the browser to shopdesk-server, through gloo-net's `fetch`, with the
//! failures every caller must tell apart: the server's refusal in its own words (and
//! when it said to come back), no answer at all, or an answer this code cannot read.

use std::fmt;

use gloo_net::http::{Request, RequestBuilder};
use serde_json::Value;

/// Why a request did not do what it should.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// The server said no. `message` is its own words (its JSON `error`), else
    /// "HTTP <status>"; `retry_after_ms` is its `Retry-After`, when it sent one.
    Http {
        status: u16,
        message: String,
        retry_after_ms: Option<f64>,
    },
    /// No answer: offline, server down, connection dropped, blocked by CORS.
    Network(String),
    /// An answer this code cannot read (a proxy's error page, a newer server).
    Unreadable(String),
}

impl Failure {
    /// A refusal without `Retry-After`.
    pub fn http(status: u16, message: impl Into<String>) -> Self {
        Failure::Http {
            status,
            message: message.into(),
            retry_after_ms: None,
        }
    }

    /// The HTTP status of a refusal.
    pub fn status(&self) -> Option<u16> {
        match self {
            Failure::Http { status, .. } => Some(*status),
            _ => None,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Http {
                status, message, ..
            } if message.starts_with("HTTP ") => {
                write!(f, "the server answered HTTP {status}")
            }
            Failure::Http {
                status, message, ..
            } => write!(f, "{message} (HTTP {status})"),
            // The browser's words ("Failed to fetch") add nothing for a person.
            Failure::Network(_) => write!(f, "cannot reach the server"),
            Failure::Unreadable(m) => write!(f, "unexpected answer from the server: {m}"),
        }
    }
}

/// A successful (2xx) answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body: String,
}

/// A request to send with [`call`].
#[derive(Debug, Clone, Copy)]
pub struct Call<'a> {
    method: Method,
    url: &'a str,
    bearer: Option<&'a str>,
    /// One more header (the agent page's CSRF token).
    header: Option<(&'a str, &'a str)>,
    json: Option<&'a str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl<'a> Call<'a> {
    pub fn get(url: &'a str) -> Self {
        Self {
            method: Method::Get,
            url,
            bearer: None,
            header: None,
            json: None,
        }
    }

    pub fn post(url: &'a str) -> Self {
        Self {
            method: Method::Post,
            ..Self::get(url)
        }
    }

    pub fn put(url: &'a str) -> Self {
        Self {
            method: Method::Put,
            ..Self::get(url)
        }
    }

    pub fn delete(url: &'a str) -> Self {
        Self {
            method: Method::Delete,
            ..Self::get(url)
        }
    }

    /// One more request header.
    pub fn header(self, name: &'a str, value: &'a str) -> Self {
        Self {
            header: Some((name, value)),
            ..self
        }
    }

    /// `Authorization: Bearer <token>`.
    pub fn bearer(self, token: &'a str) -> Self {
        Self {
            bearer: Some(token),
            ..self
        }
    }

    /// A JSON body, already serialized.
    pub fn json(self, body: &'a str) -> Self {
        Self {
            json: Some(body),
            ..self
        }
    }

    fn builder(&self) -> RequestBuilder {
        let mut builder = match self.method {
            Method::Get => Request::get(self.url),
            Method::Post => Request::post(self.url),
            Method::Put => Request::put(self.url),
            Method::Delete => Request::delete(self.url),
        };
        if let Some(token) = self.bearer {
            builder = builder.header("Authorization", &format!("Bearer {token}"));
        }
        if let Some((name, value)) = self.header {
            builder = builder.header(name, value);
        }
        if self.json.is_some() {
            builder = builder.header("Content-Type", "application/json");
        }
        builder
    }
}

/// Sends `request`; the body of a 2xx answer, else why not.
pub async fn call(request: Call<'_>) -> Result<Answer, Failure> {
    let network = |e: gloo_net::Error| Failure::Network(e.to_string());
    let builder = request.builder();
    let prepared = match request.json {
        Some(body) => builder.body(body).map_err(network)?,
        None => builder.build().map_err(network)?,
    };
    let response = prepared.send().await.map_err(network)?;
    let status = response.status();
    let retry_after = response.headers().get("Retry-After");
    let body = response.text().await.map_err(network)?;
    if (200..300).contains(&status) {
        return Ok(Answer { status, body });
    }
    Err(Failure::Http {
        status,
        message: error_message(status, &body),
        retry_after_ms: retry_after.as_deref().and_then(retry_after_ms),
    })
}

/// The body of a GET as bytes (an FAQ bundle). `revalidate`: the browser's cache checks
/// with the server first (a file that changes in place, like the FAQ manifest).
pub async fn bytes(url: &str, revalidate: bool) -> Result<Vec<u8>, Failure> {
    let network = |e: gloo_net::Error| Failure::Network(format!("{url}: {e}"));
    let mut request = Request::get(url);
    if revalidate {
        request = request.cache(web_sys::RequestCache::NoCache);
    }
    let response = request.send().await.map_err(network)?;
    if !response.ok() {
        return Err(Failure::http(
            response.status(),
            format!("{url}: HTTP {}", response.status()),
        ));
    }
    response.binary().await.map_err(network)
}

/// The message of an error answer (`{"error": "…"}`), else the bare status: the
/// server's own words say what to do, a status code alone does not.
pub fn error_message(status: u16, body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.get("error").and_then(Value::as_str).map(str::to_string))
        .filter(|e| !e.trim().is_empty())
        .unwrap_or_else(|| format!("HTTP {status}"))
}

/// `Retry-After` in milliseconds. Only the delay-seconds form: shopdesk-server sends
/// it, and a date would need the client's clock to agree with the server's.
fn retry_after_ms(header: &str) -> Option<f64> {
    let seconds: u32 = header.trim().parse().ok()?;
    Some(f64::from(seconds) * 1_000.0)
}

/// `text` for a URL's path segment or query value.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_reported_in_the_servers_words() {
        assert_eq!(
            error_message(
                409,
                r#"{"error": "the conversation has ended", "field": null}"#
            ),
            "the conversation has ended"
        );
        assert_eq!(error_message(502, "<html>Bad Gateway</html>"), "HTTP 502");
        assert_eq!(error_message(500, r#"{"error": " "}"#), "HTTP 500");
        let refused = Failure::http(409, "the conversation has ended");
        assert_eq!(refused.to_string(), "the conversation has ended (HTTP 409)");
        assert_eq!(refused.status(), Some(409));
        assert_eq!(
            Failure::Network("Failed to fetch".into()).to_string(),
            "cannot reach the server"
        );
    }

    #[test]
    fn retry_after_is_read_in_seconds() {
        assert_eq!(retry_after_ms("3"), Some(3_000.0));
        assert_eq!(retry_after_ms(" 120 "), Some(120_000.0));
        assert_eq!(retry_after_ms("Wed, 21 Oct 2026 07:28:00 GMT"), None);
        assert_eq!(retry_after_ms("-1"), None);
    }

    #[test]
    fn path_segments_and_query_values_are_encoded() {
        assert_eq!(percent_encode("a b/c?d=é"), "a%20b%2Fc%3Fd%3D%C3%A9");
        assert_eq!(percent_encode("Az09-_.~"), "Az09-_.~");
    }
}

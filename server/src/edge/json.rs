//! A JSON body of one of the wire's types, checked at the edge.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap, StatusCode};
use shopdesk_wire::agents::{AccountChange, CannedInput, Handover, NewAgent, Presence, SignIn};
use shopdesk_wire::chat::{Handoff, HistoryRequest, ReadUpTo, Resume, Say};
use shopdesk_wire::searches::SearchSession;
use shopdesk_wire::{FeedbackEvent, Invalid};

use super::ApiError;

/// What a body type promises at the edge: how it is read and checked, which content
/// types carry it, and what to say when it is too large.
pub trait Contract: Sized {
    /// Also `text/plain`: `navigator.sendBeacon` (the widget's last-chance send when a
    /// page closes) can only send that without a preflight.
    const PLAIN_TEXT_TOO: bool = false;
    /// The 413 message: the limits a sender can act on.
    const TOO_LARGE: &'static str;
    fn read(body: &[u8]) -> Result<Self, Invalid>;
}

impl Contract for FeedbackEvent {
    const PLAIN_TEXT_TOO: bool = true;
    const TOO_LARGE: &'static str =
        "the response is too large; comments are limited to 2000 characters and context to 8 KB";
    fn read(body: &[u8]) -> Result<Self, Invalid> {
        FeedbackEvent::from_json(body)
    }
}

impl Contract for SearchSession {
    const PLAIN_TEXT_TOO: bool = true;
    const TOO_LARGE: &'static str =
        "the search session is too large; send at most 50 searches of 100 characters";
    fn read(body: &[u8]) -> Result<Self, Invalid> {
        SearchSession::from_json(body)
    }
}

impl Contract for Handoff {
    const TOO_LARGE: &'static str =
        "the handoff is too large; the merchant's context is limited to 8 KB";
    fn read(body: &[u8]) -> Result<Self, Invalid> {
        Handoff::from_json(body)
    }
}

impl Contract for HistoryRequest {
    const TOO_LARGE: &'static str = "send only {\"id\": …, \"signature\": …}";
    fn read(body: &[u8]) -> Result<Self, Invalid> {
        HistoryRequest::from_json(body)
    }
}

impl Contract for Resume {
    const TOO_LARGE: &'static str =
        "the link is too long; send {\"link\": \"<the link from the email>\"}";
    fn read(body: &[u8]) -> Result<Self, Invalid> {
        Resume::from_json(body)
    }
}

impl Contract for Say {
    const TOO_LARGE: &'static str =
        "the request is too large; messages are limited to 4000 characters";
    fn read(body: &[u8]) -> Result<Self, Invalid> {
        Say::from_json(body)
    }
}

impl Contract for SignIn {
    const TOO_LARGE: &'static str = "the sign-in is too large; passwords are limited to 1024 bytes";
    fn read(body: &[u8]) -> Result<Self, Invalid> {
        SignIn::from_json(body)
    }
}

impl Contract for Handover {
    const TOO_LARGE: &'static str =
        "the hand-over is too large; send {\"to\": \"<agent id>\"} or {\"to\": null}";
    fn read(body: &[u8]) -> Result<Self, Invalid> {
        Handover::from_json(body)
    }
}

impl Contract for ReadUpTo {
    const TOO_LARGE: &'static str = "the read mark is too large; send {\"seq\": <event number>}";
    fn read(body: &[u8]) -> Result<Self, Invalid> {
        ReadUpTo::from_json(body)
    }
}

impl Contract for CannedInput {
    const TOO_LARGE: &'static str =
        "the canned reply is too large; replies are limited to 4000 characters";
    fn read(body: &[u8]) -> Result<Self, Invalid> {
        CannedInput::from_json(body)
    }
}

impl Contract for NewAgent {
    const TOO_LARGE: &'static str =
        "the new agent is too large; passwords are limited to 1024 bytes";
    fn read(body: &[u8]) -> Result<Self, Invalid> {
        NewAgent::from_json(body)
    }
}

impl Contract for AccountChange {
    const TOO_LARGE: &'static str = "the change is too large; passwords are limited to 1024 bytes";
    fn read(body: &[u8]) -> Result<Self, Invalid> {
        AccountChange::from_json(body)
    }
}

impl Contract for Presence {
    const TOO_LARGE: &'static str = "the presence is too large; send {\"away\": true} or false";
    fn read(body: &[u8]) -> Result<Self, Invalid> {
        Presence::from_json(body)
    }
}

/// The body, read and checked; refusals: 415 (not JSON), 413 (too large), 400 (naming
/// the field).
#[derive(Debug)]
pub struct Checked<T>(pub T);

impl<S: Send + Sync, T: Contract> FromRequest<S> for Checked<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        if !content_type_fits(request.headers(), T::PLAIN_TEXT_TOO) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "send JSON (Content-Type: application/json)",
            ));
        }
        let body = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, T::TOO_LARGE)
                } else if timed_out(&rejection) {
                    ApiError::new(
                        StatusCode::REQUEST_TIMEOUT,
                        "the request body stopped arriving; send it again",
                    )
                } else {
                    ApiError::new(rejection.status(), rejection.body_text())
                }
            })?;
        Ok(Checked(T::read(&body)?))
    }
}

/// Whether reading the body failed because it stopped arriving (tower-http's body
/// timeout, see `crate::app`).
fn timed_out(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(e) = cause {
        if e.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        cause = e.source();
    }
    false
}

fn content_type_fits(headers: &HeaderMap, plain_text_too: bool) -> bool {
    let Some(kind) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|t| {
            t.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
    else {
        return false;
    };
    kind == "application/json" || (plain_text_too && kind == "text/plain")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_for_beacons_plain_text() {
        let with = |t: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::CONTENT_TYPE, t.parse().unwrap());
            h
        };
        assert!(content_type_fits(
            &with("application/json; charset=utf-8"),
            false
        ));
        assert!(content_type_fits(&with("Application/JSON"), false));
        assert!(!content_type_fits(&with("text/plain"), false));
        assert!(content_type_fits(&with("text/plain;charset=UTF-8"), true));
        assert!(!content_type_fits(
            &with("application/x-www-form-urlencoded"),
            true
        ));
        assert!(!content_type_fits(&HeaderMap::new(), true));
    }
}

//! One error type for every refusal the API makes.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use shopdesk_wire::Invalid;

/// A refusal: the status, a message that says what to do, the field at fault (if
/// one), and when to come back (if there is a time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    pub field: Option<String>,
    /// Seconds, sent as `Retry-After`.
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            field: None,
            retry_after: None,
        }
    }

    /// The field of the request at fault.
    pub fn field(self, field: impl Into<String>) -> Self {
        Self {
            field: Some(field.into()),
            ..self
        }
    }

    pub fn retry_after(self, seconds: u64) -> Self {
        Self {
            retry_after: Some(seconds),
            ..self
        }
    }

    /// 403 for a page on an origin that is not on the allow-list.
    pub fn forbidden_origin(origin: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            format!(
                "origin {origin} may not call this server's store endpoints; add it to the \
                 server's allowed origins (--allow-origin)"
            ),
        )
    }

    /// 503 for a failure of ours the client can do nothing about but retry; the cause
    /// goes to the server log, not to the client.
    pub fn unavailable(what: &str, cause: impl std::fmt::Display) -> Self {
        tracing::error!("{what}: {cause}");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("{what} right now; retry later"),
        )
    }
}

/// A body that broke its wire contract: 400, naming the field.
impl From<Invalid> for ApiError {
    fn from(invalid: Invalid) -> Self {
        let field = invalid.field.clone();
        Self::new(StatusCode::BAD_REQUEST, invalid.to_string()).field(field)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = match &self.field {
            Some(field) => json!({ "error": self.message, "field": field }),
            None => json!({ "error": self.message }),
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn refusals_are_json_naming_the_field_and_when_to_retry() {
        let r = ApiError::new(StatusCode::TOO_MANY_REQUESTS, "slow down")
            .retry_after(3)
            .into_response();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.headers()[header::RETRY_AFTER], "3");
        let r = ApiError::from(Invalid {
            field: "score".into(),
            problem: "must be 1 to 5".into(),
        })
        .into_response();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let body = axum::body::to_bytes(r.into_body(), 1024).await.unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["field"], "score");
        assert!(v["error"].as_str().unwrap().contains("must be 1 to 5"));
    }
}

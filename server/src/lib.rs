//! The Shopdesk server: receives feedback responses (`feedback/`), serves the reports
//! built from them, relays live chat between shoppers and agents (`chat/`), and serves a static site (the demo store, the widget modules and
//! the FAQ index) with the caching rules the widget relies on: content-hashed index
//! bundles are immutable, everything else is revalidated.

pub mod access;
pub mod agents;
pub mod assets;
pub mod chat;
pub mod config;
pub mod db;
pub mod edge;
pub mod feedback;
pub mod limit;
pub mod mail;
pub mod ops;
pub mod privacy;
pub mod searches;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{from_fn, from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};

use agents::throttle;
use edge::{shopfront, Shopfront};

/// The machine-readable description of the API, served at `/v1/openapi.json`.
pub const OPENAPI: &str = include_str!("openapi.json");

/// What the server serves.
#[derive(Debug, Clone)]
pub struct Config {
    /// Folder with the assembled site (see `scripts/build-demo.sh`).
    pub root: PathBuf,
    /// A `Content-Security-Policy` for every response, to run the demo store as a
    /// strict merchant would.
    pub content_security_policy: Option<HeaderValue>,
    /// Largest feedback request body, in bytes.
    pub body_limit: usize,
}

/// The application, ready to be served on any listener (with connection info, for
/// per-client rate limits): see [`serve`]. Every route store pages call passes the
/// `shopfront` guard (origins, CORS, one rate-limit budget per client); every request
/// is counted in `metrics` (served apart, by [`ops::metrics`]).
pub fn app(
    config: &Config,
    shopfront: Arc<Shopfront>,
    feedback: feedback::Shared,
    searches: searches::Shared,
    chat: chat::Shared,
    metrics: Arc<ops::Metrics>,
) -> Router {
    let store_routes = Router::new()
        .route("/v1/feedback", post(feedback::submit))
        .with_state(feedback.clone())
        .merge(
            Router::new()
                .route("/v1/searches", post(searches::submit))
                .with_state(searches.clone()),
        )
        .layer(DefaultBodyLimit::max(config.body_limit))
        .merge(chat::shopper_routes(chat.clone(), config.body_limit))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            CALL_TIMEOUT,
        ))
        .layer(from_fn_with_state(shopfront.clone(), shopfront::guard));
    let streams = chat::shopper_streams(chat.clone())
        .layer(from_fn_with_state(shopfront, shopfront::guard))
        .merge(chat::agent_streams(chat.clone()).layer(from_fn_with_state(
            chat.staff.clone(),
            throttle::guard_tokens,
        )));
    let probes = ops::probes(feedback.store.db().clone(), chat.store.clone());
    let calls = Router::new()
        .route("/v1/reports/feedback", get(feedback::report::serve))
        .route("/v1/admin/forget", post(privacy::erase::serve))
        .with_state(feedback)
        .route("/v1/reports/searches", get(searches::report::serve))
        .route(
            "/v1/reports/searches/chart/{name}",
            get(searches::report::serve_chart),
        )
        .with_state(searches)
        .route(
            "/v1/openapi.json",
            get(|| async { ([(header::CONTENT_TYPE, "application/json")], OPENAPI) }),
        )
        .merge(agents::routes(chat.staff.clone(), config.body_limit))
        .merge(chat::agent_routes(chat.clone(), config.body_limit))
        .layer(from_fn_with_state(
            chat.staff.clone(),
            throttle::guard_tokens,
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            CALL_TIMEOUT,
        ));
    let router = Router::new()
        .merge(calls)
        .merge(store_routes)
        .merge(streams)
        .merge(probes)
        .route_layer(from_fn_with_state(metrics.clone(), ops::metrics::track))
        .merge(assets::router(&config.root).layer(from_fn_with_state(metrics, ops::metrics::track)))
        .layer(from_fn(json_refusals))
        // A body that stops arriving is cut off, whichever route reads it.
        .layer(RequestBodyTimeoutLayer::new(BODY_IDLE_TIMEOUT));
    let router = router
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(from_fn(referrer_policy));
    // The agent page has a stricter policy of its own (`assets::agent_page_policy`).
    match &config.content_security_policy {
        Some(policy) => router.layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            policy.clone(),
        )),
        None => router,
    }
}

/// Longest a call (anything but an event stream) may take, body included.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest pause while a request body arrives.
const BODY_IDLE_TIMEOUT: Duration = Duration::from_secs(10);

/// Refusals made below the handlers in JSON like every other: tower-http's timeouts
/// answer with an empty 408, and axum's own extractors (a query string or a path it
/// cannot read) with plain text. Only the API's (`/v1/…`): static files keep theirs.
async fn json_refusals(request: axum::extract::Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/v1/");
    let response = next.run(request).await;
    let status = response.status();
    if !api || !status.is_client_error() {
        return response;
    }
    let kind = response.headers().get(header::CONTENT_TYPE).cloned();
    if status == StatusCode::REQUEST_TIMEOUT && kind.is_none() {
        return edge::ApiError::new(
            status,
            "the request took too long (a slow connection or a busy server); send it again",
        )
        .into_response();
    }
    if !kind.is_some_and(|k| k.as_bytes().starts_with(b"text/plain")) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
    let said = String::from_utf8_lossy(&text);
    // "Failed to deserialize query string: limit: invalid digit found in string"
    let field = said
        .strip_prefix("Failed to deserialize query string: ")
        .and_then(|rest| rest.split_once(':'))
        .map(|(field, _)| field.trim().to_string())
        .filter(|f| !f.is_empty() && !f.contains(' '));
    let message = format!("{}; check the address and its parameters", said.trim());
    let mut refusal = edge::ApiError::new(parts.status, message);
    if let Some(field) = field {
        refusal = refusal.field(field);
    }
    let mut response = refusal.into_response();
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            response.headers_mut().insert(name.clone(), value.clone());
        }
    }
    response
}

/// A `Referrer-Policy` on pages (the agent page sets a stricter one): it governs what
/// a document's links and requests tell other sites, and means nothing on a script,
/// a `.wasm` or JSON, where it would only add bytes to every download of the widget.
async fn referrer_policy(request: axum::extract::Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes().starts_with(b"text/html"));
    if html && !response.headers().contains_key(header::REFERRER_POLICY) {
        response.headers_mut().insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        );
    }
    response
}

/// Milliseconds since the Unix epoch, server time.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Serves `app` on `listener` until `shutdown` resolves, with the default
/// [`edge::connections::Limits`].
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    edge::connections::serve(listener, app, Default::default(), shutdown).await
}

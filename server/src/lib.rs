//! The Shopdesk server: receives feedback responses (`feedback/`), serves the reports
//! built from them, relays live chat between shoppers and agents (`chat/`), and serves a static site (the demo store, the widget modules and
//! the FAQ index) with the caching rules the widget relies on: content-hashed index
//! bundles are immutable, everything else is revalidated.

pub mod access;
pub mod assets;
pub mod chat;
pub mod config;
pub mod db;
pub mod feedback;
pub mod limit;
pub mod reply;

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue};
use axum::routing::{get, post};
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;

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
/// per-client rate limits): see [`serve`].
pub fn app(config: &Config, feedback: feedback::Shared, chat: chat::Shared) -> Router {
    let api = Router::new()
        .route(
            "/v1/feedback",
            post(feedback::submit).options(feedback::preflight),
        )
        .layer(DefaultBodyLimit::max(config.body_limit))
        .route("/v1/reports/feedback", get(feedback::report::serve))
        .route(
            "/v1/openapi.json",
            get(|| async { ([(header::CONTENT_TYPE, "application/json")], OPENAPI) }),
        )
        .with_state(feedback);
    let router = api
        .merge(chat::router(chat, config.body_limit))
        .merge(assets::router(&config.root));
    match &config.content_security_policy {
        Some(policy) => router.layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            policy.clone(),
        )),
        None => router,
    }
}

/// Serves `app` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

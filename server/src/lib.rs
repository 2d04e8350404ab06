//! The Shopdesk server. For now it serves a static site (the demo store, the widget
//! modules and the FAQ index) with the caching rules the widget relies on:
//! content-hashed index bundles are immutable, everything else is revalidated.

pub mod assets;

use std::path::PathBuf;

use axum::http::{header, HeaderValue};
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;

/// What the server serves.
#[derive(Debug, Clone)]
pub struct Config {
    /// Folder with the assembled site (see `scripts/build-demo.sh`).
    pub root: PathBuf,
    /// A `Content-Security-Policy` for every response, to run the demo store as a
    /// strict merchant would.
    pub content_security_policy: Option<HeaderValue>,
}

/// The application, ready to be served on any listener.
pub fn app(config: &Config) -> Router {
    let router = assets::router(&config.root);
    match &config.content_security_policy {
        Some(policy) => router.layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            policy.clone(),
        )),
        None => router,
    }
}

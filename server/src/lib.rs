//! The Shopdesk server. For now it serves a static site (the demo store, the widget
//! modules and the FAQ index) with the caching rules the widget relies on:
//! content-hashed index bundles are immutable, everything else is revalidated.

pub mod assets;

use axum::Router;
use std::path::PathBuf;

/// What the server serves.
#[derive(Debug, Clone)]
pub struct Config {
    /// Folder with the assembled site (see `scripts/build-demo.sh`).
    pub root: PathBuf,
}

/// The application, ready to be served on any listener.
pub fn app(config: &Config) -> Router {
    assets::router(&config.root)
}

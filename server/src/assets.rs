//! Static files with compression and cache headers.

use std::path::Path;

use axum::http::{header, HeaderValue, Request};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;

/// Index bundles are named `faq-<locale>-<16 hex digits>.bin`: a changed index always
/// gets a new name, so these can be cached forever.
fn is_content_hashed(path: &str) -> bool {
    let Some(name) = path.rsplit('/').next() else {
        return false;
    };
    let Some(stem) = name
        .strip_prefix("faq-")
        .and_then(|n| n.strip_suffix(".bin"))
    else {
        return false;
    };
    let Some((_, hash)) = stem.rsplit_once('-') else {
        return false;
    };
    hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit())
}

async fn cache_headers(request: Request<axum::body::Body>, next: Next) -> Response {
    let immutable = is_content_hashed(request.uri().path());
    let mut response = next.run(request).await;
    if response.status().is_success() {
        let value = if immutable {
            "public, max-age=31536000, immutable"
        } else {
            // Manifest, loader and modules keep stable names: revalidate (cheap with ETag /
            // Last-Modified) so a new release is picked up at once.
            "no-cache"
        };
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    response
}

pub fn router(root: &Path) -> Router {
    Router::new()
        .fallback_service(ServeDir::new(root).append_index_html_on_directories(true))
        .layer(middleware::from_fn(cache_headers))
        .layer(CompressionLayer::new())
}

#[cfg(test)]
mod tests {
    use super::is_content_hashed;

    #[test]
    fn only_hashed_bundles_are_immutable() {
        assert!(is_content_hashed("/faq/faq-en-0123456789abcdef.bin"));
        assert!(!is_content_hashed("/faq/faq-manifest.json"));
        assert!(!is_content_hashed("/faq/faq-en-0123.bin"));
        assert!(!is_content_hashed("/shopdesk.js"));
    }
}

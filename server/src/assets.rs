//! Static files with compression, cache and cross-origin headers.
//!
//! - Encodings: a `FILE.br` or `FILE.gz` written at build time (`precompress`, brotli
//!   quality 11) is sent as it is when the client accepts it; anything else is compressed
//!   per request, at the lower quality that allows.
//! - Cross-origin: the widget is often served from another host than the store (a CDN,
//!   or this server beside a hosted shop). Its module scripts, WebAssembly and FAQ
//!   bundles are fetched in CORS mode, so every static file says
//!   `Access-Control-Allow-Origin: *` (they are public, and requests carry no
//!   credentials); `Timing-Allow-Origin: *` lets the store's own performance tooling see
//!   their real sizes. The API keeps its allow-list of store origins.
//! - `Vary: Accept-Encoding` on every file: the same URL is sent brotli, gzip or plain,
//!   and a cache between here and the shopper (a CDN, a proxy) must keep them apart.

use std::path::Path;

use axum::http::{header, HeaderName, HeaderValue, Request};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

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
    let files = ServeDir::new(root)
        .append_index_html_on_directories(true)
        .precompressed_br()
        .precompressed_gzip();
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn(cache_headers))
        // Skips responses that already carry a Content-Encoding (the precompressed ones).
        .layer(CompressionLayer::new())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::VARY,
            HeaderValue::from_static("accept-encoding"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("timing-allow-origin"),
            HeaderValue::from_static("*"),
        ))
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

//! Static files with compression, cache, cross-origin and security headers.
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
//! - Confinement (`confine`): only what lies inside the served folder is served. A
//!   path with a component starting with `.` (`.git`, `.env`, `..` however encoded) is
//!   404, and so is a symlink whose target is outside the folder — the way a database
//!   or mail folder linked into the site would otherwise be downloadable.
//! - The agent page (`/agent/`) gets a strict Content-Security-Policy of its own
//!   (`agent_page_policy`), may not be framed, and sends no referrer.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderName, HeaderValue, Request, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use base64::Engine as _;
use sha2::{Digest, Sha256};
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

/// The served folder, as the file system names it once symlinks are resolved.
#[derive(Debug, Clone)]
struct Root {
    given: PathBuf,
    real: PathBuf,
}

/// The relative path a URL path names, or `None` when it must not be served: a
/// component starting with `.` (dotfiles, `..`), a backslash or NUL, or bytes that are
/// not UTF-8 once percent-decoded.
fn served_path(url_path: &str) -> Option<PathBuf> {
    let decoded = percent_encoding::percent_decode_str(url_path)
        .decode_utf8()
        .ok()?;
    let mut path = PathBuf::new();
    for part in decoded.split('/').filter(|p| !p.is_empty()) {
        if part.starts_with('.') || part.contains(['\\', '\0']) {
            return None;
        }
        path.push(part);
    }
    // `push` of an absolute or prefixed part would replace the path.
    path.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then_some(path)
}

/// Whether any file the request could be answered with — the path, its directory's
/// `index.html`, their `.br`/`.gz` siblings — resolves outside the served folder.
fn leaves_root(root: &Root, relative: &Path) -> bool {
    let path = root.given.join(relative);
    let index = path.join("index.html");
    [path, index].iter().any(|p| {
        let mut candidates = vec![p.clone()];
        for ext in ["br", "gz"] {
            let mut sibling = p.clone().into_os_string();
            sibling.push(".");
            sibling.push(ext);
            candidates.push(sibling.into());
        }
        candidates.iter().any(|c| match c.canonicalize() {
            Ok(real) => !real.starts_with(&root.real),
            // Missing is ServeDir's 404; a dangling or looping link is refused here
            // rather than answered with ServeDir's 500.
            Err(_) => c.symlink_metadata().is_ok(),
        })
    })
}

async fn confine(
    State(root): State<Arc<Root>>,
    request: Request<axum::body::Body>,
    next: Next,
) -> Response {
    let Some(relative) = served_path(request.uri().path()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let outside = tokio::task::spawn_blocking(move || leaves_root(&root, &relative))
        .await
        .unwrap_or(true);
    if outside {
        return StatusCode::NOT_FOUND.into_response();
    }
    next.run(request).await
}

/// The agent page's policy: its own scripts, styles and WebAssembly, its inline
/// bootstrap script by hash (Trunk writes one), calls to this server only, and no
/// framing. `html` is the page, read when it is served so a rebuilt page is covered.
pub fn agent_page_policy(html: &str) -> String {
    let mut hashes = String::new();
    let mut rest = html;
    while let Some(open) = rest.find("<script") {
        let after_tag = &rest[open..];
        let Some(body_start) = after_tag.find('>') else {
            break;
        };
        let body = &after_tag[body_start + 1..];
        let Some(end) = body.find("</script>") else {
            break;
        };
        let tag = &after_tag[..body_start];
        if !tag.contains(" src=") && !body[..end].trim().is_empty() {
            let digest = Sha256::digest(&body.as_bytes()[..end]);
            let encoded = base64::engine::general_purpose::STANDARD.encode(digest);
            hashes.push_str(&format!(" 'sha256-{encoded}'"));
        }
        rest = &body[end..];
    }
    format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'{hashes}; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; \
         object-src 'none'"
    )
}

/// Headers only the agent page gets (see [`agent_page_policy`]).
async fn agent_page_headers(
    State(root): State<Arc<Root>>,
    request: Request<axum::body::Body>,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let page = path == "/agent" || path.starts_with("/agent/");
    let mut response = next.run(request).await;
    if !page {
        return response;
    }
    let h = response.headers_mut();
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    let html = tokio::fs::read_to_string(root.given.join("agent/index.html"))
        .await
        .unwrap_or_default();
    if let Ok(policy) = HeaderValue::from_str(&agent_page_policy(&html)) {
        h.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    response
}

/// The static site under `root`.
pub fn router(root: &Path) -> Router {
    let root = Arc::new(Root {
        given: root.to_path_buf(),
        // A root that does not exist serves nothing, and nothing can leave it.
        real: root.canonicalize().unwrap_or_else(|_| root.to_path_buf()),
    });
    let files = ServeDir::new(&root.given)
        .append_index_html_on_directories(true)
        .precompressed_br()
        .precompressed_gzip();
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn(cache_headers))
        .layer(middleware::from_fn_with_state(root.clone(), confine))
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
        .layer(middleware::from_fn_with_state(root, agent_page_headers))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hashed_bundles_are_immutable() {
        assert!(is_content_hashed("/faq/faq-en-0123456789abcdef.bin"));
        assert!(!is_content_hashed("/faq/faq-manifest.json"));
        assert!(!is_content_hashed("/faq/faq-en-0123.bin"));
        assert!(!is_content_hashed("/shopdesk.js"));
    }

    #[test]
    fn dotfiles_and_parents_are_never_served_however_encoded() {
        assert_eq!(
            served_path("/faq/faq-en.bin"),
            Some(PathBuf::from("faq/faq-en.bin"))
        );
        assert_eq!(served_path("/"), Some(PathBuf::new()));
        for bad in [
            "/.env",
            "/.git/config",
            "/faq/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2e%2fetc/passwd",
            "/a/%2e/b",
            "/.well-known/x",
            "/a%5c..%5cb",
            "/a%00b",
            "/%ff",
        ] {
            assert_eq!(served_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_agent_policy_names_the_inline_script_by_hash() {
        let html = "<head><script type=\"module\">boot()</script>\
                    <script src=\"/x.js\"></script></head>";
        let policy = agent_page_policy(html);
        let expected = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(b"boot()"));
        assert!(policy.contains(&format!("'sha256-{expected}'")), "{policy}");
        assert_eq!(policy.matches("sha256-").count(), 1, "{policy}");
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
        assert!(!policy.contains("unsafe-inline"), "{policy}");
    }
}

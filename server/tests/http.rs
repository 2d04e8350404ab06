//! The server over a real listener on 127.0.0.1:0.

mod common;

use std::fs;

use common::{Backend, TestDb, Tokens};
use shopdesk_server::Config;

fn serve(root: std::path::PathBuf) -> String {
    serve_with(Config {
        root,
        content_security_policy: None,
        body_limit: 16 * 1024,
    })
}

/// Static serving does not depend on the database: SQLite only.
fn serve_with(config: Config) -> String {
    let db = TestDb::new(Backend::Sqlite);
    let base = common::listen(
        config,
        common::shopfront(&[], None),
        &db.location,
        Tokens::default(),
    );
    // The database folder outlives the test's server thread.
    std::mem::forget(db);
    base
}

#[test]
fn serves_site_with_cache_rules_and_compression() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("index.html"),
        "<!doctype html><title>store</title>",
    )
    .unwrap();
    fs::create_dir(dir.path().join("faq")).unwrap();
    fs::write(dir.path().join("faq/faq-manifest.json"), "{\"format\":1}").unwrap();
    fs::write(
        dir.path().join("faq/faq-en-0123456789abcdef.bin"),
        "x".repeat(4096),
    )
    .unwrap();
    let base = serve(dir.path().to_path_buf());

    let page = ureq::get(&format!("{base}/")).call().unwrap();
    assert_eq!(page.header("cache-control"), Some("no-cache"));
    assert!(page.into_string().unwrap().contains("store"));

    let manifest = ureq::get(&format!("{base}/faq/faq-manifest.json"))
        .call()
        .unwrap();
    assert_eq!(manifest.header("cache-control"), Some("no-cache"));

    let bundle = ureq::get(&format!("{base}/faq/faq-en-0123456789abcdef.bin"))
        .set("Accept-Encoding", "br")
        .call()
        .unwrap();
    assert_eq!(
        bundle.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(bundle.header("content-encoding"), Some("br"));

    let missing = ureq::get(&format!("{base}/nope.js")).call();
    assert!(matches!(missing, Err(ureq::Error::Status(404, _))));
}

/// The body of a response, bytes as sent (ureq is built without decoders here).
fn raw_body(response: ureq::Response) -> Vec<u8> {
    let mut body = Vec::new();
    std::io::Read::read_to_end(&mut response.into_reader(), &mut body).unwrap();
    body
}

#[test]
fn sends_precompressed_siblings_to_clients_that_accept_them() {
    use precompress::Encoding;
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("shopdesk-widget.js");
    let text = "export function mount() {}\n".repeat(100);
    fs::write(&module, &text).unwrap();
    precompress::beside(&module).unwrap();
    fs::write(dir.path().join("plain.js"), &text).unwrap();
    let base = serve(dir.path().to_path_buf());
    let get = |path: &str, accept: &str| {
        ureq::get(&format!("{base}{path}"))
            .set("Accept-Encoding", accept)
            .call()
            .unwrap()
    };

    for (accept, encoding) in [
        ("gzip, deflate, br", Encoding::Brotli),
        ("gzip", Encoding::Gzip),
    ] {
        let response = get("/shopdesk-widget.js", accept);
        assert_eq!(
            response.header("content-encoding"),
            Some(encoding.content_coding())
        );
        assert_eq!(response.header("content-type"), Some("text/javascript"));
        assert_eq!(response.header("cache-control"), Some("no-cache"));
        // Caches between here and the shopper must keep one copy per encoding.
        assert_eq!(response.header("vary"), Some("accept-encoding"));
        let sibling = fs::read(encoding.sibling(&module)).unwrap();
        assert!(
            raw_body(response) == sibling,
            "{accept}: not the file written at build time"
        );
    }
    let identity = get("/shopdesk-widget.js", "identity");
    assert_eq!(identity.header("content-encoding"), None);
    assert_eq!(identity.header("vary"), Some("accept-encoding"));
    assert_eq!(raw_body(identity), text.as_bytes());
    // Without a sibling: compressed per request, as before.
    let plain = get("/plain.js", "br");
    assert_eq!(plain.header("content-encoding"), Some("br"));
}

#[test]
fn static_files_may_be_loaded_from_any_origin_but_the_api_may_not() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("shopdesk.js"), "// loader").unwrap();
    let base = serve(dir.path().to_path_buf());
    let asset = ureq::get(&format!("{base}/shopdesk.js"))
        .set("Origin", "https://shop.example")
        .call()
        .unwrap();
    assert_eq!(asset.header("access-control-allow-origin"), Some("*"));
    assert_eq!(asset.header("timing-allow-origin"), Some("*"));
    let missing = ureq::get(&format!("{base}/nope.js")).call();
    assert!(matches!(missing, Err(ureq::Error::Status(404, _))));

    let preflight = ureq::request("OPTIONS", &format!("{base}/v1/feedback"))
        .set("Origin", "https://shop.example")
        .set("Access-Control-Request-Method", "POST")
        .call();
    let allowed = match preflight {
        Ok(r) => r.header("access-control-allow-origin").map(str::to_string),
        Err(ureq::Error::Status(_, r)) => {
            r.header("access-control-allow-origin").map(str::to_string)
        }
        Err(e) => panic!("{e}"),
    };
    assert_ne!(
        allowed.as_deref(),
        Some("*"),
        "the API keeps its origin allow-list"
    );
    assert_ne!(allowed.as_deref(), Some("https://shop.example"));
}

#[test]
fn sends_the_configured_content_security_policy() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("index.html"),
        "<!doctype html><title>store</title>",
    )
    .unwrap();
    let policy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'";
    let base = serve_with(Config {
        body_limit: 16 * 1024,
        root: dir.path().to_path_buf(),
        content_security_policy: Some(policy.parse().unwrap()),
    });
    let page = ureq::get(&format!("{base}/")).call().unwrap();
    assert_eq!(page.header("content-security-policy"), Some(policy));
    let plain = serve(dir.path().to_path_buf());
    let page = ureq::get(&format!("{plain}/")).call().unwrap();
    assert_eq!(page.header("content-security-policy"), None);
}

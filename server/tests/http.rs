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

/// Sends `GET path` exactly as written (HTTP clients normalise `..` away), and returns
/// the status and the response head.
fn raw_get(base: &str, path: &str, extra: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let addr = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{extra}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let text = String::from_utf8_lossy(&answer).to_string();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let head = text.split("\r\n\r\n").next().unwrap_or("").to_lowercase();
    (status, head)
}

#[test]
fn static_files_stay_inside_the_served_folder() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    fs::create_dir_all(site.join(".git")).unwrap();
    fs::write(site.join("index.html"), "<title>store</title>").unwrap();
    fs::write(site.join("app.js"), "let app;").unwrap();
    fs::write(site.join(".env"), "SECRET=1").unwrap();
    fs::write(site.join(".git/config"), "[core]").unwrap();
    fs::write(dir.path().join("secret.txt"), "shoppers' emails").unwrap();
    fs::create_dir(dir.path().join("private")).unwrap();
    fs::write(dir.path().join("private/shopdesk.db"), "SQLite format 3").unwrap();
    symlink(dir.path().join("secret.txt"), site.join("link.txt")).unwrap();
    symlink(dir.path().join("private"), site.join("data")).unwrap();
    symlink(dir.path().join("secret.txt"), site.join("app.js.br")).unwrap();
    symlink(site.join("index.html"), site.join("home.html")).unwrap();
    symlink(site.join("loop"), site.join("loop")).unwrap();
    let base = serve(site);

    assert_eq!(raw_get(&base, "/", "").0, 200);
    assert_eq!(
        raw_get(&base, "/home.html", "").0,
        200,
        "links inside are fine"
    );
    for path in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/./../secret.txt",
        "/.env",
        "/.git/config",
        "/%2egit/config",
        "/link.txt",
        "/data/shopdesk.db",
        "/loop",
    ] {
        let (status, _) = raw_get(&base, path, "");
        assert!(status == 404 || status == 400, "{path} answered {status}");
    }
    // A precompressed sibling linked out of the folder is refused too.
    let (status, _) = raw_get(&base, "/app.js", "Accept-Encoding: br\r\n");
    assert_eq!(status, 404);
}

#[test]
fn every_response_carries_security_headers_and_the_agent_page_a_strict_policy() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("agent")).unwrap();
    fs::write(dir.path().join("index.html"), "<title>store</title>").unwrap();
    let boot = "import init from '/agent/a.js'; await init();";
    fs::write(
        dir.path().join("agent/index.html"),
        format!("<head><script type=\"module\">{boot}</script></head>"),
    )
    .unwrap();
    let merchant = "default-src 'self'";
    let base = serve_with(Config {
        body_limit: 16 * 1024,
        root: dir.path().to_path_buf(),
        content_security_policy: Some(merchant.parse().unwrap()),
    });
    for path in [
        "/",
        "/nope.js",
        "/v1/openapi.json",
        "/agent/",
        "/v1/agent/conversations",
    ] {
        let (_, head) = raw_get(&base, path, "");
        assert!(
            head.contains("x-content-type-options: nosniff"),
            "{path}: {head}"
        );
    }
    // Pages say what their links tell other sites; scripts and JSON carry no such bytes.
    let (_, page) = raw_get(&base, "/", "");
    assert!(
        page.contains("referrer-policy: strict-origin-when-cross-origin"),
        "{page}"
    );
    let (_, api) = raw_get(&base, "/v1/openapi.json", "");
    assert!(!api.contains("referrer-policy"), "{api}");
    let (_, store) = raw_get(&base, "/", "");
    assert!(
        store.contains(&format!("content-security-policy: {merchant}")),
        "{store}"
    );
    assert!(
        !store.contains("x-frame-options"),
        "store pages may be framed: {store}"
    );

    let (status, agent) = raw_get(&base, "/agent/", "");
    assert_eq!(status, 200);
    use base64::Engine as _;
    use sha2::Digest as _;
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(boot));
    let policy = agent
        .lines()
        .find_map(|l| l.strip_prefix("content-security-policy: "))
        .unwrap();
    assert!(
        policy.contains(&format!("'sha256-{}'", hash.to_lowercase())),
        "{policy}"
    );
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(policy.contains("default-src 'none'"), "{policy}");
    assert!(agent.contains("x-frame-options: deny"), "{agent}");
    assert!(agent.contains("referrer-policy: no-referrer"), "{agent}");
}

//! The server over a real listener on 127.0.0.1:0.

mod common;

use std::fs;

use shopdesk_server::feedback::store::Store;
use shopdesk_server::feedback::Feedback;
use shopdesk_server::Config;

fn serve(root: std::path::PathBuf) -> String {
    serve_with(Config {
        root,
        content_security_policy: None,
        body_limit: 16 * 1024,
    })
}

fn serve_with(config: Config) -> String {
    let db = tempfile::tempdir().unwrap().keep().join("feedback.db");
    let feedback = Feedback {
        store: Store::open(&db).unwrap(),
        origins: Vec::new(),
        limiter: None,
        admin_token: None,
        trust_proxy: false,
    };
    let chat = common::chat_off(&feedback);
    common::listen(config, feedback, chat)
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

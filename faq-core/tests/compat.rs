//! Bundles already published must keep working: a bundle written by an earlier release
//! (checked in under `tests/compat/`) is opened and searched by today's engine. When the
//! format changes on purpose, bump `bundle::FORMAT` and add a new file here.

use faq_core::{Engine, Locale};

#[test]
fn format_1_bundle_still_opens_and_ranks() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/compat/format-1-en.bin");
    let bytes = std::fs::read(path).unwrap();
    let engine = Engine::open(&bytes).unwrap();
    assert_eq!(engine.locale(), Locale::En);
    assert_eq!(engine.article_count(), 6);
    let hits = engine.search("retrun polcy", 3).unwrap();
    assert_eq!(hits[0].id, "return-policy");
    let article = engine.article("return-policy").unwrap().unwrap();
    assert!(article.html.contains("30 days") && !article.html.contains("<script"));
}

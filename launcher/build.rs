//! Minifies the widget stylesheet for the page-load module: comments and layout
//! whitespace are bytes every store page would download for nothing.

use std::path::Path;

fn main() {
    let source = "src/style.css";
    println!("cargo:rerun-if-changed={source}");
    let css = std::fs::read_to_string(source).expect("launcher/src/style.css is readable");
    let out =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("style.min.css");
    std::fs::write(out, minify(&css)).expect("OUT_DIR is writable");
}

/// Drops comments and collapses white space; keeps a space only where two words
/// would otherwise run together (`0 auto`, `a b`).
fn minify(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    let mut pending_space = false;
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("/*") {
            rest = rest.find("*/").map_or("", |end| &rest[end + 2..]);
            pending_space = true;
            continue;
        }
        rest = &rest[c.len_utf8()..];
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space {
            // A space before `:` can be a descendant combinator (`.a :focus`): kept.
            let prev = out.chars().last();
            let glue_after = |ch: char| "{}:;,>".contains(ch);
            let glue_before = |ch: char| "{};,>".contains(ch);
            if prev.is_some_and(|p| !glue_after(p)) && !glue_before(c) {
                out.push(' ');
            }
            pending_space = false;
        }
        out.push(c);
    }
    out
}

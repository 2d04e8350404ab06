//! Markdown answers to safe HTML (for display) and plain text (for ranking).
//!
//! Sanitizing happens here, at build time, so the widget can insert answers as HTML
//! without shipping a sanitizer to every shopper.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// An answer ready for the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rendered {
    pub html: String,
    pub text: String,
}

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

pub(crate) fn markdown(source: &str) -> Rendered {
    let mut raw_html = String::new();
    pulldown_cmark::html::push_html(&mut raw_html, Parser::new_ext(source, options()));
    let html = ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer"))
        .clean(&raw_html)
        .to_string();
    Rendered {
        html,
        text: plain_text(source),
    }
}

/// The words a shopper reads, without markup. Raw HTML in the source is skipped: it is
/// either stripped by the sanitizer or not prose.
fn plain_text(source: &str) -> String {
    let mut out = String::new();
    let space = |out: &mut String| {
        if !out.is_empty() && !out.ends_with([' ', '\n']) {
            out.push(' ');
        }
    };
    for event in Parser::new_ext(source, options()) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => space(&mut out),
            Event::Start(Tag::Item | Tag::TableCell) => space(&mut out),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item) => space(&mut out),
            Event::End(TagEnd::TableCell | TagEnd::TableRow | TagEnd::TableHead) => space(&mut out),
            _ => {}
        }
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_scripts_handlers_and_javascript_urls() {
        let r = markdown(
            "Hi **there**.\n\n<script>alert('x')</script>\n\n<img src=x onerror=\"alert(1)\">\n\n\
             [click](javascript:alert(1)) <iframe src=\"https://evil\"></iframe>",
        );
        assert!(r.html.contains("<strong>there</strong>"));
        for bad in ["<script", "alert('x')", "onerror", "javascript:", "<iframe"] {
            assert!(!r.html.contains(bad), "{bad} survived in {}", r.html);
        }
        assert!(!r.text.contains("alert"));
    }

    #[test]
    fn keeps_tables_links_and_words_apart() {
        let r = markdown("| Size | EU |\n|---|---|\n| S | 36 |\n\n1. one\n2. [two](/returns)");
        assert!(r.html.contains("<table>") && r.html.contains("href=\"/returns\""));
        assert_eq!(r.text, "Size EU S 36 one two");
    }
}

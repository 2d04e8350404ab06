//! The list of answers under the search box.
//!
//! Rebuilt on every keystroke, so it is rendered the cheapest way a browser offers: one
//! HTML string per update (every text escaped here), one click listener on the list that
//! finds the row by `data-id`, and the highlighted row as plain attributes. Building the
//! rows node by node cost more than the search itself.

use faq_core::Hit;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, MouseEvent};

/// Renders `results`; `active` is the keyboard-highlighted one, `on_open` opens an id.
#[allow(unreachable_pub)] // leptos's #[component] expands to a `pub` props type
#[component]
pub(crate) fn ResultList(
    results: RwSignal<Vec<Hit>>,
    active: RwSignal<Option<usize>>,
    /// Accessible name of the list.
    label: &'static str,
    on_open: impl Fn(String) + Copy + 'static,
) -> impl IntoView {
    let on_click = move |ev: MouseEvent| {
        let row = ev
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|t| t.closest("[data-id]").ok().flatten());
        if let Some(id) = row.and_then(|r| r.get_attribute("data-id")) {
            on_open(id);
        }
    };
    let html = move || {
        let current = active.get();
        results.with(|hits| rows_html(hits, current))
    };
    view! {
        <ul
            class="sd-results"
            id="sd-listbox"
            role="listbox"
            aria-label=label
            on:click=on_click
            inner_html=html
        ></ul>
    }
}

/// The rows as HTML. Only fixed markup is unescaped; ids, titles and snippet text all
/// pass through [`escape`].
fn rows_html(hits: &[Hit], active: Option<usize>) -> String {
    let mut out = String::with_capacity(hits.len() * 400);
    for (i, hit) in hits.iter().enumerate() {
        let selected = active == Some(i);
        out.push_str(if selected {
            r#"<li class="sd-result sd-active" aria-selected="true""#
        } else {
            r#"<li class="sd-result" aria-selected="false""#
        });
        out.push_str(r#" role="option" data-testid="sd-result" id="sd-opt-"#);
        out.push_str(&i.to_string());
        out.push_str(r#"" data-id=""#);
        escape(&hit.id, &mut out);
        out.push_str(r#""><span class="sd-result-title">"#);
        escape(&hit.title, &mut out);
        out.push_str(r#"</span><span class="sd-snippet">"#);
        for fragment in &hit.snippet {
            if fragment.mark {
                out.push_str("<b>");
                escape(&fragment.text, &mut out);
                out.push_str("</b>");
            } else {
                escape(&fragment.text, &mut out);
            }
        }
        out.push_str("</span></li>");
    }
    out
}

/// Escapes text for use in HTML content and double-quoted attributes.
fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faq_core::Fragment;

    #[test]
    fn escapes_everything_that_comes_from_the_index() {
        let hit = Hit {
            id: "a\"b".into(),
            title: "<img src=x onerror=alert(1)>".into(),
            category: None,
            score: 1.0,
            snippet: vec![
                Fragment {
                    text: "x & y ".into(),
                    mark: false,
                },
                Fragment {
                    text: "<b>".into(),
                    mark: true,
                },
            ],
        };
        let html = rows_html(&[hit], Some(0));
        assert!(html.contains(r#"data-id="a&quot;b""#));
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
        assert!(html.contains("x &amp; y <b>&lt;b&gt;</b>"));
        assert!(html.contains(r#"class="sd-result sd-active" aria-selected="true""#));
        assert!(!html.contains("<img"));
        assert_eq!(
            html.matches("<b>").count(),
            1,
            "only our own mark is markup"
        );
    }
}

//! Help articles for the agent: the shop's published FAQ index (the bundles the widget
//! downloads, searched by the same `faq-core` engine, so the ranking is the widget's),
//! searched with the shopper's latest message. One click puts an article's title and a
//! short answer into the reply.
//!
//! The index is the one `shopdesk-server` serves beside the agent page (`/faq/`), in
//! the shopper's language when it has one. Each language's bundle is fetched once,
//! when a conversation in that language is opened.

use std::cell::RefCell;
use std::collections::BTreeMap;

use faq_core::{Engine, Locale, Manifest, MANIFEST_FILE};

/// Where the published index is, from the agent page (`/agent/`).
const INDEX_URL: &str = "../faq/";
/// Longest short answer put into a reply, in characters.
const SHORT: usize = 280;

/// An article that may answer the shopper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Answer {
    pub id: String,
    pub title: String,
    /// The answer's opening, as plain text.
    pub short: String,
}

/// Where one language's index stands.
enum Loaded {
    Loading,
    Ready(Box<Engine>),
    Failed(String),
}

thread_local! {
    /// By the language asked for (the engine may be another: the manifest's fallback).
    static ENGINES: RefCell<BTreeMap<Locale, Loaded>> = const { RefCell::new(BTreeMap::new()) };
}

/// The language of a handoff's locale tag (`de-AT` → German), English when unknown.
pub(crate) fn locale_of(tag: Option<&str>) -> Locale {
    tag.and_then(|t| t.parse().ok()).unwrap_or(Locale::En)
}

/// Whether `locale`'s index is loaded (`Ok(true)`), on its way (`Ok(false)`), or could
/// not be loaded.
pub(crate) fn ready(locale: Locale) -> Result<bool, String> {
    ENGINES.with(|e| match e.borrow().get(&locale) {
        Some(Loaded::Ready(_)) => Ok(true),
        Some(Loaded::Failed(why)) => Err(why.clone()),
        Some(Loaded::Loading) | None => Ok(false),
    })
}

/// Loads `locale`'s index, once; resolves when it is ready or failed.
pub(crate) async fn load(locale: Locale) {
    let first = ENGINES.with(|e| {
        let mut e = e.borrow_mut();
        if e.contains_key(&locale) {
            return false;
        }
        e.insert(locale, Loaded::Loading);
        true
    });
    if !first {
        return;
    }
    let loaded = match open(locale).await {
        Ok(engine) => Loaded::Ready(Box::new(engine)),
        Err(why) => Loaded::Failed(why),
    };
    ENGINES.with(|e| e.borrow_mut().insert(locale, loaded));
}

async fn open(locale: Locale) -> Result<Engine, String> {
    use shopdesk_web::http::bytes;
    let manifest_url = format!("{INDEX_URL}{MANIFEST_FILE}");
    let text = bytes(&manifest_url, true)
        .await
        .map_err(|e| format!("the help articles could not be loaded ({e})"))?;
    let manifest: Manifest = serde_json::from_slice(&text)
        .map_err(|e| format!("{manifest_url} is not an FAQ manifest: {e}"))?;
    let (_, entry) = manifest
        .pick(locale)
        .ok_or_else(|| format!("{manifest_url} lists no languages"))?;
    let bundle = bytes(&format!("{INDEX_URL}{}", entry.file), false)
        .await
        .map_err(|e| format!("the help articles could not be loaded ({e})"))?;
    Engine::open(&bundle).map_err(|e| format!("the help articles are unreadable: {e}"))
}

/// Up to `n` articles for `text` in `locale`'s index, once it is loaded.
pub(crate) fn find(locale: Locale, text: &str, n: usize) -> Vec<Answer> {
    ENGINES.with(|e| {
        let e = e.borrow();
        let Some(Loaded::Ready(engine)) = e.get(&locale) else {
            return Vec::new();
        };
        let hits = engine.search(text, n).unwrap_or_default();
        hits.into_iter()
            .filter_map(|hit| {
                let article = engine.article(&hit.id).ok()??;
                Some(Answer {
                    id: article.id,
                    title: article.title,
                    short: short_answer(&article.html),
                })
            })
            .collect()
    })
}

/// The opening of an answer as plain text: its first paragraph (or list), tags gone,
/// entities read, cut at a word within [`SHORT`] characters.
pub(crate) fn short_answer(html: &str) -> String {
    let first = html
        .split("</p>")
        .map(plain)
        .find(|p| !p.is_empty())
        .unwrap_or_default();
    if first.chars().count() <= SHORT {
        return first;
    }
    let cut: String = first.chars().take(SHORT).collect();
    let at = cut.rfind(' ').unwrap_or(cut.len());
    format!("{}…", cut[..at].trim_end_matches([',', ';', ':']))
}

/// What one click puts into the reply: the article's title, then its short answer.
pub(crate) fn insertion(answer: &Answer) -> String {
    format!("{}\n{}", answer.title, answer.short)
}

/// Text without tags, entities read, whitespace collapsed.
fn plain(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_answer_is_the_first_paragraph_as_text() {
        let html = "<p>Use the <strong>tracking link</strong> in your email &amp; wait a day.</p>\n<p>Second.</p>";
        assert_eq!(
            short_answer(html),
            "Use the tracking link in your email & wait a day."
        );
        assert_eq!(short_answer("<ul><li>One</li><li>Two</li></ul>"), "One Two");
        assert_eq!(short_answer(""), "");
    }

    #[test]
    fn a_long_answer_is_cut_at_a_word() {
        let long = format!("<p>{}</p>", "returns are free, ".repeat(40));
        let short = short_answer(&long);
        assert!(short.ends_with('…'), "{short}");
        assert!(short.chars().count() <= SHORT + 1);
        assert!(!short.contains(",…"), "{short}");
    }

    #[test]
    fn an_insertion_names_the_article_then_answers() {
        let a = Answer {
            id: "track".into(),
            title: "Where is my order?".into(),
            short: "Use the tracking link.".into(),
        };
        assert_eq!(insertion(&a), "Where is my order?\nUse the tracking link.");
        assert_eq!(locale_of(Some("de-AT")), Locale::De);
        assert_eq!(locale_of(Some("xx")), Locale::En);
        assert_eq!(locale_of(None), Locale::En);
    }
}

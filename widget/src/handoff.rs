//! What a support agent should know before the shopper's first message: what they
//! searched and read, the page they are on, and what the merchant told us about them.
//! Built here because the panel keeps that history; the chat module (`chat/`) asks for
//! it when a conversation starts.

use serde::Serialize;
use serde_json::Value;
use shopdesk_wire::chat::ArticleRef;

use shopdesk_web::{feedback, merchant};

use crate::engine::Search;
use crate::history::History;

/// The panel's part of a `shopdesk_wire::chat::Handoff` (the chat adds the contact and
/// the rest): only these fields' code is in the search module, which every shopper who
/// opens the panel downloads.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
struct Panel {
    #[serde(skip_serializing_if = "Option::is_none")]
    page_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    page_title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    locale: Option<String>,
    searched: Vec<String>,
    read: Vec<ArticleRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    identity: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    context: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    visitor_id: Option<String>,
}

/// Largest handoff sent, in bytes of JSON: under the server's default body limit
/// (16 KB) whatever the merchant put in `identify` and `setContext`.
const HANDOFF_BUDGET: usize = 12 * 1024;

/// The handoff for a conversation starting now, as JSON within the budget: the
/// shopper's `history` (articles named as `search`'s index titles them).
pub(crate) fn json(history: &History, search: Search, locale: &str) -> String {
    fit(handoff(history, search, locale))
}

/// The handoff as JSON within [`HANDOFF_BUDGET`]: what weighs most and says least
/// goes first (the merchant's context, the identity, older history, the URL's query).
fn fit(mut h: Panel) -> String {
    let json = |h: &Panel| serde_json::to_string(h).unwrap_or_default();
    let mut text = json(&h);
    let mut step = 0;
    while text.len() > HANDOFF_BUDGET {
        match step {
            0 => h.context = None,
            1 => h.identity = None,
            2 => {
                let keep = |n: usize| n.saturating_sub(5);
                h.searched.drain(..keep(h.searched.len()));
                h.read.drain(..keep(h.read.len()));
            }
            3 => {
                h.page_url = h
                    .page_url
                    .as_deref()
                    .map(|u| u.split(['?', '#']).next().unwrap_or(u).to_string())
            }
            _ => {
                // The chat adds what the shopper typed in its form after this.
                h = Panel {
                    locale: h.locale,
                    ..Panel::default()
                };
            }
        }
        step += 1;
        text = json(&h);
        if step > 4 {
            break;
        }
    }
    text
}

/// What the agent should know before the first message.
fn handoff(s: &History, search: Search, locale: &str) -> Panel {
    let m = merchant::get();
    let window = web_sys::window();
    let clip = |t: &str| {
        t.chars()
            .take(shopdesk_wire::chat::MAX_HISTORY_ITEM)
            .collect::<String>()
    };
    Panel {
        page_url: window
            .as_ref()
            .and_then(|w| w.location().href().ok())
            .filter(|u| u.len() <= shopdesk_wire::MAX_URL),
        page_title: window
            .as_ref()
            .and_then(|w| w.document())
            .map(|d| clip(d.title().trim()))
            .filter(|t| !t.is_empty()),
        locale: Some(locale.to_string()),
        searched: s.searched.iter().map(|q| clip(q)).collect(),
        read: s
            .viewed
            .iter()
            .filter_map(|id| search.article(id))
            .map(|a| ArticleRef {
                id: a.id,
                title: clip(&a.title),
            })
            .collect(),
        identity: m.identity.filter(|v| v.is_object()),
        context: m.context.filter(|v| v.is_object()),
        visitor_id: feedback::visitor_id(),
    }
}

#[cfg(test)]
mod tests {
    use super::{fit, Panel, HANDOFF_BUDGET};
    use shopdesk_wire::chat::{ArticleRef, Handoff};

    #[test]
    fn a_heavy_handoff_sheds_the_merchants_context_first_and_fits() {
        let h = Panel {
            page_url: Some("https://shop.example/p/1?utm=x".into()),
            searched: (0..20).map(|i| format!("search {i}")).collect(),
            read: vec![ArticleRef {
                id: "returns".into(),
                title: "Returns".into(),
            }],
            context: Some(serde_json::json!({ "notes": "x".repeat(13_000) })),
            identity: Some(serde_json::json!({ "email": "a@b.example" })),
            ..Panel::default()
        };
        let sent: Handoff = serde_json::from_str(&fit(h.clone())).unwrap();
        assert!(sent.context.is_none());
        assert_eq!(sent.identity, h.identity, "the identity still fits");
        assert_eq!(sent.searched.len(), 20);
        let huge = Panel {
            identity: Some(serde_json::json!({ "notes": "y".repeat(13_000) })),
            ..h.clone()
        };
        assert!(fit(huge).len() <= HANDOFF_BUDGET);
        let small = Panel {
            context: None,
            ..h.clone()
        };
        let sent: Handoff = serde_json::from_str(&fit(small.clone())).unwrap();
        assert_eq!(
            (sent.page_url, sent.searched, sent.read, sent.identity),
            (small.page_url, small.searched, small.read, small.identity),
            "a light handoff goes as it is, and reads as the server's Handoff"
        );
    }
}

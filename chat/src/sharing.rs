//! What goes to the person answering with the first message, as the shopper sees it
//! before sending: their searches, the articles they read, the page, what the store
//! passed to `identify` and `setContext`. Each item can be removed, and what is sent
//! is this snapshot minus what was removed: never a fresher handoff the shopper did
//! not see. Pure, tested natively; the view lists [`Shared::items`].

use std::collections::BTreeSet;

use serde_json::Value;
use shopdesk_wire::chat::{ArticleRef, Handoff};

/// Where an item comes from, and how to take it out: by content, so what was taken
/// out stays out when the list is shown again with more searches on it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Part {
    Searched(String),
    /// An article, by id.
    Read(String),
    Page,
    /// One key of `identify`'s object.
    Identity(String),
    /// One key of `setContext`'s object.
    Context(String),
}

/// How items are grouped under a heading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Group {
    Searched,
    Read,
    Page,
    Identity,
    Context,
}

/// One thing the agent will see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Item {
    pub part: Part,
    pub group: Group,
    /// As shown: the search, the article's title, "Title — address", `key: value`.
    pub label: String,
}

/// The handoff as it was when the shopper was shown it, and what they took out.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Shared {
    handoff: Handoff,
    removed: BTreeSet<Part>,
}

/// Longest value shown for an identity or context key.
const SHOWN_CHARS: usize = 80;

fn shown(value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut short: String = text.chars().take(SHOWN_CHARS).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}

/// The keys of a JSON object, in order, but the signature (a credential the shopper
/// has no use to see; it goes with `id`).
fn keys(object: Option<&Value>) -> Vec<(String, String)> {
    object
        .and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .filter(|(k, _)| k.as_str() != "signature")
                .map(|(k, v)| (k.clone(), shown(v)))
                .collect()
        })
        .unwrap_or_default()
}

impl Shared {
    /// The panel's handoff (JSON); an unreadable one shares nothing but the language.
    pub(crate) fn read(panel: &str, locale: &str) -> Self {
        let handoff = serde_json::from_str::<Handoff>(panel).unwrap_or_else(|_| Handoff {
            locale: Some(locale.to_string()),
            ..Handoff::default()
        });
        Self {
            handoff,
            removed: BTreeSet::new(),
        }
    }

    /// What the agent will see now, grouped in the order of [`Group`].
    pub(crate) fn items(&self) -> Vec<Item> {
        let h = &self.handoff;
        let mut items = Vec::new();
        let mut add = |part: Part, group: Group, label: String| {
            if !self.removed.contains(&part) && !label.trim().is_empty() {
                items.push(Item { part, group, label });
            }
        };
        for s in &h.searched {
            add(Part::Searched(s.clone()), Group::Searched, s.clone());
        }
        for a in &h.read {
            add(Part::Read(a.id.clone()), Group::Read, a.title.clone());
        }
        let page = match (&h.page_title, &h.page_url) {
            (Some(t), Some(u)) => format!("{t} — {u}"),
            (Some(t), None) => t.clone(),
            (None, Some(u)) => u.clone(),
            (None, None) => String::new(),
        };
        add(Part::Page, Group::Page, page);
        for (key, value) in keys(h.identity.as_ref()) {
            add(
                Part::Identity(key.clone()),
                Group::Identity,
                format!("{key}: {value}"),
            );
        }
        for (key, value) in keys(h.context.as_ref()) {
            add(
                Part::Context(key.clone()),
                Group::Context,
                format!("{key}: {value}"),
            );
        }
        items
    }

    /// The shopper takes `part` out.
    pub(crate) fn remove(&mut self, part: Part) {
        self.removed.insert(part);
    }

    /// A newer handoff from the panel (the shopper searched more before coming back),
    /// with what they took out still out.
    pub(crate) fn renewed(self, panel: &str, locale: &str) -> Self {
        Self {
            removed: self.removed,
            ..Self::read(panel, locale)
        }
    }

    /// What goes: the snapshot without what was removed, with the articles opened from
    /// the chat's suggestions (shown in the chat itself).
    pub(crate) fn outgoing(&self, suggested: &[ArticleRef]) -> Handoff {
        let mut h = self.handoff.clone();
        let gone = |part: Part| self.removed.contains(&part);
        h.searched.retain(|s| !gone(Part::Searched(s.clone())));
        h.read.retain(|a| !gone(Part::Read(a.id.clone())));
        if gone(Part::Page) {
            h.page_url = None;
            h.page_title = None;
        }
        strip(&mut h.identity, |k| gone(Part::Identity(k.to_string())));
        // The signature vouches for the id: without the id it has nothing to vouch for.
        if let Some(Value::Object(i)) = &mut h.identity {
            if !i.contains_key("id") {
                i.remove("signature");
            }
        }
        strip(&mut h.context, |k| gone(Part::Context(k.to_string())));
        h.suggested = suggested.to_vec();
        h
    }

    /// The customer id and signature `identify` gave, if both (a verified shopper may
    /// see their earlier conversations).
    pub(crate) fn proof(&self) -> Option<(String, String)> {
        let i = self.handoff.identity.as_ref()?;
        let id = match i.get("id")? {
            Value::String(s) if !s.is_empty() => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => return None,
        };
        let signature = i.get("signature")?.as_str()?.to_string();
        Some((id, signature))
    }
}

/// Removes the keys `gone` names; an object left empty is dropped.
fn strip(object: &mut Option<Value>, gone: impl Fn(&str) -> bool) {
    if let Some(Value::Object(o)) = object {
        o.retain(|k, _| k == "signature" || !gone(k));
        if o.keys().all(|k| k == "signature") {
            *object = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PANEL: &str = r#"{
        "page_url": "https://shop.example/jacket", "page_title": "Storm Jacket",
        "locale": "en", "searched": ["return label", "refund"],
        "read": [{"id": "returns", "title": "Returns"}],
        "identity": {"id": "cus_42", "email": "ana@mail.example", "signature": "ab12"},
        "context": {"cart": {"items": 2}, "order": "1234"}
    }"#;

    fn labels(s: &Shared) -> Vec<String> {
        s.items().into_iter().map(|i| i.label).collect()
    }

    #[test]
    fn every_part_of_the_handoff_is_listed_but_the_signature() {
        let s = Shared::read(PANEL, "en");
        assert_eq!(
            labels(&s),
            [
                "return label",
                "refund",
                "Returns",
                "Storm Jacket — https://shop.example/jacket",
                "email: ana@mail.example",
                "id: cus_42",
                "cart: {\"items\":2}",
                "order: 1234",
            ]
        );
        // Nothing removed: what goes is what the panel gave.
        let out = s.outgoing(&[]);
        assert_eq!(out, serde_json::from_str::<Handoff>(PANEL).unwrap());
    }

    #[test]
    fn what_goes_is_exactly_what_is_left_on_the_list() {
        let mut s = Shared::read(PANEL, "en");
        s.remove(Part::Searched("return label".into()));
        s.remove(Part::Page);
        s.remove(Part::Identity("email".into()));
        s.remove(Part::Context("cart".into()));
        let out = s.outgoing(&[ArticleRef {
            id: "sizes".into(),
            title: "Sizes".into(),
        }]);
        assert_eq!(out.searched, ["refund"]);
        assert_eq!(out.read.len(), 1);
        assert_eq!((out.page_url, out.page_title), (None, None));
        assert_eq!(
            out.identity,
            Some(json!({"id": "cus_42", "signature": "ab12"}))
        );
        assert_eq!(out.context, Some(json!({"order": "1234"})));
        assert_eq!(out.suggested.len(), 1);
        assert_eq!(
            labels(&s),
            ["refund", "Returns", "id: cus_42", "order: 1234"],
            "the list shows what goes"
        );
        // Without the id, the signature has nothing to vouch for and goes too; an
        // object left empty goes altogether.
        s.remove(Part::Identity("id".into()));
        s.remove(Part::Context("order".into()));
        let out = s.outgoing(&[]);
        assert_eq!((out.identity, out.context), (None, None));
        assert_eq!(
            s.proof(),
            Some(("cus_42".into(), "ab12".into())),
            "the shopper's own proof stays theirs"
        );
    }

    #[test]
    fn what_was_taken_out_stays_out_when_the_list_is_renewed() {
        let mut s = Shared::read(PANEL, "en");
        s.remove(Part::Searched("refund".into()));
        s.remove(Part::Read("returns".into()));
        let more = PANEL.replace(r#""refund"]"#, r#""refund", "klarna"]"#);
        let s = s.renewed(&more, "en");
        let out = s.outgoing(&[]);
        assert_eq!(out.searched, ["return label", "klarna"]);
        assert!(out.read.is_empty());
    }

    #[test]
    fn an_unreadable_or_empty_panel_shares_only_the_language() {
        let s = Shared::read("not json", "de");
        assert!(s.items().is_empty());
        assert_eq!(s.outgoing(&[]).locale.as_deref(), Some("de"));
        let long = format!(r#"{{"context": {{"note": "{}"}}}}"#, "x".repeat(200));
        let s = Shared::read(&long, "en");
        assert_eq!(
            s.items()[0].label.chars().count(),
            "note: ".len() + SHOWN_CHARS + 1
        );
        assert_eq!(
            Shared::read(PANEL, "en").proof(),
            Some(("cus_42".into(), "ab12".into()))
        );
        assert_eq!(
            Shared::read(r#"{"identity": {"id": 7}}"#, "en").proof(),
            None
        );
    }
}

//! What goes to the person answering with the first message, as the shopper sees it
//! before sending: their searches, the articles they read, the page, what the store
//! passed to `identify` and `setContext`. Each item can be removed, and what is sent
//! is this snapshot minus what was removed: never a fresher handoff the shopper did
//! not see. Pure, tested natively; `handoff.rs` reads the panel's handoff into a
//! [`Snapshot`] and writes what goes, with the browser's JSON (a Rust reader and
//! writer of the whole handoff would weigh on this module).

use shopdesk_wire::chat::ArticleRef;

/// The panel's handoff, as far as the shopper is shown it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Snapshot {
    /// The handoff as the panel gave it (JSON), edited when the message goes.
    pub json: String,
    pub searched: Vec<String>,
    /// Articles read: id and title.
    pub read: Vec<(String, String)>,
    /// "Title — address", or either.
    pub page: String,
    /// `identify`'s keys and their values as shown (the signature is not listed).
    pub identity: Vec<(String, String)>,
    pub context: Vec<(String, String)>,
    /// The customer id and the shop's signature of it, when `identify` gave both.
    pub proof: Option<(String, String)>,
}

/// Where an item comes from, and how to take it out: by content, so what was taken
/// out stays out when the list is shown again with more searches on it.
#[derive(Debug, Clone, PartialEq, Eq)]
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

impl Group {
    /// For tests and styles (`data-group`).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Group::Searched => "searched",
            Group::Read => "read",
            Group::Page => "page",
            Group::Identity => "identity",
            Group::Context => "context",
        }
    }
}

/// One thing the agent will see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Item {
    pub part: Part,
    pub group: Group,
    pub label: String,
}

/// Longest value shown for an identity or context key.
pub(crate) const SHOWN_CHARS: usize = 80;

/// `text` as shown in the list: at most [`SHOWN_CHARS`] characters.
pub(crate) fn shortened(text: &str) -> String {
    let mut short: String = text.chars().take(SHOWN_CHARS).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}

/// The snapshot shown, and what the shopper took out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Shared {
    pub snapshot: Snapshot,
    pub removed: Vec<Part>,
}

impl Shared {
    pub(crate) fn new(snapshot: Snapshot) -> Self {
        Self {
            snapshot,
            removed: Vec::new(),
        }
    }

    /// Whether `part` goes.
    pub(crate) fn kept(&self, part: &Part) -> bool {
        !self.removed.contains(part)
    }

    /// What the agent will see now, grouped in the order of [`Group`].
    pub(crate) fn items(&self) -> Vec<Item> {
        let s = &self.snapshot;
        let mut items = Vec::new();
        let mut add = |part: Part, group: Group, label: String| {
            if self.kept(&part) && !label.trim().is_empty() {
                items.push(Item { part, group, label });
            }
        };
        for q in &s.searched {
            add(Part::Searched(q.clone()), Group::Searched, q.clone());
        }
        for (id, title) in &s.read {
            add(Part::Read(id.clone()), Group::Read, title.clone());
        }
        add(Part::Page, Group::Page, s.page.clone());
        for (key, value) in &s.identity {
            add(
                Part::Identity(key.clone()),
                Group::Identity,
                format!("{key}: {value}"),
            );
        }
        for (key, value) in &s.context {
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
        if self.kept(&part) {
            self.removed.push(part);
        }
    }

    /// A newer handoff from the panel (the shopper searched more before coming back),
    /// with what they took out still out.
    pub(crate) fn renewed(self, snapshot: Snapshot) -> Self {
        Self {
            snapshot,
            removed: self.removed,
        }
    }
}

/// What the chat adds to the handoff of the first message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Additions {
    pub name: Option<String>,
    pub email: Option<String>,
    pub transcript: bool,
    pub time_zone: Option<String>,
    pub suggested: Vec<ArticleRef>,
    /// The same for every attempt of one start: a retry whose answer was lost gets the
    /// same conversation back.
    pub start_key: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot() -> Snapshot {
        Snapshot {
            json: "{}".into(),
            searched: vec!["return label".into(), "refund".into()],
            read: vec![("returns".into(), "Returns".into())],
            page: "Storm Jacket — https://shop.example/jacket".into(),
            identity: vec![
                ("email".into(), "ana@mail.example".into()),
                ("id".into(), "cus_42".into()),
            ],
            context: vec![("order".into(), "1234".into())],
            proof: Some(("cus_42".into(), "ab12".into())),
        }
    }

    fn labels(s: &Shared) -> Vec<String> {
        s.items().into_iter().map(|i| i.label).collect()
    }

    #[test]
    fn every_part_is_listed_until_taken_out() {
        let mut s = Shared::new(snapshot());
        assert_eq!(
            labels(&s),
            [
                "return label",
                "refund",
                "Returns",
                "Storm Jacket — https://shop.example/jacket",
                "email: ana@mail.example",
                "id: cus_42",
                "order: 1234",
            ]
        );
        s.remove(Part::Searched("return label".into()));
        s.remove(Part::Page);
        s.remove(Part::Identity("email".into()));
        s.remove(Part::Identity("email".into()));
        assert_eq!(
            labels(&s),
            ["refund", "Returns", "id: cus_42", "order: 1234"]
        );
        assert_eq!(s.removed.len(), 3, "taken out once");
        assert!(!s.kept(&Part::Page) && s.kept(&Part::Read("returns".into())));
        assert_eq!(s.items()[0].group.name(), "searched");
    }

    #[test]
    fn what_was_taken_out_stays_out_when_the_list_is_renewed() {
        let mut s = Shared::new(snapshot());
        s.remove(Part::Searched("refund".into()));
        s.remove(Part::Read("returns".into()));
        let mut more = snapshot();
        more.searched.push("klarna".into());
        let s = s.renewed(more);
        assert_eq!(labels(&s)[..2], ["return label", "klarna"]);
        assert!(!labels(&s).contains(&"Returns".to_string()));
    }

    #[test]
    fn long_values_are_shortened_for_the_list() {
        assert_eq!(shortened("short"), "short");
        let long = "x".repeat(200);
        assert_eq!(shortened(&long).chars().count(), SHOWN_CHARS + 1);
    }
}

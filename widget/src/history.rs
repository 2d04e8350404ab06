//! What the shopper searched for and which articles they read, newest last, so a
//! support agent never has to ask again (the chat handoff). Memory only, for as long as
//! the widget is mounted. What the merchant said about the shopper is
//! `shopdesk_web::merchant`'s.

/// Entries kept per list.
const KEPT: usize = 20;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct History {
    pub searched: Vec<String>,
    pub viewed: Vec<String>,
}

impl History {
    pub(crate) fn searched(&mut self, query: &str) {
        remember(&mut self.searched, query);
    }

    /// The article `id` was opened.
    pub(crate) fn viewed(&mut self, id: &str) {
        remember(&mut self.viewed, id);
    }
}

/// Keeps `item` once, as the newest, and at most [`KEPT`] items.
fn remember(list: &mut Vec<String>, item: &str) {
    list.retain(|i| i != item);
    list.push(item.to_string());
    if list.len() > KEPT {
        list.remove(0);
    }
}

#[cfg(test)]
mod tests {
    use super::History;

    #[test]
    fn history_keeps_the_newest_once() {
        let mut h = History::default();
        for q in ["a", "b", "a"] {
            h.searched(q);
        }
        assert_eq!(h.searched, ["b", "a"]);
        for i in 0..30 {
            h.searched(&i.to_string());
        }
        assert_eq!(h.searched.len(), 20);
        assert_eq!(h.searched.last().map(String::as_str), Some("29"));
        h.viewed("returns");
        h.viewed("shipping");
        h.viewed("returns");
        assert_eq!(
            h.viewed,
            ["shipping", "returns"],
            "searches and reads apart"
        );
    }
}

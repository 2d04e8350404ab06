//! What the shopper searched for and which articles they read, newest last, so a
//! support agent never has to ask again (the chat handoff). Memory only. What the
//! merchant said about the shopper is `shopdesk_web::merchant`'s.

use std::cell::RefCell;

#[derive(Debug, Default, Clone)]
pub(crate) struct Session {
    pub searched: Vec<String>,
    pub viewed: Vec<String>,
}

/// Entries kept per history list.
const HISTORY: usize = 20;

fn remember(list: &mut Vec<String>, item: &str) {
    list.retain(|i| i != item);
    list.push(item.to_string());
    if list.len() > HISTORY {
        list.remove(0);
    }
}

pub(crate) fn searched(query: &str) {
    SESSION.with(|s| remember(&mut s.borrow_mut().searched, query));
}

pub(crate) fn viewed(id: &str) {
    SESSION.with(|s| remember(&mut s.borrow_mut().viewed, id));
}

thread_local! {
    static SESSION: RefCell<Session> = RefCell::new(Session::default());
}

pub(crate) fn get() -> Session {
    SESSION.with(|s| s.borrow().clone())
}

pub(crate) fn clear() {
    SESSION.with(|s| *s.borrow_mut() = Session::default());
}

#[cfg(test)]
mod tests {
    use super::remember;

    #[test]
    fn history_keeps_the_newest_once() {
        let mut list = Vec::new();
        for q in ["a", "b", "a"] {
            remember(&mut list, q);
        }
        assert_eq!(list, ["b", "a"]);
        for i in 0..30 {
            remember(&mut list, &i.to_string());
        }
        assert_eq!(list.len(), 20);
        assert_eq!(list.last().map(String::as_str), Some("29"));
    }
}

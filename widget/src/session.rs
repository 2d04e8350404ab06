//! What the merchant told us about the shopper (`identify`, `setContext`), kept for
//! feedback events and, later, the chat handoff. Memory only: it is the merchant's
//! data about their customer, and it is sent nowhere unless a feedback endpoint is set.

use std::cell::RefCell;

use serde_json::Value;

#[derive(Debug, Default, Clone)]
pub(crate) struct Session {
    /// `{ id, email, name, signature }` from `shopdesk.identify`.
    pub identity: Option<Value>,
    /// The object from `shopdesk.setContext` (cart, order id, …).
    pub context: Option<Value>,
    /// What the shopper searched for and which articles they read, newest last, so a
    /// support agent never has to ask again.
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

/// A plain JS object as JSON (the launcher has checked it is one).
fn to_json(value: &wasm_bindgen::JsValue) -> Option<Value> {
    let text = js_sys::JSON::stringify(value).ok()?.as_string()?;
    serde_json::from_str(&text).ok()
}

pub(crate) fn set_identity(user: &wasm_bindgen::JsValue) {
    if let Some(v) = to_json(user) {
        SESSION.with(|s| s.borrow_mut().identity = Some(v));
    }
}

pub(crate) fn set_context(context: &wasm_bindgen::JsValue) {
    if let Some(v) = to_json(context) {
        SESSION.with(|s| s.borrow_mut().context = Some(v));
    }
}

pub(crate) fn get() -> Session {
    SESSION.with(|s| s.borrow().clone())
}

pub(crate) fn clear() {
    SESSION.with(|s| *s.borrow_mut() = Session::default());
}

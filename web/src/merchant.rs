//! What the merchant told us about the shopper (`shopdesk.identify`,
//! `shopdesk.setContext`): carried by feedback events and the chat handoff. Memory only:
//! it is the merchant's data about their customer, sent nowhere unless an endpoint is
//! set. Each module keeps its own copy; the launcher hands every module the calls.

use std::cell::RefCell;

use serde_json::Value;
use wasm_bindgen::JsValue;

#[derive(Debug, Default, Clone)]
pub struct Merchant {
    /// `{ id, email, name, signature }` from `shopdesk.identify`.
    pub identity: Option<Value>,
    /// The object from `shopdesk.setContext` (cart, order id, …).
    pub context: Option<Value>,
}

thread_local! {
    static MERCHANT: RefCell<Merchant> = RefCell::new(Merchant::default());
}

/// A plain JS object as JSON (the launcher has checked it is one).
fn to_json(value: &JsValue) -> Option<Value> {
    let text = js_sys::JSON::stringify(value).ok()?.as_string()?;
    serde_json::from_str(&text).ok()
}

pub fn set_identity(user: &JsValue) {
    if let Some(v) = to_json(user) {
        MERCHANT.with(|m| m.borrow_mut().identity = Some(v));
    }
}

pub fn set_context(context: &JsValue) {
    if let Some(v) = to_json(context) {
        MERCHANT.with(|m| m.borrow_mut().context = Some(v));
    }
}

pub fn get() -> Merchant {
    MERCHANT.with(|m| m.borrow().clone())
}

/// `shutdown()`: forgotten.
pub fn clear() {
    MERCHANT.with(|m| *m.borrow_mut() = Merchant::default());
}

//! Handing responses to the outbox. Keeping and delivering them (storage, retries,
//! the next page view) is the outbox module's job (`outbox/`), which the launcher loads
//! when a module hands it something; here a response only becomes JSON and is passed on
//! to the launcher's `submit(endpoint, eventJson)`.

use std::cell::RefCell;

use shopdesk_wire::FeedbackEvent;
use wasm_bindgen::JsValue;

use crate::js;

thread_local! {
    /// The launcher's `submit(endpoint, eventJson)`.
    static SUBMIT: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
}

pub fn connect(submit: js_sys::Function) {
    SUBMIT.with(|s| *s.borrow_mut() = Some(submit));
}

/// `shutdown()`: nothing more is handed over.
pub fn stop() {
    SUBMIT.with(|s| s.borrow_mut().take());
}

/// Keeps `event` for `endpoint` and starts sending it.
pub fn submit(endpoint: String, event: FeedbackEvent) {
    submit_item(endpoint, "feedback", &event.id, &event);
}

/// Keeps `item` (`what` it is, for messages; its `id`, the endpoint's idempotency key)
/// for `endpoint` and starts sending it. The outbox delivers any JSON with an `id`.
pub fn submit_item(endpoint: String, what: &str, id: &str, item: &impl serde::Serialize) {
    let Some(submit) = SUBMIT.with(|s| s.borrow().clone()) else {
        return;
    };
    let json = match serde_json::to_string(item) {
        Ok(json) => json,
        Err(e) => return js::report(&format!("{what} {id} could not be encoded: {e}")),
    };
    if let Err(e) = submit.call2(&JsValue::NULL, &endpoint.into(), &json.into()) {
        js::report(&format!(
            "{what} {id} could not be kept: {}",
            js::describe(&e)
        ));
    }
}

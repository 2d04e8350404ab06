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
    let Some(submit) = SUBMIT.with(|s| s.borrow().clone()) else {
        return;
    };
    let json = match serde_json::to_string(&event) {
        Ok(json) => json,
        Err(e) => return js::report(&format!("feedback {} could not be encoded: {e}", event.id)),
    };
    if let Err(e) = submit.call2(&JsValue::NULL, &endpoint.into(), &json.into()) {
        js::report(&format!(
            "feedback {} could not be kept: {}",
            event.id,
            js::describe(&e)
        ));
    }
}

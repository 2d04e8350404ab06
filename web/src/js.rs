//! Reporting to the page's console, the `window.shopdesk` events and the performance
//! timeline.

use wasm_bindgen::{JsCast, JsValue};

/// Reports a problem on the console, prefixed so merchants know whose it is.
pub fn console_error(message: &str) {
    web_sys::console::error_1(&JsValue::from_str(&format!("[shopdesk] {message}")));
}

/// A JS error's message, whatever was thrown.
pub fn describe(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".into())
}

/// Adds `shopdesk:<name>` to the page's performance timeline, so merchants' monitoring
/// and our benchmarks can see when the widget became usable.
pub fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(&format!("shopdesk:{name}"));
    }
}

thread_local! {
    /// The `window.shopdesk` event callback the launcher handed over.
    static EMIT: std::cell::RefCell<Option<js_sys::Function>> = const { std::cell::RefCell::new(None) };
}

pub fn set_emitter(emit: js_sys::Function) {
    EMIT.with(|e| *e.borrow_mut() = Some(emit));
}

/// The event callback, to lend to another module (the chat).
pub fn emitter() -> Option<js_sys::Function> {
    EMIT.with(|e| e.borrow().clone())
}

/// Fires a `window.shopdesk` event; `detail` becomes a plain JS object.
pub fn emit(name: &str, detail: &serde_json::Value) {
    let detail = js_sys::JSON::parse(&detail.to_string()).unwrap_or(JsValue::UNDEFINED);
    EMIT.with(|e| {
        if let Some(f) = e.borrow().as_ref() {
            let _ = f.call2(&JsValue::NULL, &name.into(), &detail);
        }
    });
}

/// One console error and an `error` event: how every failure reaches the merchant.
pub fn report(message: &str) {
    console_error(message);
    emit("error", &serde_json::json!({ "message": message }));
}

/// A console warning about the merchant's use of the widget.
pub fn warn(message: &str) {
    web_sys::console::warn_1(&JsValue::from_str(&format!("[shopdesk] {message}")));
}

//! Small helpers for reading plain JS objects without shipping a JSON parser.

use js_sys::Reflect;
use wasm_bindgen::JsValue;

pub(crate) fn string(obj: &JsValue, key: &str) -> String {
    Reflect::get(obj, &JsValue::from_str(key))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

pub(crate) fn boolean(obj: &JsValue, key: &str) -> bool {
    Reflect::get(obj, &JsValue::from_str(key))
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

pub(crate) fn array(obj: &JsValue, key: &str) -> js_sys::Array {
    Reflect::get(obj, &JsValue::from_str(key))
        .ok()
        .filter(js_sys::Array::is_array)
        .map(|v| js_sys::Array::from(&v))
        .unwrap_or_default()
}

/// Reports a problem once on the console, prefixed so merchants know whose it is.
pub(crate) fn console_error(message: &str) {
    web_sys::console::error_1(&JsValue::from_str(&format!("[shopdesk] {message}")));
}

/// A JS error's message, whatever was thrown.
pub(crate) fn describe(e: &JsValue) -> String {
    use wasm_bindgen::JsCast;
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".into())
}

/// Adds a mark to the page's performance timeline (`shopdesk:<name>`), so merchants'
/// monitoring and our benchmarks can see when the widget became usable.
pub(crate) fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(&format!("shopdesk:{name}"));
    }
}

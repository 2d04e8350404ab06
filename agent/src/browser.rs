//! The few things the page asks of the browser besides the DOM and the server: local
//! time, the title, whether the tab is hidden. (Server calls, retries,
//! the event stream and the clock are `shopdesk_web`'s, shared with the widget.)

use wasm_bindgen::JsValue;

/// `at` (epoch milliseconds) shifted into the agent's time zone, for [`crate::text::stamp`].
pub(crate) fn local(at: i64) -> i64 {
    let offset_minutes = js_sys::Date::new(&JsValue::from_f64(at as f64)).get_timezone_offset();
    at - (offset_minutes * 60_000.0) as i64
}

/// The full date and time of `at`, in the agent's locale (a tooltip).
pub(crate) fn long_time(at: i64) -> String {
    String::from(
        js_sys::Date::new(&JsValue::from_f64(at as f64))
            .to_locale_string("default", &JsValue::UNDEFINED),
    )
}

pub(crate) fn set_title(title: &str) {
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title(title);
    }
}

/// Whether the page is in a background tab or a minimised window.
pub(crate) fn hidden() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.hidden())
}

pub(crate) fn console_error(message: &str) {
    web_sys::console::error_1(&JsValue::from_str(&format!("[shopdesk agent] {message}")));
}

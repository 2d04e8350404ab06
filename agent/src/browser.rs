//! The few things the page asks of the browser besides the DOM and the server: the
//! token's storage, the address bar, local time, the title. (Server calls, retries,
//! the event stream and the clock are `shopdesk_web`'s, shared with the widget.)

use wasm_bindgen::JsValue;

/// Where the token lives: per tab, gone when the tab closes, never sent anywhere
/// except to this server.
const TOKEN_KEY: &str = "shopdesk-agent:token";

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

pub(crate) fn stored_token() -> Option<String> {
    session_storage()?
        .get_item(TOKEN_KEY)
        .ok()
        .flatten()
        .filter(|t| !t.trim().is_empty())
}

pub(crate) fn store_token(token: Option<&str>) {
    if let Some(storage) = session_storage() {
        let _ = match token {
            Some(t) => storage.set_item(TOKEN_KEY, t),
            None => storage.remove_item(TOKEN_KEY),
        };
    }
}

/// The token of a `#token=…` link, taken out of the address bar (and so out of the
/// history and of what a screen share shows).
pub(crate) fn take_fragment_token() -> Option<String> {
    let window = web_sys::window()?;
    let location = window.location();
    let (token, rest) = crate::text::token_from_fragment(&location.hash().ok()?)?;
    let path = location.pathname().unwrap_or_default();
    let search = location.search().unwrap_or_default();
    let hash = if rest.is_empty() {
        String::new()
    } else {
        format!("#{rest}")
    };
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(
            &JsValue::NULL,
            "",
            Some(&format!("{path}{search}{hash}")),
        );
    }
    Some(token)
}

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

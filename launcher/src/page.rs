//! Living on someone else's page: listeners that can all be taken back, idle callbacks,
//! performance marks, and the two ways the widget speaks to the merchant (console and
//! the API's events).

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, EventTarget};

type Handler = Closure<dyn FnMut(web_sys::Event)>;

/// Adds a listener for the page's lifetime: for elements inside the widget's own host,
/// which `shutdown()` removes along with their listeners.
pub(crate) fn listen(
    target: &EventTarget,
    event: &str,
    handler: impl FnMut(web_sys::Event) + 'static,
) -> Result<(), JsValue> {
    let closure = Handler::new(handler);
    target.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref())?;
    closure.forget();
    Ok(())
}

/// Listeners and timers on the page's own objects (`window`, `navigation`), kept so
/// `shutdown()` can take every one of them back.
#[derive(Default)]
pub(crate) struct Listeners {
    added: Vec<(EventTarget, &'static str, Handler)>,
    intervals: Vec<(i32, Handler)>,
}

impl Listeners {
    pub(crate) fn on(
        &mut self,
        target: &EventTarget,
        event: &'static str,
        handler: impl FnMut(web_sys::Event) + 'static,
    ) -> Result<(), JsValue> {
        let closure = Handler::new(handler);
        target.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref())?;
        self.added.push((target.clone(), event, closure));
        Ok(())
    }

    pub(crate) fn every(
        &mut self,
        ms: i32,
        handler: impl FnMut(web_sys::Event) + 'static,
    ) -> Result<(), JsValue> {
        let window = web_sys::window().ok_or("no window")?;
        let closure = Handler::new(handler);
        let id = window.set_interval_with_callback_and_timeout_and_arguments_0(
            closure.as_ref().unchecked_ref(),
            ms,
        )?;
        self.intervals.push((id, closure));
        Ok(())
    }

    /// Removes everything added; dropping the closures frees what they captured.
    pub(crate) fn remove_all(&mut self) {
        for (target, event, closure) in self.added.drain(..) {
            let _ =
                target.remove_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
        }
        if let Some(window) = web_sys::window() {
            for (id, _) in self.intervals.drain(..) {
                window.clear_interval_with_handle(id);
            }
        }
    }
}

/// The merchant's event callback (see `loader/shopdesk.js`); it never throws.
#[derive(Clone)]
pub(crate) struct Emitter(pub(crate) Function);

impl Emitter {
    pub(crate) fn emit(&self, name: &str, detail: &JsValue) {
        let _ = self.0.call2(&JsValue::NULL, &name.into(), detail);
    }

    /// One console error and an `error` event: how every failure reaches the merchant.
    pub(crate) fn report(&self, message: &str) {
        web_sys::console::error_1(&("[shopdesk] ".to_string() + message).into());
        let detail = js_sys::Object::new();
        let _ = Reflect::set(&detail, &"message".into(), &message.into());
        self.emit("error", &detail);
    }
}

pub(crate) fn warn(message: &str) {
    web_sys::console::warn_1(&("[shopdesk] ".to_string() + message).into());
}

/// A JS error's message, whatever was thrown.
pub(crate) fn describe(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".into())
}

/// The shopper's language: the page's own `lang` first (the store chose it), then the
/// browser's.
pub(crate) fn locale(document: &Document) -> String {
    document
        .document_element()
        .and_then(|e| e.get_attribute("lang"))
        .filter(|l| !l.trim().is_empty())
        .or_else(|| web_sys::window().and_then(|w| w.navigator().language()))
        .unwrap_or_else(|| "en".into())
}

/// Runs `f` in `ms` milliseconds.
pub(crate) fn later(ms: i32, f: impl FnOnce() + 'static) {
    if let Some(window) = web_sys::window() {
        let callback = Closure::once_into_js(f);
        let _ = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(callback.unchecked_ref(), ms);
    }
}

/// Adds `shopdesk:<name>` to the page's performance timeline.
pub(crate) fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(&("shopdesk:".to_string() + name));
    }
}

#[wasm_bindgen]
extern "C" {
    /// A promise, bound with just the methods used here, taking plain functions.
    type Promise;
    #[wasm_bindgen(method)]
    fn then(this: &Promise, f: &JsValue) -> Promise;
    #[wasm_bindgen(method)]
    fn catch(this: &Promise, f: &JsValue) -> Promise;
}

/// Loads module `stem` with the loader's `load` (`loader/shopdesk.js`: its JS and its
/// `.wasm` at once), then calls `loaded` with the initialized module; `failed` gets
/// whatever went wrong on the way, including an error `loaded` returns. Promise
/// callbacks, not futures: an executor would be kilobytes of page load.
pub(crate) fn load_module(
    load: &js_sys::Function,
    stem: &str,
    loaded: impl FnOnce(JsValue) -> Result<(), JsValue> + 'static,
    failed: impl FnOnce(JsValue) + 'static,
) {
    let failed = Closure::once_into_js(failed);
    match load.call1(&JsValue::NULL, &stem.into()) {
        Ok(promise) => {
            let promise: &Promise = promise.unchecked_ref();
            promise.then(&Closure::once_into_js(loaded)).catch(&failed);
        }
        Err(e) => {
            let _ = failed
                .unchecked_ref::<js_sys::Function>()
                .call1(&JsValue::NULL, &e);
        }
    }
}

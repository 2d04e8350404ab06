//! Listeners the widget adds to the page, kept so `shopdesk.shutdown()` can
//! take every one of them back.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::EventTarget;

type Handler = Closure<dyn FnMut(web_sys::Event)>;

#[derive(Default)]
struct Added {
    listeners: Vec<(EventTarget, &'static str, Handler)>,
}

thread_local! {
    static ADDED: RefCell<Added> = RefCell::new(Added::default());
}

/// Calls `f` on every `event` at `target` until [`remove_all`].
pub fn on(target: &EventTarget, event: &'static str, mut f: impl FnMut() + 'static) {
    on_event(target, event, move |_| f());
}

/// Like [`on`], for handlers that read the event.
pub fn on_event(
    target: &EventTarget,
    event: &'static str,
    f: impl FnMut(web_sys::Event) + 'static,
) {
    let closure = Handler::new(f);
    if target
        .add_event_listener_with_callback(event, closure.as_ref().unchecked_ref())
        .is_ok()
    {
        ADDED.with(|a| {
            a.borrow_mut()
                .listeners
                .push((target.clone(), event, closure))
        });
    }
}

/// Removes every listener added here.
pub fn remove_all() {
    let added = ADDED.with(|a| std::mem::take(&mut *a.borrow_mut()));
    for (target, event, closure) in &added.listeners {
        let _ = target.remove_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
    }
}

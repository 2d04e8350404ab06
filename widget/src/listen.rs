//! Listeners and timers the widget adds to the page, kept so `shopdesk.shutdown()` can
//! take every one of them back.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::EventTarget;

type Handler = Closure<dyn FnMut()>;

#[derive(Default)]
struct Added {
    listeners: Vec<(EventTarget, &'static str, Handler)>,
    intervals: Vec<(i32, Handler)>,
}

thread_local! {
    static ADDED: RefCell<Added> = RefCell::new(Added::default());
}

/// Calls `f` on every `event` at `target` until [`remove_all`].
pub(crate) fn on(target: &EventTarget, event: &'static str, f: impl FnMut() + 'static) {
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

/// Calls `f` every `ms` milliseconds until [`remove_all`].
pub(crate) fn every(ms: i32, f: impl FnMut() + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let closure = Handler::new(f);
    if let Ok(id) = window.set_interval_with_callback_and_timeout_and_arguments_0(
        closure.as_ref().unchecked_ref(),
        ms,
    ) {
        ADDED.with(|a| a.borrow_mut().intervals.push((id, closure)));
    }
}

/// Removes every listener and timer added here.
pub(crate) fn remove_all() {
    let added = ADDED.with(|a| std::mem::take(&mut *a.borrow_mut()));
    for (target, event, closure) in &added.listeners {
        let _ = target.remove_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
    }
    if let Some(window) = web_sys::window() {
        for (id, _) in &added.intervals {
            window.clear_interval_with_handle(*id);
        }
    }
}

//! Noticing that a single-page store changed its URL with `history.pushState`, without
//! touching the page's `history` object: the Navigation API reports every same-document
//! navigation where the browser has it; elsewhere `popstate` covers back and forward and
//! a one-second look at `location` covers `pushState`.

use std::cell::RefCell;

use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::EventTarget;

type Handler = Closure<dyn FnMut()>;

struct Watch {
    listeners: Vec<(EventTarget, &'static str, Handler)>,
    interval: Option<(i32, Handler)>,
}

thread_local! {
    static WATCH: RefCell<Option<Watch>> = const { RefCell::new(None) };
}

/// Calls `changed` after every change of the page URL, until [`stop`].
pub(crate) fn follow(changed: impl Fn() + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let last = RefCell::new(window.location().href().unwrap_or_default());
    let check = std::rc::Rc::new(move || {
        let href = web_sys::window()
            .and_then(|w| w.location().href().ok())
            .unwrap_or_default();
        if *last.borrow() != href {
            *last.borrow_mut() = href;
            changed();
        }
    });
    let mut watch = Watch {
        listeners: Vec::new(),
        interval: None,
    };
    let closure = |check: &std::rc::Rc<dyn Fn()>| {
        let check = check.clone();
        Closure::<dyn FnMut()>::new(move || check())
    };
    let check: std::rc::Rc<dyn Fn()> = check;
    let navigation = Reflect::get(&window, &"navigation".into()).ok();
    match navigation.as_ref().and_then(|n| n.dyn_ref::<EventTarget>()) {
        Some(navigation) => {
            let c = closure(&check);
            let _ = navigation
                .add_event_listener_with_callback("currententrychange", c.as_ref().unchecked_ref());
            watch
                .listeners
                .push((navigation.clone(), "currententrychange", c));
        }
        None => {
            let c = closure(&check);
            if let Ok(id) = window.set_interval_with_callback_and_timeout_and_arguments_0(
                c.as_ref().unchecked_ref(),
                1000,
            ) {
                watch.interval = Some((id, c));
            }
        }
    }
    let c = closure(&check);
    let _ = window.add_event_listener_with_callback("popstate", c.as_ref().unchecked_ref());
    watch.listeners.push((window.into(), "popstate", c));
    stop();
    WATCH.with(|w| *w.borrow_mut() = Some(watch));
}

/// Removes every listener and timer [`follow`] added.
pub(crate) fn stop() {
    let Some(watch) = WATCH.with(|w| w.borrow_mut().take()) else {
        return;
    };
    for (target, event, closure) in &watch.listeners {
        let _ = target.remove_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
    }
    if let (Some(window), Some((id, _))) = (web_sys::window(), &watch.interval) {
        window.clear_interval_with_handle(*id);
    }
}

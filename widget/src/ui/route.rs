//! Noticing that a single-page store changed its URL with `history.pushState`, without
//! touching the page's `history` object: the Navigation API reports every same-document
//! navigation where the browser has it; elsewhere `popstate` covers back and forward and
//! a one-second look at `location` covers `pushState`.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Reflect;
use wasm_bindgen::JsCast;
use web_sys::EventTarget;

use crate::listen;

/// Calls `changed` after every change of the page URL.
pub(crate) fn follow(changed: impl Fn() + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let last = RefCell::new(window.location().href().unwrap_or_default());
    let check = Rc::new(move || {
        let href = web_sys::window()
            .and_then(|w| w.location().href().ok())
            .unwrap_or_default();
        if *last.borrow() != href {
            *last.borrow_mut() = href;
            changed();
        }
    });
    let navigation = Reflect::get(&window, &"navigation".into()).ok();
    let c = check.clone();
    match navigation.as_ref().and_then(|n| n.dyn_ref::<EventTarget>()) {
        Some(navigation) => listen::on(navigation, "currententrychange", move || c()),
        None => listen::every(1000, move || c()),
    }
    listen::on(&window, "popstate", move || check());
}

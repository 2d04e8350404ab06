//! Following the page's URL on single-page stores that change route with
//! `history.pushState`, without touching the page's `history` object: the Navigation
//! API reports every same-document navigation where the browser has it; elsewhere
//! `popstate` covers back and forward and a one-second look at `location` covers
//! `pushState`. On each change the widget is shown or hidden (`hideOn`) and the mounted
//! panel is told, so its suggestions follow the page.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::EventTarget;

use crate::modules::{self, Part};
use crate::Shared;
use shopdesk_page_api::Command;

pub(crate) fn follow(state: &Shared) -> Result<(), JsValue> {
    let window = web_sys::window().ok_or("no window")?;
    let last = RefCell::new(window.location().href().unwrap_or_default());
    let weak = Rc::downgrade(state);
    let check = Rc::new(move || {
        let (Some(state), Some(window)) = (weak.upgrade(), web_sys::window()) else {
            return;
        };
        let location = window.location();
        let href = location.href().unwrap_or_default();
        if *last.borrow() == href {
            return;
        }
        let path = location.pathname().unwrap_or_default();
        last.replace(href.clone());
        let (hidden, survey) = {
            let s = state.borrow();
            let survey = crate::intent::survey_on(&path, &s.settings, &s.survey_triggers);
            (s.settings.hidden_on(&path), survey)
        };
        crate::set_hidden(&state, hidden);
        if survey {
            // The surveys module reads the route itself when it mounts.
            modules::preload(&state, Part::Surveys);
        }
        let href = JsValue::from(href);
        modules::tell(&state, Part::Search, Command::Route, &href);
        modules::tell(&state, Part::Surveys, Command::Route, &href);
    });
    let navigation = Reflect::get(&window, &"navigation".into())?;
    let mut s = state.borrow_mut();
    let c = check.clone();
    match navigation.dyn_ref::<EventTarget>() {
        Some(navigation) => s
            .listeners
            .on(navigation, "currententrychange", move |_| c())?,
        None => s.listeners.every(1000, move |_| c())?,
    }
    s.listeners.on(&window, "popstate", move |_| check())
}

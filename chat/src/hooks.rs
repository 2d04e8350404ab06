//! The help panel's side of the chat: what the chat asks of the panel and tells it.
//!
//! The panel (`widget/`) passes a plain object of functions to [`crate::mount`]:
//!
//! - `emit(name, detail)`: fires a `window.shopdesk` event (the launcher's callback);
//! - `handoff()`: the handoff JSON for a conversation about to start — what the shopper
//!   searched and read, the page, what the merchant said about them — built by the
//!   panel, which keeps that history;
//! - `back()`: the shopper goes back to search;
//! - `show()`: the chat should be in front (the shopper came back to an open chat or an
//!   unread reply);
//! - `ended(conversation, slot)`: a conversation ended; the panel may show its
//!   `afterChat` survey in `slot`, an element at the end of the chat;
//! - `suggest(text)`: up to three help articles for what the shopper is writing,
//!   `[{id, title, html}]`, from the same in-browser search as the panel's;
//! - `settings`: the merchant's `chat` setting as written (an object, or undefined).

use std::cell::RefCell;

use js_sys::{Function, Reflect};
use shopdesk_web::js;
use wasm_bindgen::prelude::*;
use web_sys::Element;

/// The panel's functions, checked once at mount.
#[derive(Debug, Clone)]
pub(crate) struct Hooks {
    pub emit: Function,
    handoff: Function,
    back: Function,
    show: Function,
    ended: Function,
    suggest: Function,
    pub settings: JsValue,
}

impl Hooks {
    pub(crate) fn read(hooks: &JsValue) -> Result<Self, JsValue> {
        let get = |name: &str| -> Result<Function, JsValue> {
            Reflect::get(hooks, &name.into())?
                .dyn_into::<Function>()
                .map_err(|_| JsValue::from_str(&format!("the chat's hooks lack `{name}()`")))
        };
        Ok(Hooks {
            emit: get("emit")?,
            handoff: get("handoff")?,
            back: get("back")?,
            show: get("show")?,
            ended: get("ended")?,
            suggest: get("suggest")?,
            settings: Reflect::get(hooks, &"settings".into())?,
        })
    }
}

thread_local! {
    static INSTALLED: RefCell<Option<(Hooks, Element)>> = const { RefCell::new(None) };
}

pub(crate) fn install(hooks: Hooks, panel: Element) {
    INSTALLED.with(|i| *i.borrow_mut() = Some((hooks, panel)));
}

pub(crate) fn uninstall() {
    INSTALLED.with(|i| i.borrow_mut().take());
}

/// Calls one of the panel's functions; a failure is reported, never thrown on.
fn call(pick: impl FnOnce(&Hooks) -> &Function, args: &[JsValue]) -> Option<JsValue> {
    let f = INSTALLED.with(|i| i.borrow().as_ref().map(|(h, _)| pick(h).clone()))?;
    let args: js_sys::Array = args.iter().collect();
    match f.apply(&JsValue::NULL, &args) {
        Ok(v) => Some(v),
        Err(e) => {
            js::report(&format!(
                "the help panel failed the chat: {}",
                js::describe(&e)
            ));
            None
        }
    }
}

/// The handoff JSON for a conversation about to start, if the panel has one.
pub(crate) fn handoff() -> Option<String> {
    call(|h| &h.handoff, &[])?.as_string()
}

pub(crate) fn back() {
    call(|h| &h.back, &[]);
}

pub(crate) fn show() {
    call(|h| &h.show, &[]);
}

pub(crate) fn ended(conversation: &str, slot: &Element) {
    call(|h| &h.ended, &[conversation.into(), slot.into()]);
}

/// Up to three articles for `text` (`[{id, title, html}]`), if the panel's search is
/// ready.
pub(crate) fn suggest(text: &str) -> Option<js_sys::Array> {
    call(|h| &h.suggest, &[text.into()])?.dyn_into().ok()
}

/// Whether the shopper has the panel in front of them (replies are read).
pub(crate) fn panel_open() -> bool {
    INSTALLED.with(|i| {
        i.borrow()
            .as_ref()
            .is_some_and(|(_, panel)| !panel.has_attribute("hidden"))
    })
}

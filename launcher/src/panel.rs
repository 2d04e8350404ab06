//! The help panel as a dialog: opening and closing it, focus moving in and back, the
//! focus trap, and the shell's search box until the widget takes it over.

use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, KeyboardEvent};

use crate::modules::{self, Part};
use crate::shell::{input, set_status};
use crate::Shared;
use shopdesk_page_api::Command;

/// Focusable elements of the panel, for the focus trap.
const FOCUSABLE: &str =
    "button, input, textarea, select, a[href], [tabindex]:not([tabindex=\"-1\"])";

pub(crate) fn toggle(state: &Shared) {
    let closed = state.borrow().panel.has_attribute("hidden");
    set_open(state, closed);
}

/// Opens or closes the panel, moving focus into the search box on open and back to the
/// launcher on close.
pub(crate) fn set_open(state: &Shared, open: bool) {
    // Focusing fires the launcher's own focus handler synchronously, so no borrow may be
    // held across it.
    let (panel, launcher, shadow, emit) = {
        let s = state.borrow();
        (
            s.panel.clone(),
            s.launcher.clone(),
            s.shadow.clone(),
            s.emit.clone(),
        )
    };
    if open != panel.has_attribute("hidden") {
        return;
    }
    let _ = panel.toggle_attribute_with_force("hidden", !open);
    let _ = launcher.set_attribute("aria-expanded", if open { "true" } else { "false" });
    if open {
        modules::preload(state, Part::Search);
        if let Some(input) = input(&shadow) {
            let _ = input.focus();
        }
    } else {
        let _ = launcher.focus();
    }
    emit.emit(
        if open { "open" } else { "close" },
        &wasm_bindgen::JsValue::UNDEFINED,
    );
}

/// `shopdesk.search(query)`: opens the panel with `query` in the box.
pub(crate) fn search(state: &Shared, query: String) {
    set_open(state, true);
    if state.borrow().search.mounted() {
        modules::forward(state, Part::Search, Command::Search, query.into(), true);
    } else if let Some(input) = input(&state.borrow().shadow) {
        // The widget takes over the box, and with it the query.
        input.set_value(&query);
    }
}

pub(crate) fn keydown(state: &Shared, key: &KeyboardEvent) {
    match key.key().as_str() {
        "Escape" => {
            key.prevent_default();
            set_open(state, false);
        }
        "Tab" => trap_focus(state, key),
        _ => {}
    }
}

/// Typing before the widget has arrived: say that answers are coming.
pub(crate) fn typed_early(state: &Shared) {
    if let Ok(s) = state.try_borrow() {
        if !s.search.mounted() {
            set_status(&s.shadow, s.words.loading, "sd-status sd-status-loading");
        }
    }
}

/// Keeps Tab and Shift+Tab cycling inside the open panel, as a dialog must.
fn trap_focus(state: &Shared, key: &KeyboardEvent) {
    let (shadow, panel) = {
        let s = state.borrow();
        (s.shadow.clone(), s.panel.clone())
    };
    let Ok(list) = panel.query_selector_all(FOCUSABLE) else {
        return;
    };
    let mut focusable: Vec<HtmlElement> = Vec::new();
    for i in 0..list.length() {
        if let Some(e) = list.item(i).and_then(|n| n.dyn_into::<HtmlElement>().ok()) {
            if e.offset_parent().is_some() {
                focusable.push(e);
            }
        }
    }
    let (Some(first), Some(last)) = (focusable.first(), focusable.last()) else {
        return;
    };
    let active = shadow.active_element();
    let is = |e: &HtmlElement| active.as_ref().is_some_and(|a| a.is_same_node(Some(e)));
    let inside = focusable.iter().any(is);
    if key.shift_key() && (is(first) || !inside) {
        key.prevent_default();
        let _ = last.focus();
    } else if !key.shift_key() && (is(last) || !inside) {
        key.prevent_default();
        let _ = first.focus();
    }
}

//! Lookups in the launcher's shell (the panel frame `shell.html` builds): the search box
//! and the status line, shared by the dialog (`panel.rs`) and the modules that take the
//! panel over (`modules.rs`), so neither imports the other.

use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, ShadowRoot};

/// The search box (the shell's until the search module takes it over).
pub(crate) fn input(shadow: &ShadowRoot) -> Option<HtmlInputElement> {
    shadow
        .query_selector(".sd-input")
        .ok()
        .flatten()
        .map(JsCast::unchecked_into)
}

/// Shows `text` in the status line under the search box.
pub(crate) fn set_status(shadow: &ShadowRoot, text: &str, class: &str) {
    if let Ok(Some(status)) = shadow.query_selector(".sd-status") {
        status.set_text_content(Some(text));
        status.set_class_name(class);
    }
}

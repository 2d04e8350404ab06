//! The Shopdesk help panel: the leptos UI and the tantivy search engine, compiled into
//! one WebAssembly module.
//!
//! A store page never loads this up front. The launcher (`launcher/`) fetches it on the
//! shopper's first interaction or when the browser is idle, then calls [`mount`], which
//! takes over the body of the panel the launcher already shows. Searching is a direct
//! Rust call from the UI into [`faq_core::Engine`]: no serialization per keystroke.

mod engine;
mod fetch;
mod js;
mod ui;

use wasm_bindgen::prelude::*;
use web_sys::Element;

/// Takes over the body of `panel` (the launcher's dialog).
///
/// `base` is where the widget's assets live, `locale` the shopper's language tag, `query`
/// what they typed before the widget arrived, and `focus` whether the search box had focus.
#[wasm_bindgen]
pub fn mount(
    panel: Element,
    base: String,
    locale: String,
    query: String,
    focus: bool,
) -> Result<(), JsValue> {
    std::panic::set_hook(Box::new(|info| {
        js::console_error(&format!("internal error, please report it: {info}"));
    }));
    let body = panel
        .query_selector(".sd-body")?
        .ok_or("the launcher's panel has no .sd-body")?;
    body.set_inner_html("");
    let handle = leptos::mount::mount_to(body.clone().unchecked_into(), move || {
        leptos::view! { <ui::Panel panel=panel base=base locale=locale query=query /> }
    });
    // The widget lives as long as the page.
    handle.forget();
    // At once, not on the next frame: the shopper may be typing, and keys pressed while
    // focus is nowhere would be lost.
    if focus {
        if let Some(input) = body.query_selector(".sd-input")? {
            let input: web_sys::HtmlInputElement = input.unchecked_into();
            input.focus()?;
            let end = input.value().encode_utf16().count() as u32;
            input.set_selection_range(end, end)?;
        }
    }
    Ok(())
}

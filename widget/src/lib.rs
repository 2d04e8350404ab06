//! The Shopdesk widget: what shoppers see on a store page.
//!
//! `shopdesk.js` (the one script a merchant adds) loads this module and calls
//! [`start`]. The widget then lives entirely inside one host element and its Shadow DOM:
//! host styles cannot reach it, its styles cannot leak out, and every failure stays
//! inside it. The heavy search engine is a separate module ([`engine`]) fetched on the
//! first interaction or when the browser is idle.

mod engine;
mod host;
mod js;
mod ui;

use wasm_bindgen::prelude::*;

/// Mounts the widget. `base` is the URL of the folder `shopdesk.js` was loaded from;
/// every other asset (the search module, the FAQ index) is resolved against it.
#[wasm_bindgen]
pub fn start(base: String) -> Result<(), JsValue> {
    host::mount(base)
}

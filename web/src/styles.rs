//! A module's own stylesheet, added to the widget's Shadow DOM beside the launcher's.
//! Constructed, not a `<style>` element, so a page's strict `style-src` allows it; and
//! each module brings its own, so page load carries only the launcher's.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::Element;

/// Adds `css` to the shadow root `inside` belongs to, after the sheets already there.
pub fn adopt(inside: &Element, css: &str) -> Result<(), JsValue> {
    let shadow: web_sys::ShadowRoot = inside.get_root_node().dyn_into()?;
    let sheet = web_sys::CssStyleSheet::new()?;
    sheet.replace_sync(css)?;
    let sheets: js_sys::Array =
        js_sys::Reflect::get(&shadow, &"adoptedStyleSheets".into())?.dyn_into()?;
    let all = sheets.concat(&js_sys::Array::of1(&sheet));
    js_sys::Reflect::set(&shadow, &"adoptedStyleSheets".into(), &all)?;
    Ok(())
}

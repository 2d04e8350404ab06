//! Keeping the full-screen phone panel inside the part of the screen the shopper can
//! see: when the on-screen keyboard opens, the visual viewport shrinks (and on some
//! browsers scrolls) while the layout viewport does not. The panel follows the visual
//! viewport through two CSS variables (set with CSSOM, so a strict CSP allows them).

use web_sys::{Element, HtmlElement};

use crate::listen;

pub(crate) fn follow(panel: &Element) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some(viewport) = window.visual_viewport() else {
        return;
    };
    let Ok(panel) = wasm_bindgen::JsCast::dyn_into::<HtmlElement>(panel.clone()) else {
        return;
    };
    let update = {
        let viewport = viewport.clone();
        move || {
            let style = panel.style();
            let _ = style.set_property("--sd-viewport-height", &format!("{}px", viewport.height()));
            let _ =
                style.set_property("--sd-viewport-top", &format!("{}px", viewport.offset_top()));
        }
    };
    update();
    let again = update.clone();
    listen::on(&viewport, "resize", update);
    listen::on(&viewport, "scroll", again);
}

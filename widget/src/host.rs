//! The widget's one footprint on the host page: a host element with a Shadow DOM.

use js_sys::{Array, Reflect};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CssStyleSheet, ShadowRootInit, ShadowRootMode};

use crate::{js, ui};

const HOST_TAG: &str = "shopdesk-widget";
const STYLES: &str = include_str!("style.css");

pub(crate) fn mount(base: String) -> Result<(), JsValue> {
    let window = web_sys::window().ok_or("no window")?;
    let document = window.document().ok_or("no document")?;
    if document.query_selector(HOST_TAG)?.is_some() {
        web_sys::console::warn_1(
            &"[shopdesk] the widget is already on this page; ignoring the second copy".into(),
        );
        return Ok(());
    }
    let body = document.body().ok_or(
        "the page has no <body> yet; load shopdesk.js with `async` or at the end of <body>",
    )?;

    let host = document.create_element(HOST_TAG)?;
    let shadow = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?;
    // Constructed stylesheets are not inline styles, so a strict `style-src` allows them.
    let sheet = CssStyleSheet::new()?;
    sheet.replace_sync(STYLES)?;
    Reflect::set(&shadow, &"adoptedStyleSheets".into(), &Array::of1(&sheet))?;
    let root = document.create_element("div")?;
    root.set_class_name("sd-root");
    shadow.append_child(&root)?;
    body.append_child(&host)?;

    let locale = page_locale(&document, &window);
    let handle = leptos::mount::mount_to(root.unchecked_into(), move || {
        view! { <ui::App base=base locale=locale /> }
    });
    // The widget lives as long as the page.
    handle.forget();
    js::mark("interactive");
    Ok(())
}

/// The shopper's language: the page's own `lang` first (the store chose it), then the
/// browser's.
fn page_locale(document: &web_sys::Document, window: &web_sys::Window) -> String {
    let from_page = document
        .document_element()
        .and_then(|e| e.get_attribute("lang"))
        .filter(|l| !l.trim().is_empty());
    from_page
        .or_else(|| window.navigator().language())
        .unwrap_or_else(|| "en".into())
}

/// Runs `f` when the browser is idle (or soon, where `requestIdleCallback` is missing).
pub(crate) fn when_idle(f: impl FnOnce() + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let callback = Closure::once_into_js(f);
    let has_idle = Reflect::has(&window, &"requestIdleCallback".into()).unwrap_or(false);
    let scheduled = if has_idle {
        let options = web_sys::IdleRequestOptions::new();
        options.set_timeout(4000);
        window
            .request_idle_callback_with_options(callback.unchecked_ref(), &options)
            .map(|_| ())
    } else {
        window
            .set_timeout_with_callback_and_timeout_and_arguments_0(callback.unchecked_ref(), 2000)
            .map(|_| ())
    };
    if let Err(e) = scheduled {
        js::console_error(&format!("cannot schedule preloading: {}", js::describe(&e)));
    }
}

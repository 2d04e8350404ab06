//! The launcher: the only Shopdesk code a store page loads before a shopper shows
//! interest, kept to a few kilobytes.
//!
//! It creates the widget's one footprint on the page (a `<shopdesk-widget>` host element
//! with a Shadow DOM and the widget's styles), the launcher button and the help panel's
//! frame. The panel opens at once with a working search box; the widget proper (the
//! leptos UI and the tantivy search engine, one larger module) is fetched on the first
//! interaction or when the browser is idle, and takes over the panel's body, keeping
//! whatever the shopper already typed.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    CssStyleSheet, Document, Element, HtmlElement, HtmlInputElement, KeyboardEvent, ShadowRoot,
    ShadowRootInit, ShadowRootMode,
};

const HOST_TAG: &str = "shopdesk-widget";
const STYLES: &str = include_str!("style.css");
const SHELL: &str = include_str!("shell.html");
const LOADING: &str = "Loading answers…";
const FAILED: &str = "Help articles could not be loaded right now. Please try again later.";

#[wasm_bindgen(inline_js = "export function importModule(url) { return import(url); }")]
extern "C" {
    /// Dynamic `import()`, which Rust cannot express; a static file, so it passes a
    /// strict CSP.
    #[wasm_bindgen(js_name = importModule, catch)]
    fn import_module(url: &str) -> Result<Promise, JsValue>;
}

#[wasm_bindgen]
extern "C" {
    type WidgetModule;
    #[wasm_bindgen(method, js_name = default)]
    fn init(this: &WidgetModule, options: &JsValue) -> Promise;
    #[wasm_bindgen(method, catch)]
    fn mount(
        this: &WidgetModule,
        panel: &Element,
        base: &str,
        locale: &str,
        query: &str,
        focus: bool,
    ) -> Result<(), JsValue>;
}

/// The launcher's state, shared by its event handlers.
struct Shell {
    base: String,
    locale: String,
    shadow: ShadowRoot,
    launcher: HtmlElement,
    panel: Element,
    widget: Loading,
}

#[derive(PartialEq)]
enum Loading {
    NotStarted,
    InProgress,
    Done,
}

type Shared = Rc<RefCell<Shell>>;

/// Starts the launcher. `base` is the folder `shopdesk.js` was loaded from; every other
/// asset is resolved against it.
#[wasm_bindgen]
pub fn start(base: String) -> Result<(), JsValue> {
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
    // A constant template, not data: nothing from the page or the network goes here.
    root.set_inner_html(SHELL);
    shadow.append_child(&root)?;
    body.append_child(&host)?;

    let find = |selector: &str| -> Result<Element, JsValue> {
        shadow
            .query_selector(selector)?
            .ok_or_else(|| JsValue::from_str("widget template is incomplete"))
    };
    let launcher: HtmlElement = find(".sd-launcher")?.unchecked_into();
    let panel = find(".sd-panel")?;
    let close_button = find(".sd-close")?;
    let shell: Shared = Rc::new(RefCell::new(Shell {
        base,
        locale: page_locale(&document, &window),
        shadow: shadow.clone(),
        launcher: launcher.clone(),
        panel: panel.clone(),
        widget: Loading::NotStarted,
    }));

    let s = shell.clone();
    listen(&launcher, "click", move |_| {
        let open = s.borrow().panel.has_attribute("hidden");
        set_open(&s, open);
        preload(&s);
    })?;
    for event in ["pointerenter", "focus"] {
        let s = shell.clone();
        listen(&launcher, event, move |_| preload(&s))?;
    }
    let s = shell.clone();
    listen(&close_button, "click", move |_| set_open(&s, false))?;
    let s = shell.clone();
    listen(&panel, "keydown", move |e| {
        let key: KeyboardEvent = e.unchecked_into();
        if key.key() == "Escape" {
            key.prevent_default();
            set_open(&s, false);
        }
    })?;
    // Until the widget arrives, typing in the shell's box says it is coming.
    let s = shell.clone();
    listen(&find(".sd-input")?, "input", move |_| {
        if let Ok(shell) = s.try_borrow() {
            if shell.widget != Loading::Done {
                set_status(&shell.shadow, LOADING, "sd-status sd-status-loading");
            }
        }
    })?;

    let s = shell.clone();
    when_idle(move || preload(&s));
    mark("interactive");
    Ok(())
}

fn listen(
    target: &Element,
    event: &str,
    handler: impl FnMut(web_sys::Event) + 'static,
) -> Result<(), JsValue> {
    let closure = Closure::<dyn FnMut(web_sys::Event)>::new(handler);
    target.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref())?;
    // Listeners live as long as the page.
    closure.forget();
    Ok(())
}

/// Opens or closes the panel, moving focus into the search box on open and back to the
/// launcher on close.
fn set_open(shell: &Shared, open: bool) {
    // Focusing fires the launcher's own focus handler synchronously, so no borrow may be
    // held across it.
    let (panel, launcher, shadow) = {
        let s = shell.borrow();
        (s.panel.clone(), s.launcher.clone(), s.shadow.clone())
    };
    let _ = if open {
        panel.remove_attribute("hidden")
    } else {
        panel.set_attribute("hidden", "")
    };
    let _ = launcher.set_attribute("aria-expanded", if open { "true" } else { "false" });
    if open {
        if let Some(input) = input(&shadow) {
            let _ = input.focus();
        }
    } else {
        let _ = launcher.focus();
    }
}

fn input(shadow: &ShadowRoot) -> Option<HtmlInputElement> {
    shadow
        .query_selector(".sd-input")
        .ok()
        .flatten()
        .map(JsCast::unchecked_into)
}

fn set_status(shadow: &ShadowRoot, text: &str, class: &str) {
    if let Ok(Some(status)) = shadow.query_selector(".sd-status") {
        status.set_text_content(Some(text));
        status.set_class_name(class);
    }
}

/// Fetches and mounts the widget, once.
fn preload(shell: &Shared) {
    {
        let Ok(mut s) = shell.try_borrow_mut() else {
            return;
        };
        if s.widget != Loading::NotStarted {
            return;
        }
        s.widget = Loading::InProgress;
        let _ = s.panel.set_attribute("data-engine", "loading");
    }
    let shell = shell.clone();
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(e) = load(&shell).await {
            let s = shell.borrow();
            let message = e
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .or_else(|| e.as_string())
                .unwrap_or_else(|| "unknown error".into());
            web_sys::console::error_1(
                &format!("[shopdesk] the help widget could not be loaded: {message}").into(),
            );
            let _ = s.panel.set_attribute("data-engine", "failed");
            set_status(&s.shadow, FAILED, "sd-status sd-status-error");
        }
    });
}

async fn load(shell: &Shared) -> Result<(), JsValue> {
    let base = shell.borrow().base.clone();
    let module: WidgetModule = JsFuture::from(import_module(&format!("{base}shopdesk-widget.js"))?)
        .await?
        .unchecked_into();
    let options = js_sys::Object::new();
    Reflect::set(
        &options,
        &"module_or_path".into(),
        &format!("{base}shopdesk-widget_bg.wasm").into(),
    )?;
    JsFuture::from(module.init(&options)).await?;

    let (shadow, panel, locale) = {
        let s = shell.borrow();
        (s.shadow.clone(), s.panel.clone(), s.locale.clone())
    };
    let (query, focused) = match input(&shadow) {
        Some(i) => {
            let focused = shadow
                .active_element()
                .is_some_and(|a| a.is_same_node(Some(i.as_ref())));
            (i.value(), focused)
        }
        None => (String::new(), false),
    };
    module.mount(&panel, &base, &locale, &query, focused)?;
    shell.borrow_mut().widget = Loading::Done;
    Ok(())
}

/// The shopper's language: the page's own `lang` first (the store chose it), then the
/// browser's.
fn page_locale(document: &Document, window: &web_sys::Window) -> String {
    document
        .document_element()
        .and_then(|e| e.get_attribute("lang"))
        .filter(|l| !l.trim().is_empty())
        .or_else(|| window.navigator().language())
        .unwrap_or_else(|| "en".into())
}

/// Runs `f` when the browser is idle (or soon, where `requestIdleCallback` is missing).
fn when_idle(f: impl FnOnce() + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let callback = Closure::once_into_js(f);
    let has_idle = Reflect::has(&window, &"requestIdleCallback".into()).unwrap_or(false);
    let _ = if has_idle {
        let options = web_sys::IdleRequestOptions::new();
        options.set_timeout(4000);
        window
            .request_idle_callback_with_options(callback.unchecked_ref(), &options)
            .map(drop)
    } else {
        window
            .set_timeout_with_callback_and_timeout_and_arguments_0(callback.unchecked_ref(), 2000)
            .map(drop)
    };
}

/// Adds `shopdesk:<name>` to the page's performance timeline.
fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(&format!("shopdesk:{name}"));
    }
}

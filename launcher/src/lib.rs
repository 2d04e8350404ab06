//! The launcher: the only Shopdesk code a store page loads before a shopper shows
//! interest, kept to a few kilobytes.
//!
//! It creates the widget's one footprint on the page (a `<shopdesk-widget>` host element
//! with a Shadow DOM and the widget's styles), the launcher button and the help panel's
//! frame. The panel opens at once with a working search box; the widget proper (the
//! leptos UI and the tantivy search engine, one larger module) is fetched on the first
//! interaction or when the browser is idle, and takes over the panel's body, keeping
//! whatever the shopper already typed.
//!
//! It also answers the `window.shopdesk` API: `loader/shopdesk.js` defines the API and
//! its queue, and hands every call to [`Core::command`]. Calls the panel itself answers
//! (`search`, `openArticle`, `identify`, `setContext`) wait here until the widget is
//! mounted.
//!
//! The merchant's settings are read by the widget module (`shopdesk-settings`), not
//! here: everything in this crate is downloaded by every store page, within a 40 KB
//! brotli budget that the settings reader does not fit yet.
use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function, Promise, Reflect};
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
    #[derive(Clone)]
    type WidgetModule;
    #[wasm_bindgen(method, js_name = default)]
    fn init(this: &WidgetModule, options: &JsValue) -> Promise;
    #[allow(clippy::too_many_arguments)]
    #[wasm_bindgen(method, catch)]
    fn mount(
        this: &WidgetModule,
        panel: &Element,
        dataset: &JsValue,
        settings: &JsValue,
        base: &str,
        locale: &str,
        query: &str,
        focus: bool,
        emit: &Function,
    ) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch)]
    fn command(this: &WidgetModule, name: &str, arg: &JsValue) -> Result<(), JsValue>;
}

/// FOCUSABLE elements of the panel, for the focus trap.
const FOCUSABLE: &str =
    "button, input, textarea, select, a[href], [tabindex]:not([tabindex=\"-1\"])";

/// The launcher's state, shared by its event handlers.
struct Shell {
    base: String,
    locale: String,
    host: Element,
    shadow: ShadowRoot,
    launcher: HtmlElement,
    panel: Element,
    widget: Loading,
    module: Option<WidgetModule>,
    /// API calls for the panel made before the widget was mounted, in order.
    pending: Vec<(String, JsValue)>,
    /// The page's settings values (`dataset`, `window.shopdeskSettings`), for the widget.
    sources: (JsValue, JsValue),
    /// The API's event callback; it never throws.
    emit: Function,
    stopped: bool,
}

#[derive(PartialEq)]
enum Loading {
    NotStarted,
    InProgress,
    Done,
    Failed,
}

type Shared = Rc<RefCell<Shell>>;

/// The running widget, as `loader/shopdesk.js` holds it.
#[wasm_bindgen]
pub struct Core {
    shell: Shared,
}

impl std::fmt::Debug for Core {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Core")
    }
}

/// Starts the launcher. `options` carries `base` (the folder every asset resolves
/// against), `dataset` (the script tag's `data-*` attributes), `settings`
/// (`window.shopdeskSettings`) and `emit(name, detail)` (the API's event callback).
#[wasm_bindgen]
pub fn start(options: JsValue) -> Result<Core, JsValue> {
    let get = |key: &str| Reflect::get(&options, &key.into());
    let emit: Function = get("emit")?.dyn_into()?;
    let base = get("base")?.as_string().ok_or("start() needs a base URL")?;
    let sources = (get("dataset")?, get("settings")?);
    let window = web_sys::window().ok_or("no window")?;
    let document = window.document().ok_or("no document")?;
    if document.query_selector(HOST_TAG)?.is_some() {
        web_sys::console::warn_1(
            &"[shopdesk] the widget is already on this page; ignoring the second copy".into(),
        );
        return Err("the widget is already on this page".into());
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
        host,
        shadow: shadow.clone(),
        launcher: launcher.clone(),
        panel: panel.clone(),
        widget: Loading::NotStarted,
        module: None,
        pending: Vec::new(),
        sources,
        emit: emit.clone(),
        stopped: false,
    }));

    let s = shell.clone();
    listen(&launcher, "click", move |_| {
        let open = s.borrow().panel.has_attribute("hidden");
        set_open(&s, open);
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
        match key.key().as_str() {
            "Escape" => {
                key.prevent_default();
                set_open(&s, false);
            }
            "Tab" => trap_focus(&s, &key),
            _ => {}
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
    let _ = emit.call2(&JsValue::NULL, &"ready".into(), &JsValue::UNDEFINED);
    Ok(Core { shell })
}

#[wasm_bindgen]
impl Core {
    /// Runs one `window.shopdesk` call. Misuse is a console warning, never an
    /// exception: a merchant's typo must not break their page.
    pub fn command(&self, name: &str, args: Array) -> Result<(), JsValue> {
        let shell = &self.shell;
        if shell.borrow().stopped {
            return Ok(());
        }
        let arg = args.get(0);
        match name {
            "open" => set_open(shell, true),
            "close" => set_open(shell, false),
            "toggle" => {
                let open = shell.borrow().panel.has_attribute("hidden");
                set_open(shell, open);
            }
            "search" => match arg.as_string() {
                Some(query) => {
                    set_open(shell, true);
                    if shell.borrow().widget == Loading::Done {
                        to_widget(shell, name, query.into());
                    } else if let Some(input) = input(&shell.borrow().shadow) {
                        // The widget takes over the box, and with it the query.
                        input.set_value(&query);
                    }
                }
                None => warn("shopdesk.search(query) takes the text to search for"),
            },
            "openArticle" => match arg.as_string().filter(|id| !id.is_empty()) {
                Some(id) => {
                    set_open(shell, true);
                    to_widget(shell, name, id.into());
                }
                None => warn("shopdesk.openArticle(id) takes an article id such as \"returns\""),
            },
            "identify" | "setContext" if arg.is_object() && !Array::is_array(&arg) => {
                to_widget(shell, name, arg);
            }
            "identify" => warn("shopdesk.identify(user) takes { id, email, name, signature }"),
            "setContext" => warn("shopdesk.setContext(context) takes a plain object"),
            "shutdown" => shutdown(shell),
            other => warn(&format!("shopdesk has no command `{other}`")),
        }
        Ok(())
    }
}

fn warn(message: &str) {
    web_sys::console::warn_1(&format!("[shopdesk] {message}").into());
}

/// One console error and an `error` event: how every failure reaches the merchant.
fn report(shell: &Shared, message: &str) {
    web_sys::console::error_1(&format!("[shopdesk] {message}").into());
    let detail = js_sys::Object::new();
    let _ = Reflect::set(&detail, &"message".into(), &message.into());
    let emit = shell.borrow().emit.clone();
    let _ = emit.call2(&JsValue::NULL, &"error".into(), &detail);
}

/// Hands `name(arg)` to the widget now, or once it is mounted.
fn to_widget(shell: &Shared, name: &str, arg: JsValue) {
    let module = {
        let mut s = shell.borrow_mut();
        match (&s.widget, &s.module) {
            (Loading::Done, Some(m)) => m.clone(),
            (Loading::Failed, _) => return,
            _ => {
                s.pending.push((name.to_string(), arg));
                drop(s);
                preload(shell);
                return;
            }
        }
    };
    if let Err(e) = module.command(name, &arg) {
        report(
            shell,
            &format!("shopdesk.{name}() failed: {}", describe(&e)),
        );
    }
}

/// `shopdesk.shutdown()`: removes the widget's element and everything it stored.
/// Listeners live on elements inside the removed host, so they go with it.
fn shutdown(shell: &Shared) {
    let module = {
        let mut s = shell.borrow_mut();
        s.stopped = true;
        s.pending.clear();
        s.host.remove();
        s.module.take()
    };
    if let Some(module) = module {
        let _ = module.command("shutdown", &JsValue::UNDEFINED);
    }
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let keys: Vec<String> = (0..storage.length().unwrap_or(0))
            .filter_map(|i| storage.key(i).ok().flatten())
            .filter(|k| k.starts_with("shopdesk:"))
            .collect();
        for k in keys {
            let _ = storage.remove_item(&k);
        }
    }
}

/// Keeps Tab and Shift+Tab cycling inside the open panel, as a dialog must.
fn trap_focus(shell: &Shared, key: &KeyboardEvent) {
    let (shadow, panel) = {
        let s = shell.borrow();
        (s.shadow.clone(), s.panel.clone())
    };
    let Ok(list) = panel.query_selector_all(FOCUSABLE) else {
        return;
    };
    let focusable: Vec<HtmlElement> = (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<HtmlElement>().ok())
        .filter(|e| e.offset_parent().is_some())
        .collect();
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

fn describe(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".into())
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
    let (panel, launcher, shadow, emit) = {
        let s = shell.borrow();
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
    let _ = if open {
        panel.remove_attribute("hidden")
    } else {
        panel.set_attribute("hidden", "")
    };
    let _ = launcher.set_attribute("aria-expanded", if open { "true" } else { "false" });
    if open {
        preload(shell);
        if let Some(input) = input(&shadow) {
            let _ = input.focus();
        }
    } else {
        let _ = launcher.focus();
    }
    let event = if open { "open" } else { "close" };
    let _ = emit.call2(&JsValue::NULL, &event.into(), &JsValue::UNDEFINED);
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
        if s.widget != Loading::NotStarted || s.stopped {
            return;
        }
        s.widget = Loading::InProgress;
        let _ = s.panel.set_attribute("data-engine", "loading");
    }
    let shell = shell.clone();
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(e) = load(&shell).await {
            report(
                &shell,
                &format!("the help widget could not be loaded: {}", describe(&e)),
            );
            let mut s = shell.borrow_mut();
            s.widget = Loading::Failed;
            s.pending.clear();
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
    if shell.borrow().stopped {
        return Ok(());
    }

    let (shadow, panel, locale, sources, emit) = {
        let s = shell.borrow();
        (
            s.shadow.clone(),
            s.panel.clone(),
            s.locale.clone(),
            s.sources.clone(),
            s.emit.clone(),
        )
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
    module.mount(
        &panel, &sources.0, &sources.1, &base, &locale, &query, focused, &emit,
    )?;
    let pending = {
        let mut s = shell.borrow_mut();
        s.widget = Loading::Done;
        s.module = Some(module);
        std::mem::take(&mut s.pending)
    };
    for (name, arg) in pending {
        to_widget(shell, &name, arg);
    }
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

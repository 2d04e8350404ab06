//! The launcher: the only Shopdesk code a store page loads before a shopper shows
//! interest, kept to a few kilobytes.
//!
//! It reads the merchant's settings (`shopdesk-settings`, the same reading the modules
//! do), prints one warning per unusable setting, and creates the widget's one
//! footprint on the page: a `<shopdesk-widget>` host element with a Shadow DOM, the
//! widget's styles in the merchant's look, the launcher button and the help panel's
//! frame in the shopper's language. The panel opens at once with a working search box;
//! the search module (the leptos UI and the tantivy search engine) is fetched on a sign
//! of intent, the surveys module where a survey can be shown (`intent.rs`), and each
//! takes over its part of the frame (the search module keeps whatever the shopper
//! already typed).
//!
//! It also answers the `window.shopdesk` API: `loader/shopdesk.js` defines the API and
//! its queue, and hands every call to [`Core::command`]. Calls a module answers
//! (`search`, `openArticle`, `showSurvey`, `identify`, `setContext`) wait here until it
//! is mounted (`modules.rs`).
//!
//! Everything here is downloaded by every store page, within a 40 KB brotli budget
//! (`BENCHMARKS.md`): plain loops over iterator chains, no number formatting, no
//! `format!` where a `+` does.

mod intent;
mod look;
mod modules;
mod outbox;
mod page;
mod panel;
mod route;
mod shell;

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function, Reflect};
use shopdesk_i18n::Shell as Words;
use shopdesk_settings::Settings;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CssStyleSheet, Element, HtmlElement, ShadowRoot, ShadowRootInit, ShadowRootMode};

use crate::modules::Part;
use crate::page::{Emitter, Listeners};
use shopdesk_page_api::Command;

/// The launcher allocates little and briefly; a small allocator keeps the page-load
/// module lean (the widget module keeps the default, faster one).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());

const HOST_TAG: &str = "shopdesk-widget";
const STYLES: &str = include_str!(concat!(env!("OUT_DIR"), "/style.min.css"));
const SHELL: &str = include_str!("shell.html");

/// The launcher's state, shared by its event handlers.
struct State {
    settings: Settings,
    words: &'static Words,
    base: String,
    locale: String,
    host: HtmlElement,
    shadow: ShadowRoot,
    launcher: HtmlElement,
    panel: Element,
    /// The search module (`widget/`) and the surveys module (`surveys/`).
    search: modules::State,
    surveys: modules::State,
    outbox: outbox::State,
    /// The loader's `load(stem)`, for the on-demand modules.
    load_module: Function,
    /// The loader's `prefetchIndex(url, lang)`: the index, fetched beside the search
    /// module (absent from an older loader).
    prefetch_index: Option<Function>,
    /// The page's settings values (`dataset`, `window.shopdeskSettings`), for the widget.
    sources: (JsValue, JsValue),
    emit: Emitter,
    /// Listeners on the page itself (route changes), removed by `shutdown()`.
    listeners: Listeners,
    /// The triggers of the merchant's surveys, to know which pages need survey code.
    survey_triggers: Vec<shopdesk_settings::surveys::Trigger>,
    /// Hidden on this page by the `hideOn` setting.
    hidden: bool,
    stopped: bool,
}

type Shared = Rc<RefCell<State>>;

/// The running widget, as `loader/shopdesk.js` holds it.
#[wasm_bindgen]
pub struct Core {
    state: Shared,
}

impl std::fmt::Debug for Core {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Core")
    }
}

/// Starts the launcher: reads the settings (warning about unusable ones) and puts the
/// launcher on the page. [`Core::wire`], which the loader calls a task later, makes it
/// answer. Two tasks rather than one: a task past 50 ms on a slow phone delays when
/// the store page becomes interactive (Lighthouse's TTI, `BENCHMARKS.md`).
///
/// `options` carries `base` (the folder every asset resolves
/// against), `dataset` (the script tag's `data-*` attributes), `settings`
/// (`window.shopdeskSettings`), `emit(name, detail)` (the API's event callback),
/// `loadModule(stem)` (an on-demand module, initialized) and `prefetchIndex(url, lang)`.
#[wasm_bindgen]
pub fn start(options: JsValue) -> Result<Core, JsValue> {
    let get = |key: &str| Reflect::get(&options, &key.into());
    let emit = Emitter(get("emit")?.dyn_into::<Function>()?);
    let base = get("base")?.as_string().ok_or("start() needs a base URL")?;
    let load_module = get("loadModule")?.dyn_into::<Function>()?;
    let prefetch_index = get("prefetchIndex")?.dyn_into::<Function>().ok();
    let sources = (get("dataset")?, get("settings")?);
    let window = web_sys::window().ok_or("no window")?;
    let document = window.document().ok_or("no document")?;
    if document.query_selector(HOST_TAG)?.is_some() {
        page::warn("the widget is already on this page; ignoring the second copy");
        return Err("the widget is already on this page".into());
    }
    let body = document.body().ok_or(
        "the page has no <body> yet; load shopdesk.js with `async` or at the end of <body>",
    )?;

    let (settings, problems) = shopdesk_settings::read_js(&sources.0, &sources.1);
    for problem in &problems {
        web_sys::console::warn_1(&problem.message().into());
    }
    let locale = settings
        .locale
        .clone()
        .unwrap_or_else(|| page::locale(&document));
    let words = Words::for_tag(&locale);

    let host: HtmlElement = document.create_element(HOST_TAG)?.unchecked_into();
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
    look::apply(&host, &root, &settings, words, &locale)?;
    let path = window.location().pathname().unwrap_or_default();
    let hidden = settings.hidden_on(&path);
    host.toggle_attribute_with_force("hidden", hidden)?;
    body.append_child(&host)?;

    let find = |selector: &str| -> Result<Element, JsValue> {
        root.query_selector(selector)?
            .ok_or_else(|| JsValue::from_str("widget template is incomplete"))
    };
    let launcher: HtmlElement = find(".sd-launcher")?.unchecked_into();
    let panel = find(".sd-panel")?;
    let survey_triggers = shopdesk_settings::surveys::triggers(&settings.surveys);
    let state: Shared = Rc::new(RefCell::new(State {
        survey_triggers,
        settings,
        words,
        base,
        locale,
        host,
        shadow,
        launcher,
        panel,
        search: modules::State::default(),
        surveys: modules::State::default(),
        outbox: outbox::State::default(),
        load_module,
        prefetch_index,
        sources,
        emit,
        listeners: Listeners::default(),
        hidden,
        stopped: false,
    }));

    Ok(Core { state })
}

#[wasm_bindgen]
impl Core {
    /// The second start-up task: listens to the shopper, the page's route and the
    /// panel, and emits `ready`.
    pub fn wire(&self) -> Result<(), JsValue> {
        let state = &self.state;
        let (launcher, panel, hidden, emit) = {
            let s = state.borrow();
            (
                s.launcher.clone(),
                s.panel.clone(),
                s.hidden,
                s.emit.clone(),
            )
        };
        let find = |selector: &str| -> Result<Element, JsValue> {
            panel
                .query_selector(selector)?
                .ok_or_else(|| JsValue::from_str("widget template is incomplete"))
        };
        let close_button = find(".sd-close")?;
        let input = find(".sd-input")?;
        let s = state.clone();
        page::listen(&launcher, "click", move |_| panel::toggle(&s))?;
        // Signs of intent; on touch screens both pointer events fire at touch start.
        for event in ["pointerenter", "pointerdown", "focus"] {
            let s = state.clone();
            page::listen(&launcher, event, move |_| intent::shown(&s))?;
        }
        let s = state.clone();
        page::listen(&close_button, "click", move |_| panel::set_open(&s, false))?;
        let s = state.clone();
        page::listen(&panel, "keydown", move |e| {
            panel::keydown(&s, e.unchecked_ref())
        })?;
        // A live chat ended (the search panel says so): its `afterChat` survey.
        let s = state.clone();
        page::listen(&panel, "shopdesk-after-chat", move |e| {
            let detail = Reflect::get(&e, &"detail".into()).unwrap_or_default();
            modules::forward(&s, Part::Surveys, Command::AfterChat, detail, true);
        })?;
        // Until the widget arrives, typing in the shell's box says it is coming.
        let s = state.clone();
        page::listen(&input, "input", move |_| panel::typed_early(&s))?;
        route::follow(state)?;

        // What the page needs fetched, decided a task later: it reads the browser's
        // storage, whose first access can block, and the store page's own start matters
        // more than a module that is not needed yet.
        if !hidden {
            let s = state.clone();
            page::later(0, move || intent::arm(&s));
        }
        page::mark("interactive");
        emit.emit("ready", &JsValue::UNDEFINED);
        Ok(())
    }
    /// Runs one `window.shopdesk` call. Misuse is a console warning, never an
    /// exception: a merchant's typo must not break their page.
    pub fn command(&self, name: &str, args: Array) -> Result<(), JsValue> {
        let state = &self.state;
        if state.borrow().stopped {
            return Ok(());
        }
        let Some(command) = Command::parse(name).filter(|c| c.is_merchant_call()) else {
            page::warn(&("shopdesk has no command `".to_string() + name + "`"));
            return Ok(());
        };
        if command.opens_panel() && state.borrow().hidden {
            page::warn(
                &("shopdesk.".to_string()
                    + name
                    + "() does nothing on this page: the hideOn setting hides the widget here"),
            );
            return Ok(());
        }
        let arg = args.get(0);
        match command {
            Command::Open => panel::set_open(state, true),
            Command::Close => panel::set_open(state, false),
            Command::Toggle => panel::toggle(state),
            Command::Search => match arg.as_string() {
                Some(query) => panel::search(state, query),
                None => page::warn("shopdesk.search(query) takes the text to search for"),
            },
            Command::OpenArticle => match arg.as_string().filter(|id| !id.is_empty()) {
                Some(id) => {
                    panel::set_open(state, true);
                    modules::forward(state, Part::Search, command, id.into(), true);
                }
                None => {
                    page::warn("shopdesk.openArticle(id) takes an article id such as \"returns\"")
                }
            },
            // Kept for the modules, fetching nothing: merchants call these on every page.
            Command::Identify | Command::SetContext
                if arg.is_object() && !Array::is_array(&arg) =>
            {
                modules::forward(state, Part::Search, command, arg.clone(), false);
                modules::forward(state, Part::Surveys, command, arg, false);
            }
            Command::Identify => {
                page::warn("shopdesk.identify(user) takes { id, email, name, signature }")
            }
            Command::SetContext => page::warn("shopdesk.setContext(context) takes a plain object"),
            Command::ShowSurvey if arg.is_string() => {
                modules::forward(state, Part::Surveys, command, arg, true)
            }
            Command::ShowSurvey => page::warn(
                "shopdesk.showSurvey(survey) takes a survey id or \"csat\", \"nps\" or \"ces\"",
            ),
            // Kept for the search module, fetching nothing, as `identify` is; the module
            // checks the argument (page load pays for no more words).
            Command::Consent => modules::forward(state, Part::Search, command, arg, false),
            Command::Shutdown => shutdown(state),
            Command::Route | Command::AfterChat => {}
        }
        Ok(())
    }
}

/// `shopdesk.shutdown()`: removes the widget's element, its listeners on the page and
/// everything it stored. Listeners inside the removed host go with it.
fn shutdown(state: &Shared) {
    let (search, surveys, outbox) = {
        let mut s = state.borrow_mut();
        s.stopped = true;
        s.listeners.remove_all();
        s.host.remove();
        (s.search.stop(), s.surveys.stop(), s.outbox.stop())
    };
    for module in [search, surveys].into_iter().flatten() {
        let _ = module.command(Command::Shutdown.name(), &JsValue::UNDEFINED);
    }
    if let Some(outbox) = outbox {
        outbox.stop();
    }
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let mut ours = Vec::new();
        for i in 0..storage.length().unwrap_or(0) {
            if let Ok(Some(key)) = storage.key(i) {
                if key.starts_with("shopdesk:") {
                    ours.push(key);
                }
            }
        }
        for key in ours {
            let _ = storage.remove_item(&key);
        }
    }
}

/// Shows or hides the whole widget when the page's path changes (`hideOn`).
fn set_hidden(state: &Shared, hidden: bool) {
    let was_open = {
        let mut s = state.borrow_mut();
        if s.hidden == hidden {
            return;
        }
        s.hidden = hidden;
        let _ = s.host.toggle_attribute_with_force("hidden", hidden);
        !s.panel.has_attribute("hidden")
    };
    if hidden && was_open {
        panel::set_open(state, false);
    }
}

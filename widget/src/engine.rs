//! Loading and calling the search module (`shopdesk-search`), lazily and only once.
//!
//! The module and the FAQ index are the heavy part of the widget, so nothing here runs
//! at page load: [`preload`] is called on the shopper's first interaction with the
//! widget or when the browser is idle, whichever comes first.

use std::cell::RefCell;

use js_sys::Promise;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::js;

#[wasm_bindgen(inline_js = "export function importModule(url) { return import(url); }")]
extern "C" {
    /// Dynamic `import()`, which Rust cannot express; a static file, so it passes a
    /// strict CSP.
    #[wasm_bindgen(js_name = importModule, catch)]
    fn import_module(url: &str) -> Result<Promise, JsValue>;
}

#[wasm_bindgen]
extern "C" {
    type SearchModule;
    #[wasm_bindgen(method, js_name = default)]
    fn init(this: &SearchModule, options: &JsValue) -> Promise;
    #[wasm_bindgen(method, js_name = openEngine)]
    fn open_engine(this: &SearchModule, index_url: &str, locale: &str) -> Promise;

    type JsEngine;
    #[wasm_bindgen(method, catch)]
    fn search(this: &JsEngine, query: &str, limit: u32) -> Result<String, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn article(this: &JsEngine, id: &str) -> Result<Option<String>, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn locale(this: &JsEngine) -> String;
    #[wasm_bindgen(method, getter, js_name = isFallback)]
    fn is_fallback(this: &JsEngine) -> bool;
}

/// Where the search engine is in its life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Status {
    Idle,
    Loading,
    Ready { locale: String, fallback: bool },
    Failed,
}

impl Status {
    /// Exposed as `data-engine` on the panel, for tests and benchmarks.
    pub fn name(&self) -> &'static str {
        match self {
            Status::Idle => "idle",
            Status::Loading => "loading",
            Status::Ready { .. } => "ready",
            Status::Failed => "failed",
        }
    }
}

thread_local! {
    static ENGINE: RefCell<Option<JsEngine>> = const { RefCell::new(None) };
}

/// What the UI needs to start the engine and follow its status.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Loader {
    pub status: RwSignal<Status>,
    base: StoredValue<String>,
    locale: StoredValue<String>,
}

impl Loader {
    pub fn new(base: String, locale: String) -> Self {
        Self {
            status: RwSignal::new(Status::Idle),
            base: StoredValue::new(base),
            locale: StoredValue::new(locale),
        }
    }

    /// Starts loading unless already started. Safe to call from every trigger.
    pub fn preload(self) {
        if self.status.get_untracked() != Status::Idle {
            return;
        }
        self.status.set(Status::Loading);
        let base = self.base.get_value();
        let locale = self.locale.get_value();
        leptos::task::spawn_local(async move {
            match load(&base, &locale).await {
                Ok(engine) => {
                    let status = Status::Ready {
                        locale: engine.locale(),
                        fallback: engine.is_fallback(),
                    };
                    ENGINE.with(|e| *e.borrow_mut() = Some(engine));
                    self.status.set(status);
                    js::mark("search-ready");
                }
                Err(e) => {
                    js::console_error(&format!(
                        "the help articles could not be loaded: {}",
                        js::describe(&e)
                    ));
                    self.status.set(Status::Failed);
                }
            }
        });
    }
}

async fn load(base: &str, locale: &str) -> Result<JsEngine, JsValue> {
    let module: SearchModule = JsFuture::from(import_module(&format!("{base}shopdesk-search.js"))?)
        .await?
        .unchecked_into();
    let options = js_sys::Object::new();
    js_sys::Reflect::set(
        &options,
        &"module_or_path".into(),
        &format!("{base}shopdesk-search_bg.wasm").into(),
    )?;
    JsFuture::from(module.init(&options)).await?;
    let engine = JsFuture::from(module.open_engine(&format!("{base}faq/"), locale)).await?;
    Ok(engine.unchecked_into())
}

/// A search result as the UI shows it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Hit {
    pub id: String,
    pub title: String,
    pub snippet: Vec<(String, bool)>,
}

/// An opened answer.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Article {
    pub id: String,
    pub title: String,
    pub html: String,
}

pub(crate) const RESULT_LIMIT: u32 = 8;

/// Searches the loaded index; empty when the engine is not ready.
pub(crate) fn search(query: &str) -> Vec<Hit> {
    let json = ENGINE.with(|e| e.borrow().as_ref().map(|e| e.search(query, RESULT_LIMIT)));
    let Some(json) = json else {
        return Vec::new();
    };
    let parsed = json.and_then(|s| js_sys::JSON::parse(&s));
    match parsed {
        Ok(list) => js_sys::Array::from(&list)
            .iter()
            .map(|h| Hit {
                id: js::string(&h, "id"),
                title: js::string(&h, "title"),
                snippet: js::array(&h, "snippet")
                    .iter()
                    .map(|f| (js::string(&f, "text"), js::boolean(&f, "mark")))
                    .collect(),
            })
            .collect(),
        Err(e) => {
            js::console_error(&format!("search failed: {}", js::describe(&e)));
            Vec::new()
        }
    }
}

/// The article `id`, if the engine is ready and knows it.
pub(crate) fn article(id: &str) -> Option<Article> {
    let json = ENGINE.with(|e| e.borrow().as_ref().map(|e| e.article(id)))?;
    match json.and_then(|s| s.map(|s| js_sys::JSON::parse(&s)).transpose()) {
        Ok(Some(a)) => Some(Article {
            id: js::string(&a, "id"),
            title: js::string(&a, "title"),
            html: js::string(&a, "html"),
        }),
        Ok(None) => None,
        Err(e) => {
            js::console_error(&format!("cannot open article `{id}`: {}", js::describe(&e)));
            None
        }
    }
}

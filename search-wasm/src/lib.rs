//! The search engine as the widget loads it: a second WebAssembly module, fetched only
//! when a shopper is about to search, so the launcher itself stays tiny.
//!
//! The widget talks to it through three calls: [`open_engine`], [`SearchEngine::search`]
//! and [`SearchEngine::article`]. Results cross as JSON strings, which the widget turns
//! into objects with the browser's own `JSON.parse` instead of shipping a parser.

use faq_core::{Engine, Locale, Manifest, MANIFEST_FILE};
use js_sys::{ArrayBuffer, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestCache, RequestInit, Response};

/// A loaded FAQ index.
#[wasm_bindgen]
#[derive(Debug)]
pub struct SearchEngine {
    engine: Engine,
    requested: Locale,
}

/// Fetches the manifest at `index_url` and the bundle for `locale` (falling back to
/// English), and opens it.
#[wasm_bindgen(js_name = openEngine)]
pub async fn open_engine(index_url: String, locale: String) -> Result<SearchEngine, JsError> {
    let requested = locale.parse::<Locale>().unwrap_or(Locale::En);
    let base = if index_url.ends_with('/') {
        index_url
    } else {
        format!("{index_url}/")
    };
    // The manifest is the one file that changes in place: always revalidate it.
    let manifest_bytes =
        fetch_bytes(&format!("{base}{MANIFEST_FILE}"), RequestCache::NoCache).await?;
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes).map_err(|e| {
        JsError::new(&format!(
            "{base}{MANIFEST_FILE} is not an FAQ manifest: {e}"
        ))
    })?;
    let (_, entry) = manifest
        .pick(requested)
        .ok_or_else(|| JsError::new(&format!("{base}{MANIFEST_FILE} lists no locales")))?;
    let bundle = fetch_bytes(&format!("{base}{}", entry.file), RequestCache::Default).await?;
    let engine = Engine::open(&bundle).map_err(|e| JsError::new(&e.to_string()))?;
    Ok(SearchEngine { engine, requested })
}

async fn fetch_bytes(url: &str, cache: RequestCache) -> Result<Vec<u8>, JsError> {
    let init = RequestInit::new();
    init.set_cache(cache);
    let request = Request::new_with_str_and_init(url, &init).map_err(js_error)?;
    let promise = match web_sys::window() {
        Some(w) => w.fetch_with_request(&request),
        None => js_sys::global()
            .unchecked_into::<web_sys::WorkerGlobalScope>()
            .fetch_with_request(&request),
    };
    let response: Response = JsFuture::from(promise)
        .await
        .map_err(|e| JsError::new(&format!("cannot fetch {url}: {}", describe(&e))))?
        .unchecked_into();
    if !response.ok() {
        return Err(JsError::new(&format!(
            "cannot fetch {url}: HTTP {}",
            response.status()
        )));
    }
    let buffer: ArrayBuffer = JsFuture::from(response.array_buffer().map_err(js_error)?)
        .await
        .map_err(js_error)?
        .unchecked_into();
    Ok(Uint8Array::new(&buffer).to_vec())
}

fn describe(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "network error".into())
}

fn js_error(e: JsValue) -> JsError {
    JsError::new(&describe(&e))
}

#[wasm_bindgen]
impl SearchEngine {
    /// Results for `query` as a JSON array of `{id, title, category, score, snippet}`.
    pub fn search(&self, query: &str, limit: u32) -> Result<String, JsError> {
        let hits = self
            .engine
            .search(query, limit as usize)
            .map_err(|e| JsError::new(&e.to_string()))?;
        serde_json::to_string(&hits).map_err(|e| JsError::new(&e.to_string()))
    }

    /// The article as JSON `{id, title, category, html}`, or `undefined` if unknown.
    pub fn article(&self, id: &str) -> Result<Option<String>, JsError> {
        let article = self
            .engine
            .article(id)
            .map_err(|e| JsError::new(&e.to_string()))?;
        article
            .map(|a| serde_json::to_string(&a).map_err(|e| JsError::new(&e.to_string())))
            .transpose()
    }

    /// Articles suggested for the page at `path`, as JSON like [`Self::search`].
    pub fn suggestions(&self, path: &str, limit: u32) -> Result<String, JsError> {
        let hits = self
            .engine
            .suggestions_for(path, limit as usize)
            .map_err(|e| JsError::new(&e.to_string()))?;
        serde_json::to_string(&hits).map_err(|e| JsError::new(&e.to_string()))
    }

    /// The locale of the loaded articles.
    #[wasm_bindgen(getter)]
    pub fn locale(&self) -> String {
        self.engine.locale().to_string()
    }

    /// Whether the articles are in another language than the one asked for.
    #[wasm_bindgen(getter, js_name = isFallback)]
    pub fn is_fallback(&self) -> bool {
        self.engine.locale() != self.requested
    }

    #[wasm_bindgen(getter, js_name = articleCount)]
    pub fn article_count(&self) -> u32 {
        self.engine.article_count()
    }
}

//! The search engine behind the panel: loading the FAQ index once, then answering.

use std::cell::{Cell, RefCell};

use faq_core::{ArticleView, Engine, Hit, Locale, Manifest, Suggestions, MANIFEST_FILE};
use leptos::prelude::*;
use web_sys::RequestCache;

use crate::{fetch, js};

/// Results shown per query.
pub(crate) const RESULT_LIMIT: usize = 8;

/// Where the FAQ index is in its life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Status {
    Loading,
    Ready { locale: Locale, fallback: bool },
    Failed,
}

impl Status {
    /// Exposed as `data-engine` on the panel, for tests and benchmarks.
    pub fn name(&self) -> &'static str {
        match self {
            Status::Loading => "loading",
            Status::Ready { .. } => "ready",
            Status::Failed => "failed",
        }
    }
}

thread_local! {
    /// The engine is not `Send`, so it lives beside the reactive graph, not in it.
    static ENGINE: RefCell<Option<Engine>> = const { RefCell::new(None) };
    /// Whether the shopper has searched: then the caches hold their session and the
    /// warm-up leaves them alone.
    static SHOPPER_SEARCHED: Cell<bool> = const { Cell::new(false) };
}

/// Starts loading the index for `locale` from `index_url` (a folder with
/// `faq-manifest.json`) and returns the status to follow.
pub(crate) fn load(index_url: String, locale: String) -> RwSignal<Status> {
    let status = RwSignal::new(Status::Loading);
    leptos::task::spawn_local(async move {
        let wanted = locale.parse::<Locale>().unwrap_or(Locale::En);
        match open(&index_url, wanted).await {
            Ok(engine) => {
                let loaded = engine.locale();
                ENGINE.with(|e| *e.borrow_mut() = Some(engine));
                status.set(Status::Ready {
                    locale: loaded,
                    fallback: loaded != wanted,
                });
                js::mark("search-ready");
                warm_up().await;
            }
            Err(e) => {
                js::report(&format!("the help articles could not be loaded: {e}"));
                status.set(Status::Failed);
            }
        }
    });
    status
}

async fn open(index_url: &str, locale: Locale) -> Result<Engine, String> {
    // The manifest is the one file that changes in place: always revalidate it.
    let manifest_url = format!("{index_url}{MANIFEST_FILE}");
    let bytes = fetch::bytes(&manifest_url, RequestCache::NoCache).await?;
    let manifest: Manifest = serde_json::from_slice(&bytes)
        .map_err(|e| format!("{manifest_url} is not an FAQ manifest: {e}"))?;
    let (_, entry) = manifest
        .pick(locale)
        .ok_or_else(|| format!("{manifest_url} lists no locales"))?;
    let bundle_url = format!("{index_url}{}", entry.file);
    let bundle = fetch::bytes(&bundle_url, RequestCache::Default).await?;
    Engine::open(&bundle).map_err(|e| format!("{bundle_url}: {e}"))
}

/// Runs [`Engine::warm_up_queries`] one prefix per task, as a shopper would type
/// them, so the browser has compiled and optimized the search code before the first
/// real keystroke. Each step is one search (a few ms at most), so a shopper who types
/// meanwhile waits for one step at worst.
async fn warm_up() {
    let queries = ENGINE.with(|e| e.borrow().as_ref().map(Engine::warm_up_queries));
    let queries = match queries {
        Some(Ok(queries)) => queries,
        Some(Err(e)) => return js::report(&format!("warming up the search failed: {e}")),
        None => return,
    };
    for query in &queries {
        for end in (1..=query.len()).filter(|&i| query.is_char_boundary(i)) {
            js::next_task().await;
            ENGINE.with(|e| {
                if let Some(engine) = e.borrow().as_ref() {
                    let _ = engine.search(&query[..end], RESULT_LIMIT);
                }
            });
        }
    }
    if !SHOPPER_SEARCHED.get() {
        ENGINE.with(|e| e.borrow().as_ref().map(Engine::forget));
    }
}

/// Searches the loaded index; empty while it is not ready.
pub(crate) fn search(query: &str) -> Vec<Hit> {
    SHOPPER_SEARCHED.set(true);
    ENGINE.with(|e| {
        let engine = e.borrow();
        let Some(engine) = engine.as_ref() else {
            return Vec::new();
        };
        engine.search(query, RESULT_LIMIT).unwrap_or_else(|err| {
            js::report(&format!("search failed: {err}"));
            Vec::new()
        })
    })
}

/// The article `id`, if the index is loaded and has it.
pub(crate) fn article(id: &str) -> Option<ArticleView> {
    ENGINE.with(|e| {
        let engine = e.borrow();
        engine.as_ref()?.article(id).unwrap_or_else(|err| {
            js::report(&format!("cannot open article `{id}`: {err}"));
            None
        })
    })
}

/// What to show before the shopper types, for the page at `path`.
pub(crate) fn suggestions(path: &str) -> Option<Suggestions> {
    ENGINE.with(|e| {
        let engine = e.borrow();
        engine
            .as_ref()?
            .suggestions(path, RESULT_LIMIT)
            .map_err(|err| js::report(&format!("cannot list suggested articles: {err}")))
            .ok()
    })
}

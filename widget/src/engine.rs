//! The search engine behind the panel: loading the FAQ index once, then answering.

use std::cell::RefCell;

use faq_core::{ArticleView, Engine, Hit, Locale, Manifest, MANIFEST_FILE};
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
}

/// Starts loading the index for `locale` from `{base}faq/` and returns the status to
/// follow.
pub(crate) fn load(base: String, locale: String) -> RwSignal<Status> {
    let status = RwSignal::new(Status::Loading);
    leptos::task::spawn_local(async move {
        let wanted = locale.parse::<Locale>().unwrap_or(Locale::En);
        match open(&format!("{base}faq/"), wanted).await {
            Ok(engine) => {
                let loaded = engine.locale();
                ENGINE.with(|e| *e.borrow_mut() = Some(engine));
                status.set(Status::Ready {
                    locale: loaded,
                    fallback: loaded != wanted,
                });
                js::mark("search-ready");
            }
            Err(e) => {
                js::console_error(&format!("the help articles could not be loaded: {e}"));
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

/// Searches the loaded index; empty while it is not ready.
pub(crate) fn search(query: &str) -> Vec<Hit> {
    ENGINE.with(|e| {
        let engine = e.borrow();
        let Some(engine) = engine.as_ref() else {
            return Vec::new();
        };
        engine.search(query, RESULT_LIMIT).unwrap_or_else(|err| {
            js::console_error(&format!("search failed: {err}"));
            Vec::new()
        })
    })
}

/// The article `id`, if the index is loaded and has it.
pub(crate) fn article(id: &str) -> Option<ArticleView> {
    ENGINE.with(|e| {
        let engine = e.borrow();
        engine.as_ref()?.article(id).unwrap_or_else(|err| {
            js::console_error(&format!("cannot open article `{id}`: {err}"));
            None
        })
    })
}

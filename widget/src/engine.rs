//! The search engine behind the panel: loading the FAQ index once, then answering.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use faq_core::{ArticleView, Engine, Hit, Locale, Manifest, Suggestions, MANIFEST_FILE};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::RequestCache;

use crate::life::Life;
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
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Status::Loading => "loading",
            Status::Ready { .. } => "ready",
            Status::Failed => "failed",
        }
    }
}

/// The FAQ index behind the panel and where it is in its life. `Copy`: a handle into
/// the mount's owner, so the engine goes when the widget does.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Search {
    pub status: RwSignal<Status>,
    /// One stored value read through one accessor ([`Search::loaded`]): each stored
    /// type and each closure over it costs the search module code.
    loaded: StoredValue<Rc<Loaded>, LocalStorage>,
}

#[derive(Default)]
struct Loaded {
    /// The engine is not `Send`, so it lives beside the reactive graph, not in it.
    engine: RefCell<Option<Engine>>,
    /// Whether the shopper has searched: then the caches hold their session and the
    /// warm-up leaves them alone.
    shopper_searched: Cell<bool>,
}

impl Search {
    /// Nothing loaded yet. Must run inside the mount's owner.
    pub(crate) fn new() -> Self {
        Search {
            status: RwSignal::new(Status::Loading),
            loaded: StoredValue::new_local(Rc::default()),
        }
    }

    /// `None` once the widget is unmounted.
    fn loaded(self) -> Option<Rc<Loaded>> {
        self.loaded.try_get_value()
    }

    /// Starts loading the index for `locale` from `index_url` (a folder with
    /// `faq-manifest.json`); [`Search::status`] follows. `prefetched` is what the loader
    /// already started fetching beside this module (`prefetchIndex`: the manifest's
    /// text and the bundle it picked); used when it matches, else fetched here. An
    /// index that arrives after the widget's `life` ended is dropped.
    pub(crate) fn load(self, life: Life, index_url: String, locale: &str, prefetched: JsValue) {
        let wanted = locale.parse::<Locale>().unwrap_or(Locale::En);
        let at = life.now();
        leptos::task::spawn_local(async move {
            let opened = open(&index_url, wanted, Prefetched::read(&prefetched)).await;
            let Some(loaded) = self.loaded().filter(|_| life.current(at)) else {
                return;
            };
            match opened {
                Ok(engine) => {
                    let locale = engine.locale();
                    *loaded.engine.borrow_mut() = Some(engine);
                    self.status.set(Status::Ready {
                        locale,
                        fallback: locale != wanted,
                    });
                    js::mark("search-ready");
                    warm_up(&loaded, &life).await;
                }
                Err(e) => {
                    js::report(&format!("the help articles could not be loaded: {e}"));
                    self.status.set(Status::Failed);
                }
            }
        });
    }

    /// Searches the loaded index; empty while it is not ready.
    pub(crate) fn search(self, query: &str) -> Vec<Hit> {
        let Some(loaded) = self.loaded() else {
            return Vec::new();
        };
        loaded.shopper_searched.set(true);
        let engine = loaded.engine.borrow();
        let Some(engine) = engine.as_ref() else {
            return Vec::new();
        };
        engine.search(query, RESULT_LIMIT).unwrap_or_else(|err| {
            js::report(&format!("search failed: {err}"));
            Vec::new()
        })
    }

    /// The article `id`, if the index is loaded and has it.
    pub(crate) fn article(self, id: &str) -> Option<ArticleView> {
        let loaded = self.loaded()?;
        let engine = loaded.engine.borrow();
        engine.as_ref()?.article(id).unwrap_or_else(|err| {
            js::report(&format!("cannot open article `{id}`: {err}"));
            None
        })
    }

    /// The `n` best articles for `text` with their answers (the chat's suggestions):
    /// `[{id, title, html}]` as JavaScript objects (no JSON writer in this module for
    /// them); empty while the index loads.
    pub(crate) fn answers(self, text: &str, n: usize) -> js_sys::Array {
        let found = js_sys::Array::new();
        for hit in self.search(text).iter().take(n) {
            let Some(article) = self.article(&hit.id) else {
                continue;
            };
            let item = js_sys::Object::new();
            for (key, value) in [
                ("id", article.id),
                ("title", article.title),
                ("html", article.html),
            ] {
                let _ = js_sys::Reflect::set(&item, &key.into(), &value.into());
            }
            found.push(&item);
        }
        found
    }

    /// What to show before the shopper types, for the page at `path`.
    pub(crate) fn suggestions(self, path: &str) -> Option<Suggestions> {
        let loaded = self.loaded()?;
        let engine = loaded.engine.borrow();
        engine
            .as_ref()?
            .suggestions(path, RESULT_LIMIT)
            .map_err(|err| js::report(&format!("cannot list suggested articles: {err}")))
            .ok()
    }
}

/// Runs [`Engine::warm_up_queries`] one prefix per task, as a shopper would type them,
/// so the browser has compiled and optimized the search code before the first real
/// keystroke. Each step is one search (a few ms at most), so a shopper who types
/// meanwhile waits for one step at worst.
async fn warm_up(loaded: &Loaded, life: &Life) {
    let at = life.now();
    let queries = loaded.engine.borrow().as_ref().map(Engine::warm_up_queries);
    let queries = match queries {
        Some(Ok(queries)) => queries,
        Some(Err(e)) => return js::report(&format!("warming up the search failed: {e}")),
        None => return,
    };
    for query in &queries {
        for end in (1..=query.len()).filter(|&i| query.is_char_boundary(i)) {
            shopdesk_web::time::next_task().await;
            if !life.current(at) {
                return;
            }
            if let Some(engine) = loaded.engine.borrow().as_ref() {
                let _ = engine.search(&query[..end], RESULT_LIMIT);
            }
        }
    }
    if !loaded.shopper_searched.get() {
        if let Some(engine) = loaded.engine.borrow().as_ref() {
            engine.forget();
        }
    }
}

/// The index downloads the loader started: promises of the manifest's text and of
/// `[file, Response]` for the bundle it picked.
struct Prefetched {
    manifest: js_sys::Promise,
    bundle: js_sys::Promise,
}

impl Prefetched {
    fn read(value: &JsValue) -> Option<Self> {
        let get = |key: &str| {
            js_sys::Reflect::get(value, &key.into())
                .ok()?
                .dyn_into::<js_sys::Promise>()
                .ok()
        };
        Some(Prefetched {
            manifest: get("manifest")?,
            bundle: get("bundle")?,
        })
    }

    /// The bundle's bytes if the loader fetched `file`, the one the engine picked.
    async fn bundle(self, file: &str) -> Option<Vec<u8>> {
        let pair: js_sys::Array = JsFuture::from(self.bundle).await.ok()?.dyn_into().ok()?;
        if pair.get(0).as_string().as_deref() != Some(file) {
            return None;
        }
        let response: web_sys::Response = pair.get(1).dyn_into().ok()?;
        if !response.ok() {
            return None;
        }
        let buffer = JsFuture::from(response.array_buffer().ok()?).await.ok()?;
        Some(js_sys::Uint8Array::new(&buffer).to_vec())
    }
}

async fn open(
    index_url: &str,
    locale: Locale,
    prefetched: Option<Prefetched>,
) -> Result<Engine, String> {
    // The manifest is the one file that changes in place: always revalidate it. What
    // the loader fetched is used if it arrived; any failure there is retried here, so
    // errors name the URL and the status.
    let manifest_url = format!("{index_url}{MANIFEST_FILE}");
    let early = match &prefetched {
        Some(p) => JsFuture::from(p.manifest.clone())
            .await
            .ok()
            .and_then(|text| text.as_string()),
        None => None,
    };
    let bytes = match early {
        Some(text) => text.into_bytes(),
        None => fetch::bytes(&manifest_url, RequestCache::NoCache).await?,
    };
    // From text, as tantivy reads its JSON: one JSON reader in the module, not two.
    let text = String::from_utf8(bytes)
        .map_err(|_| format!("{manifest_url} is not an FAQ manifest: not UTF-8"))?;
    let manifest: Manifest = serde_json::from_str(&text)
        .map_err(|e| format!("{manifest_url} is not an FAQ manifest: {e}"))?;
    let (_, entry) = manifest
        .pick(locale)
        .ok_or_else(|| format!("{manifest_url} lists no locales"))?;
    let bundle_url = format!("{index_url}{}", entry.file);
    let early = match prefetched {
        Some(p) => p.bundle(&entry.file).await,
        None => None,
    };
    let bundle = match early {
        Some(bytes) => bytes,
        None => fetch::bytes(&bundle_url, RequestCache::Default).await?,
    };
    if !hashes_to_its_name(&entry.file, &bundle).await {
        return Err(format!(
            "{bundle_url} does not match the hash in its name: a proxy or cache changed it"
        ));
    }
    // In a task of its own: with the index fetched beside the module, the bundle is
    // often here already, and opening it in the task that mounted the panel would make
    // one long task of both (a store page's input would wait for it).
    shopdesk_web::time::next_task().await;
    Engine::open(&bundle).map_err(|e| format!("{bundle_url}: {e}"))
}

/// Bundles are named by the first 8 bytes of their SHA-256 (`faq-en-<16 hex>.bin`):
/// a download that does not hash to its name (rewritten by a proxy, cut short in a
/// cache, swapped) is refused rather than searched. Hashed by the browser
/// (`crypto.subtle`, which only secure pages have; elsewhere the bytes are used as
/// they are, there being nothing to check them with).
async fn hashes_to_its_name(file: &str, bytes: &[u8]) -> bool {
    use js_sys::{Function, Reflect};
    // The name's hash: the 16 characters before `.bin`.
    let Some(named) = file.len().checked_sub(20).and_then(|at| file.get(at..)) else {
        return true;
    };
    let subtle = Reflect::get(&js_sys::global(), &"crypto".into())
        .and_then(|c| Reflect::get(&c, &"subtle".into()))
        .unwrap_or_default();
    let digest = Reflect::get(&subtle, &"digest".into())
        .and_then(|f| f.dyn_into::<Function>())
        .and_then(|f| f.call2(&subtle, &"SHA-256".into(), &js_sys::Uint8Array::from(bytes)))
        .and_then(|p| p.dyn_into::<js_sys::Promise>());
    let Ok(digest) = digest else {
        return true;
    };
    let Ok(digest) = JsFuture::from(digest).await else {
        return false;
    };
    let digest = js_sys::Uint8Array::new(&digest);
    let hex = b"0123456789abcdef";
    named.bytes().take(16).enumerate().all(|(i, c)| {
        let b = digest.get_index(i as u32 / 2);
        c == hex[usize::from(if i % 2 == 0 { b >> 4 } else { b & 15 })]
    })
}

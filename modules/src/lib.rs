//! Fetching an on-demand module of the widget (search, chat, outbox): `import()` of its
//! wasm-bindgen JS and, at the same time, `fetch()` of the `.wasm` beside it, which the
//! module's `init` then compiles as it streams in (a round trip less than letting
//! `init` start the download).
//!
//! The launcher loads the search and outbox modules with it, and the search panel the
//! chat module: one way to load, and nothing that would weigh on page load. Each step
//! is a promise callback, since the futures executor would be kilobytes of the
//! launcher. `import` is always the loader's `import()` (`launcher/loader/shopdesk.js`):
//! a dynamic import in the loader resolves against the loader's own URL and stays
//! allowed by a page's CSP that allows the loader.

use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    /// A promise, bound with just the methods used here, taking plain functions.
    type Promise;
    #[wasm_bindgen(method)]
    fn then(this: &Promise, f: &JsValue) -> Promise;
    #[wasm_bindgen(method)]
    fn catch(this: &Promise, f: &JsValue) -> Promise;

    /// A wasm-bindgen module's namespace: its `default` export initializes it.
    type Namespace;
    #[wasm_bindgen(method, js_name = default)]
    fn init(this: &Namespace, options: &JsValue) -> Promise;
}

/// Loads `<base><stem>.js` and `<base><stem>_bg.wasm`, then calls `loaded` with the
/// initialized module's namespace; `failed` gets whatever went wrong on the way
/// (including an error `loaded` returns).
pub fn load(
    import: &js_sys::Function,
    base: &str,
    stem: &str,
    loaded: impl FnOnce(JsValue) -> Result<(), JsValue> + 'static,
    failed: impl FnOnce(JsValue) + 'static,
) {
    let imported: Promise =
        match import.call1(&JsValue::NULL, &(base.to_string() + stem + ".js").into()) {
            Ok(promise) => promise.unchecked_into(),
            Err(e) => return failed(e),
        };
    let Some(window) = web_sys::window() else {
        return failed("no window".into());
    };
    // `init` takes a promise of the response as well as a URL.
    let wasm: JsValue = window
        .fetch_with_str(&(base.to_string() + stem + "_bg.wasm"))
        .into();
    // If the import fails first, this download's own failure is not news.
    wasm.unchecked_ref::<Promise>()
        .catch(&Closure::once_into_js(|_: JsValue| {}));
    let init = Closure::once_into_js(move |module: JsValue| -> Result<Promise, JsValue> {
        let options = js_sys::Object::new();
        Reflect::set(&options, &"module_or_path".into(), &wasm)?;
        let ready = module.unchecked_ref::<Namespace>().init(&options);
        // Resolve with the namespace, not with what init resolves to.
        Ok(ready.then(&Closure::once_into_js(move |_: JsValue| module)))
    });
    let loaded = Closure::once_into_js(loaded);
    let failed = Closure::once_into_js(failed);
    imported.then(&init).then(&loaded).catch(&failed);
}

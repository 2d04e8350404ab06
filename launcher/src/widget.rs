//! Loading the widget module on demand and talking to it.
//!
//! API calls that need the widget (`search`, `openArticle`, `identify`, …) made before
//! it has arrived wait here and are handed over, in order, once it is mounted.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use shopdesk_modules as modules;

use crate::{outbox, page, panel, Shared};

#[wasm_bindgen]
extern "C" {
    #[derive(Clone)]
    pub(crate) type WidgetModule;
    #[allow(clippy::too_many_arguments)]
    #[wasm_bindgen(method, catch)]
    fn mount(
        this: &WidgetModule,
        panel: &web_sys::Element,
        dataset: &JsValue,
        settings: &JsValue,
        base: &str,
        locale: &str,
        query: &str,
        focus: bool,
        emit: &js_sys::Function,
        submit: &js_sys::Function,
        import: &js_sys::Function,
        index: &JsValue,
    ) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch)]
    pub(crate) fn command(this: &WidgetModule, name: &str, arg: &JsValue) -> Result<(), JsValue>;
}

/// Where the widget module is in its life, and what waits for it.
#[derive(Default)]
pub(crate) struct State {
    loading: Loading,
    module: Option<WidgetModule>,
    /// API calls for the panel made before the widget was mounted, in order.
    pending: Vec<(String, JsValue)>,
    /// The FAQ index, fetched beside the module (the loader's `prefetchIndex`).
    index: JsValue,
}

#[derive(Default, PartialEq)]
enum Loading {
    #[default]
    NotStarted,
    InProgress,
    Done,
    Failed,
}

impl State {
    pub(crate) fn mounted(&self) -> bool {
        self.loading == Loading::Done
    }

    /// Forgets what waits and hands back the module, for `shutdown()`.
    pub(crate) fn stop(&mut self) -> Option<WidgetModule> {
        self.pending.clear();
        self.module.take()
    }
}

/// Hands `name(arg)` to the widget now, or once it is mounted.
pub(crate) fn forward(state: &Shared, name: &str, arg: JsValue) {
    {
        let mut s = state.borrow_mut();
        match s.widget.loading {
            Loading::Done => {}
            Loading::Failed => return,
            _ => {
                s.widget.pending.push((name.to_string(), arg));
                drop(s);
                preload(state);
                return;
            }
        }
    }
    tell(state, name, &arg);
}

/// Tells the mounted widget `name(arg)`; nothing when it is not mounted (it reads the
/// page itself when it mounts).
pub(crate) fn tell(state: &Shared, name: &str, arg: &JsValue) {
    let module = {
        let s = state.borrow();
        match (&s.widget.loading, &s.widget.module) {
            (Loading::Done, Some(m)) => m.clone(),
            _ => return,
        }
    };
    if let Err(e) = module.command(name, arg) {
        let emit = state.borrow().emit.clone();
        emit.report(&("shopdesk.".to_string() + name + "() failed: " + &page::describe(&e)));
    }
}

/// Fetches and mounts the widget, once.
pub(crate) fn preload(state: &Shared) {
    let (import, base) = {
        let Ok(mut s) = state.try_borrow_mut() else {
            return;
        };
        if s.widget.loading != Loading::NotStarted || s.stopped || s.hidden {
            return;
        }
        s.widget.loading = Loading::InProgress;
        let _ = s.panel.set_attribute("data-engine", "loading");
        // The index downloads beside the module, not after it: the widget needs both.
        if let Some(prefetch) = &s.prefetch_index {
            let url = match &s.settings.index_url {
                Some(url) => url.clone(),
                None => s.base.clone() + "faq/",
            };
            s.widget.index = prefetch
                .call2(&JsValue::NULL, &url.into(), &s.locale.as_str().into())
                .unwrap_or(JsValue::UNDEFINED);
        }
        (s.import_module.clone(), s.base.clone())
    };
    let (s, f) = (state.clone(), state.clone());
    modules::load(
        &import,
        &base,
        "shopdesk-widget",
        move |module| {
            s.borrow_mut().widget.module = Some(module.unchecked_into());
            mount(&s)
        },
        move |e| failed(&f, &e),
    );
}

fn failed(state: &Shared, e: &JsValue) {
    let emit = state.borrow().emit.clone();
    emit.report(&("the help widget could not be loaded: ".to_string() + &page::describe(e)));
    let mut s = state.borrow_mut();
    s.widget.loading = Loading::Failed;
    s.widget.module = None;
    s.widget.pending.clear();
    let _ = s.panel.set_attribute("data-engine", "failed");
    panel::set_status(&s.shadow, s.words.failed, "sd-status sd-status-error");
}

/// Hands the panel to the initialized widget, then the calls that waited for it.
fn mount(state: &Shared) -> Result<(), JsValue> {
    let (module, shadow, panel, base, locale, sources, emit, import, index) = {
        let s = state.borrow();
        let Some(module) = s.widget.module.clone() else {
            return Ok(());
        };
        if s.stopped {
            return Ok(());
        }
        (
            module,
            s.shadow.clone(),
            s.panel.clone(),
            s.base.clone(),
            s.locale.clone(),
            s.sources.clone(),
            s.emit.clone(),
            s.import_module.clone(),
            s.widget.index.clone(),
        )
    };
    let (query, focused) = match panel::input(&shadow) {
        Some(i) => {
            let focused = shadow
                .active_element()
                .is_some_and(|a| a.is_same_node(Some(i.as_ref())));
            (i.value(), focused)
        }
        None => (String::new(), false),
    };
    // Responses the widget takes go to the outbox module, loaded beside it so it is
    // there before the shopper answers anything.
    let weak = std::rc::Rc::downgrade(state);
    let submit = Closure::<dyn Fn(String, String)>::new(move |endpoint, event| {
        if let Some(state) = weak.upgrade() {
            outbox::submit(&state, endpoint, event);
        }
    });
    module.mount(
        &panel,
        &sources.0,
        &sources.1,
        &base,
        &locale,
        &query,
        focused,
        &emit.0,
        submit.as_ref().unchecked_ref(),
        // The widget loads the chat module the way this one was loaded.
        &import,
        &index,
    )?;
    // The widget keeps the function for the page's lifetime.
    submit.forget();
    if state.borrow().settings.feedback_endpoint.is_some() {
        outbox::ensure(state);
    }
    let pending = {
        let mut s = state.borrow_mut();
        s.widget.loading = Loading::Done;
        std::mem::take(&mut s.widget.pending)
    };
    for (name, arg) in pending {
        tell(state, &name, &arg);
    }
    Ok(())
}

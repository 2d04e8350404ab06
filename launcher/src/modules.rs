//! The panel's on-demand modules: search (`widget/`: the panel UI and the engine) and
//! surveys (`surveys/`). Both speak one contract, `mount(...)` and `command(name, arg)`,
//! so one body of code here loads them, mounts them and talks to them.
//!
//! Calls a module answers (`search`, `openArticle`, `showSurvey`, …) made before it has
//! arrived wait here and are handed over, in order, once it is mounted. `identify` and
//! `setContext` wait too, without fetching anything: a merchant who calls them on every
//! page must not cost every visitor the search engine.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::{outbox, page, shell, Shared};
use shopdesk_page_api::Command;

#[wasm_bindgen]
extern "C" {
    /// A mounted module's exports (`widget/src/lib.rs`, `surveys/src/lib.rs`).
    #[derive(Clone)]
    pub(crate) type PanelModule;
    #[allow(clippy::too_many_arguments)]
    #[wasm_bindgen(method, catch)]
    fn mount(
        this: &PanelModule,
        panel: &web_sys::Element,
        dataset: &JsValue,
        settings: &JsValue,
        base: &str,
        locale: &str,
        query: &str,
        focus: bool,
        emit: &js_sys::Function,
        submit: &js_sys::Function,
        load: &js_sys::Function,
        index: &JsValue,
    ) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch)]
    pub(crate) fn command(this: &PanelModule, name: &str, arg: &JsValue) -> Result<(), JsValue>;
}

/// Which module.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Part {
    Search,
    Surveys,
}

/// Where a module is in its life, and what waits for it.
#[derive(Default)]
pub(crate) struct State {
    loading: Loading,
    module: Option<PanelModule>,
    /// Calls made before the module was mounted, in order.
    pending: Vec<(Command, JsValue)>,
    /// The FAQ index, fetched beside the search module (the loader's `prefetchIndex`).
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
    pub(crate) fn stop(&mut self) -> Option<PanelModule> {
        self.pending.clear();
        self.module.take()
    }
}

fn part(s: &mut crate::State, which: Part) -> &mut State {
    match which {
        Part::Search => &mut s.search,
        Part::Surveys => &mut s.surveys,
    }
}

/// Hands `name(arg)` to a module now, or once it is mounted; `load` fetches it if it
/// has not been asked for yet.
pub(crate) fn forward(state: &Shared, which: Part, command: Command, arg: JsValue, load: bool) {
    {
        let mut s = state.borrow_mut();
        let p = part(&mut s, which);
        match p.loading {
            Loading::Done => {}
            Loading::Failed => return,
            _ => {
                p.pending.push((command, arg));
                drop(s);
                if load {
                    preload(state, which);
                }
                return;
            }
        }
    }
    tell(state, which, command, &arg);
}

/// Tells a mounted module `name(arg)`; nothing when it is not mounted (it reads the page
/// itself when it mounts).
pub(crate) fn tell(state: &Shared, which: Part, command: Command, arg: &JsValue) {
    let module = {
        let mut s = state.borrow_mut();
        let p = part(&mut s, which);
        match (&p.loading, &p.module) {
            (Loading::Done, Some(m)) => m.clone(),
            _ => return,
        }
    };
    if let Err(e) = module.command(command.name(), arg) {
        let emit = state.borrow().emit.clone();
        emit.report(
            &("shopdesk.".to_string() + command.name() + "() failed: " + &page::describe(&e)),
        );
    }
}

/// Fetches and mounts a module, once.
pub(crate) fn preload(state: &Shared, which: Part) {
    let load = {
        let Ok(mut s) = state.try_borrow_mut() else {
            return;
        };
        if s.stopped || s.hidden || part(&mut s, which).loading != Loading::NotStarted {
            return;
        }
        part(&mut s, which).loading = Loading::InProgress;
        if which == Part::Search {
            let _ = s.panel.set_attribute("data-engine", "loading");
            // The index downloads beside the module, not after it: the widget needs both.
            if let Some(prefetch) = &s.prefetch_index {
                let url = match &s.settings.index_url {
                    Some(url) => url.clone(),
                    None => s.base.clone() + "faq/",
                };
                s.search.index = prefetch
                    .call2(&JsValue::NULL, &url.into(), &s.locale.as_str().into())
                    .unwrap_or(JsValue::UNDEFINED);
            }
        }
        s.load_module.clone()
    };
    let (s, f) = (state.clone(), state.clone());
    page::load_module(
        &load,
        match which {
            Part::Search => "shopdesk-widget",
            Part::Surveys => "shopdesk-surveys",
        },
        move |module| {
            part(&mut s.borrow_mut(), which).module = Some(module.unchecked_into());
            mount(&s, which)
        },
        move |e| failed(&f, which, &e),
    );
}

fn failed(state: &Shared, which: Part, e: &JsValue) {
    let emit = state.borrow().emit.clone();
    let what = match which {
        Part::Search => "the help widget could not be loaded: ",
        Part::Surveys => "the surveys could not be loaded: ",
    };
    emit.report(&(what.to_string() + &page::describe(e)));
    let mut s = state.borrow_mut();
    let p = part(&mut s, which);
    p.loading = Loading::Failed;
    p.module = None;
    p.pending.clear();
    if which == Part::Search {
        let _ = s.panel.set_attribute("data-engine", "failed");
        shell::set_status(&s.shadow, s.words.failed, "sd-status sd-status-error");
    }
}

/// Hands the panel to an initialized module, then the calls that waited for it.
fn mount(state: &Shared, which: Part) -> Result<(), JsValue> {
    let (module, shadow, panel, base, locale, sources, emit, load, index) = {
        let mut s = state.borrow_mut();
        if s.stopped {
            return Ok(());
        }
        let p = part(&mut s, which);
        let Some(module) = p.module.clone() else {
            return Ok(());
        };
        let index = p.index.clone();
        (
            module,
            s.shadow.clone(),
            s.panel.clone(),
            s.base.clone(),
            s.locale.clone(),
            s.sources.clone(),
            s.emit.clone(),
            s.load_module.clone(),
            index,
        )
    };
    // The search box, with what the shopper typed and whether it has focus: the search
    // panel takes it over.
    let (query, focused) = match (which, shell::input(&shadow)) {
        (Part::Search, Some(i)) => {
            let focused = shadow
                .active_element()
                .is_some_and(|a| a.is_same_node(Some(i.as_ref())));
            (i.value(), focused)
        }
        _ => (String::new(), false),
    };
    // Responses go to the outbox module, loaded beside this one (when there is an
    // endpoint) so it is there before the shopper answers anything.
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
        // The search panel loads the chat module the way this one was loaded.
        &load,
        &index,
    )?;
    // The module keeps the function for the page's lifetime.
    submit.forget();
    let (feedback, surveys) = {
        let s = state.borrow();
        (
            s.settings.feedback_endpoint.is_some(),
            !matches!(s.settings.surveys, shopdesk_settings::Raw::Null),
        )
    };
    if feedback {
        outbox::ensure(state);
    }
    // Beside search, the merchant's surveys: `showSurvey` answers at once, and their
    // settings are checked (with warnings) wherever the widget is in use.
    if which == Part::Search && surveys {
        preload(state, Part::Surveys);
    }
    let pending = {
        let mut s = state.borrow_mut();
        let p = part(&mut s, which);
        p.loading = Loading::Done;
        std::mem::take(&mut p.pending)
    };
    for (command, arg) in pending {
        tell(state, which, command, &arg);
    }
    Ok(())
}

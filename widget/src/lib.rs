//! The Shopdesk help panel: the leptos UI and the tantivy search engine, compiled into
//! one WebAssembly module.
//!
//! A store page never loads this up front. The launcher (`launcher/`) fetches it on the
//! shopper's first interaction or when the browser is idle, then calls [`mount`], which
//! takes over the body of the panel the launcher already shows, and forwards the
//! merchant's API calls through [`command`]. Searching is a direct Rust call from the UI
//! into [`faq_core::Engine`]: no serialization per keystroke.

mod analytics;
mod chat;
mod context;
mod engine;
mod feedback;
mod fetch;
mod handoff;
mod history;
mod life;
mod ui;

use std::cell::RefCell;

use leptos::prelude::*;
use shopdesk_page_api::Command;
use shopdesk_web::{js, listen, outbox};
use wasm_bindgen::prelude::*;
use web_sys::Element;

use context::Widget;

/// The mounted widget, where the exported functions below find it.
struct Mounted {
    widget: Widget,
    unmount: Box<dyn FnOnce()>,
}

thread_local! {
    /// The one entry point into the mounted widget from outside (the launcher's calls):
    /// everything else is in [`Widget`], shared through leptos's context.
    static MOUNTED: RefCell<Option<Mounted>> = const { RefCell::new(None) };
}

/// Takes over the body of `panel` (the launcher's dialog).
///
/// `dataset` and `settings` are the page's settings values (read with the launcher's
/// code, see `shopdesk-settings`), `base` the folder of the widget's files, `locale` the
/// shopper's language tag as the launcher resolved it, `query` what they typed before the widget arrived, `focus`
/// whether the search box had focus, `emit(name, detail)` fires `window.shopdesk`
/// events, `submit(endpoint, eventJson)` hands a response to the outbox, `load` is the
/// loader's `load(stem)`, for the chat module, and `index` the FAQ
/// index the loader started fetching beside this module (`prefetchIndex`; undefined if
/// it did not).
#[allow(clippy::too_many_arguments)]
#[wasm_bindgen]
pub fn mount(
    panel: Element,
    dataset: JsValue,
    settings: JsValue,
    base: String,
    locale: String,
    query: String,
    focus: bool,
    emit: js_sys::Function,
    submit: js_sys::Function,
    load: js_sys::Function,
    index: JsValue,
) -> Result<(), JsValue> {
    js::set_emitter(emit);
    outbox::connect(submit);
    std::panic::set_hook(Box::new(|info| {
        js::report(&format!("internal error, please report it: {info}"));
    }));
    // The same reading the launcher did (it printed the warnings): the two agree.
    // The chat module reads its own setting (`chat`), as written.
    let chat_settings =
        js_sys::Reflect::get(&settings, &"chat".into()).unwrap_or(JsValue::UNDEFINED);
    let (mut settings, _) = shopdesk_settings::read_js(&dataset, &settings);
    settings.asset_url = Some(base);
    let body = panel
        .query_selector(".sd-body")?
        .ok_or("the launcher's panel has no .sd-body")?;
    body.set_inner_html("");
    shopdesk_web::styles::adopt(&panel, include_str!("ui/panel.css"))?;
    // The widget's values belong to the mounted view (its owner), and its effects need
    // the executor `mount_to` sets up: so it is made inside.
    let made = std::rc::Rc::new(std::cell::Cell::new(None));
    let keep = made.clone();
    let handle = leptos::mount::mount_to(body.clone().unchecked_into(), move || {
        let widget = Widget::new(panel, &settings, &locale, load, chat_settings);
        widget
            .search
            .load(widget.life(), ui::index_url(&settings), &locale, index);
        provide_context(widget);
        keep.set(Some(widget));
        leptos::view! { <ui::Panel settings=settings locale=locale query=query /> }
    });
    let widget = made.take().ok_or("the help panel did not build")?;
    MOUNTED.with(|m| {
        *m.borrow_mut() = Some(Mounted {
            widget,
            unmount: Box::new(move || drop(handle)),
        })
    });
    // At once, not on the next frame: the shopper may be typing, and keys pressed while
    // focus is nowhere would be lost.
    if focus {
        if let Some(input) = body.query_selector(".sd-input")? {
            let input: web_sys::HtmlInputElement = input.unchecked_into();
            input.focus()?;
            let end = input.value().encode_utf16().count() as u32;
            input.set_selection_range(end, end)?;
        }
    }
    Ok(())
}

/// Runs a `window.shopdesk` call the launcher forwards: `search`, `openArticle`,
/// `identify`, `setContext`, `route` (the page's URL changed) or `shutdown`.
#[wasm_bindgen]
pub fn command(name: &str, arg: JsValue) -> Result<(), JsValue> {
    let Some(command) = Command::parse(name) else {
        return Err(JsValue::from_str(&format!(
            "the help panel has no command `{name}`"
        )));
    };
    if command == Command::Shutdown {
        listen::remove_all();
        if let Some(mounted) = MOUNTED.with(|m| m.borrow_mut().take()) {
            mounted.widget.stop();
            (mounted.unmount)();
        }
        shopdesk_web::merchant::clear();
        outbox::stop();
        return Ok(());
    }
    // Out of the slot before the call: the handler may run for a while (a search).
    let handler = MOUNTED.with(|m| m.borrow().as_ref().and_then(|m| m.widget.commands()));
    match handler {
        Some(handler) => {
            handler(command, arg);
            Ok(())
        }
        None => Err(JsValue::from_str("the help panel is not mounted")),
    }
}

//! CSAT, NPS and CES surveys, as their own WebAssembly module.
//!
//! A page where a survey can be shown (its trigger can fire here, the merchant calls
//! `showSurvey`, or a live chat ends with an `afterChat` survey) needs the survey code,
//! not the search engine: so the launcher loads this module there, and beside the
//! search module when the merchant has surveys (so their settings are checked, with
//! warnings, whenever the widget is in use). It speaks the launcher's module contract:
//! [`mount`] with the same arguments as the search module's, and [`command`].

mod caps;
mod card;
mod offer;

use shopdesk_page_api::Command;
use std::cell::RefCell;

use leptos::prelude::*;
use shopdesk_web::{js, listen, merchant, outbox};
use wasm_bindgen::prelude::*;
use web_sys::Element;

thread_local! {
    static MOUNTED: RefCell<Option<Mounted>> = const { RefCell::new(None) };
}

struct Mounted {
    locale: String,
    /// Unmounts the card in the launcher's survey slot.
    card: Box<dyn FnOnce()>,
    /// Unmounts the `afterChat` card in an ended chat, until the next one.
    after_chat: Option<Box<dyn FnOnce()>>,
}

/// Arms the merchant's surveys and mounts their card into the launcher's survey slot
/// beside `panel` (the launcher's dialog: surveys wait while it is open).
///
/// The launcher's module contract: `dataset` and `settings` are the page's settings
/// values, `locale` the shopper's language, `emit(name, detail)` fires `window.shopdesk`
/// events and `submit(endpoint, eventJson)` hands a response to the outbox. `base`,
/// `query`, `focus`, `load` and `index` are the search panel's and unused here.
#[allow(clippy::too_many_arguments)]
#[wasm_bindgen]
pub fn mount(
    panel: Element,
    dataset: JsValue,
    settings: JsValue,
    _base: String,
    locale: String,
    _query: String,
    _focus: bool,
    emit: js_sys::Function,
    submit: js_sys::Function,
    _load: JsValue,
    _index: JsValue,
) -> Result<(), JsValue> {
    js::set_emitter(emit);
    outbox::connect(submit);
    std::panic::set_hook(Box::new(|info| {
        js::report(&format!(
            "internal error in the surveys, please report it: {info}"
        ));
    }));
    let (settings, _) = shopdesk_settings::read_js(&dataset, &settings);
    shopdesk_web::styles::adopt(&panel, include_str!("survey.css"))?;
    let slot = panel
        .parent_element()
        .and_then(|root| root.query_selector(".sd-survey-slot").ok().flatten())
        .ok_or("the launcher has no survey slot")?;
    let text = shopdesk_i18n::Text::for_tag(&locale);
    let card_locale = locale.clone();
    // Signals and effects belong to the mounted card (its owner), and effects need the
    // executor `mount_to` sets up: so the surveys are armed inside.
    let handle = leptos::mount::mount_to(slot.clone().unchecked_into(), move || {
        let active = offer::start(&settings, &panel);
        leptos::view! { <card::SurveyCard active=active text=text locale=card_locale /> }
    });
    // For tests and the merchant's own checks: the survey code is on the page.
    let _ = slot.set_attribute("data-surveys", "ready");
    MOUNTED.with(|m| {
        *m.borrow_mut() = Some(Mounted {
            locale,
            card: Box::new(move || drop(handle)),
            after_chat: None,
        })
    });
    Ok(())
}

/// Runs a call the launcher forwards: `showSurvey`, `route` (the page's URL changed),
/// `identify`, `setContext`, `afterChat` (`{ id, slot }`: a live chat ended) or
/// `shutdown`.
#[wasm_bindgen]
pub fn command(name: &str, arg: JsValue) -> Result<(), JsValue> {
    match Command::parse(name) {
        Some(Command::ShowSurvey) => offer::show(&arg),
        Some(Command::Route) => offer::route_changed(),
        Some(Command::Identify) => merchant::set_identity(&arg),
        Some(Command::SetContext) => merchant::set_context(&arg),
        Some(Command::AfterChat) => after_chat(&arg)?,
        Some(Command::Shutdown) => shutdown(),
        // The launcher keeps the panel's calls to itself and the search module.
        Some(
            Command::Open
            | Command::Close
            | Command::Toggle
            | Command::Search
            | Command::OpenArticle
            | Command::Consent,
        )
        | None => js::report(&format!("the surveys have no command `{name}`")),
    }
    Ok(())
}

/// A live chat ended: its `afterChat` survey, if the merchant set one and the caps
/// allow it, goes into the slot the chat keeps for it.
fn after_chat(arg: &JsValue) -> Result<(), JsValue> {
    let id = js_sys::Reflect::get(arg, &"id".into())?
        .as_string()
        .ok_or("afterChat needs the conversation's id")?;
    let slot: Element = js_sys::Reflect::get(arg, &"slot".into())?.dyn_into()?;
    let Some(locale) = MOUNTED.with(|m| {
        let mut m = m.borrow_mut();
        let m = m.as_mut()?;
        if let Some(unmount) = m.after_chat.take() {
            unmount();
        }
        Some(m.locale.clone())
    }) else {
        return Ok(());
    };
    let Some(active) = offer::after_chat(&id) else {
        return Ok(());
    };
    let text = shopdesk_i18n::Text::for_tag(&locale);
    let handle = leptos::mount::mount_to(slot.unchecked_into(), move || {
        let active = RwSignal::new(Some(active));
        leptos::view! { <card::SurveyCard active=active text=text locale=locale /> }
    });
    MOUNTED.with(|m| {
        if let Some(m) = m.borrow_mut().as_mut() {
            m.after_chat = Some(Box::new(move || drop(handle)));
        }
    });
    Ok(())
}

/// `shopdesk.shutdown()`: no survey is offered any more (timers still pending find
/// nothing), the cards go, and what the merchant said is forgotten.
fn shutdown() {
    offer::stop();
    listen::remove_all();
    merchant::clear();
    outbox::stop();
    if let Some(m) = MOUNTED.with(|m| m.borrow_mut().take()) {
        if let Some(unmount) = m.after_chat {
            unmount();
        }
        (m.card)();
    }
}

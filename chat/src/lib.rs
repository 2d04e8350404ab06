//! Live chat with a person, as its own WebAssembly module.
//!
//! Most shoppers never ask for a person, so the conversation's code is not part of the
//! search module: the help panel (`widget/`) loads this module when the shopper reaches
//! for "Talk to a person", or at once when this tab already has a conversation, and
//! mounts it into a host element of the panel with [`mount`].
//!
//! Inside, data flows one way: `log` is the conversation as a pure value (tested
//! natively); `session` holds the effects around it (sending with retries, the event
//! stream, `memory`: the tab's memory of it) and reports to the log; `view` renders
//! the log.
//!
//! The panel stays in charge of the panel: it decides what is shown (search or chat),
//! builds the handoff (it knows what the shopper searched and read), and shows the
//! `afterChat` survey (surveys are its code). It lends those to the chat as
//! [`hooks::Hooks`]; the chat tells it, through them, when the shopper wants to go back,
//! when the chat should be shown, and when a conversation has ended.

mod contact;
mod handoff;
mod hooks;
mod log;
mod memory;
mod opening;
mod session;
mod sharing;
mod view;

use leptos::prelude::*;
use shopdesk_web::{js, listen};
use wasm_bindgen::prelude::*;
use web_sys::Element;

use hooks::Hooks;
use session::Chat;

/// Mounts the chat for `endpoint` into `host` (an element inside the launcher's
/// panel, `panel`), in `locale`'s words. `hooks` is the panel's side of the contract
/// (see [`hooks::Hooks`]). Returns whether this tab has a conversation going, which the
/// panel then shows.
#[wasm_bindgen]
pub fn mount(
    host: Element,
    panel: Element,
    endpoint: String,
    locale: String,
    hooks: JsValue,
) -> Result<bool, JsValue> {
    let hooks = Hooks::read(&hooks)?;
    let (settings, problems) =
        shopdesk_settings::chat::read(&shopdesk_settings::from_js(&hooks.settings));
    for problem in &problems {
        web_sys::console::warn_1(&shopdesk_settings::chat::warning(problem).into());
    }
    js::set_emitter(hooks.emit.clone());
    std::panic::set_hook(Box::new(|info| {
        js::report(&format!(
            "internal error in the chat, please report it: {info}"
        ));
    }));
    shopdesk_web::styles::adopt(&panel, include_str!("chat.css"))?;
    hooks::install(hooks, panel.clone());

    let text = shopdesk_i18n::ConversationText::for_tag(&locale);
    // The chat's signals and effects belong to the mounted view (its owner), and
    // effects need the executor `mount_to` sets up: so it is made inside.
    let made = std::rc::Rc::new(std::cell::Cell::new(None));
    let keep = made.clone();
    let handle = leptos::mount::mount_to(host.unchecked_into(), move || {
        let chat = Chat::new(endpoint, locale, settings);
        follow_unread(&panel, chat);
        keep.set(Some(chat));
        leptos::view! { <view::ChatView chat=chat text=text /> }
    });
    let chat = made.take().ok_or("the chat view did not build")?;
    MOUNTED.with(|m| {
        *m.borrow_mut() = Some(Mounted {
            chat,
            unmount: Box::new(move || drop(handle)),
        })
    });
    Ok(chat.is_open())
}

/// The panel switched to the chat: the message box (or the news that it ended) takes
/// focus, and replies so far count as read.
#[wasm_bindgen]
pub fn shown() {
    if let Some(chat) = MOUNTED.with(|m| m.borrow().as_ref().map(|m| m.chat)) {
        chat.mark_read();
        chat.focus.set(chat.focus.get_untracked().wrapping_add(1));
    }
}

/// `shopdesk.shutdown()`: closes the stream, forgets the conversation, unmounts.
#[wasm_bindgen]
pub fn stop() {
    listen::remove_all();
    if let Some(mounted) = MOUNTED.with(|m| m.borrow_mut().take()) {
        mounted.chat.stop();
        (mounted.unmount)();
    }
    hooks::uninstall();
}

struct Mounted {
    chat: Chat,
    unmount: Box<dyn FnOnce()>,
}

thread_local! {
    static MOUNTED: std::cell::RefCell<Option<Mounted>> = const { std::cell::RefCell::new(None) };
}

/// Marks the launcher while an agent's reply waits unread (the panel was closed), and
/// shows the chat when the shopper comes back through the launcher.
fn follow_unread(panel: &Element, chat: Chat) {
    let Some(launcher) = panel
        .parent_element()
        .and_then(|root| root.query_selector(".sd-launcher").ok().flatten())
    else {
        return;
    };
    let marked = launcher.clone();
    Effect::new(move |_| {
        let _ = if chat.log.with(|l| l.unread) {
            marked.set_attribute("data-unread", "")
        } else {
            marked.remove_attribute("data-unread")
        };
    });
    listen::on(&launcher, "click", move || {
        if chat.log.with_untracked(|l| l.unread) || chat.is_open() {
            hooks::show();
        }
        chat.mark_read();
    });
}

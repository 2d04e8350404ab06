//! The way to a person. The conversation itself is the chat module's (`chat/`), loaded
//! only when this shopper needs it: a pointer over or focus on "Talk to a person", a
//! click on it, or a conversation this tab already has (`sessionStorage`). Here the
//! panel loads it, mounts it into the chat's place in the panel, and lends it what it
//! keeps: the handoff and the way back to search; the end of a conversation is passed
//! on to the launcher, for the surveys module's `afterChat` survey.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Object, Reflect};
use leptos::prelude::*;
use shopdesk_web::js;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::Element;

use crate::life::Life;

/// Where this tab keeps its open conversation (written by the chat module).
const CONVERSATION_KEY: &str = "shopdesk:chat";
/// Messages typed and not yet delivered (the chat module sends them on).
const PENDING_KEY: &str = "shopdesk:chat-pending";
/// A link from an email, found by the launcher (the chat module opens it).
const RESUME_KEY: &str = "shopdesk:resume";

#[wasm_bindgen]
extern "C" {
    /// The chat module's exports (`chat/src/lib.rs`).
    #[derive(Clone)]
    type ChatModule;
    #[wasm_bindgen(method, catch)]
    fn mount(
        this: &ChatModule,
        host: &Element,
        panel: &Element,
        endpoint: &str,
        locale: &str,
        hooks: &JsValue,
    ) -> Result<bool, JsValue>;
    #[wasm_bindgen(method)]
    fn shown(this: &ChatModule);
    #[wasm_bindgen(method)]
    fn stop(this: &ChatModule);
}

/// Where the chat module is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Module {
    NotLoaded,
    Loading,
    Mounted,
    /// It could not be fetched or mounted (the console says why).
    Failed,
}

/// The chat as the panel sees it. `Copy`: handles into the mount's owner.
#[derive(Clone, Copy)]
pub(crate) struct Chat {
    pub module: RwSignal<Module>,
    /// The chat is in front of the shopper (else search and answers are).
    pub shown: RwSignal<bool>,
    /// Read through one accessor ([`Chat::parts`]), as the search's state is.
    parts: StoredValue<Rc<Parts>, LocalStorage>,
}

struct Parts {
    endpoint: String,
    locale: String,
    /// The element the chat module renders into.
    host: RefCell<Option<Element>>,
    /// The loader's `load(stem)`: a module, initialized (`launcher/loader/shopdesk.js`).
    load: Function,
    /// The chat module, once mounted.
    mounted: RefCell<Option<ChatModule>>,
    /// The launcher's dialog (the `afterChat` announcement is dispatched on it).
    panel: Element,
    life: Life,
    /// The handoff JSON for a conversation starting now.
    handoff: Box<dyn Fn() -> String>,
    /// Articles for a message being written (see the hooks).
    suggest: Box<dyn Fn(&str) -> js_sys::Array>,
    /// The shopper asked a person (the chat module's `escalate` event).
    escalated: Box<dyn Fn()>,
    /// The merchant's `chat` setting as written, for the chat module.
    settings: JsValue,
}

/// Whether this tab has a conversation going, or messages waiting to start one.
fn in_tab() -> bool {
    let Some(storage) = web_sys::window().and_then(|w| w.session_storage().ok().flatten()) else {
        return false;
    };
    [CONVERSATION_KEY, PENDING_KEY, RESUME_KEY]
        .iter()
        .any(|key| storage.get_item(key).ok().flatten().is_some())
}

impl Chat {
    /// The chat for `endpoint`, in `locale`'s words, in the launcher's `panel`; `load`
    /// is the loader's `load(stem)`, `handoff` builds the handoff and `escalated` hears
    /// that the shopper asked a person. A conversation
    /// this tab already has is loaded at once and shown: it is where the shopper left
    /// off. Must run inside the mount's owner.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        endpoint: String,
        locale: String,
        load: Function,
        panel: Element,
        life: Life,
        handoff: impl Fn() -> String + 'static,
        suggest: impl Fn(&str) -> js_sys::Array + 'static,
        escalated: impl Fn() + 'static,
        settings: JsValue,
    ) -> Self {
        let parts = Parts {
            suggest: Box::new(suggest),
            escalated: Box::new(escalated),
            settings,
            endpoint,
            locale,
            host: RefCell::new(None),
            load,
            mounted: RefCell::new(None),
            panel,
            life,
            handoff: Box::new(handoff),
        };
        let chat = Chat {
            module: RwSignal::new(Module::NotLoaded),
            shown: RwSignal::new(false),
            parts: StoredValue::new_local(Rc::new(parts)),
        };
        chat.check_live();
        if in_tab() {
            chat.shown.set(true);
        }
        // In front and mounted: the chat takes focus and counts replies as read.
        Effect::new(move |_| {
            if chat.shown.get() && chat.module.get() == Module::Mounted {
                if let Some(module) = chat.parts().and_then(|p| p.mounted.borrow().clone()) {
                    module.shown();
                }
            }
        });
        chat
    }

    /// Asks the server whether a person answers now (`GET <endpoint>/availability`);
    /// until it says, and if it cannot, the offer stays "Talk to a person".
    fn check_live(self) {
        let Some(parts) = self.parts() else {
            return;
        };
        let endpoint = parts.endpoint.strip_suffix('/').unwrap_or(&parts.endpoint);
        let url = format!("{endpoint}/availability");
        let leave = shopdesk_i18n::Text::for_tag(&parts.locale).chat.leave;
        leptos::task::spawn_local(async move {
            // Unanswered, it stays "Talk to a person"; the chat module, which asks too,
            // reports what went wrong.
            let Ok(body) = crate::fetch::bytes(&url, web_sys::RequestCache::NoStore).await else {
                return;
            };
            // Read with the browser's JSON (no JSON reader in this module for it).
            let Ok(said) = js_sys::JSON::parse(std::str::from_utf8(&body).unwrap_or_default())
            else {
                return;
            };
            let flag = |key: &str| {
                Reflect::get(&said, &key.into())
                    .ok()
                    .and_then(|f| f.as_bool())
            };
            // Chat off: the offer stays, and says so when taken. The label is set here,
            // not by a reactive closure: the offer changes once, if at all, and each
            // reactive node costs this module code.
            let away = flag("live") == Some(false) && flag("off") != Some(true);
            let offer = self.parts().and_then(|p| {
                p.panel
                    .query_selector("[data-testid=sd-chat-offer]")
                    .ok()
                    .flatten()
            });
            if let (true, Some(offer)) = (away, offer) {
                offer.set_text_content(Some(leave));
            }
        });
    }

    /// `None` once the widget is unmounted.
    fn parts(self) -> Option<Rc<Parts>> {
        self.parts.try_get_value()
    }

    /// Where the chat module renders; it is loaded once this is known, if the tab
    /// already has a conversation.
    pub(crate) fn set_host(self, host: Element) {
        if let Some(parts) = self.parts() {
            *parts.host.borrow_mut() = Some(host);
        }
        if self.shown.get_untracked() {
            self.load();
        }
    }

    /// Fetches and mounts the chat module, once (again after a failure).
    pub(crate) fn load(self) {
        if matches!(
            self.module.get_untracked(),
            Module::Loading | Module::Mounted
        ) {
            return;
        }
        let Some(parts) = self.parts() else {
            return;
        };
        self.module.set(Module::Loading);
        let at = parts.life.now();
        leptos::task::spawn_local(async move {
            let loaded = match parts.load.call1(&JsValue::NULL, &"shopdesk-chat".into()) {
                Ok(promise) => JsFuture::from(js_sys::Promise::from(promise)).await,
                Err(e) => Err(e),
            };
            // The widget may be gone (shutdown) by the time the module arrives.
            if !parts.life.current(at) {
                return;
            }
            if let Err(e) = loaded.and_then(|module| self.mount(&parts, module.unchecked_into())) {
                js::report(&format!(
                    "the chat could not be loaded: {}",
                    js::describe(&e)
                ));
                self.module.set(Module::Failed);
            }
        });
    }

    fn mount(self, parts: &Parts, module: ChatModule) -> Result<(), JsValue> {
        let host = parts
            .host
            .borrow()
            .clone()
            .ok_or("the chat's place in the panel is not rendered")?;
        let open = module.mount(
            &host,
            &parts.panel,
            &parts.endpoint,
            &parts.locale,
            &hooks(self)?,
        )?;
        *parts.mounted.borrow_mut() = Some(module);
        if open {
            self.shown.set(true);
        }
        self.module.set(Module::Mounted);
        Ok(())
    }

    /// `shopdesk.shutdown()`: the chat module closes its stream and forgets the
    /// conversation.
    pub(crate) fn stop(self) {
        let module = self.parts().and_then(|p| p.mounted.borrow_mut().take());
        if let Some(module) = module {
            module.stop();
        }
    }
}

/// The panel's side of the chat module's contract (`chat/src/hooks.rs`).
fn hooks(chat: Chat) -> Result<JsValue, JsValue> {
    let hooks = Object::new();
    let set = |name: &str, f: JsValue| Reflect::set(&hooks, &name.into(), &f);
    // The page's events, and the panel hears of an escalation on the way.
    let emitter = js::emitter();
    set(
        "emit",
        Closure::<dyn Fn(String, JsValue)>::new(move |name: String, detail: JsValue| {
            if name == "escalate" {
                if let Some(parts) = chat.parts() {
                    (parts.escalated)();
                }
            }
            if let Some(emit) = &emitter {
                let _ = emit.call2(&JsValue::NULL, &name.into(), &detail);
            }
        })
        .into_js_value(),
    )?;
    set(
        "handoff",
        Closure::<dyn Fn() -> String>::new(move || {
            chat.parts().map(|p| (p.handoff)()).unwrap_or_default()
        })
        .into_js_value(),
    )?;
    // Puts the chat in front (`show`) or search (`back`); nothing once the panel is gone.
    let showing = |shown: bool| {
        Closure::<dyn Fn()>::new(move || {
            if !chat.shown.is_disposed() {
                chat.shown.set(shown);
            }
        })
        .into_js_value()
    };
    set(
        "suggest",
        Closure::<dyn Fn(String) -> JsValue>::new(move |text: String| {
            chat.parts()
                .map_or(JsValue::UNDEFINED, |p| (p.suggest)(&text).into())
        })
        .into_js_value(),
    )?;
    if let Some(parts) = chat.parts() {
        set("settings", parts.settings.clone())?;
    }
    set("back", showing(false))?;
    set("show", showing(true))?;
    set(
        "ended",
        Closure::<dyn Fn(String, Element)>::new(move |id: String, slot| {
            if let Some(parts) = chat.parts() {
                after_chat(&parts.panel, &id, slot);
            }
        })
        .into_js_value(),
    )?;
    Ok(hooks.into())
}

/// A conversation ended: the surveys module (loaded by the launcher) may put the
/// merchant's `afterChat` survey into `slot`, at the end of the chat. The launcher
/// hears of it as a `shopdesk-after-chat` event on the panel, `detail` `{ id, slot }`.
fn after_chat(panel: &Element, conversation: &str, slot: Element) {
    let detail = Object::new();
    let _ = Reflect::set(&detail, &"id".into(), &conversation.into());
    let _ = Reflect::set(&detail, &"slot".into(), &slot);
    let init = web_sys::CustomEventInit::new();
    init.set_detail(&detail);
    match web_sys::CustomEvent::new_with_event_init_dict("shopdesk-after-chat", &init) {
        Ok(event) => {
            let _ = panel.dispatch_event(&event);
        }
        Err(e) => js::report(&format!(
            "the end of the chat could not be announced: {}",
            js::describe(&e)
        )),
    }
}

//! What the mounted help panel holds, in one place: built by [`crate::mount`], lent to
//! the panel's parts through leptos's context (`provide_context`), and gone with the
//! mount's owner when the merchant calls `shopdesk.shutdown()`.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use shopdesk_page_api::Command;
use shopdesk_settings::Settings;
use wasm_bindgen::JsValue;
use web_sys::Element;

use crate::analytics::{Analytics, Step};
use crate::chat::Chat;
use crate::engine::Search;
use crate::handoff;
use crate::history::History;
use crate::life::Life;

/// The panel's handler for the merchant's API calls the launcher forwards.
type Commands = Rc<dyn Fn(Command, JsValue)>;

/// The mounted widget. `Copy`: handles into the mount's owner.
#[derive(Clone, Copy)]
pub(crate) struct Widget {
    /// The FAQ index and its status.
    pub search: Search,
    /// The way to a person, when the merchant configured a chat endpoint.
    pub chat: Option<Chat>,
    /// Read through one accessor ([`Widget::parts`]): each stored type and each
    /// closure over one costs the search module code.
    parts: StoredValue<Rc<Parts>, LocalStorage>,
}

struct Parts {
    /// The launcher's dialog the panel lives in.
    panel: Element,
    /// What the shopper searched for and read, for the chat handoff.
    history: Rc<RefCell<History>>,
    commands: RefCell<Option<Commands>>,
    life: Life,
    /// Search analytics, unless the merchant turned them off.
    analytics: RefCell<Option<Analytics>>,
}

impl Widget {
    /// The widget for `panel` with the page's `settings`, in `locale`; `load` is the
    /// loader's `load(stem)` (for the chat module). Must run inside the mount's owner.
    pub(crate) fn new(
        panel: Element,
        settings: &Settings,
        locale: &str,
        load: js_sys::Function,
        chat_settings: JsValue,
    ) -> Self {
        let life = Life::default();
        let search = Search::new();
        let history = Rc::new(RefCell::new(History::default()));
        let parts = StoredValue::new_local(Rc::new(Parts {
            panel: panel.clone(),
            history: history.clone(),
            commands: RefCell::new(None),
            life: life.clone(),
            analytics: RefCell::new(Analytics::new(settings, locale)),
        }));
        let chat = settings.chat_endpoint.clone().map(|endpoint| {
            let (tag, history) = (locale.to_string(), history.clone());
            let handoff = move || handoff::json(&history.borrow(), search, &tag);
            Chat::new(
                endpoint,
                locale.to_string(),
                load,
                panel.clone(),
                life.clone(),
                handoff,
                move |text| search.answers(text, 3),
                move || record(parts, Step::Escalated),
                chat_settings,
            )
        });
        Widget {
            search,
            chat,
            parts,
        }
    }

    /// The mounted widget, from the context of any of the panel's components.
    pub(crate) fn get() -> Self {
        expect_context::<Widget>()
    }

    /// `None` once the widget is unmounted.
    fn parts(self) -> Option<Rc<Parts>> {
        self.parts.try_get_value()
    }

    /// The launcher's dialog.
    pub(crate) fn panel(self) -> Option<Element> {
        self.parts().map(|p| p.panel.clone())
    }

    pub(crate) fn life(self) -> Life {
        self.parts().map(|p| p.life.clone()).unwrap_or_default()
    }

    /// Adds to what the shopper searched for and read.
    pub(crate) fn remember(self, f: impl FnOnce(&mut History)) {
        if let Some(parts) = self.parts() {
            f(&mut parts.history.borrow_mut());
        }
    }

    /// Records a step of the shopper's search session (search analytics).
    pub(crate) fn record(self, step: Step) {
        record(self.parts, step);
    }

    /// `shopdesk.consent(granted)`, for search analytics.
    pub(crate) fn consent(self, granted: bool) {
        if let Some(parts) = self.parts() {
            if let Some(a) = parts.analytics.borrow_mut().as_mut() {
                a.consent(granted);
            }
        }
    }

    /// Installs the panel's handler for API commands.
    pub(crate) fn on_command(self, handler: impl Fn(Command, JsValue) + 'static) {
        if let Some(parts) = self.parts() {
            *parts.commands.borrow_mut() = Some(Rc::new(handler));
        }
    }

    /// The panel's handler, while it is mounted.
    pub(crate) fn commands(self) -> Option<Commands> {
        self.parts()?.commands.borrow().clone()
    }

    /// `shopdesk.shutdown()`: all work started so far stops at its next check (see
    /// [`Life`]), and the chat module closes its stream and forgets the conversation.
    pub(crate) fn stop(self) {
        if let Some(parts) = self.parts() {
            parts.life.end();
            parts.commands.borrow_mut().take();
        }
        if let Some(chat) = self.chat {
            chat.stop();
        }
    }
}

/// Records `step` in the analytics `parts` hold, while the widget is mounted.
fn record(parts: StoredValue<Rc<Parts>, LocalStorage>, step: Step) {
    if let Some(parts) = parts.try_get_value() {
        if let Some(a) = parts.analytics.borrow_mut().as_mut() {
            a.record(step);
        }
    }
}

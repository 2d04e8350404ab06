//! What the mounted help panel holds, in one place: built by [`crate::mount`], lent to
//! the panel's parts through leptos's context (`provide_context`), and gone with the
//! mount's owner when the merchant calls `shopdesk.shutdown()`.

use std::rc::Rc;

use leptos::prelude::*;
use shopdesk_page_api::Command;
use shopdesk_settings::Settings;
use wasm_bindgen::JsValue;
use web_sys::Element;

use crate::chat::Chat;
use crate::engine::Search;
use crate::handoff;
use crate::history::History;
use crate::life::Life;

/// The panel's handler for the merchant's API calls the launcher forwards.
type Commands = Rc<dyn Fn(Command, JsValue)>;

/// The mounted widget. `Copy`: every field is a handle into the mount's owner.
#[derive(Clone, Copy)]
pub(crate) struct Widget {
    /// The launcher's dialog the panel lives in.
    pub panel: StoredValue<Element, LocalStorage>,
    /// The FAQ index and its status.
    pub search: Search,
    /// What the shopper searched for and read, for the chat handoff.
    pub history: StoredValue<History>,
    /// The way to a person, when the merchant configured a chat endpoint.
    pub chat: Option<Chat>,
    commands: StoredValue<Option<Commands>, LocalStorage>,
    life: Life,
}

impl Widget {
    /// The widget for `panel` with the page's `settings`, in `locale`; `load` is the
    /// loader's `load(stem)` (for the chat module). Must run inside the mount's owner.
    pub(crate) fn new(
        panel: Element,
        settings: &Settings,
        locale: &str,
        load: js_sys::Function,
    ) -> Self {
        let life = Life::new();
        let panel = StoredValue::new_local(panel);
        let search = Search::new();
        let history = StoredValue::new(History::default());
        let chat = settings.chat_endpoint.clone().map(|endpoint| {
            let tag = locale.to_string();
            let handoff = move || {
                history
                    .try_with_value(|h| handoff::json(h, search, &tag))
                    .unwrap_or_default()
            };
            Chat::new(endpoint, locale.to_string(), load, panel, life, handoff)
        });
        Widget {
            panel,
            search,
            history,
            chat,
            commands: StoredValue::new_local(None),
            life,
        }
    }

    /// The mounted widget, from the context of any of the panel's components.
    pub(crate) fn get() -> Self {
        expect_context::<Widget>()
    }

    pub(crate) fn life(self) -> Life {
        self.life
    }

    /// Installs the panel's handler for API commands.
    pub(crate) fn on_command(self, handler: impl Fn(Command, JsValue) + 'static) {
        self.commands.set_value(Some(Rc::new(handler)));
    }

    /// The panel's handler, while it is mounted.
    pub(crate) fn commands(self) -> Option<Commands> {
        self.commands.try_get_value().flatten()
    }

    /// `shopdesk.shutdown()`: all work started so far stops at its next check (see
    /// [`Life`]), and the chat module closes its stream and forgets the conversation.
    pub(crate) fn stop(self) {
        self.life.end();
        self.commands.try_set_value(None);
        if let Some(chat) = self.chat {
            chat.stop();
        }
    }
}

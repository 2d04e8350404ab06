//! When the on-demand modules are fetched: only when this shopper, on this page, needs
//! them.
//!
//! The search module is the panel, the search engine and the index: hundreds of
//! kilobytes a visitor who never asks for help should not pay for (issue "A light
//! widget"). So it is fetched on a sign of intent — the pointer over the launcher, focus
//! on it, a finger on it (`pointerenter`/`pointerdown` fire at touch start), opening the
//! panel or an API call that needs it — and otherwise only when this tab has a live chat
//! going (`shopdesk:chat`): replies must reach the shopper, and the panel loads the chat.
//!
//! The surveys module (far smaller) is fetched, without the search engine, when a
//! survey can fire on this page: when its seconds are nearly up, when the page matches
//! its `onPage` pattern (checked again on every route change), or, on desktop, for exit
//! intent, which needs the card ready before the mouse leaves. (`showSurvey` and the end
//! of a chat fetch it too; so does the search module, when there are surveys.)
//!
//! Responses an earlier page could not deliver (`shopdesk:outbox`) load only the small
//! outbox module.
//!
//! With `navigator.connection.saveData` the shopper has asked for fewer bytes: hovering
//! and focusing fetch nothing, the search module waits for the panel to open. The work
//! above still loads what it needs: a response is never lost and a survey the merchant
//! set up still shows.
//!
//! [`plan`] decides, purely, from what the page says; [`arm`] reads the page and acts.

use js_sys::Reflect;
use shopdesk_settings::surveys::Trigger;
use shopdesk_settings::Settings;
use wasm_bindgen::prelude::*;

use crate::modules::{self, Part};
use crate::{outbox, page, Shared};

/// How long before an `afterSeconds` survey is due its code starts downloading.
const SURVEY_LEAD_MS: f64 = 5_000.0;
/// The earliest a module loads without intent: after the store page's own first
/// moments, which its own resources should have to themselves.
const SOON_MS: f64 = 500.0;

/// What the page says, read once at start.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Page {
    /// The page's path, for `onPage` surveys.
    pub path: String,
    /// Milliseconds since the page's navigation started.
    pub elapsed_ms: f64,
    /// The main pointer is a finger: no exit intent.
    pub touch: bool,
    pub outbox_waiting: bool,
    pub chat_in_tab: bool,
}

/// Why and when a module loads without the shopper asking.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Plan {
    /// Only on intent.
    OnIntent,
    /// In this many milliseconds, unless intent comes first: [`SOON_MS`] when work is
    /// waiting (a chat, a survey due now), later for a timed survey.
    After(f64),
}

/// When the page needs the search and the surveys modules before the shopper shows
/// intent. (Waiting responses need only the outbox module: see [`arm`].)
pub(crate) fn plan(page: &Page, settings: &Settings, triggers: &[Trigger]) -> (Plan, Plan) {
    let search = if page.chat_in_tab {
        Plan::After(SOON_MS)
    } else {
        Plan::OnIntent
    };
    (search, surveys(page, settings, triggers))
}

/// When a survey can fire on this page.
fn surveys(page: &Page, settings: &Settings, triggers: &[Trigger]) -> Plan {
    // Surveys are only shown with somewhere to send the answers.
    if settings.feedback_endpoint.is_none() {
        return Plan::OnIntent;
    }
    let mut soonest: Option<f64> = None;
    for trigger in triggers {
        let due = match trigger {
            Trigger::OnPage(pattern) if pattern.matches(&page.path) => 0.0,
            Trigger::ExitIntent if !page.touch => 0.0,
            Trigger::AfterSeconds(s) => {
                (f64::from(*s) * 1000.0 - SURVEY_LEAD_MS - page.elapsed_ms).max(0.0)
            }
            _ => continue,
        };
        soonest = Some(soonest.map_or(due, |s: f64| s.min(due)));
    }
    match soonest {
        None => Plan::OnIntent,
        Some(ms) => Plan::After(ms.max(SOON_MS)),
    }
}

/// Whether an `onPage` survey fires on `path`: after a route change on a single-page
/// store, the module is needed then.
pub(crate) fn survey_on(path: &str, settings: &Settings, triggers: &[Trigger]) -> bool {
    settings.feedback_endpoint.is_some()
        && triggers
            .iter()
            .any(|t| matches!(t, Trigger::OnPage(p) if p.matches(path)))
}

/// Reads the page and schedules the module's fetch as [`plan`] says.
pub(crate) fn arm(state: &Shared) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let page = Page {
        path: window.location().pathname().unwrap_or_default(),
        elapsed_ms: window.performance().map_or(0.0, |p| p.now()),
        touch: window
            .match_media("(pointer: coarse)")
            .ok()
            .flatten()
            .is_some_and(|m| m.matches()),
        outbox_waiting: stored(window.local_storage(), "shopdesk:outbox"),
        chat_in_tab: stored(window.session_storage(), "shopdesk:chat"),
    };
    let (search, surveys) = {
        let s = state.borrow();
        plan(&page, &s.settings, &s.survey_triggers)
    };
    if page.outbox_waiting {
        // Soon rather than when idle: a busy page may not be idle for seconds, and this
        // module is small.
        let s = state.clone();
        page::later(100, move || outbox::ensure(&s));
    }
    schedule(state, Part::Search, search);
    schedule(state, Part::Surveys, surveys);
}

fn schedule(state: &Shared, which: Part, when: Plan) {
    if let Plan::After(ms) = when {
        let s = state.clone();
        page::later(ms.min(f64::from(i32::MAX)) as i32, move || {
            modules::preload(&s, which)
        });
    }
}

/// A sign of intent (hover, focus, touch on the launcher): fetch the module now, unless
/// the shopper asked the browser to save data, then opening the panel will.
pub(crate) fn shown(state: &Shared) {
    if !save_data() {
        modules::preload(state, Part::Search);
    }
}

fn stored(storage: Result<Option<web_sys::Storage>, JsValue>, key: &str) -> bool {
    storage
        .ok()
        .flatten()
        .and_then(|s| s.get_item(key).ok().flatten())
        .is_some_and(|v| !v.is_empty() && v != "[]")
}

/// `navigator.connection.saveData` (Chromium; other browsers lack it: `false`).
fn save_data() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    Reflect::get(&window.navigator(), &"connection".into())
        .ok()
        .filter(|c| c.is_object())
        .and_then(|c| Reflect::get(&c, &"saveData".into()).ok())
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use page_pattern::UrlPattern;

    fn page() -> Page {
        Page {
            path: "/products/rain-jacket".into(),
            elapsed_ms: 1_000.0,
            touch: false,
            outbox_waiting: false,
            chat_in_tab: false,
        }
    }

    fn with_endpoint() -> Settings {
        Settings {
            feedback_endpoint: Some("/v1/feedback".into()),
            ..Settings::default()
        }
    }

    fn on_page(p: &str) -> Trigger {
        Trigger::OnPage(UrlPattern::parse(p).unwrap())
    }

    #[test]
    fn a_visitor_with_nothing_waiting_loads_nothing_until_intent() {
        let triggers = [Trigger::Manual, Trigger::AfterChat, on_page("/checkout*")];
        let nothing = (Plan::OnIntent, Plan::OnIntent);
        assert_eq!(plan(&page(), &with_endpoint(), &triggers), nothing);
        assert_eq!(plan(&page(), &Settings::default(), &[]), nothing);
    }

    #[test]
    fn a_chat_in_the_tab_loads_search_when_idle_but_waiting_responses_do_not() {
        let outbox = Page {
            outbox_waiting: true,
            ..page()
        };
        let nothing = (Plan::OnIntent, Plan::OnIntent);
        assert_eq!(plan(&outbox, &Settings::default(), &[]), nothing);
        let chat = Page {
            chat_in_tab: true,
            ..page()
        };
        assert_eq!(
            plan(&chat, &Settings::default(), &[]),
            (Plan::After(SOON_MS), Plan::OnIntent)
        );
    }

    #[test]
    fn surveys_load_their_module_not_search_when_they_can_fire_here() {
        let s = with_endpoint();
        let plan = |page: &Page, s: &Settings, t: &[Trigger]| {
            let (search, surveys) = plan(page, s, t);
            assert_eq!(
                search,
                Plan::OnIntent,
                "a survey never needs the search module"
            );
            surveys
        };
        assert_eq!(
            plan(&page(), &s, &[on_page("/products/*")]),
            Plan::After(SOON_MS)
        );
        // Due in 30 s, 1 s into the page: start 5 s early.
        assert_eq!(
            plan(&page(), &s, &[Trigger::AfterSeconds(30)]),
            Plan::After(24_000.0)
        );
        assert_eq!(
            plan(&page(), &s, &[Trigger::AfterSeconds(3)]),
            Plan::After(SOON_MS)
        );
        // The soonest wins.
        assert_eq!(
            plan(
                &page(),
                &s,
                &[Trigger::AfterSeconds(60), Trigger::AfterSeconds(20)]
            ),
            Plan::After(14_000.0)
        );
        assert_eq!(
            plan(&page(), &s, &[Trigger::ExitIntent]),
            Plan::After(SOON_MS)
        );
        let phone = Page {
            touch: true,
            ..page()
        };
        assert_eq!(plan(&phone, &s, &[Trigger::ExitIntent]), Plan::OnIntent);
        // Without an endpoint no survey is shown, so none is prepared.
        let none = Settings::default();
        assert_eq!(
            plan(&page(), &none, &[on_page("/products/*")]),
            Plan::OnIntent
        );
    }

    #[test]
    fn a_route_change_onto_a_survey_page_needs_the_module() {
        let triggers = [on_page("/checkout/success*")];
        assert!(survey_on(
            "/checkout/success/42",
            &with_endpoint(),
            &triggers
        ));
        assert!(!survey_on("/cart", &with_endpoint(), &triggers));
        assert!(!survey_on(
            "/checkout/success/42",
            &Settings::default(),
            &triggers
        ));
    }
}

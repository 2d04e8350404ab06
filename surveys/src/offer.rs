//! CSAT, NPS and CES surveys: asked rarely, politely, and never twice by mistake.
//!
//! The merchant lists surveys in the `surveys` setting (`shopdesk_settings::surveys`);
//! each is offered by its trigger (seconds on a page, a URL pattern, exit intent on
//! desktop, the end of a live chat) or by `shopdesk.showSurvey(id or kind)`. Before a
//! card appears the caps (`caps.rs`) must agree: one survey per page view, the survey's
//! own cooldown, the gap between any two surveys, and sampling; and the shopper must
//! not be typing (in the page or in the help panel): then it waits. The `afterChat`
//! survey shows in the ended chat itself. Showing counts, whether the shopper
//! answers or dismisses. Answers go through the outbox like every response.

use std::cell::RefCell;

use leptos::prelude::*;
use shopdesk_i18n::Text;
use shopdesk_settings::surveys::{self, Survey, SurveyKind, Trigger};
use shopdesk_settings::Settings;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Element;

use shopdesk_web::{js, listen};

use crate::caps;

const MEMORY_KEY: &str = "shopdesk:surveys";
/// How long to wait before trying again while the shopper is typing.
const BUSY_RETRY_MS: i32 = 4_000;

/// The survey on screen.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Active {
    pub survey: Survey,
    pub endpoint: String,
    /// The chat an `afterChat` survey rates.
    pub conversation: Option<String>,
}

struct Surveys {
    list: Vec<Survey>,
    gap_days: u16,
    endpoint: Option<String>,
    shown_this_page: bool,
    active: RwSignal<Option<Active>>,
    panel: Element,
    /// Where storage is unavailable.
    memory: caps::Memory,
}

thread_local! {
    static SURVEYS: RefCell<Option<Surveys>> = const { RefCell::new(None) };
}

/// Reads the surveys (one warning per unusable field), and arms their triggers. The
/// card itself is mounted by the caller into the launcher's survey slot.
pub(crate) fn start(settings: &Settings, panel: &Element) -> RwSignal<Option<Active>> {
    let (list, problems) = surveys::read(&settings.surveys);
    for problem in &problems {
        web_sys::console::warn_1(&problem.message().into());
    }
    if !list.is_empty() && settings.feedback_endpoint.is_none() {
        web_sys::console::warn_1(
            &"[shopdesk] surveys need a feedbackEndpoint to send answers to; none is shown".into(),
        );
    }
    let active = RwSignal::new(None);
    SURVEYS.with(|s| {
        *s.borrow_mut() = Some(Surveys {
            list: list.clone(),
            gap_days: settings.survey_gap_days,
            endpoint: settings.feedback_endpoint.clone(),
            shown_this_page: false,
            active,
            panel: panel.clone(),
            memory: caps::Memory::default(),
        })
    });
    let Some(window) = web_sys::window() else {
        return active;
    };
    for survey in &list {
        match &survey.trigger {
            Trigger::AfterSeconds(seconds) => {
                // Seconds on this page, counted from its navigation, not from when the
                // widget arrived.
                let since = window.performance().map_or(0.0, |p| p.now());
                let delay = (f64::from(*seconds) * 1000.0 - since).max(0.0) as i32;
                let id = survey.id.clone();
                later(delay, move || offer(&id, false));
            }
            Trigger::ExitIntent => {
                // Desktop: the main pointer is not a finger (phones have no "leaving
                // towards the tabs").
                let touch = window
                    .match_media("(pointer: coarse)")
                    .ok()
                    .flatten()
                    .is_some_and(|m| m.matches());
                if !touch {
                    let id = survey.id.clone();
                    if let Some(document) = window.document() {
                        listen::on_event(&document, "mouseout", move |e| {
                            let e: web_sys::MouseEvent = e.unchecked_into();
                            if e.related_target().is_none() && e.client_y() <= 0 {
                                offer(&id, false);
                            }
                        });
                    }
                }
            }
            Trigger::OnPage(_) | Trigger::Manual | Trigger::AfterChat => {}
        }
    }
    route_changed();
    active
}

/// `shutdown()`: no survey is offered any more (timers still pending find nothing).
pub(crate) fn stop() {
    SURVEYS.with(|s| s.borrow_mut().take());
}

/// The page's URL changed (or the widget started): offer the surveys for this page.
pub(crate) fn route_changed() {
    let path = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default();
    let due: Vec<String> = SURVEYS.with(|s| {
        s.borrow().as_ref().map_or(Vec::new(), |s| {
            s.list
                .iter()
                .filter(|v| matches!(&v.trigger, Trigger::OnPage(p) if p.matches(&path)))
                .map(|v| v.id.clone())
                .collect()
        })
    });
    for id in due {
        offer(&id, false);
    }
}

/// `shopdesk.showSurvey(id or kind)`: a listed survey by id, else the first of that
/// kind, else that kind with the default settings.
pub(crate) fn show(arg: &JsValue) {
    let Some(name) = arg.as_string() else {
        return js::warn(
            "shopdesk.showSurvey(survey) takes a survey id or \"csat\", \"nps\" or \"ces\"",
        );
    };
    let known = SURVEYS.with(|s| {
        let mut s = s.borrow_mut();
        let s = s.as_mut()?;
        if let Some(v) = s.list.iter().find(|v| v.id == name) {
            return Some(v.id.clone());
        }
        if let Some(v) = s.list.iter().find(|v| v.kind.as_str() == name) {
            return Some(v.id.clone());
        }
        let kind = match name.as_str() {
            "csat" => SurveyKind::Csat,
            "nps" => SurveyKind::Nps,
            "ces" => SurveyKind::Ces,
            _ => return None,
        };
        s.list.push(Survey::of_kind(kind));
        Some(name.clone())
    });
    match known {
        Some(id) => offer(&id, true),
        None => js::warn(&format!(
            "shopdesk.showSurvey(\"{name}\"): no such survey; use a survey id or \"csat\", \"nps\" or \"ces\""
        )),
    }
}

/// Shows survey `id` if the caps allow; waits while the shopper is typing.
fn offer(id: &str, manual: bool) {
    let busy = SURVEYS.with(|s| s.borrow().as_ref().is_some_and(|s| busy(&s.panel)));
    if busy {
        let id = id.to_string();
        return later(BUSY_RETRY_MS, move || offer(&id, manual));
    }
    if let Some(active) = admit(id, manual, None) {
        SURVEYS.with(|s| {
            if let Some(s) = s.borrow().as_ref() {
                s.active.set(Some(active));
            }
        });
    }
}

/// A chat just ended: the merchant's `afterChat` survey, if the caps allow, to show in
/// the chat itself (the shopper is there, done typing). Its answer names the chat.
pub(crate) fn after_chat(conversation: &str) -> Option<Active> {
    let id = SURVEYS.with(|s| {
        s.borrow().as_ref().and_then(|s| {
            s.list
                .iter()
                .find(|v| v.trigger == Trigger::AfterChat)
                .map(|v| v.id.clone())
        })
    })?;
    admit(&id, false, Some(conversation.to_string()))
}

/// Asks the caps about survey `id`; keeps what they decided (shown, passed over) and
/// returns the survey to show.
fn admit(id: &str, manual: bool, conversation: Option<String>) -> Option<Active> {
    let now = js_sys::Date::now();
    let shown = SURVEYS.with(|s| {
        let mut s = s.borrow_mut();
        let s = s.as_mut()?;
        let endpoint = s.endpoint.clone()?;
        let survey = s.list.iter().find(|v| v.id == id)?.clone();
        let mut memory = load().unwrap_or_else(|| s.memory.clone());
        let verdict = caps::decide(
            &survey,
            &memory,
            now,
            s.gap_days,
            s.shown_this_page,
            manual,
            js_sys::Math::random(),
        );
        match verdict {
            Ok(()) => memory.shown(&survey.id, now),
            Err(caps::Skip::NotSampled) => memory.passed_over(&survey.id, now),
            Err(_) => {}
        }
        save(&memory);
        s.memory = memory;
        Some(verdict.map(|()| {
            s.shown_this_page = true;
            Active {
                survey,
                endpoint,
                conversation,
            }
        }))
    });
    match shown {
        Some(Ok(active)) => {
            js::emit(
                "survey:shown",
                &serde_json::json!({ "id": active.survey.id, "kind": active.survey.kind.as_str() }),
            );
            Some(active)
        }
        Some(Err(why)) if manual => {
            web_sys::console::info_1(
                &format!("[shopdesk] survey `{id}` not shown: {}", explain(&why)).into(),
            );
            None
        }
        _ => None,
    }
}

fn explain(why: &caps::Skip) -> String {
    match why {
        caps::Skip::ThisPage => "a survey was already shown on this page".into(),
        caps::Skip::Cooldown { days_left } => {
            format!("this shopper saw it recently (again in {days_left:.0} days)")
        }
        caps::Skip::Gap { days_left } => {
            format!("this shopper saw another survey recently (again in {days_left:.0} days)")
        }
        caps::Skip::NotSampled => "not sampled".into(),
    }
}

/// The shopper is typing in the page, or using the help panel.
fn busy(panel: &Element) -> bool {
    if !panel.has_attribute("hidden") {
        return true;
    }
    let Some(active) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element())
    else {
        return false;
    };
    let tag = active.tag_name().to_ascii_uppercase();
    let editable = active
        .dyn_ref::<web_sys::HtmlElement>()
        .is_some_and(|e| e.is_content_editable());
    matches!(tag.as_str(), "INPUT" | "TEXTAREA" | "SELECT") || editable
}

fn later(ms: i32, f: impl FnOnce() + 'static) {
    if let Some(window) = web_sys::window() {
        let callback = Closure::once_into_js(f);
        let _ = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(callback.unchecked_ref(), ms);
    }
}

fn load() -> Option<caps::Memory> {
    let storage = web_sys::window()?.local_storage().ok()??;
    let text = storage.get_item(MEMORY_KEY).ok()??;
    serde_json::from_str(&text).ok()
}

fn save(memory: &caps::Memory) {
    let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten());
    if let (Some(storage), Ok(text)) = (storage, serde_json::to_string(memory)) {
        let _ = storage.set_item(MEMORY_KEY, &text);
    }
}

/// The words of a survey's card: the merchant's, else the catalogue's.
pub(crate) fn question(survey: &Survey, text: &'static Text) -> String {
    survey.question.clone().unwrap_or_else(|| {
        match survey.kind {
            SurveyKind::Csat if survey.trigger == Trigger::AfterChat => text.survey.csat_chat,
            SurveyKind::Csat => text.survey.csat,
            SurveyKind::Nps => text.survey.nps,
            SurveyKind::Ces => text.survey.ces,
        }
        .to_string()
    })
}

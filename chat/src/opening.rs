//! What the chat shows before the first message goes: whether a person is there (else
//! "Leave a message" and when the shop is back), the contact fields the merchant asks
//! for, and help articles that may answer what the shopper is writing.

// leptos's #[component] expands to `pub` props types.
#![allow(unreachable_pub)]

use leptos::prelude::*;
use serde::Deserialize;
use shopdesk_i18n::ConversationText;
use shopdesk_wire::chat::{ArticleRef, Availability, Handoff};
use wasm_bindgen::JsValue;

use crate::contact::{Field, Form, Known, Problem, Typed};
use crate::hooks;
use crate::session::Chat;

/// A message shorter than this is not searched (a greeting finds nothing useful).
const SUGGEST_FROM_CHARS: usize = 8;
/// The pause in typing after which the suggestions follow the text.
const SUGGEST_AFTER_MS: f64 = 300.0;

/// What the merchant's `identify` said, from the panel's handoff (asked each time: a
/// store may identify the shopper after the page loaded).
pub(crate) fn known() -> Known {
    hooks::handoff()
        .and_then(|json| serde_json::from_str::<Handoff>(&json).ok())
        .map(|h| Known::from(&h))
        .unwrap_or_default()
}

/// Nobody answers live: the shopper leaves a message (set once the server said so).
pub(crate) fn leaving(chat: Chat) -> bool {
    chat.availability
        .with(|a| a.as_ref().is_some_and(|a| !a.live))
}

/// "Nobody can answer right now. We're back Monday 08:00." and that the answer comes
/// by email.
#[component]
pub(crate) fn AwayNote(chat: Chat, text: &'static ConversationText) -> impl IntoView {
    let words = move || {
        chat.availability.with(|a| {
            let a: &Availability = a.as_ref()?;
            let mut said = a
                .away_message
                .clone()
                .unwrap_or_else(|| text.away.to_string());
            if let Some(when) = a.next_open.and_then(|ms| when(ms, text.code)) {
                said.push(' ');
                said.push_str(&text.back_at.replace("{when}", &when));
            }
            Some(said)
        })
    };
    view! {
        <p class="sd-chat-note" data-testid="sd-chat-away">{words}</p>
        <p class="sd-chat-note">{text.by_email}</p>
    }
}

/// The next opening as the shopper's own clock and language say it: "Monday 08:00",
/// with the date when it is a week or more away.
fn when(ms: i64, locale: &str) -> Option<String> {
    let options = js_sys::Object::new();
    let set = |k: &str, v: &str| js_sys::Reflect::set(&options, &k.into(), &v.into());
    set("weekday", "long").ok()?;
    set("hour", "2-digit").ok()?;
    set("minute", "2-digit").ok()?;
    let now = js_sys::Date::now();
    if (ms as f64) - now > 6.0 * 86_400_000.0 {
        set("month", "long").ok()?;
        set("day", "numeric").ok()?;
    }
    let locales = js_sys::Array::of1(&locale.into());
    let format = js_sys::Intl::DateTimeFormat::new(&locales, &options);
    let date = js_sys::Date::new(&JsValue::from_f64(ms as f64));
    format
        .format()
        .call1(&JsValue::NULL, &date)
        .ok()?
        .as_string()
}

/// The contact fields and the transcript checkbox, with their problems.
#[component]
pub(crate) fn ContactFields(
    chat: Chat,
    text: &'static ConversationText,
    typed: RwSignal<Typed>,
    problems: RwSignal<Vec<Problem>>,
) -> impl IntoView {
    let t = text;
    let form = move || Form::new(chat.pre_chat, &known(), leaving(chat));
    let problem =
        move |field: Field| problems.with(|p| p.iter().find(|p| p.field() == field).copied());
    let says = move |p: Problem| match p {
        Problem::Missing(Field::Name) => t.name_missing,
        Problem::Missing(Field::Email) => t.email_missing,
        Problem::NotAnEmail => t.email_invalid,
    };
    let label = move |words: &'static str, required: bool| {
        if required {
            words.to_string()
        } else {
            format!("{words} {}", t.optional)
        }
    };
    let name = move || {
        form().name.map(|required| view! {
            <div class="sd-chat-field">
                <label class="sd-label" for="sd-chat-name">{label(t.name_label, required)}</label>
                <input id="sd-chat-name" class="sd-comment" type="text" autocomplete="name" data-testid="sd-chat-name"
                    maxlength=shopdesk_wire::chat::MAX_NAME.to_string() required=required
                    aria-invalid=move || problem(Field::Name).map(|_| "true")
                    aria-describedby="sd-chat-name-problem"
                    prop:value=move || typed.with(|t| t.name.clone())
                    on:input=move |ev| typed.update(|t| t.name = event_target_value(&ev)) />
                <p id="sd-chat-name-problem" class="sd-field-problem" data-testid="sd-chat-name-problem">
                    {move || problem(Field::Name).map(says)}
                </p>
            </div>
        })
    };
    let email = move || {
        form().email.map(|required| view! {
            <div class="sd-chat-field">
                <label class="sd-label" for="sd-chat-email">{label(t.email_label, required)}</label>
                <input id="sd-chat-email" class="sd-comment" type="email" inputmode="email" autocomplete="email"
                    data-testid="sd-chat-email" maxlength=shopdesk_wire::MAX_EMAIL.to_string() required=required
                    aria-invalid=move || problem(Field::Email).map(|_| "true")
                    aria-describedby="sd-chat-email-problem"
                    prop:value=move || typed.with(|t| t.email.clone())
                    on:input=move |ev| typed.update(|t| t.email = event_target_value(&ev)) />
                <p id="sd-chat-email-problem" class="sd-field-problem" data-testid="sd-chat-email-problem">
                    {move || problem(Field::Email).map(says)}
                </p>
            </div>
        })
    };
    let transcript = move || {
        form().offers_transcript(&known()).then(|| view! {
            <label class="sd-chat-check">
                <input type="checkbox" data-testid="sd-chat-transcript"
                    prop:checked=move || typed.with(|t| t.transcript)
                    on:change=move |ev| typed.update(|t| t.transcript = event_target_checked(&ev)) />
                {t.transcript}
            </label>
        })
    };
    view! { <div class="sd-chat-contact">{name}{email}{transcript}</div> }
}

/// An article the search found for the message being written.
#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Suggestion {
    id: String,
    title: String,
    /// Sanitized by faq-indexer at build time.
    html: String,
}

/// Up to three articles for `draft` while the first message is written; opening one
/// shows its answer here (the draft stays) and tells the agent it was read.
#[component]
pub(crate) fn Suggestions(
    chat: Chat,
    text: &'static ConversationText,
    draft: RwSignal<String>,
) -> impl IntoView {
    let found = RwSignal::new(Vec::<Suggestion>::new());
    let open = RwSignal::new(None::<String>);
    let asked = StoredValue::new(String::new());
    Effect::new(move |_| {
        let now = draft.get();
        leptos::task::spawn_local(async move {
            shopdesk_web::time::sleep(SUGGEST_AFTER_MS).await;
            // Only the last of a burst of keystrokes searches.
            if draft.try_get_untracked().as_ref() != Some(&now) {
                return;
            }
            let text = now.trim();
            if asked.try_with_value(|a| a == text) != Some(false) {
                return;
            }
            asked.set_value(text.to_string());
            let list = if text.chars().count() < SUGGEST_FROM_CHARS {
                Vec::new()
            } else {
                hooks::suggest(text)
                    .and_then(|json| serde_json::from_str::<Vec<Suggestion>>(&json).ok())
                    .unwrap_or_default()
            };
            let _ = found.try_set(list.into_iter().take(3).collect());
        });
    });
    let item = move |s: Suggestion| {
        let id = s.id.clone();
        let shown = {
            let id = StoredValue::new(id.clone());
            move || open.with(|o| id.with_value(|id| o.as_deref() == Some(id.as_str())))
        };
        let toggle = {
            let (id, title) = (id.clone(), s.title.clone());
            move |_| {
                if open.with_untracked(|o| o.as_deref() == Some(id.as_str())) {
                    open.set(None);
                } else {
                    open.set(Some(id.clone()));
                    chat.opened(ArticleRef {
                        id: id.clone(),
                        title: title.clone(),
                    });
                }
            }
        };
        let panel_id = format!("sd-chat-suggestion-{id}");
        view! {
            <li class="sd-chat-suggestion" data-testid="sd-chat-suggestion" data-id=id>
                <button type="button" class="sd-chat-suggestion-title" aria-controls=panel_id.clone()
                    aria-expanded=move || if shown() { "true" } else { "false" } on:click=toggle>{s.title}</button>
                <div id=panel_id class="sd-answer sd-chat-suggestion-answer" data-testid="sd-chat-suggestion-answer"
                    hidden=move || !shown() inner_html=s.html></div>
            </li>
        }
    };
    move || {
        let list = found.get();
        (!list.is_empty()).then(|| view! {
            <section class="sd-chat-suggest" aria-label=text.suggestions data-testid="sd-chat-suggestions">
                <p class="sd-chat-note">{text.suggestions}</p>
                <ul class="sd-chat-suggestions">{list.into_iter().map(item).collect_view()}</ul>
            </section>
        })
    }
}

//! What the chat shows before the first message goes: whether a person is there (else
//! "Leave a message" and when the shop is back), the contact fields the merchant asks
//! for, and help articles that may answer what the shopper is writing.

// leptos's #[component] expands to `pub` props types.
#![allow(unreachable_pub)]

use leptos::prelude::*;
use shopdesk_i18n::ConversationText;
use shopdesk_wire::chat::Availability;
use wasm_bindgen::JsValue;

use crate::contact::{Field, Form, Known, Opening, Problem, Suggestion};
use crate::hooks;
use crate::session::Chat;
use crate::sharing::{Group, Shared};

/// A message shorter than this is not searched (a greeting finds nothing useful).
const SUGGEST_FROM_CHARS: usize = 8;
/// The pause in typing after which the suggestions follow the text.
const SUGGEST_AFTER_MS: f64 = 300.0;

/// What the merchant's `identify` said, from the panel's handoff (asked each time: a
/// store may identify the shopper after the page loaded).
pub(crate) fn known() -> Known {
    // Read with the browser's JSON: a second Rust reader of the whole handoff would
    // weigh on this module.
    let identity = hooks::handoff()
        .and_then(|json| js_sys::JSON::parse(&json).ok())
        .and_then(|h| js_sys::Reflect::get(&h, &"identity".into()).ok())
        .filter(|i| i.is_object());
    let field = |name: &str| {
        identity
            .as_ref()
            .and_then(|i| js_sys::Reflect::get(i, &name.into()).ok())
            .and_then(|v| v.as_string())
    };
    Known::from(field("name"), field("email"))
}

/// Nobody answers live: the shopper leaves a message (set once the server said so).
pub(crate) fn leaving(chat: Chat) -> bool {
    chat.opening.with(Opening::leaving)
}

/// "Nobody can answer right now. We're back Monday 08:00." and that the answer comes
/// by email.
#[component]
pub(crate) fn AwayNote(chat: Chat, text: &'static ConversationText) -> impl IntoView {
    let words = move || {
        chat.opening.with(|o| {
            let a: &Availability = o.availability.as_ref()?;
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
pub(crate) fn ContactFields(chat: Chat, text: &'static ConversationText) -> impl IntoView {
    // A memo: the fields are rebuilt when they change (the server's answer arrived),
    // not with every keystroke in them (they would lose the shopper's focus).
    let known = known();
    let transcript_too = known.email.is_some();
    let form = Memo::new(move |_| Form::new(chat.pre_chat, &known, leaving(chat)));
    let form = move || form.get();
    let one = move |which: Field, asked: Option<bool>| {
        asked.map(|required| {
            view! { <ContactField which=which required=required text=text chat=chat /> }
        })
    };
    let transcript = move || {
        (form().email.is_some() || transcript_too).then(|| view! {
            <label class="sd-chat-check">
                <input type="checkbox" data-testid="sd-chat-transcript"
                    prop:checked=move || chat.opening.with(|o| o.typed.transcript)
                    on:change=move |ev| chat.opening.update(|o| o.typed.transcript = event_target_checked(&ev)) />
                {text.transcript}
            </label>
        })
    };
    view! {
        <div class="sd-chat-contact">
            {move || one(Field::Name, form().name)}
            {move || one(Field::Email, form().email)}
            {transcript}
        </div>
    }
}

/// One contact field: its label ("(optional)" when it may stay empty), the input, and
/// what is wrong with it (read out with the field, `aria-describedby`).
#[component]
fn ContactField(
    which: Field,
    required: bool,
    text: &'static ConversationText,
    chat: Chat,
) -> impl IntoView {
    let t = text;
    let (key, kind, autocomplete, label, max) = match which {
        Field::Name => (
            "name",
            "text",
            "name",
            t.name_label,
            shopdesk_wire::chat::MAX_NAME,
        ),
        Field::Email => (
            "email",
            "email",
            "email",
            t.email_label,
            shopdesk_wire::MAX_EMAIL,
        ),
    };
    let label = if required {
        label.to_string()
    } else {
        format!("{label} {}", t.optional)
    };
    let id = format!("sd-chat-{key}");
    let problem_id = format!("{id}-problem");
    let problem = move || {
        chat.opening.with(|o| {
            o.problems
                .iter()
                .find(|p| p.field() == which)
                .map(|p| match p {
                    Problem::Missing(Field::Name) => t.name_missing,
                    Problem::Missing(Field::Email) => t.email_missing,
                    Problem::NotAnEmail => t.email_invalid,
                })
        })
    };
    view! {
        <div class="sd-chat-field">
            <label class="sd-label" for=id.clone()>{label}</label>
            <input id=id.clone() class="sd-comment" type=kind autocomplete=autocomplete data-testid=id.clone()
                maxlength=max.to_string() required=required
                aria-invalid=move || problem().map(|_| "true")
                aria-describedby=problem_id.clone()
                prop:value=move || chat.opening.with(|o| match which { Field::Name => o.typed.name.clone(), Field::Email => o.typed.email.clone() })
                on:input=move |ev| {
                    let value = event_target_value(&ev);
                    chat.opening.update(|o| match which { Field::Name => o.typed.name = value, Field::Email => o.typed.email = value });
                } />
            <p id=problem_id.clone() class="sd-field-problem" data-testid=problem_id>{problem}</p>
        </div>
    }
}

/// A suggestion from the panel's `{id, title, html}`.
fn suggestion(value: &JsValue) -> Option<Suggestion> {
    let text = |key: &str| js_sys::Reflect::get(value, &key.into()).ok()?.as_string();
    Some(Suggestion {
        id: text("id")?,
        title: text("title")?,
        html: text("html")?,
    })
}

/// Up to three articles for `draft` while the first message is written; opening one
/// shows its answer here (the draft stays) and tells the agent it was read.
#[component]
pub(crate) fn Suggestions(
    chat: Chat,
    text: &'static ConversationText,
    draft: RwSignal<String>,
) -> impl IntoView {
    Effect::new(move |_| {
        let now = draft.get();
        leptos::task::spawn_local(async move {
            shopdesk_web::time::sleep(SUGGEST_AFTER_MS).await;
            // Only the last of a burst of keystrokes searches.
            if draft.try_get_untracked().as_ref() != Some(&now) {
                return;
            }
            let text = now.trim();
            if chat.opening.try_with_untracked(|o| o.asked == text) != Some(false) {
                return;
            }
            let list: Vec<Suggestion> = if text.chars().count() < SUGGEST_FROM_CHARS {
                Vec::new()
            } else {
                hooks::suggest(text)
                    .map(|found| {
                        found
                            .iter()
                            .filter_map(|a| suggestion(&a))
                            .take(3)
                            .collect()
                    })
                    .unwrap_or_default()
            };
            chat.opening.update(|o| {
                o.asked = text.to_string();
                o.found = list;
            });
        });
    });
    // The list re-renders when the articles change, not with every keystroke in the
    // form (a button re-rendered under the shopper's focus would lose it).
    let found = Memo::new(move |_| chat.opening.with(|o| o.found.clone()));
    let item = move |s: Suggestion| {
        let id = StoredValue::new(s.id.clone());
        let shown = move || {
            chat.opening
                .with(|o| id.with_value(|id| o.open.as_deref() == Some(id.as_str())))
        };
        let panel_id = format!("sd-chat-suggestion-{}", s.id);
        view! {
            <li class="sd-chat-suggestion" data-testid="sd-chat-suggestion" data-id=s.id>
                <button type="button" class="sd-chat-suggestion-title" aria-controls=panel_id.clone()
                    aria-expanded=move || if shown() { "true" } else { "false" }
                    on:click=move |_| id.with_value(|id| chat.toggle_suggestion(id))>{s.title}</button>
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

/// Who reads the chat (and the shop's privacy page), and what the person answering
/// will receive with the first message: the list the shopper can take items out of,
/// which is exactly what goes (`sharing.rs`).
#[component]
pub(crate) fn SharedSummary(chat: Chat, text: &'static ConversationText) -> impl IntoView {
    let t = text;
    let items = move || {
        chat.opening
            .with(|o| o.shared.as_ref().map(Shared::items).unwrap_or_default())
    };
    let group = move |g: Group| match g {
        Group::Searched => t.shared_searched,
        Group::Read => t.shared_read,
        Group::Page => t.shared_page,
        Group::Identity => t.shared_identity,
        Group::Context => t.shared_context,
    };
    let privacy = chat.privacy_url.get_value();
    view! {
        <p class="sd-chat-note sd-chat-readers" data-testid="sd-chat-readers">
            {t.readers}
            {privacy.map(|href| view! {
                " "
                <a href=href target="_blank" rel="noopener" data-testid="sd-chat-privacy">{t.privacy}</a>
            })}
        </p>
        <details class="sd-chat-shared" data-testid="sd-chat-shared">
            <summary>{move || format!("{} ({})", t.shared_title, items().len())}</summary>
            {move || {
                let list = items();
                if list.is_empty() {
                    return view! { <p class="sd-chat-note">{t.shared_nothing}</p> }.into_any();
                }
                view! {
                    <ul class="sd-chat-shared-list">
                        {list.into_iter().map(|item| {
                            let part = item.part.clone();
                            let remove = t.unshare.replace("{item}", &item.label);
                            view! {
                                <li data-testid="sd-chat-shared-item" data-group=item.group.name()>
                                    <span class="sd-chat-shared-group">{group(item.group)}": "</span>
                                    <span class="sd-chat-shared-label">{item.label}</span>
                                    <button type="button" class="sd-chat-unshare" data-testid="sd-chat-unshare"
                                        aria-label=remove.clone() title=remove
                                        on:click=move |_| chat.unshare(part.clone())>"×"</button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </details>
    }
}

/// A verified shopper's earlier conversations, newest first; choosing one opens it.
#[component]
pub(crate) fn EarlierList(chat: Chat, text: &'static ConversationText) -> impl IntoView {
    let locale = text.code;
    move || {
        let earlier = chat.opening.with(|o| o.earlier.clone());
        (!earlier.is_empty()).then(|| view! {
            <section class="sd-chat-earlier" data-testid="sd-chat-earlier" aria-label=text.earlier>
                <h4 class="sd-chat-earlier-title">{text.earlier}</h4>
                <ul>
                    {earlier.into_iter().map(|e| {
                        let day = js_sys::Date::new(&JsValue::from_f64(e.started_at as f64))
                            .to_locale_date_string(locale, &JsValue::UNDEFINED);
                        let said = e.preview.clone().unwrap_or_default();
                        view! {
                            <li>
                                <button type="button" class="sd-chip sd-chat-earlier-item" data-testid="sd-chat-earlier-item"
                                    data-id=e.id.clone() on:click=move |_| chat.reopen(&e)>
                                    {String::from(day)}" · "{said}
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        })
    }
}

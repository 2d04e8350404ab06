//! The chat inside the panel: the log (a polite live region, so screen readers hear
//! replies), the message box (Enter sends, Shift+Enter starts a new line), and once it
//! has ended, the survey and a way to start again.

use leptos::html;
use leptos::prelude::*;
use shopdesk_i18n::ConversationText;
use shopdesk_wire::chat::Author;
use web_sys::KeyboardEvent;

use crate::contact::{Field, Form, LinkTrouble};
use crate::hooks;
use crate::log::{Delivery, Line, Log, Phase};
use crate::opening::{self, AwayNote, ContactFields, EarlierList, SharedSummary, Suggestions};
use crate::session::Chat;

#[allow(unreachable_pub)] // leptos's #[component] expands to a `pub` props type
#[component]
pub(crate) fn ChatView(chat: Chat, text: &'static ConversationText) -> impl IntoView {
    let draft = RwSignal::new(String::new());
    let input_ref = NodeRef::<html::Textarea>::new();
    let log_ref = NodeRef::<html::Div>::new();
    let ended_ref = NodeRef::<html::P>::new();
    let survey_ref = NodeRef::<html::Div>::new();
    let t = text;
    // The shopper came here to type; once the chat has ended, the news has focus
    // rather than the page. Again each time the panel shows the chat (it may have
    // been mounted while hidden, where nothing can take focus).
    Effect::new(move |_| {
        chat.focus.track();
        // What the agent would receive, as it is now (the shopper may have searched
        // more since the chat was last shown).
        chat.share_again();
        if let Some(p) = ended_ref.get() {
            let _ = p.focus();
        } else if let Some(input) = input_ref.get() {
            let _ = input.focus();
        }
    });
    // An ended conversation: the panel may put its survey at the end of the chat.
    Effect::new(move |_| {
        if let (Some(id), Some(slot)) = (chat.ended.get(), survey_ref.get()) {
            hooks::ended(&id, &slot);
        }
    });
    // The newest message stays in view (a message's delivery changing moves nothing).
    Effect::new(move |shown: Option<usize>| {
        let count = chat.log.with(|l| l.lines.len());
        if shown != Some(count) {
            if let Some(log) = log_ref.get() {
                request_animation_frame(move || log.set_scroll_top(log.scroll_height()));
            }
        }
        count
    });
    // Before the first message: the contact fields, checked before anything goes.
    let before_start = move || {
        chat.log
            .with(|l| matches!(l.phase, Phase::Idle | Phase::Unavailable) && l.lines.is_empty())
    };
    let send = move || {
        let body = draft.get_untracked();
        if body.trim().is_empty() {
            return;
        }
        if chat
            .log
            .with_untracked(|l| l.lines.is_empty() && !l.is_open())
        {
            let known = opening::known();
            let checked = chat.opening.try_update(|o| {
                let form = Form::new(chat.pre_chat, &known, o.leaving());
                match form.check(&o.typed, &known) {
                    Ok(contact) => {
                        o.problems.clear();
                        o.contact = contact;
                        None
                    }
                    Err(found) => {
                        let first = found[0].field();
                        o.problems = found;
                        Some(first)
                    }
                }
            });
            if let Some(Some(field)) = checked {
                // The first field to fix takes focus; its problem is read out with it.
                let id = match field {
                    Field::Name => "sd-chat-name",
                    Field::Email => "sd-chat-email",
                };
                focus_field(log_ref, id);
                return;
            }
        }
        draft.set(String::new());
        chat.send(body);
    };
    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            send();
        }
    };
    // Plain closures, not memos: the log changes a few times a minute, and each memo
    // type is code in a module shoppers download.
    let phase = move || chat.log.with(|l| l.phase);
    let has_failed = move || chat.log.with(Log::has_failed);
    let ended = move || phase() == Phase::Ended;
    let note = move || {
        match phase() {
        Phase::Unavailable => Some(view! {
            <p class="sd-chat-note sd-status-error" role="alert" data-testid="sd-chat-unavailable">{t.unavailable}</p>
        }.into_any()),
        Phase::Open if has_failed() => Some(view! {
            <p class="sd-chat-note sd-status-error" role="alert">{t.not_sent}</p>
        }.into_any()),
        Phase::Idle | Phase::Starting if opening::leaving(chat) => Some(view! {
            <AwayNote chat=chat text=text />
        }.into_any()),
        Phase::Idle | Phase::Starting => Some(view! {
            <p class="sd-chat-note">{t.waiting}</p>
        }.into_any()),
        Phase::Open => {
            let (answered, online, agent, left_for) = chat.log.with(|l| {
                (l.answered(), l.agents_online, l.agent.clone(), l.left_for.clone())
            });
            (!answered).then(|| {
                let words = match (agent, left_for) {
                    (Some(name), _) => t.assigned.replace("{name}", &name),
                    (None, Some(email)) => t.left.replace("{email}", &email),
                    (None, None) if online == Some(0) => t.no_agents.to_string(),
                    (None, None) => t.waiting.to_string(),
                };
                view! { <p class="sd-chat-note" data-testid="sd-chat-waiting">{words}</p> }.into_any()
            })
        }
        Phase::Ended => None,
    }
    };
    // Keyed by message: a new or confirmed message re-renders its own line only.
    let keys = move || {
        chat.log.with(|l| {
            l.lines
                .iter()
                .map(|line| line.key().stored())
                .collect::<Vec<_>>()
        })
    };
    let line = move |key: String| {
        let seen = {
            let key = key.clone();
            Memo::new(move |_| {
                chat.log
                    .with(|l| l.seen_by_agent().as_deref() == Some(key.as_str()))
            })
        };
        let line = Memo::new(move |_| {
            chat.log.with(|l| {
                l.lines
                    .iter()
                    .find(|line| line.key().stored() == key)
                    .cloned()
            })
        });
        move || {
            line.get()
                .map(|line| view! { <LineView line=line text=text seen=seen /> })
        }
    };
    view! {
        <section class="sd-chat" data-testid="sd-chat" aria-label=t.title
            // Whether a person answers (asked at the start): for tests and styles.
            data-reach=move || chat.opening.with(|o| match &o.availability {
                None => "unknown",
                Some(a) if a.live => "live",
                Some(a) if a.off => "off",
                Some(_) => "away",
            })>
            <div class="sd-chat-top">
                <button class="sd-back" type="button" data-testid="sd-chat-back" on:click=move |_| hooks::back()>
                    <span aria-hidden="true" class="sd-back-arrow">"←"</span>
                    {t.back}
                </button>
                <button class="sd-chip sd-chat-end" type="button" data-testid="sd-chat-end"
                    hidden=move || phase() != Phase::Open
                    on:click=move |_| chat.end()>{t.end}</button>
            </div>
            <h3 class="sd-chat-title">{move || if before_start() && opening::leaving(chat) { t.leave_title } else { t.title }}</h3>
            {move || chat.opening.with(|o| o.link_trouble).map(|trouble| view! {
                <p class="sd-chat-note sd-status-error" role="alert" data-testid="sd-chat-link-trouble">
                    {match trouble { LinkTrouble::Expired => t.link_expired, LinkTrouble::Invalid => t.link_invalid }}
                </p>
            })}
            {note}
            <div class="sd-chat-log" role="log" aria-live="polite" data-testid="sd-chat-log" node_ref=log_ref>
                <ol class="sd-chat-lines">
                    <For each=keys key=|k| k.clone() children=line />
                </ol>
            </div>
            <p class="sd-chat-typing" data-testid="sd-chat-typing" role="status">
                {move || chat.log.with(|l| l.typing.clone()).map(|name| {
                    let name = if name.is_empty() { t.agent } else { name.as_str() };
                    t.typing.replace("{name}", name)
                })}
            </p>
            {move || ended().then(|| view! {
                <div class="sd-chat-ended">
                    <p class="sd-chat-note" role="status" tabindex="-1" data-testid="sd-chat-ended" node_ref=ended_ref>
                        {move || if chat.log.with(|l| l.closed_idle) { t.ended_idle } else { t.ended }}
                    </p>
                    <div class="sd-chat-survey" node_ref=survey_ref></div>
                    <button class="sd-chip" type="button" data-testid="sd-chat-again" on:click=move |_| chat.restart()>{t.again}</button>
                </div>
            })}
            {move || (has_failed() && !ended()).then(|| view! {
                <button class="sd-chip sd-chat-retry" type="button" data-testid="sd-chat-retry" on:click=move |_| chat.retry()>{t.retry}</button>
            })}
            {move || before_start().then(|| view! {
                <EarlierList chat=chat text=text />
                <ContactFields chat=chat text=text />
                <Suggestions chat=chat text=text draft=draft />
                <SharedSummary chat=chat text=text />
            })}
            <form class="sd-chat-form" hidden=ended on:submit=move |ev| { ev.prevent_default(); send(); }>
                <label class="sd-visually-hidden" for="sd-chat-input">{t.message_label}</label>
                <textarea id="sd-chat-input" class="sd-comment sd-chat-input" data-testid="sd-chat-input" rows="2"
                    maxlength=shopdesk_wire::chat::MAX_MESSAGE.to_string()
                    placeholder=t.placeholder node_ref=input_ref
                    prop:value=move || draft.get()
                    on:input=move |ev| { draft.set(event_target_value(&ev)); chat.typing(); }
                    on:keydown=on_keydown></textarea>
                <button type="submit" class="sd-chip sd-send" data-testid="sd-chat-send">{t.send}</button>
            </form>
        </section>
    }
}

/// Focuses the field `id` in the chat's shadow root (found from the log's element).
fn focus_field(near: NodeRef<html::Div>, id: &str) {
    use wasm_bindgen::JsCast;
    let Some(log) = near.get_untracked() else {
        return;
    };
    let root = log.get_root_node();
    let found = root
        .dyn_ref::<web_sys::ShadowRoot>()
        .and_then(|r| r.get_element_by_id(id))
        .or_else(|| log.owner_document().and_then(|d| d.get_element_by_id(id)));
    if let Some(el) = found.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = el.focus();
    }
}

/// One message: who wrote it (for screen readers), the text, and where it stands.
#[component]
fn LineView(line: Line, text: &'static ConversationText, seen: Memo<bool>) -> impl IntoView {
    let t = text;
    let (who, author) = match line.author {
        Author::Shopper => (t.you, "shopper"),
        Author::Agent => (line.name.as_deref().unwrap_or(t.agent), "agent"),
    };
    // The name of the person answering, above each of their messages.
    let name = line.name.clone();
    let state = match line.delivery {
        Delivery::Sending => Some(t.sending),
        Delivery::Retrying => Some(t.retrying),
        Delivery::Failed => Some(t.not_sent),
        Delivery::Sent => None,
    };
    view! {
        <li class="sd-chat-line" data-testid="sd-chat-line" data-author=author data-delivery=line.delivery.name()>
            {match name {
                Some(name) => view! { <span class="sd-chat-name" data-testid="sd-chat-name">{name}</span> }.into_any(),
                None => view! { <span class="sd-visually-hidden">{format!("{who}: ")}</span> }.into_any(),
            }}
            <p class="sd-chat-bubble">{line.body}</p>
            {state.map(|s| view! { <span class="sd-chat-state">{s}</span> })}
            {move || seen.get().then(|| view! { <span class="sd-chat-state sd-chat-seen" data-testid="sd-chat-seen">{t.seen}</span> })}
        </li>
    }
}

//! The open conversation: what the shopper did before asking (the handoff), the
//! messages, and the reply box. Message text is always inserted as text nodes.

use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use shopdesk_wire::chat::{Author, Handoff, MailState, MessageKey, MAX_MESSAGE};

use super::answers::FaqAnswers;
use crate::browser;
use crate::canned;
use crate::desk::{Delivery, Handler, History, Message};
use crate::session::Session;
use crate::text;

/// The log follows new messages only while the agent is reading its end; scrolled up
/// further than this (pixels), they are left in peace.
const STICK_TO_END_PX: i32 = 80;
/// The character count appears once a reply gets close to the limit.
const SHOW_COUNT_FROM: usize = MAX_MESSAGE - 500;

#[allow(unreachable_pub)] // leptos's #[component] expands to a `pub` props type
#[component]
pub(crate) fn ConversationPane() -> impl IntoView {
    let session = expect_context::<Session>();
    let selected = Memo::new(move |_| session.desk.with(|d| d.selected().map(str::to_string)));
    view! {
        <main class="pane">
            {move || match selected.get() {
                Some(id) => view! { <Conversation id=id /> }.into_any(),
                None => {
                    view! {
                        <div class="placeholder">
                            <p>"Pick a conversation from the list to read it and reply."</p>
                        </div>
                    }
                        .into_any()
                }
            }}
        </main>
    }
}

/// The parts of a conversation that change rarely (not with every message).
#[derive(Debug, Clone, PartialEq)]
struct Head {
    who: String,
    started_at: i64,
    handoff: Handoff,
}

/// Whether and how the conversation ended, and whether its history is here.
#[derive(Debug, Clone, PartialEq)]
struct State {
    closed_at: Option<i64>,
    closed_by: Option<Author>,
    closed_idle: bool,
    closing: bool,
    history: History,
}

#[component]
fn Conversation(id: String) -> impl IntoView {
    let session = expect_context::<Session>();
    let head = Memo::new({
        let id = id.clone();
        move |_| {
            session.desk.with(|d| {
                d.conversation(&id).map(|c| Head {
                    who: c.who(),
                    started_at: c.started_at,
                    handoff: c.handoff.clone(),
                })
            })
        }
    });
    let state = Memo::new({
        let id = id.clone();
        move |_| {
            session.desk.with(|d| {
                d.conversation(&id).map(|c| State {
                    closed_at: c.closed_at,
                    closed_by: c.closed_by,
                    closed_idle: c.closed_idle,
                    closing: c.closing,
                    history: c.history.clone(),
                })
            })
        }
    });
    let ended = move || state.with(|s| s.as_ref().is_none_or(|s| s.closed_at.is_some()));
    let who = move || head.with(|h| h.as_ref().map(|h| h.who.clone()).unwrap_or_default());
    let since = move || {
        let now = session.now.get();
        head.with(|h| {
            let Some(h) = h else { return String::new() };
            let closed_at = state.with(|s| s.as_ref().and_then(|s| s.closed_at));
            format!(
                "Started {} · {}",
                text::stamp(browser::local(h.started_at), browser::local(now)),
                text::since(h.started_at, closed_at, now)
            )
        })
    };
    let history_line = {
        let id = id.clone();
        move || {
            let history = state.with(|s| s.as_ref().map(|s| s.history.clone()));
            match history {
                Some(History::Loading) | Some(History::NotLoaded) => {
                    Some(view! { <p class="note">"Loading earlier messages…"</p> }.into_any())
                }
                Some(History::Failed(why)) => {
                    let id = id.clone();
                    Some(
                        view! {
                            <p class="note error" role="alert">
                                {format!("Earlier messages could not be loaded: {why}. ")}
                                <button
                                    type="button"
                                    class="link"
                                    on:click=move |_| session.reload_history(id.clone())
                                >
                                    "Try again"
                                </button>
                            </p>
                        }
                        .into_any(),
                    )
                }
                Some(History::Loaded) | None => None,
            }
        }
    };
    let ended_line = move || {
        let now = session.now.get();
        state.with(|s| {
            let s = s.as_ref()?;
            let at = s.closed_at?;
            Some(format!(
                "{} at {}.",
                text::ended_by(s.closed_by, s.closed_idle),
                text::stamp(browser::local(at), browser::local(now))
            ))
        })
    };
    view! {
        <article class="conversation" aria-labelledby="conversation-title">
            <header class="conversation-head">
                <h2 id="conversation-title">{who}</h2>
                <p class="since">{since}</p>
                {
                    let id = id.clone();
                    move || {
                        session.desk.with(|d| {
                            let c = d.conversation(&id).filter(|c| c.offline)?;
                            let line = match &c.handoff.email {
                                Some(email) => format!("Left a message while nobody was there: your answers reach {email} by email while the shopper is away."),
                                None => "Left a message while nobody was there, without an email address: answers wait for the shopper to come back.".to_string(),
                            };
                            Some(view! { <p class="offline-note" data-testid="agent-offline-note">{line}</p> })
                        })
                    }
                }
                <Handling id=id.clone() ended=Signal::derive(ended) />
            </header>
            <div class="conversation-body">
                <div class="chat">
                    {history_line}
                    <Log id=id.clone() />
                    <p class="typing" role="status" data-testid="agent-typing">
                        {
                            let id = id.clone();
                            move || {
                                session
                                    .desk
                                    .with(|d| d.conversation(&id).is_some_and(|c| c.typing && c.is_open()))
                                    .then(|| format!("{} is typing…", who()))
                            }
                        }
                    </p>
                    <Show when=move || ended_line().is_some()>
                        <p class="ended-line" data-testid="agent-ended">{ended_line}</p>
                    </Show>
                    {
                        let id = id.clone();
                        move || {
                            let now = session.now.get();
                            session.desk.with(|d| {
                                let c = d.conversation(&id)?;
                                let m = c.mail.iter().find(|m| m.kind == "transcript")?;
                                let note = text::mail_note(m, next_try(m, now).as_deref());
                                Some(view! { <p class="mail" data-testid="agent-transcript" data-status=m.status.clone()>{note}</p> })
                            })
                        }
                    }
                    <Reply id=id.clone() who=Signal::derive(who) ended=Signal::derive(ended) closing=Signal::derive(move || state.with(|s| s.as_ref().is_some_and(|s| s.closing))) />
                </div>
                {move || head.get().map(|h| view! { <HandoffPanel handoff=h.handoff /> })}
            </div>
        </article>
    }
}

/// Who handles the conversation, "Take it", and handing it to a colleague or back to
/// the queue.
#[component]
fn Handling(id: String, ended: Signal<bool>) -> impl IntoView {
    let session = expect_context::<Session>();
    let handler = Memo::new({
        let id = id.clone();
        move |_| session.desk.with(|d| d.handler(&id))
    });
    let error = RwSignal::new(None::<String>);
    let choice = RwSignal::new(String::new());
    let me = move || {
        session
            .agent
            .with(|a| a.as_ref().map(|a| a.agent.id.clone()))
    };
    let line = move || match handler.get() {
        Handler::Nobody => "Waiting for an agent".to_string(),
        Handler::Me => "You handle this conversation".to_string(),
        Handler::Colleague(name) => format!("{name} handles this conversation"),
    };
    let can_take = move || {
        !ended.get()
            && match handler.get() {
                Handler::Me => false,
                Handler::Nobody => true,
                Handler::Colleague(_) => session.is_admin(),
            }
    };
    let can_hand =
        move || !ended.get() && (handler.with(Handler::concerns_me) || session.is_admin());
    // Online colleagues other than this agent, then the queue when it is not there.
    let options = move || {
        let me = me();
        let mut options: Vec<(String, String)> = session.colleagues.with(|all| {
            all.iter()
                .filter(|c| c.online && Some(&c.id) != me.as_ref())
                .map(|c| {
                    let away = if c.away { ", away" } else { "" };
                    (
                        c.id.clone(),
                        format!("{} ({} open{away})", c.name, c.handling),
                    )
                })
                .collect()
        });
        if handler.get() != Handler::Nobody {
            options.push((QUEUE.to_string(), "Back to the queue".to_string()));
        }
        options
    };
    session.load_colleagues();
    let take = {
        let id = id.clone();
        move |_| session.reassign(id.clone(), true, None, error)
    };
    let hand = move |_| {
        let to = choice.get_untracked();
        if to.is_empty() {
            error.set(Some(
                "Choose a colleague to hand the conversation to.".into(),
            ));
            return;
        }
        let to = (to != QUEUE).then_some(to);
        session.reassign(id.clone(), false, to, error);
        choice.set(String::new());
    };
    view! {
        <div class="handling" data-testid="agent-handling">
            <p class="handler" data-testid="agent-handler">{line}</p>
            <Show when=can_take>
                <button type="button" class="primary" data-testid="agent-take" on:click=take.clone()>
                    "Take it"
                </button>
            </Show>
            <Show when=can_hand>
                <label for="agent-handover">"Hand over to"</label>
                <select
                    id="agent-handover"
                    data-testid="agent-handover"
                    prop:value=move || choice.get()
                    on:focus=move |_| session.load_colleagues()
                    on:change=move |e| choice.set(event_target_value(&e))
                >
                    <option value="">"Choose…"</option>
                    {move || {
                        options()
                            .into_iter()
                            .map(|(value, label)| view! { <option value=value>{label}</option> })
                            .collect_view()
                    }}
                </select>
                <button type="button" data-testid="agent-handover-go" on:click=hand.clone()>
                    "Hand over"
                </button>
            </Show>
            <p class="error" role="alert" data-testid="agent-handling-error">{move || error.get()}</p>
        </div>
    }
}

/// The hand-over choice that means "nobody in particular".
const QUEUE: &str = "queue";

/// What the shopper did before asking for a person, so the agent never asks again.
#[component]
fn HandoffPanel(handoff: Handoff) -> impl IntoView {
    let page = handoff.page_url.clone().map(|url| {
        let label = handoff.page_title.clone().unwrap_or_else(|| url.clone());
        match text::safe_link(&url) {
            Some(href) => view! {
                <a href=href.to_string() target="_blank" rel="noopener noreferrer" data-testid="agent-page-link">
                    {label}
                </a>
            }
                .into_any(),
            None => view! { <span>{label}</span> }.into_any(),
        }
    });
    let page = page.or_else(|| {
        handoff
            .page_title
            .clone()
            .map(|t| view! { <span>{t}</span> }.into_any())
    });
    let identity = handoff
        .identity
        .as_ref()
        .map(|i| text::identity_fields(i, handoff.verified))
        .unwrap_or_default();
    let context = handoff
        .context
        .as_ref()
        .and_then(|c| serde_json::to_string_pretty(c).ok());
    let searched = handoff.searched.clone();
    let read = handoff.read.clone();
    let suggested = handoff.suggested.clone();
    let contact = [
        ("Name", handoff.name.clone()),
        ("Email", handoff.email.clone()),
        (
            "Transcript",
            handoff
                .transcript
                .then(|| "Asked for one by email".to_string()),
        ),
    ];
    view! {
        <aside class="handoff" data-testid="agent-handoff" aria-labelledby="handoff-title">
            <h3 id="handoff-title">"Before asking"</h3>
            <dl class="facts">
                {page.map(|p| view! { <dt>"Page"</dt> <dd>{p}</dd> })}
                {handoff.locale.clone().map(|l| view! { <dt>"Language"</dt> <dd>{l}</dd> })}
                {identity
                    .into_iter()
                    .map(|f| {
                        let (mark, title) = if f.verified {
                            ("verified", "Signed by the shop's server")
                        } else {
                            ("unverified", "As the store page said; nobody vouched for it")
                        };
                        view! {
                            <dt>{f.label}</dt>
                            <dd data-testid="agent-identity" data-verified=f.verified.to_string()>
                                {f.value}
                                " "
                                <span class=format!("identity-mark {mark}") title=title>{mark}</span>
                            </dd>
                        }
                    })
                    .collect_view()}
                {contact
                    .into_iter()
                    .filter_map(|(label, value)| value.map(|v| view! { <dt>{label}</dt> <dd data-testid="agent-contact">{v}</dd> }))
                    .collect_view()}
            </dl>
            <h4>"Searched:"</h4>
            {if searched.is_empty() {
                view! { <p class="none">"Nothing"</p> }.into_any()
            } else {
                view! {
                    <ul class="searched" data-testid="agent-searched">
                        {searched.into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}
                    </ul>
                }
                    .into_any()
            }}
            <h4>"Read:"</h4>
            {if read.is_empty() {
                view! { <p class="none">"No articles"</p> }.into_any()
            } else {
                view! {
                    <ul class="read" data-testid="agent-read">
                        {read.into_iter().map(|a| view! { <li>{a.title}</li> }).collect_view()}
                    </ul>
                }
                    .into_any()
            }}
            {(!suggested.is_empty()).then(|| view! {
                <h4>"Opened from the suggestions while writing:"</h4>
                <ul class="read" data-testid="agent-suggested">
                    {suggested.into_iter().map(|a| view! { <li>{a.title}</li> }).collect_view()}
                </ul>
            })}
            {context.map(|c| {
                view! {
                    <h4>"Context"</h4>
                    <pre class="context" data-testid="agent-context">{c}</pre>
                }
            })}
        </aside>
    }
}

/// The messages, oldest first.
#[component]
fn Log(id: String) -> impl IntoView {
    let session = expect_context::<Session>();
    let keys = Memo::new({
        let id = id.clone();
        move |_| {
            session.desk.with(|d| {
                d.conversation(&id)
                    .map(|c| {
                        c.messages
                            .iter()
                            .map(|m| (m.author, m.id.clone()))
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default()
            })
        }
    });
    let log = NodeRef::<html::Div>::new();
    let at_end = StoredValue::new(true);
    // New messages scroll into view if the agent was at the end (and on opening).
    Effect::new(move |_| {
        keys.track();
        if let Some(log) = log.get() {
            if at_end.get_value() {
                log.set_scroll_top(log.scroll_height());
            }
        }
    });
    let on_scroll = move |_| {
        if let Some(log) = log.get_untracked() {
            let gap = log.scroll_height() - log.scroll_top() - log.client_height();
            at_end.set_value(gap < STICK_TO_END_PX);
        }
    };
    view! {
        // The log role is on a wrapper: on the list itself it would take away the
        // list semantics the items need. Focusable, so the keyboard can scroll it.
        <div
            class="log"
            data-testid="agent-log"
            role="log"
            aria-live="polite"
            aria-label="Messages"
            tabindex="0"
            node_ref=log
            on:scroll=on_scroll
        >
            <ol class="messages">
            <For
                each=move || keys.get()
                key=|k| MessageKey::new(k.0, &k.1).stored()
                children=move |(author, mid)| {
                    let id = id.clone();
                    let seen = {
                        let (id, mid) = (id.clone(), mid.clone());
                        Memo::new(move |_| {
                            session.desk.with(|d| {
                                d.conversation(&id).and_then(|c| c.seen_by_shopper())
                                    == Some(MessageKey::new(author, &mid))
                            })
                        })
                    };
                    let mail = {
                        let (id, mid) = (id.clone(), mid.clone());
                        Memo::new(move |_| {
                            session.desk.with(|d| {
                                let c = d.conversation(&id)?;
                                let seq = c.messages.iter().find(|m| m.key() == MessageKey::new(author, &mid))?.seq?;
                                c.mail_about(seq, "reply").cloned()
                            })
                        })
                    };
                    let message = Memo::new(move |_| {
                        session.desk.with(|d| {
                            d.conversation(&id)
                                .and_then(|c| c.messages.iter().find(|m| m.key() == MessageKey::new(author, &mid)))
                                .cloned()
                        })
                    });
                    move || message.get().map(|m| view! { <MessageItem message=m seen=seen mail=mail /> })
                }
            />
            </ol>
        </div>
    }
}

/// When an email goes (again), as the agent's clock shows it.
fn next_try(m: &MailState, now: i64) -> Option<String> {
    let at = m.next_attempt?;
    Some(text::stamp(browser::local(at), browser::local(now)))
}

#[component]
fn MessageItem(message: Message, seen: Memo<bool>, mail: Memo<Option<MailState>>) -> impl IntoView {
    let session = expect_context::<Session>();
    let Message {
        author,
        body,
        at,
        delivery,
        ..
    } = message;
    let (who, class) = match author {
        Author::Shopper => ("Shopper", "message shopper"),
        Author::Agent => ("Agent", "message agent"),
    };
    let time = text::stamp(
        browser::local(at),
        browser::local(shopdesk_web::time::now_ms()),
    );
    let (state, note) = match &delivery {
        Delivery::Stored => ("stored", None),
        Delivery::Pending { problem: None, .. } => ("pending", Some("Sending…".to_string())),
        Delivery::Pending {
            problem: Some(p), ..
        } => ("pending", Some(format!("Not sent yet: {p}; retrying…"))),
        Delivery::Failed(why) => ("failed", Some(format!("Not delivered: {why}"))),
    };
    view! {
        <li class=class data-testid="agent-message" data-author=author.as_str() data-delivery=state>
            <p class="body">{body}</p>
            <p class="meta">
                <span class="author">{who}</span>
                " · "
                <time title=browser::long_time(at)>{time}</time>
                {note.map(|n| view! { <span class="delivery">" · " {n}</span> })}
                {move || seen.get().then(|| view! { <span class="seen" data-testid="agent-seen">" · Seen by the shopper"</span> })}
            </p>
            {move || mail.get().map(|m| {
                let note = text::mail_note(&m, next_try(&m, session.now.get()).as_deref());
                view! { <p class="mail" data-testid="agent-mail" data-status=m.status.clone()>{note}</p> }
            })}
        </li>
    }
}

/// The reply box. Enter sends, Shift+Enter starts a new line.
#[component]
fn Reply(
    id: String,
    /// Who the reply goes to, for the label.
    who: Signal<String>,
    ended: Signal<bool>,
    /// "End conversation" is on its way to the server.
    closing: Signal<bool>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    // A colleague's conversation: theirs to answer (the server refuses it too).
    let blocked = Memo::new({
        let id = id.clone();
        move |_| match session.desk.with(|d| (d.may_reply(&id), d.handler(&id))) {
            (false, Handler::Colleague(name)) => Some(name),
            _ => None,
        }
    });
    let locked = move || ended.get() || blocked.with(Option::is_some);
    let draft = RwSignal::new(
        session
            .drafts
            .with_value(|d| d.get(&id).cloned())
            .unwrap_or_default(),
    );
    let error = RwSignal::new(None::<String>);
    let area = NodeRef::<html::Textarea>::new();
    // Canned replies for the `/word` being typed; Escape puts them away for that word.
    let active = RwSignal::new(0usize);
    let dismissed = RwSignal::new(None::<String>);
    let offered = Memo::new(move |_| {
        draft.with(|d| {
            let q = canned::query(d)?;
            if dismissed.with(|x| x.as_deref() == Some(d.as_str())) {
                return None;
            }
            let found: Vec<_> = session
                .canned
                .with(|all| canned::matching(all, q).into_iter().cloned().collect());
            (!found.is_empty()).then_some(found)
        })
    });
    let choose = {
        let id = id.clone();
        move |i: usize| {
            let Some(reply) =
                offered.with_untracked(|o| o.as_ref().and_then(|o| o.get(i).cloned()))
            else {
                return;
            };
            let text = draft.with_untracked(|d| canned::insert(d, &reply));
            session.drafts.update_value(|d| {
                d.insert(id.clone(), text.clone());
            });
            draft.set(text);
            active.set(0);
            if let Some(area) = area.get_untracked() {
                let _ = area.focus();
            }
        }
    };
    // Opening a conversation puts the cursor where the answer goes.
    Effect::new(move |_| {
        if let Some(area) = area.get() {
            if !ended.get_untracked() {
                let _ = area.focus();
            }
        }
    });
    let send = {
        let id = id.clone();
        move || match session.send(&id, &draft.get_untracked()) {
            Ok(()) => {
                draft.set(String::new());
                session.drafts.update_value(|d| {
                    d.remove(&id);
                });
                error.set(None);
            }
            Err(why) => error.set(Some(why)),
        }
    };
    let on_submit = {
        let send = send.clone();
        move |e: ev::SubmitEvent| {
            e.prevent_default();
            send();
        }
    };
    let on_keydown = {
        let choose = choose.clone();
        move |e: ev::KeyboardEvent| {
            let count = offered.with_untracked(|o| o.as_ref().map_or(0, Vec::len));
            if count > 0 && !e.is_composing() {
                match e.key().as_str() {
                    "ArrowDown" => {
                        e.prevent_default();
                        active.update(|a| *a = (*a + 1) % count);
                        return;
                    }
                    "ArrowUp" => {
                        e.prevent_default();
                        active.update(|a| *a = (*a + count - 1) % count);
                        return;
                    }
                    "Enter" | "Tab" if !e.shift_key() => {
                        e.prevent_default();
                        choose(active.get_untracked().min(count - 1));
                        return;
                    }
                    "Escape" => {
                        e.prevent_default();
                        dismissed.set(Some(draft.get_untracked()));
                        return;
                    }
                    _ => {}
                }
            }
            if e.key() == "Enter" && !e.shift_key() && !e.is_composing() {
                e.prevent_default();
                send();
            }
        }
    };
    let on_input = {
        let id = id.clone();
        move |e: ev::Event| {
            let value = event_target_value(&e);
            session.drafts.update_value(|d| {
                d.insert(id.clone(), value.clone());
            });
            if !value.trim().is_empty() {
                session.typing(&id);
            }
            draft.set(value);
            active.set(0);
            error.set(None);
        }
    };
    let faq =
        view! { <FaqAnswers id=id.clone() draft=draft area=area locked=Signal::derive(locked) /> };
    let close = move |_| session.close(id.clone());
    let count = move || {
        let n = draft.with(|d| d.chars().count());
        (n >= SHOW_COUNT_FROM).then(|| format!("{n} / {MAX_MESSAGE}"))
    };
    view! {
        {faq}
        <form class="reply" on:submit=on_submit>
            <label for="agent-reply">{move || format!("Reply to {}", who.get())}</label>
            <textarea
                id="agent-reply"
                data-testid="agent-reply"
                rows="3"
                placeholder="Type a reply"
                aria-describedby="agent-reply-hint agent-reply-error"
                aria-controls=move || offered.with(Option::is_some).then_some("agent-canned")
                aria-activedescendant=move || {
                    offered
                        .with(Option::is_some)
                        .then(|| format!("agent-canned-{}", active.get()))
                }
                disabled=locked
                prop:value=move || draft.get()
                on:input=on_input
                on:keydown=on_keydown
                node_ref=area
            ></textarea>
            {move || {
                offered
                    .get()
                    .map(|found| {
                        let choose = choose.clone();
                        view! {
                            <ul id="agent-canned" class="canned-offer" role="listbox" aria-label="Canned replies" data-testid="agent-canned-offer">
                                {found
                                    .into_iter()
                                    .enumerate()
                                    .map(|(i, reply)| {
                                        let choose = choose.clone();
                                        view! {
                                            <li
                                                id=format!("agent-canned-{i}")
                                                role="option"
                                                aria-selected=move || if active.get() == i { "true" } else { "false" }
                                                data-testid="agent-canned-option"
                                                // Keeps the focus in the reply box.
                                                on:mousedown=move |e: ev::MouseEvent| {
                                                    e.prevent_default();
                                                    choose(i);
                                                }
                                            >
                                                <span class="shortcut">{format!("/{}", reply.shortcut)}</span>
                                                " "
                                                <span class="body">{text::first_words(&reply.body, 80)}</span>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                    })
            }}
            <div class="actions">
                <span id="agent-reply-hint" class="hint">
                    {move || {
                        if ended.get() {
                            "This conversation has ended.".to_string()
                        } else if let Some(n) = offered.with(|o| o.as_ref().map(Vec::len)) {
                            format!("{n} canned {}: ↑ and ↓ to choose, Enter to insert, Esc to close.", if n == 1 { "reply" } else { "replies" })
                        } else if let Some(name) = blocked.get() {
                            format!("{name} handles this conversation; take it over or ask them to hand it to you.")
                        } else {
                            "Enter sends, Shift+Enter starts a new line.".to_string()
                        }
                    }}
                </span>
                <span class="count" class:over={move || draft.with(|d| d.chars().count() > MAX_MESSAGE)}>
                    {count}
                </span>
                <button
                    type="button"
                    class="danger"
                    data-testid="agent-close"
                    disabled=move || ended.get() || closing.get()
                    on:click=close
                >
                    {move || if closing.get() { "Ending…" } else { "End conversation" }}
                </button>
                <button type="submit" class="primary" data-testid="agent-send" disabled=locked>
                    "Send"
                </button>
            </div>
            <p id="agent-reply-error" class="error" role="alert">
                {move || error.get()}
            </p>
        </form>
    }
}

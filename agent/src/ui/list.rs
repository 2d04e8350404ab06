//! The conversation list: open ones first, longest waiting first, then the ended ones.

use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

use crate::desk::Row;
use crate::session::Session;

#[allow(unreachable_pub)] // leptos's #[component] expands to a `pub` props type
#[component]
pub(crate) fn ConversationList() -> impl IntoView {
    let session = expect_context::<Session>();
    let ids = Memo::new(move |_| session.desk.with(|d| d.order()));
    let open = Memo::new(move |_| {
        session.desk.with(|d| {
            d.order()
                .iter()
                .filter(|id| d.conversation(id).is_some_and(|c| c.is_open()))
                .count()
        })
    });
    let searching = move || {
        session
            .search
            .with(|s| s.found.is_some() || s.error.is_some())
    };
    let older_error = RwSignal::new(None::<String>);
    view! {
        <nav class="queue" aria-labelledby="queue-heading">
            <h2 id="queue-heading">
                "Conversations " <span class="count">{move || format!("{} open", open.get())}</span>
            </h2>
            <div class="search">
                <label for="agent-search" class="visually-hidden">"Search conversations"</label>
                <input
                    id="agent-search"
                    type="search"
                    data-testid="agent-search"
                    placeholder="Search name, email, order, message"
                    prop:value=move || session.search.with(|s| s.query.clone())
                    on:input=move |e| session.find(event_target_value(&e))
                />
            </div>
            <Show when=searching fallback=move || view! {
                <Show when=move || ids.with(Vec::is_empty)>
                    <p class="empty">
                        "No conversations yet. New ones appear here as soon as a shopper asks for a person."
                    </p>
                </Show>
                <ul class="conversations" data-testid="agent-conversations" on:keydown=arrow_keys>
                    <For each=move || ids.get() key=|id| id.clone() let:id>
                        <Item id=id />
                    </For>
                </ul>
                <Show when=move || session.desk.with(|d| d.may_have_older())>
                    <button type="button" class="link older" data-testid="agent-older" on:click=move |_| session.load_older(older_error)>
                        "Show older conversations"
                    </button>
                </Show>
                <p class="error" role="alert">{move || older_error.get()}</p>
            }>
                <Found />
            </Show>
        </nav>
    }
}

/// What a search found, open and ended alike; opening one shows it as any other.
#[component]
fn Found() -> impl IntoView {
    let session = expect_context::<Session>();
    let rows = move || {
        let now = session.now.get();
        session.search.with(|s| {
            session.desk.with(|d| {
                s.found
                    .iter()
                    .flatten()
                    .map(|found| (d.found_row(found, now), found.clone()))
                    .collect::<Vec<_>>()
            })
        })
    };
    let summary = move || {
        session.search.with(|s| match (&s.error, &s.found) {
            (Some(e), _) => e.clone(),
            (None, Some(f)) if f.is_empty() => format!("Nothing found for “{}”.", s.query),
            (None, Some(f)) => {
                let more = if s.more {
                    " (the latest; narrow the search for older ones)"
                } else {
                    ""
                };
                format!("{} found{more}", f.len())
            }
            (None, None) => String::new(),
        })
    };
    view! {
        <p class="found-count" role="status" data-testid="agent-search-summary">{summary}</p>
        <ul class="conversations" data-testid="agent-found" on:keydown=arrow_keys>
            {move || {
                rows()
                    .into_iter()
                    .map(|(row, found)| {
                        let open = row.open;
                        view! {
                            <li
                                class="conversation-item"
                                class:ended=!open
                                class:selected=row.selected
                                data-testid="agent-found-item"
                                data-id=row.id.clone()
                            >
                                <button type="button" on:click=move |_| session.open_found(found.clone())>
                                    <span class="line">
                                        <span class="who">{row.who}</span>
                                        <span class="since">{row.since}</span>
                                    </span>
                                    <span class="line">
                                        <span class="page">{row.page.unwrap_or_default()}</span>
                                    </span>
                                    <span class="preview">{row.preview}</span>
                                </button>
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ul>
    }
}

/// One conversation; the whole line is a button.
#[component]
fn Item(id: String) -> impl IntoView {
    let session = expect_context::<Session>();
    let row = Memo::new({
        let id = id.clone();
        move |_| {
            let now = session.now.get();
            session.desk.with(|d| d.row(&id, now))
        }
    });
    let field =
        move |f: fn(&Row) -> String| move || row.with(|r| r.as_ref().map(f).unwrap_or_default());
    let open = move || row.with(|r| r.as_ref().is_some_and(|r| r.open));
    let selected = move || row.with(|r| r.as_ref().is_some_and(|r| r.selected));
    let unread = move || row.with(|r| r.as_ref().map_or(0, |r| r.unread));
    let open_it = {
        let id = id.clone();
        move |_| session.open(id.clone())
    };
    view! {
        <li
            data-testid="agent-conversation"
            data-id=id
            data-state=move || if open() { "open" } else { "closed" }
            class="conversation-item"
            class:selected=selected
            class:unread={move || unread() > 0}
            class:ended=move || !open()
            class:mine=move || row.with(|r| r.as_ref().is_some_and(|r| r.handler == crate::desk::Handler::Me))
        >
            <button type="button" aria-current=move || selected().then_some("true") on:click=open_it>
                <span class="line">
                    <span class="who">{field(|r| r.who.clone())}</span>
                    <span class="since">{field(|r| r.since.clone())}</span>
                </span>
                <span class="line">
                    <span class="page">{field(|r| r.page.clone().unwrap_or_default())}</span>
                    <Show when=move || unread() != 0>
                        <span class="badge" data-testid="agent-unread">
                            {unread}
                            <span class="visually-hidden">" unread"</span>
                        </span>
                    </Show>
                </span>
                <span class="preview">{field(|r| r.preview.clone())}</span>
                <Show when=move || row.with(|r| r.as_ref().is_some_and(|r| r.offline))>
                    <span class="offline" data-testid="agent-offline">"Left a message"</span>
                </Show>
                <Show when=open>
                    <span class="handler" data-testid="agent-row-handler">
                        <span class="visually-hidden">"Handled by: "</span>
                        {field(|r| r.handler.label())}
                    </span>
                </Show>
            </button>
        </li>
    }
}

/// Up/Down (and Home/End) move between conversations; Enter or Space opens one.
fn arrow_keys(e: ev::KeyboardEvent) {
    let Some(item) = e
        .target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .and_then(|t| t.closest("li").ok().flatten())
    else {
        return;
    };
    let target = match e.key().as_str() {
        "ArrowDown" => item.next_element_sibling(),
        "ArrowUp" => item.previous_element_sibling(),
        "Home" => item.parent_element().and_then(|l| l.first_element_child()),
        "End" => item.parent_element().and_then(|l| l.last_element_child()),
        _ => return,
    };
    e.prevent_default();
    if let Some(button) = target
        .and_then(|li| li.query_selector("button").ok().flatten())
        .and_then(|b| b.dyn_into::<HtmlElement>().ok())
    {
        let _ = button.focus();
    }
}

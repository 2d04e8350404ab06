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
    view! {
        <nav class="queue" aria-labelledby="queue-heading">
            <h2 id="queue-heading">
                "Conversations " <span class="count">{move || format!("{} open", open.get())}</span>
            </h2>
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
        </nav>
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

//! The team's canned replies: the list, a form to add one, and removing one. Typed as
//! `/shortcut` in any reply box (`conversation.rs`).

use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use shopdesk_wire::agents::CannedInput;

use crate::session::Session;
use crate::text;

#[allow(unreachable_pub)] // leptos's #[component] expands to a `pub` props type
#[component]
pub(crate) fn CannedReplies() -> impl IntoView {
    let session = expect_context::<Session>();
    let error = RwSignal::new(None::<String>);
    let shortcut = NodeRef::<html::Input>::new();
    let body = NodeRef::<html::Textarea>::new();
    let add = move |e: ev::SubmitEvent| {
        e.prevent_default();
        let (Some(shortcut_field), Some(body_field)) =
            (shortcut.get_untracked(), body.get_untracked())
        else {
            return;
        };
        let input = CannedInput {
            shortcut: shortcut_field.value(),
            body: body_field.value(),
        };
        // The rules the server applies, said before anything is sent.
        match input.checked() {
            Ok(input) => session.add_canned(input, error, move || {
                shortcut_field.set_value("");
                body_field.set_value("");
                let _ = shortcut_field.focus();
            }),
            Err(invalid) => {
                let field = if invalid.field == "body" {
                    "Text"
                } else {
                    "Shortcut"
                };
                error.set(Some(format!("{field} {}.", invalid.problem)));
            }
        }
    };
    view! {
        <section class="canned" aria-labelledby="canned-heading" data-testid="agent-canned">
            <h2 id="canned-heading">"Canned replies"</h2>
            <p class="hint">"Type / and a shortcut in a reply to insert one. Shared by the whole team."</p>
            <Show
                when=move || session.canned.with(|c| !c.is_empty())
                fallback=|| view! { <p class="empty">"None yet."</p> }
            >
                <ul class="canned-list">
                    <For
                        each=move || session.canned.get()
                        key=|r| (r.id.clone(), r.shortcut.clone(), r.body.clone())
                        let:reply
                    >
                        <li data-testid="agent-canned-item">
                            <span class="shortcut">{format!("/{}", reply.shortcut)}</span>
                            " "
                            <span class="body">{text::first_words(&reply.body, 120)}</span>
                            <button
                                type="button"
                                class="link"
                                aria-label=format!("Remove /{}", reply.shortcut)
                                on:click={
                                    let id = reply.id.clone();
                                    move |_| session.remove_canned(id.clone(), error)
                                }
                            >
                                "Remove"
                            </button>
                        </li>
                    </For>
                </ul>
            </Show>
            <form class="canned-add" on:submit=add>
                <label for="canned-shortcut">"Shortcut"</label>
                <input id="canned-shortcut" data-testid="agent-canned-shortcut" placeholder="returns" node_ref=shortcut />
                <label for="canned-body">"Text"</label>
                <textarea id="canned-body" data-testid="agent-canned-body" rows="3" node_ref=body></textarea>
                <button type="submit" data-testid="agent-canned-add">"Add"</button>
                <p class="error" role="alert" data-testid="agent-canned-error">{move || error.get()}</p>
            </form>
        </section>
    }
}

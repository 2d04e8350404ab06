//! The widget's components: the launcher and the help panel.

mod article;
mod results;

use leptos::html;
use leptos::prelude::*;
use web_sys::KeyboardEvent;

use crate::engine::{self, Loader, Status};
use crate::host;

/// Moves the highlighted result, wrapping around, as a combobox does.
fn step(active: Option<usize>, len: usize, down: bool) -> Option<usize> {
    if len == 0 {
        return None;
    }
    Some(match (active, down) {
        (None, true) => 0,
        (None, false) => len - 1,
        (Some(i), true) => (i + 1) % len,
        (Some(i), false) => (i + len - 1) % len,
    })
}

/// The whole widget.
///
/// `base` is where the widget's assets live; `locale` is the shopper's language tag.
#[component]
pub(crate) fn App(base: String, locale: String) -> impl IntoView {
    let loader = Loader::new(base, locale);
    let open = RwSignal::new(false);
    let query = RwSignal::new(String::new());
    let results = RwSignal::new(Vec::<engine::Hit>::new());
    let active = RwSignal::new(None::<usize>);
    let article = RwSignal::new(None::<engine::Article>);
    let input_ref = NodeRef::<html::Input>::new();
    let launcher_ref = NodeRef::<html::Button>::new();

    host::when_idle(move || loader.preload());

    // Search whenever the query changes, and once more when the engine becomes ready,
    // so whatever was typed while it loaded is answered.
    Effect::new(move |_| {
        let q = query.get();
        let ready = matches!(loader.status.get(), Status::Ready { .. });
        let hits = if ready && !q.trim().is_empty() {
            engine::search(&q)
        } else {
            Vec::new()
        };
        active.set(None);
        results.set(hits);
    });

    // Focus follows the panel: into the search box on open, back to the launcher on close.
    Effect::new(move |was_open: Option<bool>| {
        let is_open = open.get();
        if is_open {
            if let Some(input) = input_ref.get() {
                let _ = input.focus();
            }
        } else if was_open == Some(true) {
            if let Some(button) = launcher_ref.get() {
                let _ = button.focus();
            }
        }
        is_open
    });

    let open_article = move |id: String| {
        if let Some(a) = engine::article(&id) {
            article.set(Some(a));
        }
    };
    let back = move || {
        article.set(None);
        // After the search box is shown again: a hidden element cannot take focus.
        request_animation_frame(move || {
            if let Some(input) = input_ref.get() {
                let _ = input.focus();
            }
        });
    };
    let close = move || {
        open.set(false);
    };

    let on_keydown = move |ev: KeyboardEvent| match ev.key().as_str() {
        "Escape" => {
            ev.prevent_default();
            close();
        }
        "ArrowDown" | "ArrowUp" if article.with_untracked(Option::is_none) => {
            ev.prevent_default();
            let len = results.with_untracked(Vec::len);
            active.update(|a| *a = step(*a, len, ev.key() == "ArrowDown"));
        }
        "Enter" if article.with_untracked(Option::is_none) => {
            let chosen = results.with_untracked(|r| {
                r.get(active.get_untracked().unwrap_or(0))
                    .map(|h| h.id.clone())
            });
            if let Some(id) = chosen {
                ev.prevent_default();
                open_article(id);
            }
        }
        _ => {}
    };

    let status_text = move || {
        let q = query.get();
        let n = results.with(Vec::len);
        match loader.status.get() {
            Status::Failed => {
                "Help articles could not be loaded right now. Please try again later.".to_string()
            }
            Status::Idle | Status::Loading if !q.trim().is_empty() => {
                "Loading answers…".to_string()
            }
            Status::Ready { .. } if !q.trim().is_empty() && n == 0 => {
                format!("No answers found for “{}”. Try other words.", q.trim())
            }
            Status::Ready { .. } if n > 0 => {
                format!("{n} answer{}", if n == 1 { "" } else { "s" })
            }
            _ => "Ask a question, e.g. “how do I return an item?”".to_string(),
        }
    };
    let status_kind = move || match loader.status.get() {
        Status::Failed => "sd-status sd-status-error",
        Status::Idle | Status::Loading if !query.with(|q| q.trim().is_empty()) => {
            "sd-status sd-status-loading"
        }
        _ => "sd-status",
    };
    let fallback_note = move || match loader.status.get() {
        Status::Ready {
            fallback: true,
            locale,
        } => Some(view! {
            <p class="sd-note">{format!("Articles are shown in another language ({locale}).")}</p>
        }),
        _ => None,
    };

    view! {
        <button
            class="sd-launcher"
            type="button"
            data-testid="sd-launcher"
            aria-haspopup="dialog"
            aria-expanded=move || open.get().to_string()
            node_ref=launcher_ref
            on:pointerenter=move |_| loader.preload()
            on:focus=move |_| loader.preload()
            on:click=move |_| {
                loader.preload();
                open.update(|o| *o = !*o);
            }
        >
            <svg class="sd-icon" viewBox="0 0 24 24" aria-hidden="true">
                <path d="M4 5.5A2.5 2.5 0 0 1 6.5 3h11A2.5 2.5 0 0 1 20 5.5v8a2.5 2.5 0 0 1-2.5 2.5H10l-4.2 3.6a.5.5 0 0 1-.8-.4V16h-.5A.5.5 0 0 1 4 15.5z"></path>
            </svg>
            <span class="sd-launcher-label">"Help"</span>
        </button>
        <div
            class="sd-panel"
            role="dialog"
            aria-label="Help"
            data-testid="sd-panel"
            data-engine=move || loader.status.get().name()
            hidden=move || !open.get()
            on:keydown=on_keydown
        >
            <header class="sd-header">
                <h2 class="sd-heading">"How can we help?"</h2>
                <button class="sd-close" type="button" aria-label="Close help" on:click=move |_| close()>
                    <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M6 6l12 12M18 6L6 18"></path></svg>
                </button>
            </header>
            <div class="sd-search" hidden=move || article.with(Option::is_some)>
                <input
                    class="sd-input"
                    type="search"
                    data-testid="sd-input"
                    role="combobox"
                    aria-label="Search help articles"
                    aria-autocomplete="list"
                    aria-controls="sd-listbox"
                    aria-expanded=move || results.with(|r| !r.is_empty()).to_string()
                    aria-activedescendant=move || active.get().map(|i| format!("sd-opt-{i}"))
                    placeholder="Search help articles"
                    autocomplete="off"
                    spellcheck="false"
                    node_ref=input_ref
                    prop:value=move || query.get()
                    on:input=move |ev| query.set(event_target_value(&ev))
                />
                <p class=status_kind data-testid="sd-status" role="status" aria-live="polite">{status_text}</p>
                {fallback_note}
                <results::ResultList results=results active=active on_open=open_article />
            </div>
            {move || article.get().map(|a| view! { <article::ArticleView article=a on_back=back /> })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::step;

    #[test]
    fn arrow_keys_wrap_around() {
        assert_eq!(step(None, 3, true), Some(0));
        assert_eq!(step(None, 3, false), Some(2));
        assert_eq!(step(Some(2), 3, true), Some(0));
        assert_eq!(step(Some(0), 3, false), Some(2));
        assert_eq!(step(Some(0), 0, true), None);
    }
}
